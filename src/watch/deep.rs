//! Cheap runs: the checks that look inside containers (an exec each, the
//! costliest thing a run does) look only every `--deep-every` runs, or at
//! once when a container changed (another id, a restart, a stop). In
//! between, what they saw last is given again, for those that passed or
//! were skipped; one that did not pass looks every run until it does.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use crate::doctor::carried::Carried;
use crate::doctor::check::Check;
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{CheckResult, Severity};

/// Each container as far as a look inside depends on it.
pub(crate) type Fingerprint = BTreeMap<String, (String, Option<SystemTime>, bool)>;

pub(crate) fn fingerprint(ctx: &Ctx) -> Fingerprint {
    ctx.containers
        .values()
        .map(|c| (c.name.clone(), (c.id.clone(), c.started_at, c.is_running())))
        .collect()
}

#[derive(Debug)]
pub(crate) struct Deep {
    every: u32,
    /// What the last look inside saw: the containers, and the run.
    looked: Option<(Fingerprint, u64)>,
    runs_since: u32,
    /// The latest results of the checks that look inside, by id.
    last: HashMap<String, CheckResult>,
}

impl Deep {
    pub(crate) fn new(every: u32) -> Deep {
        Deep {
            every,
            looked: None,
            runs_since: 0,
            last: HashMap::new(),
        }
    }

    /// The checks of this run: all of them on a run that looks inside,
    /// else those that look inside and passed last time are carried.
    pub(crate) fn shape(
        &self,
        found: &Fingerprint,
        checks: Vec<Box<dyn Check>>,
    ) -> (Vec<Box<dyn Check>>, Outline) {
        let from_run = match &self.looked {
            Some((seen, run)) if seen == found && self.runs_since + 1 < self.every => *run,
            _ => {
                let ran_inside = checks
                    .iter()
                    .filter(|c| c.looks_inside())
                    .map(|c| c.id())
                    .collect();
                let looked = Outline {
                    looked: true,
                    ran_inside,
                };
                return (checks, looked);
            }
        };
        let mut ran_inside = Vec::new();
        let checks = checks
            .into_iter()
            .map(|check| {
                if !check.looks_inside() {
                    return check;
                }
                let passed = self
                    .last
                    .get(&check.id())
                    .filter(|r| matches!(r.severity, Severity::Pass | Severity::Skip));
                match passed {
                    Some(last) => {
                        Box::new(Carried::new(check, last.clone(), from_run)) as Box<dyn Check>
                    }
                    None => {
                        ran_inside.push(check.id());
                        check
                    }
                }
            })
            .collect();
        let carried = Outline {
            looked: false,
            ran_inside,
        };
        (checks, carried)
    }

    /// Learns from this run's results (run `run`, shaped as `shaped` says).
    pub(crate) fn learn(
        &mut self,
        found: Fingerprint,
        run: u64,
        shaped: &Outline,
        results: &[CheckResult],
    ) {
        if shaped.looked {
            self.looked = Some((found, run));
            self.runs_since = 0;
            self.last.clear();
        } else {
            self.runs_since += 1;
        }
        for result in results.iter().filter(|r| shaped.ran_inside.contains(&r.id)) {
            self.last.insert(result.id.clone(), result.clone());
        }
    }
}

/// How `Deep::shape` left a run's checks.
#[derive(Debug, Default, Clone)]
pub(crate) struct Outline {
    /// Whether every check that looks inside does.
    pub(crate) looked: bool,
    /// The checks that look inside and do this run.
    pub(crate) ran_inside: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::BoxFuture;
    use crate::doctor::finding::{Category, Finding, Subject};

    /// A check, looking inside or not.
    struct Probe(&'static str, bool);
    impl Check for Probe {
        fn id(&self) -> String {
            self.0.into()
        }
        fn category(&self) -> Category {
            Category::Volumes
        }
        fn subject(&self) -> Subject {
            Subject::Stack
        }
        fn looks_inside(&self) -> bool {
            self.1
        }
        fn description(&self) -> String {
            String::new()
        }
        fn run<'a>(&'a self, _ctx: &'a Ctx) -> BoxFuture<'a, Finding> {
            unreachable!("the shape is asserted, not run")
        }
    }

    fn result(id: &str, severity: Severity) -> CheckResult {
        CheckResult {
            id: id.into(),
            subject: Subject::Stack,
            category: Category::Volumes,
            service: None,
            severity,
            message: format!("{id} as seen"),
            remediation: None,
            evidence: Vec::new(),
            duration_ms: 3,
        }
    }

    fn containers(started: u64) -> Fingerprint {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(started);
        [(
            "gaia-core".to_owned(),
            ("c0ffee".to_owned(), Some(at), true),
        )]
        .into()
    }

    fn checks() -> Vec<Box<dyn Check>> {
        vec![
            Box::new(Probe("containers.gaia-core", false)),
            Box::new(Probe("mounts.gaia-core", true)),
            Box::new(Probe("shared-dirs.gaia-shared", true)),
        ]
    }

    /// One run: shaped, then learnt from with the given severities.
    fn run(deep: &mut Deep, found: &Fingerprint, number: u64, mounts: Severity) -> Outline {
        let (_, outline) = deep.shape(found, checks());
        let results = [
            result("containers.gaia-core", Severity::Pass),
            result("mounts.gaia-core", mounts),
            result("shared-dirs.gaia-shared", Severity::Fail),
        ];
        deep.learn(found.clone(), number, &outline, &results);
        outline
    }

    #[test]
    fn inside_checks_that_passed_are_carried_between_looks_and_failing_ones_look_every_run() {
        let mut deep = Deep::new(3);
        let steady = containers(100);
        let first = run(&mut deep, &steady, 1, Severity::Pass);
        assert!(first.looked, "the first run looks at everything");
        let second = run(&mut deep, &steady, 2, Severity::Pass);
        assert!(!second.looked);
        // What failed looks again; what passed is carried.
        assert_eq!(
            second.ran_inside,
            vec!["shared-dirs.gaia-shared".to_owned()]
        );
        assert!(!run(&mut deep, &steady, 3, Severity::Pass).looked);
        assert!(
            run(&mut deep, &steady, 4, Severity::Pass).looked,
            "every third run looks inside"
        );
        assert!(!run(&mut deep, &steady, 5, Severity::Pass).looked);
    }

    #[test]
    fn a_container_that_changed_makes_the_next_run_look_inside() {
        let mut deep = Deep::new(10);
        run(&mut deep, &containers(100), 1, Severity::Pass);
        assert!(!run(&mut deep, &containers(100), 2, Severity::Pass).looked);
        let restarted = containers(200);
        assert!(run(&mut deep, &restarted, 3, Severity::Pass).looked);
        assert!(!run(&mut deep, &restarted, 4, Severity::Pass).looked);
    }

    #[test]
    fn deep_every_one_always_looks() {
        let mut deep = Deep::new(1);
        for number in 1..5 {
            assert!(run(&mut deep, &containers(100), number, Severity::Pass).looked);
        }
    }
}

//! What the watch knows between runs: the latest report, and the checks
//! that changed state from one run to the next.

use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use serde::Serialize;

use crate::doctor::finding::{Category, CheckResult, Severity, Subject};
use crate::doctor::report::Report;

/// How many transitions the status page and /report.json keep.
const KEPT: usize = 50;

/// One check that changed state between two runs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Transition {
    #[serde(serialize_with = "rfc3339")]
    pub(crate) at: SystemTime,
    pub(crate) id: String,
    pub(crate) category: Category,
    pub(crate) service: Option<String>,
    /// None on the first run: the state gaia found when it started.
    pub(crate) from: Option<Severity>,
    pub(crate) to: Severity,
    pub(crate) message: String,
    pub(crate) remediation: Option<String>,
}

fn rfc3339<S: serde::Serializer>(at: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_rfc3339_seconds(*at).to_string())
}

/// The latest run, and when it ended.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) number: u64,
    pub(crate) report: Report,
    pub(crate) finished_at: SystemTime,
    /// Whether every check that looks inside a container did (else some
    /// gave what they saw in an earlier run).
    pub(crate) looked_inside: bool,
}

impl Run {
    /// Whether the maintenance flag was on: its check does not pass, and
    /// not because the flag expired (gaia treats that as off).
    pub(crate) fn maintenance(&self) -> bool {
        self.maintenance_warning()
            .is_some_and(|r| !r.message.starts_with(crate::ha::EXPIRED))
    }

    /// What the doctor said of a flag that expired but is still there.
    pub(crate) fn maintenance_expired(&self) -> Option<&str> {
        self.maintenance_warning()
            .map(|r| r.message.as_str())
            .filter(|m| m.starts_with(crate::ha::EXPIRED))
    }

    fn maintenance_warning(&self) -> Option<&CheckResult> {
        self.report.results.iter().find(|r| {
            r.subject == Subject::Maintenance
                && matches!(r.severity, Severity::Warn | Severity::Fail)
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) latest: Option<Run>,
    /// Each check's last state other than skipped. A skipped check has no
    /// state of its own (its service is stopped, and another check says
    /// so): a check that failed, was skipped while its container was
    /// down, and passes again has recovered, and that is news.
    known: HashMap<String, Severity>,
    /// Newest last.
    pub(crate) transitions: VecDeque<Transition>,
    /// With --heal: the repairs made, newest last.
    pub(crate) repairs: VecDeque<Healed>,
    /// With --heal: the services left alone, repaired too often.
    pub(crate) open_circuits: Vec<String>,
}

/// A repair `gaia watch --heal` made.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Healed {
    #[serde(serialize_with = "rfc3339")]
    pub(crate) at: SystemTime,
    pub(crate) service: String,
    /// As `gaia doctor --fix` names it: start, restart, recreate, reconnect.
    pub(crate) action: String,
    /// done or failed.
    pub(crate) outcome: String,
    pub(crate) detail: String,
}

impl State {
    pub(crate) fn healed(&mut self, repairs: impl IntoIterator<Item = Healed>) {
        self.repairs.extend(repairs);
        while self.repairs.len() > KEPT {
            self.repairs.pop_front();
        }
    }

    /// Takes a finished run in; returns the checks that changed state.
    pub(crate) fn record(&mut self, run: Run) -> Vec<Transition> {
        let changed = transitions(&mut self.known, &run.report.results, run.finished_at);
        self.transitions.extend(changed.iter().cloned());
        while self.transitions.len() > KEPT {
            self.transitions.pop_front();
        }
        self.latest = Some(run);
        changed
    }
}

/// The checks whose state changed from what was `known` of them, which
/// learns their new state. A check seen for the first time is news only
/// when something is wrong with it.
fn transitions(
    known: &mut HashMap<String, Severity>,
    after: &[CheckResult],
    at: SystemTime,
) -> Vec<Transition> {
    after
        .iter()
        .filter(|r| r.severity != Severity::Skip)
        .filter_map(|r| {
            let was = known.insert(r.id.clone(), r.severity);
            let from = match was {
                Some(was) if was == r.severity => return None,
                None if r.severity == Severity::Pass => return None,
                was => was,
            };
            Some(Transition {
                at,
                id: r.id.clone(),
                category: r.category,
                service: r.service.clone(),
                from,
                to: r.severity,
                message: r.message.clone(),
                remediation: r.remediation.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(id: &str, severity: Severity) -> CheckResult {
        CheckResult {
            id: id.into(),
            subject: Subject::Stack,
            category: Category::Http,
            service: Some("gaia-web".into()),
            severity,
            message: format!("{id} is {severity:?}"),
            remediation: None,
            evidence: Vec::new(),
            duration_ms: 1,
        }
    }

    fn run(number: u64, results: Vec<CheckResult>) -> Run {
        Run {
            number,
            report: Report::new(results, Duration::ZERO, "/gaia".into(), SystemTime::now()),
            finished_at: SystemTime::now(),
            looked_inside: true,
        }
    }

    fn changes(
        state: &mut State,
        number: u64,
        results: Vec<CheckResult>,
    ) -> Vec<(String, Option<Severity>, Severity)> {
        state
            .record(run(number, results))
            .into_iter()
            .map(|t| (t.id, t.from, t.to))
            .collect()
    }

    #[test]
    fn only_changes_are_transitions_and_the_first_run_reports_only_what_is_wrong() {
        use Severity::*;
        let mut state = State::default();
        assert_eq!(
            changes(&mut state, 1, vec![result("a", Pass), result("b", Warn)]),
            vec![("b".into(), None, Warn)]
        );
        assert!(changes(&mut state, 2, vec![result("a", Pass), result("b", Warn)]).is_empty());
        assert_eq!(
            changes(&mut state, 3, vec![result("a", Fail), result("b", Pass)]),
            vec![
                ("a".into(), Some(Pass), Fail),
                ("b".into(), Some(Warn), Pass)
            ]
        );
        assert_eq!(state.transitions.len(), 3);
    }

    #[test]
    fn skipped_is_no_state_a_recovery_across_it_is_news() {
        use Severity::*;
        let mut state = State::default();
        changes(&mut state, 1, vec![result("a", Pass)]);
        assert!(changes(&mut state, 2, vec![result("a", Skip)]).is_empty());
        assert!(changes(&mut state, 3, vec![result("a", Pass)]).is_empty());
        assert_eq!(
            changes(&mut state, 4, vec![result("a", Fail)]),
            vec![("a".into(), Some(Pass), Fail)]
        );
        assert!(changes(&mut state, 5, vec![result("a", Skip)]).is_empty());
        assert_eq!(
            changes(&mut state, 6, vec![result("a", Pass)]),
            vec![("a".into(), Some(Fail), Pass)]
        );
    }

    #[test]
    fn the_kept_transitions_are_bounded() {
        use Severity::*;
        let mut state = State::default();
        for n in 0..(KEPT as u64 + 10) {
            let severity = if n % 2 == 0 { Fail } else { Pass };
            changes(&mut state, n, vec![result("a", severity)]);
        }
        assert_eq!(state.transitions.len(), KEPT);
    }

    #[test]
    fn an_expired_flag_is_no_maintenance_but_is_said() {
        let flag = |message: &str| CheckResult {
            subject: Subject::Maintenance,
            message: message.into(),
            ..result("ha.maintenance", Severity::Warn)
        };
        let on = run(
            1,
            vec![flag("maintenance mode ON: failover is disabled (…)")],
        );
        assert!(on.maintenance());
        assert_eq!(on.maintenance_expired(), None);
        let expired = flag(&format!(
            "{} 2026-11-23T03:00:00Z (…); treated as off",
            crate::ha::EXPIRED
        ));
        let expired = run(2, vec![expired]);
        assert!(!expired.maintenance());
        assert!(
            expired
                .maintenance_expired()
                .unwrap()
                .contains("treated as off")
        );
        let off = run(
            3,
            vec![CheckResult {
                severity: Severity::Pass,
                ..flag("maintenance mode off")
            }],
        );
        assert!(!off.maintenance());
        assert_eq!(off.maintenance_expired(), None);
    }
}

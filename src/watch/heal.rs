//! `gaia watch --heal`: when to let the doctor's own repairs loose on a
//! service that keeps failing. Only after N failing runs in a row, never
//! within a grace period after its container started, never within a
//! cooldown after its last repair, never in maintenance, never past what
//! the registry's `heal` allows; and at most K repairs in a window, after
//! which its circuit opens and it is left alone (and alerted once) until
//! the window has passed.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use crate::docker::Container;
use crate::registry::{Expected, Heal, Registry};
use crate::repair::action::{Action, Plan, Repair};

/// The operator's limits (`gaia watch --heal-after …`).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// Failing runs in a row before a repair.
    pub(crate) after: u32,
    /// No repair while the container started less than this ago.
    pub(crate) grace: Duration,
    /// No repair sooner than this after the service's last one.
    pub(crate) cooldown: Duration,
    /// At most this many repairs per service within `window`.
    pub(crate) max_repairs: usize,
    pub(crate) window: Duration,
}

/// What became of the circuit of one service this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Circuit {
    Opened(String),
    Closed(String),
}

#[derive(Debug, Default)]
struct Track {
    failing_runs: u32,
    /// When its repairs were made, within the window.
    repairs: VecDeque<Instant>,
    open: bool,
}

#[derive(Debug)]
pub(crate) struct Healer {
    policy: Policy,
    tracks: HashMap<String, Track>,
}

/// A service's repairs among a plan's: those that act on its container.
pub(crate) fn repairs_of<'a>(plan: &'a Plan, service: &str) -> Vec<&'a Repair> {
    plan.repairs
        .iter()
        .filter(|r| match &r.action {
            Action::Start(s) | Action::Restart(s) | Action::Reconnect(s) | Action::Recreate(s) => {
                s == service
            }
            _ => false,
        })
        .collect()
}

/// Whether the registry's `heal` allows every one of `repairs`.
fn allowed(heal: Heal, repairs: &[&Repair]) -> bool {
    match heal {
        Heal::Never => false,
        Heal::Recreate => true,
        Heal::Restart => !repairs
            .iter()
            .any(|r| matches!(r.action, Action::Recreate(_))),
    }
}

impl Healer {
    pub(crate) fn new(policy: Policy) -> Healer {
        Healer {
            policy,
            tracks: HashMap::new(),
        }
    }

    /// Learns from this run's plan; returns the services to repair now, and
    /// the circuits that opened or closed.
    pub(crate) fn due(
        &mut self,
        plan: &Plan,
        registry: &Registry,
        containers: &HashMap<String, Container>,
        maintenance: bool,
        now: Instant,
    ) -> (Vec<String>, Vec<Circuit>) {
        let (mut due, mut circuits) = (Vec::new(), Vec::new());
        for service in &registry.services {
            let track = self.tracks.entry(service.name.clone()).or_default();
            while track
                .repairs
                .front()
                .is_some_and(|at| now.duration_since(*at) >= self.policy.window)
            {
                track.repairs.pop_front();
            }
            let full = track.repairs.len() >= self.policy.max_repairs;
            if track.open != full {
                track.open = full;
                circuits.push(if full {
                    Circuit::Opened(service.name.clone())
                } else {
                    Circuit::Closed(service.name.clone())
                });
            }
            let repairs = repairs_of(plan, &service.name);
            if repairs.is_empty() {
                track.failing_runs = 0;
                continue;
            }
            track.failing_runs += 1;
            let started = containers
                .get(&service.container)
                .and_then(|c| c.started_at)
                .and_then(|at| SystemTime::now().duration_since(at).ok());
            let cooling = track
                .repairs
                .back()
                .is_some_and(|at| now.duration_since(*at) < self.policy.cooldown);
            if track.open
                || maintenance
                || service.expected == Expected::Stopped
                || !allowed(service.heal, &repairs)
                || track.failing_runs < self.policy.after
                || started.is_some_and(|up| up < self.policy.grace)
                || cooling
            {
                continue;
            }
            due.push(service.name.clone());
        }
        (due, circuits)
    }

    /// A repair of `service` was made (whatever came of it).
    pub(crate) fn repaired(&mut self, service: &str, now: Instant) {
        let track = self.tracks.entry(service.to_owned()).or_default();
        track.repairs.push_back(now);
        track.failing_runs = 0;
    }

    /// A service found well again by the confirming re-check.
    pub(crate) fn recovered(&mut self, service: &str) {
        if let Some(track) = self.tracks.get_mut(service) {
            track.failing_runs = 0;
        }
    }

    /// The services whose circuit is open.
    pub(crate) fn open(&self) -> Vec<String> {
        let mut open: Vec<String> = self
            .tracks
            .iter()
            .filter(|(_, t)| t.open)
            .map(|(s, _)| s.clone())
            .collect();
        open.sort();
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            after: 3,
            grace: Duration::ZERO,
            cooldown: Duration::from_secs(60),
            max_repairs: 2,
            window: Duration::from_secs(1800),
        }
    }

    fn registry() -> Registry {
        Registry::load(None).unwrap()
    }

    fn plan(action: Action) -> Plan {
        Plan {
            repairs: vec![Repair {
                action,
                answers: vec!["containers.x".into()],
                finding: "down".into(),
                tier: 2,
            }],
            declined: Vec::new(),
        }
    }

    #[test]
    fn a_service_is_repaired_after_n_failing_runs_then_cools_down_then_its_circuit_opens() {
        let (registry, none) = (registry(), HashMap::new());
        let mut healer = Healer::new(policy());
        let failing = plan(Action::Start("gaia-web".into()));
        let t0 = Instant::now();
        for run in 0..2 {
            let (due, _) = healer.due(
                &failing,
                &registry,
                &none,
                false,
                t0 + Duration::from_secs(run),
            );
            assert!(due.is_empty(), "run {run}");
        }
        let (due, _) = healer.due(
            &failing,
            &registry,
            &none,
            false,
            t0 + Duration::from_secs(2),
        );
        assert_eq!(due, vec!["gaia-web".to_owned()]);
        healer.repaired("gaia-web", t0 + Duration::from_secs(2));
        // Failing again at once: three runs, but within the cooldown.
        for run in 3..6 {
            let (due, _) = healer.due(
                &failing,
                &registry,
                &none,
                false,
                t0 + Duration::from_secs(run),
            );
            assert!(due.is_empty(), "run {run}: cooling down");
        }
        let later = t0 + Duration::from_secs(70);
        let (due, _) = healer.due(&failing, &registry, &none, false, later);
        assert_eq!(due, vec!["gaia-web".to_owned()]);
        healer.repaired("gaia-web", later);
        // Two repairs in the window: the circuit opens, once, and stays open.
        let (due, circuits) = healer.due(
            &failing,
            &registry,
            &none,
            false,
            later + Duration::from_secs(200),
        );
        assert!(due.is_empty());
        assert_eq!(circuits, vec![Circuit::Opened("gaia-web".into())]);
        assert_eq!(healer.open(), vec!["gaia-web".to_owned()]);
        for run in 0..5 {
            let (due, circuits) = healer.due(
                &failing,
                &registry,
                &none,
                false,
                later + Duration::from_secs(300 + run),
            );
            assert!(due.is_empty() && circuits.is_empty());
        }
        // Once the window has passed, it closes.
        let (_, circuits) = healer.due(
            &failing,
            &registry,
            &none,
            false,
            later + Duration::from_secs(1801),
        );
        assert_eq!(circuits, vec![Circuit::Closed("gaia-web".into())]);
    }

    #[test]
    fn nothing_is_healed_in_maintenance_on_a_gpu_service_or_past_what_heal_allows() {
        let (registry, none) = (registry(), HashMap::new());
        let t0 = Instant::now();
        let mut in_maintenance = Healer::new(Policy {
            after: 1,
            ..policy()
        });
        let (due, _) = in_maintenance.due(
            &plan(Action::Start("gaia-web".into())),
            &registry,
            &none,
            true,
            t0,
        );
        assert!(due.is_empty());
        let mut healer = Healer::new(Policy {
            after: 1,
            ..policy()
        });
        assert_eq!(registry.service("gaia-prime").unwrap().heal, Heal::Never);
        let (due, _) = healer.due(
            &plan(Action::Restart("gaia-prime".into())),
            &registry,
            &none,
            false,
            t0,
        );
        assert!(due.is_empty(), "a GPU service is only watched");
        assert_eq!(registry.service("gaia-web").unwrap().heal, Heal::Restart);
        let (due, _) = healer.due(
            &plan(Action::Recreate("gaia-web".into())),
            &registry,
            &none,
            false,
            t0,
        );
        assert!(due.is_empty(), "restart does not allow a recreate");
    }

    #[test]
    fn a_service_stopped_on_purpose_is_never_healed() {
        let text = include_str!("../../services.toml").replacen(
            "name = \"gaia-web\"\n",
            "name = \"gaia-web\"\nexpected = \"stopped\"\n",
            1,
        );
        let registry = Registry::parse(&text, "services.toml").unwrap();
        let mut healer = Healer::new(Policy {
            after: 1,
            ..policy()
        });
        let (due, _) = healer.due(
            &plan(Action::Start("gaia-web".into())),
            &registry,
            &HashMap::new(),
            false,
            Instant::now(),
        );
        assert!(due.is_empty());
    }
}

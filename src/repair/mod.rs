//! `gaia doctor --fix`: repairs derived from the doctor's findings, applied
//! in dependency order, each re-verified by running the doctor again.
//!
//! Only what is safe is repaired: starting, restarting and recreating
//! containers, creating what compose would create (network, volumes, shared
//! directories), reattaching a container to the network, starting the HA
//! standbys. Nothing that holds data is removed, and what needs an
//! operator's decision (images, library drift, GPU reservations, a model,
//! the maintenance flag) is declined with the command that would do it.

mod apply;
mod plan;

use std::time::Duration;

use serde::Serialize;

pub(crate) use apply::apply;
pub(crate) use plan::plan;

use crate::doctor::report::Summary;
use crate::doctor::{CheckResult, Severity};
use crate::output::{Printer, Tone};
use crate::registry::Registry;

/// One repair gaia knows how to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Create the registry's network as compose would, and reattach the
    /// running containers.
    CreateNetwork,
    /// Create a named volume as compose would.
    CreateVolume(String),
    /// Create a volume's shared directories, owned as the registry says,
    /// through a container (by service name) that mounts it.
    CreateSharedDirs {
        volume: String,
        via: String,
    },
    /// Reattach a service's container to the network under its service name.
    Reconnect(String),
    Start(String),
    Restart(String),
    /// Recreate a service through compose; a leftover under a mangled name
    /// is removed only once the new container is healthy.
    Recreate(String),
    /// What `gaia ha start` does.
    StartStandbys,
}

impl Action {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Action::CreateNetwork => "create-network",
            Action::CreateVolume(_) => "create-volume",
            Action::CreateSharedDirs { .. } => "create-shared-dirs",
            Action::Reconnect(_) => "reconnect",
            Action::Start(_) => "start",
            Action::Restart(_) => "restart",
            Action::Recreate(_) => "recreate",
            Action::StartStandbys => "start-standbys",
        }
    }

    /// What it acts on: a network, volume or container name.
    pub(crate) fn target(&self, registry: &Registry) -> String {
        let container = |service: &str| {
            registry
                .service(service)
                .map_or(service, |s| s.container.as_str())
                .to_owned()
        };
        match self {
            Action::CreateNetwork => registry.network.clone(),
            Action::CreateVolume(volume) | Action::CreateSharedDirs { volume, .. } => {
                volume.clone()
            }
            Action::Reconnect(s) | Action::Start(s) | Action::Restart(s) | Action::Recreate(s) => {
                container(s)
            }
            Action::StartStandbys => registry
                .standbys()
                .map(|s| s.container.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    pub(crate) fn describe(&self, registry: &Registry) -> String {
        let target = self.target(registry);
        match self {
            Action::CreateNetwork => format!("create network {target} as compose would"),
            Action::CreateVolume(_) => format!("create volume {target} as compose would"),
            Action::CreateSharedDirs { via, .. } => {
                format!("create the shared directories of {target} (through {via})")
            }
            Action::Reconnect(_) => format!("reconnect {target} to {}", registry.network),
            Action::Start(_) => format!("start {target}"),
            Action::Restart(_) => format!("restart {target}"),
            Action::Recreate(_) => format!("recreate {target} through compose"),
            Action::StartStandbys => format!("start the HA standbys ({target})"),
        }
    }
}

/// A planned repair and the findings (check ids) it answers.
#[derive(Debug, Clone)]
pub(crate) struct Repair {
    pub(crate) action: Action,
    pub(crate) answers: Vec<String>,
    /// What the first finding it answers said.
    pub(crate) finding: String,
    /// Position in dependency order: lower runs first.
    pub(crate) tier: u32,
}

/// A finding gaia leaves to the operator, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Declined {
    pub(crate) check: String,
    pub(crate) message: String,
    pub(crate) reason: String,
    pub(crate) command: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) repairs: Vec<Repair>,
    pub(crate) declined: Vec<Declined>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// Dry run: what would be done.
    Planned,
    /// Done, and every finding it answers now passes.
    Repaired,
    /// Done, but a finding it answers still fails (see details).
    StillFailing,
    /// The action itself did not succeed (see details).
    Failed,
}

/// A repair as attempted.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) repair: Repair,
    pub(crate) verdict: Verdict,
    /// The error, what the doctor still sees, or what else was done.
    pub(crate) details: Vec<String>,
    pub(crate) duration: Duration,
}

/// What `--fix` did, rendered with the doctor's report.
#[derive(Debug, Clone)]
pub(crate) struct FixReport {
    pub(crate) dry_run: bool,
    /// The doctor's summary before any repair.
    pub(crate) before: Summary,
    pub(crate) attempts: Vec<Attempt>,
    pub(crate) declined: Vec<Declined>,
    pub(crate) registry: Registry,
}

impl FixReport {
    /// The plan as it stands: for `--dry-run`, or when there is nothing to do.
    pub(crate) fn planned(
        plan: Plan,
        before: Summary,
        dry_run: bool,
        registry: Registry,
    ) -> FixReport {
        FixReport {
            dry_run,
            before,
            attempts: plan
                .repairs
                .into_iter()
                .map(|repair| Attempt {
                    repair,
                    verdict: Verdict::Planned,
                    details: Vec::new(),
                    duration: Duration::ZERO,
                })
                .collect(),
            declined: plan.declined,
            registry,
        }
    }

    /// What was done, judged by the findings of the doctor's second run.
    pub(crate) fn applied(
        attempts: Vec<Attempt>,
        declined: Vec<Declined>,
        before: Summary,
        after: &[CheckResult],
        registry: Registry,
    ) -> FixReport {
        let mut report = FixReport {
            dry_run: false,
            before,
            attempts,
            declined,
            registry,
        };
        report.verify(after);
        report
    }

    fn verify(&mut self, after: &[CheckResult]) {
        for attempt in self
            .attempts
            .iter_mut()
            .filter(|a| a.verdict != Verdict::Failed)
        {
            let still: Vec<&CheckResult> = after
                .iter()
                .filter(|r| attempt.repair.answers.contains(&r.id))
                .filter(|r| matches!(r.severity, Severity::Fail | Severity::Warn))
                .collect();
            if still.is_empty() {
                attempt.verdict = Verdict::Repaired;
                continue;
            }
            attempt.verdict = Verdict::StillFailing;
            for result in still {
                attempt
                    .details
                    .push(format!("[{}] {}", result.id, result.message));
                attempt.details.extend(result.evidence.iter().cloned());
            }
        }
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        let repairs: Vec<_> = self
            .attempts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "action": a.repair.action.kind(),
                    "target": a.repair.action.target(&self.registry),
                    "description": a.repair.action.describe(&self.registry),
                    "answers": a.repair.answers,
                    "finding": a.repair.finding,
                    "outcome": a.verdict,
                    "details": a.details,
                    "duration_ms": a.duration.as_millis() as u64,
                })
            })
            .collect();
        serde_json::json!({
            "dry_run": self.dry_run,
            "before": self.before,
            "repairs": repairs,
            "not_repaired": self.declined,
        })
    }

    pub(crate) fn to_human(&self, printer: &Printer) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let title = if self.dry_run {
            "Repair plan (dry run: nothing was changed)"
        } else {
            "Repairs"
        };
        let _ = writeln!(out, "\n{}", printer.paint(title, Tone::Accent));
        if !self.dry_run && !self.attempts.is_empty() {
            let _ = writeln!(
                out,
                "  before them: {} warnings, {} failures; the report above is the state after",
                self.before.warnings, self.before.failures
            );
        }
        if self.attempts.is_empty() {
            let _ = writeln!(out, "  nothing to repair");
        }
        for (n, attempt) in self.attempts.iter().enumerate() {
            let (mark, verdict) = match attempt.verdict {
                Verdict::Planned => (printer.paint("→", Tone::Accent), String::new()),
                Verdict::Repaired => (
                    printer.paint("✓", Tone::Good),
                    format!("repaired in {:.1} s", attempt.duration.as_secs_f64()),
                ),
                Verdict::StillFailing => (
                    printer.paint("✗", Tone::Bad),
                    format!(
                        "still failing after {:.1} s",
                        attempt.duration.as_secs_f64()
                    ),
                ),
                Verdict::Failed => (
                    printer.paint("✗", Tone::Bad),
                    format!("failed after {:.1} s", attempt.duration.as_secs_f64()),
                ),
            };
            let _ = writeln!(
                out,
                "  {}. {mark} {}{}",
                n + 1,
                attempt.repair.action.describe(&self.registry),
                if verdict.is_empty() {
                    String::new()
                } else {
                    format!(": {verdict}")
                }
            );
            let _ = writeln!(
                out,
                "       for [{}] {}",
                attempt.repair.answers.join(", "),
                attempt.repair.finding
            );
            for detail in &attempt.details {
                let _ = writeln!(out, "       {detail}");
            }
        }
        if !self.declined.is_empty() {
            let _ = writeln!(out, "\n{}", printer.paint("Not repaired", Tone::Warn));
            for declined in &self.declined {
                let _ = writeln!(out, "  - [{}] {}", declined.check, declined.message);
                let _ = writeln!(out, "    why: {}", declined.reason);
                if let Some(command) = &declined.command {
                    let _ = writeln!(out, "    run: {command}");
                }
            }
        }
        out
    }
}

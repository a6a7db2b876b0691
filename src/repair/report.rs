//! What `--fix` planned or did, rendered beside the doctor's report.

use std::time::Duration;

use crate::doctor::finding::{CheckResult, Severity, Summary};
use crate::output::{Printer, Tone};
use crate::registry::Registry;
use crate::repair::action::{Attempt, Declined, Plan, Verdict};

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

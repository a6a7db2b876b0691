//! The one report of a doctor run, rendered as human text, JSON or JUnit.

use std::time::{Duration, SystemTime};

use crate::doctor::finding::{Category, CheckResult, FailOn, Severity, Subject, Summary};
use crate::error::{Error, Outcome};
use crate::output::{Printer, Tone};

#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) results: Vec<CheckResult>,
    pub(crate) elapsed: Duration,
    pub(crate) root: String,
    /// When the run began, and on which host: a report kept by CI says
    /// when and where it was made, and by which gaia.
    pub(crate) started_at: SystemTime,
    pub(crate) host: String,
}

impl Report {
    pub(crate) fn new(
        results: Vec<CheckResult>,
        elapsed: Duration,
        root: String,
        started_at: SystemTime,
    ) -> Report {
        Report {
            results,
            elapsed,
            root,
            started_at,
            host: host(),
        }
    }

    /// The report of a run whose checks could not run: `err`, as the one
    /// failed check `id`. Its first line is the message; what follows (how
    /// to put it right) is the remediation.
    pub(crate) fn not_run(id: &str, err: &Error, root: String, started_at: SystemTime) -> Report {
        let said = format!("{err:#}");
        let (message, rest) = said.split_once('\n').unwrap_or((&said, ""));
        let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
        let remediation = if rest.is_empty() {
            match err {
                Error::Busy(_) => "wait for the other gaia command to finish, or pass --wait 5m",
                Error::PreFlight(_) => "start what the message names, then run gaia doctor again",
                _ => "correct what the message names, then run gaia doctor again",
            }
            .to_owned()
        } else {
            rest
        };
        let failed = CheckResult {
            id: id.to_owned(),
            subject: Subject::Stack,
            category: Category::Preflight,
            service: None,
            severity: Severity::Fail,
            message: message.to_owned(),
            remediation: Some(remediation),
            evidence: Vec::new(),
            duration_ms: 0,
        };
        let elapsed = started_at.elapsed().unwrap_or_default();
        Report::new(vec![failed], elapsed, root, started_at)
    }

    pub(crate) fn summary(&self) -> Summary {
        let count = |s| self.results.iter().filter(|r| r.severity == s).count();
        Summary {
            passed: count(Severity::Pass),
            warnings: count(Severity::Warn),
            failures: count(Severity::Fail),
            skipped: count(Severity::Skip),
            total: self.results.len(),
        }
    }

    pub(crate) fn outcome(&self, fail_on: FailOn) -> Outcome {
        let summary = self.summary();
        match (summary.failures, summary.warnings, fail_on) {
            (0, 0, _) => Outcome::Healthy,
            (0, _, FailOn::Fail) => Outcome::Warnings,
            _ => Outcome::Failures,
        }
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "gaia.doctor/2",
            "gaia": {
                "version": env!("CARGO_PKG_VERSION"),
                "commit": env!("GAIA_COMMIT"),
                "built": env!("GAIA_BUILD_DATE"),
            },
            "host": self.host,
            "started_at": humantime::format_rfc3339_millis(self.started_at).to_string(),
            "root": self.root,
            "duration_ms": self.elapsed.as_millis() as u64,
            "summary": self.summary(),
            "checks": self.results,
        })
    }

    pub(crate) fn to_junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};
        let mut junit = Junit::new("gaia doctor");
        junit.set_time(self.elapsed);
        let mut categories: Vec<Category> = self.results.iter().map(|r| r.category).collect();
        categories.dedup();
        for category in categories {
            let mut suite = TestSuite::new(category.name());
            // quick_junit's own timestamps need chrono; these attributes are
            // the same, written by hand.
            suite
                .extra
                .insert("hostname".into(), self.host.as_str().into());
            suite.extra.insert(
                "timestamp".into(),
                humantime::format_rfc3339_millis(self.started_at)
                    .to_string()
                    .into(),
            );
            for result in self.results.iter().filter(|r| r.category == category) {
                let mut status = match result.severity {
                    Severity::Pass | Severity::Warn => TestCaseStatus::success(),
                    Severity::Skip => TestCaseStatus::skipped(),
                    Severity::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
                };
                if result.severity != Severity::Pass {
                    status.set_message(result.message.as_str());
                }
                let mut case = TestCase::new(result.id.as_str(), status);
                case.set_classname(format!("gaia.doctor.{}", category.name()));
                case.set_time(Duration::from_millis(result.duration_ms));
                let mut out = result.message.clone();
                if result.severity == Severity::Warn {
                    out = format!("warning: {out}");
                }
                if let Some(fix) = &result.remediation {
                    out.push_str(&format!("\nfix: {fix}"));
                }
                case.set_system_out(out);
                suite.add_test_case(case);
            }
            junit.add_test_suite(suite);
        }
        junit.to_string().expect("a JUnit report always serializes")
    }

    pub(crate) fn to_human(&self, printer: &Printer) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let summary = self.summary();
        let _ = writeln!(out, "gaia doctor — GAIA root {}", self.root);
        let mut current = None;
        for result in &self.results {
            if current != Some(result.category) {
                current = Some(result.category);
                let _ = writeln!(
                    out,
                    "\n{}",
                    printer.paint(result.category.title(), Tone::Accent)
                );
                if result.category == Category::Containers {
                    out.push_str(&self.container_table(printer));
                    continue;
                }
            }
            if result.category == Category::Containers
                || (result.severity == Severity::Skip && printer.verbose == 0)
            {
                continue;
            }
            let _ = writeln!(
                out,
                "  {} {}",
                mark(printer, result.severity),
                result.message
            );
            if printer.verbose > 0 {
                let _ = writeln!(
                    out,
                    "      {}",
                    printer.paint(
                        &format!("{} · {} ms", result.id, result.duration_ms),
                        Tone::Dim
                    )
                );
                for line in &result.evidence {
                    let _ = writeln!(out, "      {}", printer.paint(line, Tone::Dim));
                }
            }
        }
        if summary.skipped > 0 && printer.verbose == 0 {
            let note = format!(
                "{} checks skipped: their service is absent or stopped (-v lists them)",
                summary.skipped
            );
            let _ = writeln!(out, "\n{}", printer.paint(&note, Tone::Dim));
        }
        let _ = writeln!(
            out,
            "\nSummary: {} passed, {} warnings, {} failures, {} skipped in {:.2} s",
            summary.passed,
            summary.warnings,
            summary.failures,
            summary.skipped,
            self.elapsed.as_secs_f64()
        );
        for (title, severity, tone) in [
            ("Failures", Severity::Fail, Tone::Bad),
            ("Warnings", Severity::Warn, Tone::Warn),
        ] {
            let listed: Vec<&CheckResult> = self
                .results
                .iter()
                .filter(|r| r.severity == severity)
                .collect();
            if listed.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{}", printer.paint(title, tone));
            for (n, result) in listed.iter().enumerate() {
                let _ = writeln!(out, "  {}. [{}] {}", n + 1, result.id, result.message);
                if let Some(fix) = &result.remediation {
                    let _ = writeln!(out, "     fix: {fix}");
                }
            }
        }
        out
    }

    fn container_table(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["", "SERVICE", "RESULT"]);
        for result in self
            .results
            .iter()
            .filter(|r| r.category == Category::Containers)
        {
            table.add_row(vec![
                mark(printer, result.severity),
                result.service.clone().unwrap_or_default(),
                result.message.clone(),
            ]);
        }
        let mut text = table.to_string();
        text.push('\n');
        text
    }
}

/// This host's name, as the kernel has it.
fn host() -> String {
    nix::unistd::gethostname()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn mark(printer: &Printer, severity: Severity) -> String {
    match severity {
        Severity::Pass => printer.paint("✓", Tone::Good),
        Severity::Warn => printer.paint("!", Tone::Warn),
        Severity::Fail => printer.paint("✗", Tone::Bad),
        Severity::Skip => printer.paint("–", Tone::Dim),
    }
}

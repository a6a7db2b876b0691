//! The promotion audit log: one JSON line per `promote` or `rollback` run,
//! appended to `.gaia/promotions.jsonl` in the GAIA root, never rewritten.

use std::io::Write as _;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::output::{Printer, Render, Tone};

pub(crate) const LOG: &str = ".gaia/promotions.jsonl";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    /// Promoted (or rolled back on request) and healthy: exit 0.
    Done,
    /// Refused, or validation failed; nothing changed: exit 1.
    Refused,
    /// The gate failed and the previous version serves again: exit 2.
    RolledBack,
    /// Rolling back failed: live is degraded: exit 3.
    Degraded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StepOutcome {
    Ok,
    Skipped,
    Warning,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StepRecord {
    pub(crate) step: String,
    pub(crate) outcome: StepOutcome,
    pub(crate) detail: String,
    pub(crate) duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ValidatorResult {
    pub(crate) name: String,
    pub(crate) blocking: bool,
    pub(crate) exit_code: i64,
    pub(crate) passed: bool,
    /// The last lines it printed.
    pub(crate) output: String,
}

/// The live side of a promotion at one moment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Version {
    pub(crate) image_id: Option<String>,
    /// Digest of the live source tree (minus excludes).
    pub(crate) digest: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) schema: String,
    /// `promote` or `rollback`.
    pub(crate) command: String,
    pub(crate) service: String,
    /// user@host.
    pub(crate) who: String,
    pub(crate) started_at: String,
    pub(crate) finished_at: String,
    pub(crate) outcome: Outcome,
    pub(crate) exit_code: u8,
    pub(crate) forced: bool,
    pub(crate) from: Version,
    pub(crate) to: Version,
    pub(crate) validators: Vec<ValidatorResult>,
    pub(crate) steps: Vec<StepRecord>,
}

impl Record {
    pub(crate) fn new(command: &str, service: &str) -> Record {
        let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        Record {
            schema: "gaia.promote/1".into(),
            command: command.into(),
            service: service.into(),
            who: crate::process::operator(),
            started_at: now.clone(),
            finished_at: now,
            outcome: Outcome::Refused,
            exit_code: 1,
            forced: false,
            from: Version::default(),
            to: Version::default(),
            validators: Vec::new(),
            steps: Vec::new(),
        }
    }
}

/// Appends one record as one line.
pub(crate) fn append(root: &Path, record: &Record) -> Result<()> {
    let path = root.join(LOG);
    let failed = |e: std::io::Error| {
        Error::Failed(format!(
            "cannot append to the audit log {}: {e}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    // Validators and compose quote what they like: the record is scrubbed
    // as the printer scrubs what it shows.
    let mut line = crate::secrets::scrubbed_json(record)
        .map_err(anyhow::Error::from)?
        .to_string();
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(failed)?;
    file.write_all(line.as_bytes()).map_err(failed)
}

/// Every record, oldest first; lines that are not records are named, not hidden.
pub(crate) fn read(root: &Path) -> Result<Vec<Record>> {
    let path = root.join(LOG);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::Failed(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                Error::Failed(format!(
                    "{}:{}: not an audit record: {e}",
                    path.display(),
                    n + 1
                ))
            })
        })
        .collect()
}

impl Render for Record {
    fn human(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["STEP", "RESULT", "TIME", "DETAIL"]);
        for step in &self.steps {
            let (text, tone) = match step.outcome {
                StepOutcome::Ok => ("ok", Tone::Good),
                StepOutcome::Skipped => ("skipped", Tone::Dim),
                StepOutcome::Warning => ("warning", Tone::Warn),
                StepOutcome::Failed => ("FAILED", Tone::Bad),
            };
            table.add_row(vec![
                step.step.clone(),
                printer.paint(text, tone),
                format!("{:.1}s", step.duration_ms as f64 / 1000.0),
                step.detail.clone(),
            ]);
        }
        let (verdict, tone) = match self.outcome {
            Outcome::Done => (
                format!("{} {}: done", self.command, self.service),
                Tone::Good,
            ),
            Outcome::Refused => (
                format!(
                    "{} {}: refused, nothing was changed",
                    self.command, self.service
                ),
                Tone::Warn,
            ),
            Outcome::RolledBack => (
                format!(
                    "{} {}: the health gate failed; ROLLED BACK, the previous version serves",
                    self.command, self.service
                ),
                Tone::Bad,
            ),
            Outcome::Degraded => (
                format!(
                    "{} {}: ROLLBACK FAILED, live is degraded. Look at `docker logs`, restore \
                     the files from the .bak directory or re-tag the gaia-rollback image by hand, \
                     then `gaia doctor`",
                    self.command, self.service
                ),
                Tone::Bad,
            ),
        };
        format!("{table}\n\n{}\n", printer.paint(&verdict, tone))
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a record always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_appended_one_line_each_and_read_back_in_order() {
        let root = tempfile::tempdir().unwrap();
        assert!(read(root.path()).unwrap().is_empty());
        let mut first = Record::new("promote", "gaia-core");
        first.outcome = Outcome::Done;
        append(root.path(), &first).unwrap();
        append(root.path(), &Record::new("rollback", "gaia-core")).unwrap();
        let text = std::fs::read_to_string(root.path().join(LOG)).unwrap();
        assert_eq!(text.lines().count(), 2);
        let records = read(root.path()).unwrap();
        assert_eq!(records[0].command, "promote");
        assert_eq!(records[0].outcome, Outcome::Done);
        assert_eq!(records[1].command, "rollback");
    }

    #[test]
    fn a_record_is_written_scrubbed() {
        let root = tempfile::tempdir().unwrap();
        let mut record = Record::new("promote", "gaia-core");
        record.validators.push(ValidatorResult {
            name: "pytest".into(),
            blocking: true,
            exit_code: 1,
            passed: false,
            output: "E   connect(postgres://gaia:audit-pw-51c@db) SMTP_PASS=x".into(),
        });
        append(root.path(), &record).unwrap();
        let text = std::fs::read_to_string(root.path().join(LOG)).unwrap();
        assert!(
            !text.contains("audit-pw-51c")
                && text.contains("postgres://gaia:***@db) SMTP_PASS=***"),
            "{text}"
        );
    }
}

//! The promotion audit log: JSON lines appended to `.gaia/promotions.jsonl`
//! in the GAIA root, never rewritten, readable by its owner alone (its
//! records carry validator output and compose errors). A run that changes
//! live appends a `started` record before the first change and its final
//! record after; a run killed midway leaves the `started` one alone.

use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};
use crate::output::{Printer, Render, Tone};

pub(crate) const LOG: &str = ".gaia/promotions.jsonl";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    /// About to change live; the final record of the same `run` follows
    /// unless the run was killed.
    Started,
    /// Promoted (or rolled back on request) and healthy: exit 0.
    Done,
    /// Refused, or validation failed; nothing changed: exit 5.
    Refused,
    /// The gate failed and the previous version serves again: exit 2.
    RolledBack,
    /// Rolling back failed: live is degraded: exit 3.
    Degraded,
    /// Stopped by a signal before live changed: exit 129, 130 or 143.
    Interrupted,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Version {
    pub(crate) image_id: Option<String>,
    /// Digest of the live source tree (minus excludes).
    pub(crate) digest: Option<String>,
}

impl Version {
    /// The version's short name, as `history` shows it and `gaia rollback
    /// --to` takes it: the same image and files, the same id. None when
    /// neither is known.
    pub(crate) fn id(&self) -> Option<String> {
        if self.image_id.is_none() && self.digest.is_none() {
            return None;
        }
        let mut hasher = Sha256::new();
        for part in [&self.image_id, &self.digest] {
            hasher.update(part.as_deref().unwrap_or_default().as_bytes());
            hasher.update([0]);
        }
        Some(hex::encode(hasher.finalize())[..12].to_owned())
    }
}

/// Written with its id, so that the log and the JSON outputs name it as
/// `history` does; read without (the id is derived).
impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut fields = serializer.serialize_struct("Version", 3)?;
        fields.serialize_field("image_id", &self.image_id)?;
        fields.serialize_field("digest", &self.digest)?;
        fields.serialize_field("id", &self.id())?;
        fields.end()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) schema: String,
    /// Pairs a run's `started` record with its final one.
    #[serde(default)]
    pub(crate) run: String,
    /// `promote` or `rollback`.
    pub(crate) command: String,
    pub(crate) service: String,
    /// user@host.
    pub(crate) who: String,
    pub(crate) started_at: String,
    /// None in a `started` record.
    pub(crate) finished_at: Option<String>,
    pub(crate) outcome: Outcome,
    /// None in a `started` record.
    pub(crate) exit_code: Option<u8>,
    pub(crate) forced: bool,
    pub(crate) from: Version,
    pub(crate) to: Version,
    pub(crate) validators: Vec<ValidatorResult>,
    pub(crate) steps: Vec<StepRecord>,
}

impl Record {
    pub(crate) fn new(command: &str, service: &str) -> Record {
        let now = SystemTime::now();
        let since_epoch = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Record {
            schema: "gaia.promote/1".into(),
            run: format!("{}-{}", std::process::id(), since_epoch.as_nanos()),
            command: command.into(),
            service: service.into(),
            who: crate::process::operator(),
            started_at: humantime::format_rfc3339_seconds(now).to_string(),
            finished_at: None,
            outcome: Outcome::Refused,
            exit_code: None,
            forced: false,
            from: Version::default(),
            to: Version::default(),
            validators: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Whether the run took a backup before it changed live (`--no-backup`
    /// skips it).
    pub(crate) fn took_backup(&self) -> bool {
        !self
            .steps
            .iter()
            .any(|s| s.step == "backup" && s.outcome == StepOutcome::Skipped)
    }
}

/// The newest promotion of `service` that changed live (finished or
/// killed midway), if any.
pub(crate) fn last_change<'a>(records: &'a [Record], service: &str) -> Option<&'a Record> {
    records.iter().rev().find(|r| {
        r.command == "promote"
            && r.service == service
            && !matches!(r.outcome, Outcome::Refused | Outcome::Interrupted)
    })
}

/// Each run once: a `started` record only when no final record of its run
/// followed (the run was killed midway).
pub(crate) fn runs(records: Vec<Record>) -> Vec<Record> {
    let finished: std::collections::HashSet<(String, String)> = records
        .iter()
        .filter(|r| r.outcome != Outcome::Started && !r.run.is_empty())
        .map(|r| (r.run.clone(), r.who.clone()))
        .collect();
    records
        .into_iter()
        .filter(|r| {
            r.outcome != Outcome::Started || !finished.contains(&(r.run.clone(), r.who.clone()))
        })
        .collect()
}

/// Appends one record as one line, to a file only its owner reads (an
/// older, wider one is narrowed); never through a link.
pub(crate) fn append(root: &Path, record: &Record) -> Result<()> {
    let path = root.join(LOG);
    let failed = |e: std::io::Error| {
        Error::Failed(format!(
            "cannot append to the audit log {}: {e}",
            path.display()
        ))
    };
    crate::audit::append_json(&path, record).map_err(failed)
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
            Outcome::Started => (
                format!(
                    "{} {}: started and not finished (killed midway?): `gaia doctor`, then \
                     `gaia rollback {}` if live is not what it should be",
                    self.command, self.service, self.service
                ),
                Tone::Bad,
            ),
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
            Outcome::RolledBack if self.exit_code.is_some_and(|code| code >= 128) => (
                format!(
                    "{} {}: stopped by a signal; ROLLED BACK, the previous version serves",
                    self.command, self.service
                ),
                Tone::Bad,
            ),
            Outcome::Interrupted => (
                format!(
                    "{} {}: stopped by a signal before live was changed",
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
    use std::os::unix::fs::PermissionsExt as _;

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

    fn mode(root: &Path) -> u32 {
        std::fs::metadata(root.join(LOG))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn the_log_is_readable_by_its_owner_alone_even_when_it_was_wider() {
        let root = tempfile::tempdir().unwrap();
        append(root.path(), &Record::new("promote", "gaia-core")).unwrap();
        assert_eq!(mode(root.path()), 0o600);
        std::fs::set_permissions(
            root.path().join(LOG),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        append(root.path(), &Record::new("promote", "gaia-core")).unwrap();
        assert_eq!(mode(root.path()), 0o600);
        assert_eq!(read(root.path()).unwrap().len(), 2);
    }

    #[test]
    fn the_log_is_never_written_through_a_link() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = root.path().join("elsewhere");
        std::fs::write(&elsewhere, "").unwrap();
        std::fs::create_dir_all(root.path().join(".gaia")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.path().join(LOG)).unwrap();
        let err = append(root.path(), &Record::new("promote", "gaia-core")).unwrap_err();
        assert!(err.to_string().contains("cannot append"), "{err}");
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "");
    }

    fn record(service: &str, outcome: Outcome, backup: StepOutcome) -> Record {
        let mut record = Record::new("promote", service);
        record.outcome = outcome;
        record.steps.push(StepRecord {
            step: "backup".into(),
            outcome: backup,
            detail: String::new(),
            duration_ms: 0,
        });
        record
    }

    #[test]
    fn a_finished_run_shows_once_and_a_killed_one_stays_as_started() {
        let finished = record("gaia-core", Outcome::Started, StepOutcome::Ok);
        let mut last = finished.clone();
        last.outcome = Outcome::Done;
        let killed = record("gaia-core", Outcome::Started, StepOutcome::Ok);
        let shown = runs(vec![finished, last, killed.clone()]);
        let outcomes: Vec<Outcome> = shown.iter().map(|r| r.outcome).collect();
        assert_eq!(outcomes, [Outcome::Done, Outcome::Started]);
        assert_eq!(shown[1].run, killed.run);
    }

    #[test]
    fn the_last_change_is_the_newest_promotion_that_was_not_refused() {
        let records = vec![
            record("gaia-core", Outcome::Done, StepOutcome::Ok),
            record("gaia-core", Outcome::Degraded, StepOutcome::Skipped),
            record("gaia-core", Outcome::Refused, StepOutcome::Ok),
            record("gaia-web", Outcome::Done, StepOutcome::Ok),
            Record::new("rollback", "gaia-core"),
        ];
        let last = last_change(&records, "gaia-core").unwrap();
        assert_eq!(last.outcome, Outcome::Degraded);
        assert!(!last.took_backup());
        assert!(last_change(&records, "gaia-web").unwrap().took_backup());
        assert!(last_change(&records, "gaia-mcp").is_none());
        // Killed midway after a skipped backup counts too.
        let killed = [record("gaia-core", Outcome::Started, StepOutcome::Skipped)];
        assert!(!last_change(&killed, "gaia-core").unwrap().took_backup());
    }

    #[test]
    fn a_version_id_is_the_same_for_the_same_image_and_files_and_differs_otherwise() {
        let version = |image: Option<&str>, digest: Option<&str>| Version {
            image_id: image.map(Into::into),
            digest: digest.map(Into::into),
        };
        let id = version(Some("sha256:aa"), Some("d1")).id().unwrap();
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert_eq!(version(Some("sha256:aa"), Some("d1")).id().unwrap(), id);
        for other in [
            version(Some("sha256:aa"), Some("d2")),
            version(Some("sha256:ab"), Some("d1")),
            version(None, Some("d1")),
            version(Some("sha256:aad1"), None),
        ] {
            assert_ne!(other.id().unwrap(), id, "{other:?}");
        }
        assert_eq!(version(None, None).id(), None);
        // Written with its id, read back without needing it.
        let json = serde_json::to_value(version(Some("sha256:aa"), Some("d1"))).unwrap();
        assert_eq!(json["id"], id.as_str());
        let read: Version = serde_json::from_value(json).unwrap();
        assert_eq!(read, version(Some("sha256:aa"), Some("d1")));
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

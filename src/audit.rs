//! The audit log of every command that changes live: one JSON line a run
//! (`"schema": "gaia.audit/1"`) in `.gaia/audit.jsonl` of the root whose
//! lock it took, written when it ends however it ends (done, failed, stopped
//! by a signal). promote and rollback also keep their detailed record in
//! `.gaia/promotions.jsonl`. Readable by its owner only: it names who did
//! what to production.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;
use std::time::SystemTime;

use serde::Serialize;

/// The log, relative to the GAIA root.
pub(crate) const LOG: &str = ".gaia/audit.jsonl";

#[derive(Debug, Serialize)]
pub(crate) struct Entry {
    pub(crate) schema: &'static str,
    /// What was run, without its values ("promote gaia-core").
    pub(crate) command: String,
    /// user@host.
    pub(crate) who: String,
    pub(crate) pid: u32,
    pub(crate) started_at: String,
    pub(crate) finished_at: String,
    pub(crate) exit_code: u8,
    /// How it ended, in words: the outcome, or the error.
    pub(crate) result: String,
}

impl Entry {
    pub(crate) fn new(command: &str, started: SystemTime, exit_code: u8, result: String) -> Entry {
        let stamp = |t: SystemTime| humantime::format_rfc3339_seconds(t).to_string();
        Entry {
            schema: "gaia.audit/1",
            command: command.to_owned(),
            who: crate::process::operator(),
            pid: std::process::id(),
            started_at: stamp(started),
            finished_at: stamp(SystemTime::now()),
            exit_code,
            result,
        }
    }
}

/// Appends `entry` to the log of `root`.
pub(crate) fn append(root: &Path, entry: &Entry) -> std::io::Result<()> {
    append_json(&root.join(LOG), entry)
}

/// Appends `record` to the log at `path` as one JSON line, in one write:
/// scrubbed of secrets (what it quotes may hold some), the file created
/// 0600 (and narrowed to it when it was wider), never written through a
/// link (narrowing the mode would chmod whatever the link points at).
pub(crate) fn append_json(path: &Path, record: &impl Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = crate::secrets::scrubbed_json(record)
        .map_err(std::io::Error::other)?
        .to_string();
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)?;
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_is_one_private_line() {
        let root = tempfile::tempdir().unwrap();
        let started = SystemTime::now();
        append(
            root.path(),
            &Entry::new("ha stop", started, 0, "healthy".into()),
        )
        .unwrap();
        append(
            root.path(),
            &Entry::new("doctor --fix", started, 143, "stopped by SIGTERM".into()),
        )
        .unwrap();
        let path = root.path().join(LOG);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["schema"], "gaia.audit/1");
        assert_eq!(lines[1]["command"], "doctor --fix");
        assert_eq!(lines[1]["exit_code"], 143);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

//! The journal of a drill under way: written to the GAIA root before the
//! target is stopped, removed only once it serves again. A drill that gaia
//! could not finish (killed, or the target would not come back) leaves it,
//! which `gaia doctor` reports and `gaia failover-test --recover` acts on.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where the journal of an unfinished drill lives, relative to the GAIA root.
pub(crate) const JOURNAL: &str = ".gaia/failover-journal.json";

/// What a drill is about to change, written before it changes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub(crate) pid: u32,
    pub(crate) host: String,
    pub(crate) started_at: String,
    /// The service stopped, and its container.
    pub(crate) target: String,
    pub(crate) container: String,
    /// Whether the container was running before the drill (it must be put back so).
    pub(crate) was_running: bool,
    pub(crate) standby: String,
    pub(crate) front: String,
}

impl Journal {
    pub(crate) fn path(root: &Path) -> PathBuf {
        root.join(JOURNAL)
    }

    /// The journal a drill left in `root`, if any.
    pub(crate) fn read(root: &Path) -> Result<Option<Journal>> {
        let path = Self::path(root);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                Error::Failed(format!(
                    "{} is not a failover journal ({e}); look at it, then remove it",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Failed(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes the journal whole or not at all (a temporary file renamed into place).
    pub(crate) fn write(&self, root: &Path) -> Result<()> {
        let path = Self::path(root);
        let failed = |e: std::io::Error| {
            Error::Failed(format!("cannot write the journal {}: {e}", path.display()))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let partial = path.with_extension("json.partial");
        let journal = crate::secrets::scrubbed_json(self).map_err(anyhow::Error::from)?;
        let text = format!("{journal:#}");
        std::fs::write(&partial, text).map_err(failed)?;
        std::fs::rename(&partial, &path).map_err(failed)
    }

    pub(crate) fn remove(root: &Path) -> Result<()> {
        let path = Self::path(root);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Failed(format!(
                "cannot remove the journal {}: {e}",
                path.display()
            ))),
            _ => Ok(()),
        }
    }

    /// Whether the drill that wrote it is still running: it holds the
    /// root's lock until it ends, however it ends.
    pub(crate) fn writer_alive(&self, root: &Path) -> bool {
        crate::lock::holder_pid(root) == Some(self.pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_is_written_whole_and_read_back() {
        let root = tempfile::tempdir().unwrap();
        assert!(Journal::read(root.path()).unwrap().is_none());
        let journal = Journal {
            pid: 1,
            host: "h".into(),
            started_at: "2026-11-23T01:00:00Z".into(),
            target: "gaia-core".into(),
            container: "gaia-core".into(),
            was_running: true,
            standby: "gaia-core-candidate".into(),
            front: "gaia-web".into(),
        };
        journal.write(root.path()).unwrap();
        let read = Journal::read(root.path()).unwrap().unwrap();
        assert_eq!(read.container, "gaia-core");
        assert!(
            !Journal::path(root.path())
                .with_extension("json.partial")
                .exists()
        );
        Journal::remove(root.path()).unwrap();
        assert!(Journal::read(root.path()).unwrap().is_none());
    }
}

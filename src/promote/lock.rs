//! One promotion at a time on a GAIA root: a lock file created atomically,
//! naming its holder, removed on every way out (dropping the guard).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub(crate) const LOCK: &str = ".gaia/promote.lock";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Holder {
    pub(crate) pid: u32,
    pub(crate) host: String,
    pub(crate) service: String,
    pub(crate) started_at: String,
}

impl Holder {
    fn describe(&self) -> String {
        format!(
            "pid {} on {}, promoting {} since {}",
            self.pid, self.host, self.service, self.started_at
        )
    }

    fn alive(&self) -> bool {
        crate::process::gaia_alive(self.pid, &self.host)
    }
}

/// Held while it lives.
pub(crate) struct Lock {
    path: PathBuf,
    /// A stale lock this one replaced, for the operator to know.
    pub(crate) replaced: Option<String>,
}

impl Lock {
    pub(crate) fn acquire(root: &Path, service: &str) -> Result<Lock> {
        let path = root.join(LOCK);
        let failed =
            |e: std::io::Error| Error::Failed(format!("cannot lock {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let me = Holder {
            pid: std::process::id(),
            host: crate::process::host(),
            service: service.to_owned(),
            started_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        };
        let mut replaced = None;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let text = serde_json::to_string(&me).map_err(anyhow::Error::from)?;
                    file.write_all(text.as_bytes()).map_err(failed)?;
                    return Ok(Lock { path, replaced });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder: Option<Holder> = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| serde_json::from_str(&t).ok());
                    match holder {
                        Some(holder) if holder.alive() => {
                            return Err(Error::Refused(format!(
                                "another promotion holds {}: {}",
                                path.display(),
                                holder.describe()
                            )));
                        }
                        // Its holder is gone (killed, or the host rebooted):
                        // name it, and take its place.
                        stale => {
                            replaced = Some(stale.map_or_else(
                                || format!("an unreadable lock at {}", path.display()),
                                |h| {
                                    format!(
                                        "a stale lock left by {} (no longer running)",
                                        h.describe()
                                    )
                                },
                            ));
                            std::fs::remove_file(&path).map_err(failed)?;
                        }
                    }
                }
                Err(e) => return Err(failed(e)),
            }
        }
        Err(Error::Failed(format!(
            "{} keeps reappearing: another promotion is starting",
            path.display()
        )))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_promotion_is_refused_naming_the_holder_and_the_lock_goes_with_its_guard() {
        let root = tempfile::tempdir().unwrap();
        let lock = Lock::acquire(root.path(), "gaia-core").unwrap();
        assert!(lock.replaced.is_none());
        let refused = Lock::acquire(root.path(), "gaia-web")
            .err()
            .unwrap()
            .to_string();
        assert!(
            refused.contains(&format!("pid {}", std::process::id())),
            "{refused}"
        );
        assert!(refused.contains("promoting gaia-core"), "{refused}");
        drop(lock);
        assert!(!root.path().join(LOCK).exists());
    }

    #[test]
    fn a_stale_lock_is_named_and_replaced() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(".gaia")).unwrap();
        let dead = Holder {
            pid: u32::MAX - 1,
            host: crate::process::host(),
            service: "gaia-prime".into(),
            started_at: "2026-11-20T10:00:00Z".into(),
        };
        std::fs::write(
            root.path().join(LOCK),
            serde_json::to_string(&dead).unwrap(),
        )
        .unwrap();
        let lock = Lock::acquire(root.path(), "gaia-core").unwrap();
        let replaced = lock.replaced.clone().unwrap();
        assert!(replaced.contains("stale lock left by pid"), "{replaced}");
        assert!(replaced.contains("gaia-prime"), "{replaced}");
    }
}

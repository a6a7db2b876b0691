//! The one lock of a GAIA root, held by every command that changes live
//! (promote, rollback, failover-test, doctor --fix, ha start/stop/
//! maintenance on|off). The kernel holds it (flock on `.gaia/gaia.lock`), so
//! it dies with its process however that process ends: no stale lock to
//! judge, no window in which two commands both hold it. What the file says
//! (pid, host, user, command, since) only names the holder in messages.

use std::io::{Seek as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::signals::Signals;

/// The lock file, relative to the GAIA root.
pub(crate) const LOCK: &str = ".gaia/gaia.lock";

/// How often a waiting command asks again.
const RETRY: Duration = Duration::from_millis(200);

/// Who holds the lock, as the holder wrote it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    host: String,
    user: String,
    command: String,
    since: String,
}

/// Held while it lives; released by the kernel when it is dropped or the
/// process ends.
#[derive(Debug)]
pub(crate) struct LiveLock {
    file: std::fs::File,
}

impl LiveLock {
    /// Takes the lock of `root` for `command` ("promote gaia-core"), waiting
    /// up to `wait` for another holder to finish; a signal ends the wait.
    pub(crate) async fn acquire(
        root: &Path,
        command: &str,
        wait: Option<Duration>,
        signals: &Signals,
    ) -> Result<LiveLock> {
        let path = root.join(LOCK);
        let failed =
            |e: std::io::Error| Error::Failed(format!("cannot lock {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        // Never through a link: taking the lock truncates the file.
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&path)
            .map_err(failed)?;
        let deadline = Instant::now() + wait.unwrap_or_default();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    tokio::select! {
                        () = tokio::time::sleep(RETRY) => {}
                        signal = signals.arrival() => {
                            return Err(Error::Stopped {
                                signal: signal.name(),
                                outcome: signal.outcome(),
                            });
                        }
                    }
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Busy(format!(
                        "{}; nothing was changed",
                        busy(&path, wait)
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
            }
        }
        let lock = LiveLock { file };
        lock.name_holder(command).map_err(failed)?;
        Ok(lock)
    }

    fn name_holder(&self, command: &str) -> std::io::Result<()> {
        let me = Holder {
            pid: std::process::id(),
            host: crate::process::host(),
            user: crate::process::operator(),
            command: command.to_owned(),
            since: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        };
        let mut file = &self.file;
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(&serde_json::to_vec(&me).map_err(std::io::Error::other)?)?;
        file.flush()
    }
}

impl Drop for LiveLock {
    fn drop(&mut self) {
        // A lock that is free names no one; the kernel lock goes with the file.
        let _ = self.file.set_len(0);
    }
}

/// The pid the root's lock names as its holder, while that process runs.
/// Read, never probed by locking (a look must not make a command that is
/// starting find the lock taken); a holder killed outright leaves its name,
/// but no process.
pub(crate) fn holder_pid(root: &Path) -> Option<u32> {
    let holder: Holder = serde_json::from_slice(&std::fs::read(root.join(LOCK)).ok()?).ok()?;
    Path::new("/proc")
        .join(holder.pid.to_string())
        .exists()
        .then_some(holder.pid)
}

/// Why the lock cannot be had, naming its holder.
fn busy(path: &Path, waited: Option<Duration>) -> String {
    let read = || {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Holder>(&bytes).ok())
    };
    // A holder names itself just after it takes the lock: one that has
    // only just taken it is given a moment to say who it is.
    let holder = (0..20).find_map(|attempt| {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(10));
        }
        read()
    });
    let who = match holder {
        Some(h) => format!(
            "`gaia {}` by {} (pid {}, since {})",
            h.command, h.user, h.pid, h.since
        ),
        None => "another gaia command (just starting)".to_owned(),
    };
    let hint = match waited {
        Some(waited) => format!("waited {}", humantime::format_duration(waited)),
        None => "run again once it ends, or wait for it with --wait 10m".to_owned(),
    };
    format!(
        "{who} is changing this stack and holds {}: {hint}",
        PathBuf::from(path).display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_command_is_refused_naming_the_holder_until_the_first_ends() {
        let root = tempfile::tempdir().unwrap();
        let signals = Signals::inert();
        let held = LiveLock::acquire(root.path(), "promote gaia-core", None, &signals)
            .await
            .unwrap();
        let refused = LiveLock::acquire(root.path(), "ha stop", None, &signals)
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::Busy(_)), "{refused:?}");
        let said = refused.to_string();
        assert!(said.contains("`gaia promote gaia-core`"), "{said}");
        assert!(
            said.contains(&format!("pid {}", std::process::id())),
            "{said}"
        );
        assert!(said.contains("--wait"), "{said}");
        assert_eq!(holder_pid(root.path()), Some(std::process::id()));
        drop(held);
        assert_eq!(holder_pid(root.path()), None);
        assert_eq!(
            std::fs::read(root.path().join(LOCK)).unwrap(),
            b"",
            "a free lock names no holder"
        );
        LiveLock::acquire(root.path(), "ha stop", None, &signals)
            .await
            .expect("free once the first holder is gone");
    }

    #[tokio::test]
    async fn a_waiting_command_gets_the_lock_when_the_holder_lets_go() {
        let root = tempfile::tempdir().unwrap();
        let signals = Signals::inert();
        let held = LiveLock::acquire(root.path(), "doctor --fix", None, &signals)
            .await
            .unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(held);
        });
        let began = Instant::now();
        LiveLock::acquire(
            root.path(),
            "promote gaia-web",
            Some(Duration::from_secs(10)),
            &signals,
        )
        .await
        .expect("the wait outlasts the holder");
        assert!(began.elapsed() >= Duration::from_millis(250));
        release.await.unwrap();
    }

    #[tokio::test]
    async fn a_wait_ends_at_its_deadline() {
        let root = tempfile::tempdir().unwrap();
        let signals = Signals::inert();
        let _held = LiveLock::acquire(root.path(), "ha start", None, &signals)
            .await
            .unwrap();
        let refused = LiveLock::acquire(
            root.path(),
            "ha stop",
            Some(Duration::from_millis(300)),
            &signals,
        )
        .await
        .unwrap_err();
        assert!(refused.to_string().contains("waited 300ms"), "{refused}");
    }

    #[tokio::test]
    async fn a_lock_left_by_a_dead_process_is_simply_free() {
        // What a killed holder leaves: its name in the file, no kernel lock.
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(".gaia")).unwrap();
        std::fs::write(
            root.path().join(LOCK),
            r#"{"pid":4000000,"host":"h","user":"u@h","command":"promote gaia-core","since":"2026-11-20T10:00:00Z"}"#,
        )
        .unwrap();
        LiveLock::acquire(root.path(), "rollback gaia-core", None, &Signals::inert())
            .await
            .expect("no process holds it");
    }
}

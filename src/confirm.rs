//! The brake on commands that stop or replace something live without a way
//! back (failover-test, ha stop, rollback, promote --no-backup or --force):
//! at a terminal the operator answers yes first; off one (CI, a pipe, cron)
//! nobody can answer, so the command refuses unless `--yes` already did.
//! Asked after the lock and the pre-flight checks, before the first change:
//! a refusal or a "no" leaves everything as it was.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use crate::error::{Error, Result};
use crate::signals::Signals;

/// Goes ahead once the operator agreed to `change` (a sentence: "this stops
/// the live gaia-core"), which `command` ("failover-test") makes; `yes` is
/// its `--yes`.
pub(crate) async fn confirm(
    signals: &Signals,
    yes: bool,
    command: &str,
    change: &str,
) -> Result<()> {
    if yes {
        return Ok(());
    }
    // The question goes to stderr and the answer comes from stdin: both
    // must be the operator's terminal for the answer to be theirs.
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::Refused(format!(
            "`gaia {command}`: {change}; there is no terminal to confirm it on, so nothing was \
             changed: add --yes to go ahead"
        )));
    }
    let question = crate::secrets::scrub(&format!("{change}. Continue? [y/N] "));
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(question.as_bytes());
    let _ = stderr.flush();
    drop(stderr);
    let answer = tokio::select! {
        answer = answer() => answer,
        signal = signals.arrival() => {
            // The ^C the terminal echoed is left on the prompt's line.
            let _ = writeln!(std::io::stderr());
            return Err(Error::Stopped {
                signal: signal.name(),
                outcome: signal.outcome(),
            });
        }
    };
    if agreed(&answer) {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "`gaia {command}` not confirmed: nothing was changed"
        )))
    }
}

/// One line from stdin; empty at its end. Waits on the operator as long as
/// they take (no deadline: a question left overnight is still unanswered,
/// and changes nothing); a signal ends the wait instead.
async fn answer() -> String {
    let (sender, answer) = tokio::sync::oneshot::channel();
    // A plain thread, not the runtime's blocking pool: a read that a signal
    // cut short stays blocked, and must not hold up gaia's exit.
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let _ = sender.send(line);
    });
    answer.await.unwrap_or_default()
}

/// Only an explicit yes agrees: an empty line, end of input or anything
/// else keeps the default, no.
fn agreed(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_explicit_yes_agrees() {
        for yes in ["y\n", "Y\n", "yes\n", " YES \r\n"] {
            assert!(agreed(yes), "{yes:?}");
        }
        for no in ["", "\n", "n\n", "no\n", "yep\n", "y es\n", "\u{1b}[A\n"] {
            assert!(!agreed(no), "{no:?}");
        }
    }

    #[tokio::test]
    async fn yes_goes_ahead_without_asking() {
        let signals = Signals::inert();
        let asked = confirm(&signals, true, "ha stop", "this stops the standbys");
        assert!(asked.await.is_ok());
    }
}

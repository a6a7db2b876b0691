//! SIGINT, SIGTERM and SIGHUP, handled alike by every command that changes
//! live: the first one asks the command to stop at the next safe point
//! (finishing or undoing what is in flight); later ones are told what it is
//! still doing. Ctrl-C at a terminal, systemd's and CI runners' SIGTERM and a
//! dropped ssh session's SIGHUP must all end in the same safe place.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::error::Outcome;

/// A signal that asks gaia to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    HangUp,
    Interrupt,
    Terminate,
}

impl Signal {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::HangUp => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a command stopped by it (128 + its number).
    pub(crate) fn outcome(self) -> Outcome {
        match self {
            Signal::HangUp => Outcome::HungUp,
            Signal::Interrupt => Outcome::Interrupted,
            Signal::Terminate => Outcome::Terminated,
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The first stopping signal received, once one is.
#[derive(Clone)]
pub(crate) struct Signals {
    first: watch::Receiver<Option<Signal>>,
    /// What a signal after the first is told gaia is still doing.
    finishing: Arc<Mutex<String>>,
}

impl Signals {
    /// Takes SIGINT, SIGTERM and SIGHUP over: from here on they no longer
    /// kill gaia, so the command must watch `arrival` or `received`.
    pub(crate) fn install() -> std::io::Result<Signals> {
        let mut hangup = signal(SignalKind::hangup())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let (sender, first) = watch::channel(None);
        let finishing = Arc::new(Mutex::new(String::new()));
        let told = finishing.clone();
        tokio::spawn(async move {
            loop {
                let got = tokio::select! {
                    Some(()) = hangup.recv() => Signal::HangUp,
                    Some(()) = interrupt.recv() => Signal::Interrupt,
                    Some(()) = terminate.recv() => Signal::Terminate,
                    else => return,
                };
                let first = sender.borrow().is_none();
                if first {
                    sender.send_replace(Some(got));
                }
                let doing = told.lock().map(|t| t.clone()).unwrap_or_default();
                // The first signal is the command's to answer, unless it
                // is already in work that must finish (a restore).
                let said = match (first, doing.is_empty()) {
                    (true, true) => continue,
                    (true, false) => format!("{got}: gaia is {doing}; it exits once that is done"),
                    (false, true) => format!(
                        "{got} again: gaia is finishing what is in flight; it exits once that is done"
                    ),
                    (false, false) => {
                        format!("{got} again: gaia is still {doing}; it exits once that is done")
                    }
                };
                // stderr may be gone with the session that sent SIGHUP.
                let _ = writeln!(std::io::stderr(), "{said}");
            }
        });
        Ok(Signals { first, finishing })
    }

    /// Signals that never arrive, for commands that leave the default
    /// dispositions alone (they change nothing, so dying at once is safe).
    pub(crate) fn inert() -> Signals {
        // The sender goes at once: `arrival` then waits forever.
        let (_, first) = watch::channel(None);
        Signals {
            first,
            finishing: Arc::default(),
        }
    }

    /// The first signal received so far, if any.
    pub(crate) fn received(&self) -> Option<Signal> {
        *self.first.borrow()
    }

    /// Waits for the first signal (at once if one came already).
    pub(crate) async fn arrival(&self) -> Signal {
        let mut first = self.first.clone();
        loop {
            if let Some(signal) = *first.borrow_and_update() {
                return signal;
            }
            if first.changed().await.is_err() {
                // No sender: no signal can come.
                return std::future::pending().await;
            }
        }
    }

    /// What later signals are told gaia is doing ("putting gaia-core back").
    pub(crate) fn finishing(&self, doing: impl Into<String>) {
        if let Ok(mut told) = self.finishing.lock() {
            *told = doing.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_is_kept_and_later_ones_do_not_replace_it() {
        let signals = Signals::install().unwrap();
        assert_eq!(signals.received(), None);
        nix::sys::signal::raise(nix::sys::signal::Signal::SIGTERM).unwrap();
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), signals.arrival())
            .await
            .expect("SIGTERM arrives");
        assert_eq!(got, Signal::Terminate);
        signals.finishing("putting gaia-core back");
        nix::sys::signal::raise(nix::sys::signal::Signal::SIGHUP).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(signals.received(), Some(Signal::Terminate));
        assert_eq!(got.outcome() as u8, 143);
        assert_eq!(Signal::HangUp.outcome() as u8, 129);
        assert_eq!(Signal::Interrupt.outcome() as u8, 130);
    }

    #[tokio::test]
    async fn inert_signals_never_arrive() {
        let signals = Signals::inert();
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), signals.arrival()).await;
        assert!(waited.is_err());
        assert_eq!(signals.received(), None);
    }
}

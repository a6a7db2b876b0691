//! The one error type of gaia and the exit codes it maps to.
//!
//! Exit codes are part of gaia's interface (README, "Exit codes"): scripts and
//! CI gates branch on them, so they are decided here and nowhere else.

use std::process::ExitCode;

/// What a finished command tells the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything checked out.
    Healthy = 0,
    /// Only warnings.
    Warnings = 1,
    /// At least one failure.
    Failures = 2,
    /// `promote` and `rollback`: live is left degraded (the rollback failed,
    /// or a rollback's service is not healthy).
    Degraded = 3,
    /// Stopped by SIGHUP (a dropped session) after finishing or undoing what
    /// was in flight (128 + 1).
    HungUp = 129,
    /// Stopped by Ctrl-C (SIGINT) after finishing or undoing what was in
    /// flight (128 + 2).
    Interrupted = 130,
    /// Stopped by SIGTERM (systemd, a CI runner) after finishing or undoing
    /// what was in flight (128 + 15).
    Terminated = 143,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(outcome as u8)
    }
}

/// Exit code for pre-flight, configuration and usage errors.
pub const EXIT_PREFLIGHT: u8 = 3;

/// Exit code when another gaia command holds the root's lock: nothing was
/// changed, and the same command may simply be run again (or with --wait).
pub const EXIT_BUSY: u8 = 4;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad configuration or bad command-line input: nothing was attempted.
    #[error("{0}")]
    Config(String),
    /// Something gaia needs before it can start is missing (Docker, compose, a root).
    #[error("{0}")]
    PreFlight(String),
    /// gaia refused to act because acting could harm something it does not own.
    #[error("{0}")]
    Refused(String),
    /// Another gaia command is changing the same stack: nothing was attempted.
    #[error("{0}")]
    Busy(String),
    /// SIGINT, SIGTERM or SIGHUP arrived before anything was changed.
    #[error("stopped by {signal} before anything was changed")]
    Stopped {
        signal: &'static str,
        outcome: Outcome,
    },
    /// The work was attempted and did not succeed.
    #[error("{0}")]
    Failed(String),
    /// An unexpected error from a dependency, with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    /// The documented exit code of this error.
    pub fn code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::PreFlight(_) | Error::Refused(_) => EXIT_PREFLIGHT,
            Error::Busy(_) => EXIT_BUSY,
            Error::Stopped { outcome, .. } => *outcome as u8,
            Error::Failed(_) | Error::Other(_) => Outcome::Failures as u8,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    /// Stopped by Ctrl-C after putting back what it had changed (128 + SIGINT).
    Interrupted = 130,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(outcome as u8)
    }
}

/// Exit code for pre-flight, configuration and usage errors.
pub const EXIT_PREFLIGHT: u8 = 3;

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
    /// The work was attempted and did not succeed.
    #[error("{0}")]
    Failed(String),
    /// An unexpected error from a dependency, with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Config(_) | Error::PreFlight(_) | Error::Refused(_) => {
                ExitCode::from(EXIT_PREFLIGHT)
            }
            Error::Failed(_) | Error::Other(_) => Outcome::Failures.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

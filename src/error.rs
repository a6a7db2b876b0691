//! The one error type of gaia and the exit codes it maps to.
//!
//! Exit codes are part of gaia's interface (README, "Exit codes"): scripts and
//! CI gates branch on them, so they are decided here and nowhere else. One
//! table holds for every command: a code that says something about the stack
//! (1, 2, 3) is never also a usage error (64) or a missing prerequisite (69),
//! and a refusal that changed nothing is 5 wherever it happens.

use std::process::ExitCode;

/// What a finished command tells the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Done; everything checked out.
    Healthy = 0,
    /// Only warnings (the doctor), or a status that deserves a look
    /// (`ha status`: a standby not healthy or not wired; `ha maintenance
    /// status`: on).
    Warnings = 1,
    /// Failures: the doctor found some, or the command's work did not
    /// succeed; where it changed live (promote's gate, a failover drill
    /// that saw no failover), what it changed was put back.
    Failures = 2,
    /// Live is left degraded: promote or rollback could not restore a
    /// healthy service, or failover-test could not put its target back.
    Degraded = 3,
    /// Another gaia command holds the root's lock: nothing was changed, and
    /// the same command may simply be run again (or with --wait).
    Busy = 4,
    /// gaia refused to act, and changed nothing: a validation or the sync
    /// gate blocked a promotion, a drill's steady state was not met, nothing
    /// to roll back to, a look-alike container or a file gaia does not own.
    Refused = 5,
    /// Usage or configuration error: bad flags or operands, a bad registry
    /// or checks file, a bad environment variable (sysexits' EX_USAGE).
    Usage = 64,
    /// Pre-flight: something gaia needs is unavailable (the Docker engine,
    /// compose, a GAIA root, a running live stack) (sysexits' EX_UNAVAILABLE).
    Unavailable = 69,
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
    /// Where this error stands in the table.
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Config(_) => Outcome::Usage,
            Error::PreFlight(_) => Outcome::Unavailable,
            Error::Refused(_) => Outcome::Refused,
            Error::Busy(_) => Outcome::Busy,
            Error::Stopped { outcome, .. } => *outcome,
            Error::Failed(_) | Error::Other(_) => Outcome::Failures,
        }
    }

    /// The documented exit code of this error.
    pub fn code(&self) -> u8 {
        self.outcome() as u8
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

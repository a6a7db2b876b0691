//! One module per subcommand, each with a single entry point `run`.

pub(crate) mod completions;
pub(crate) mod doctor;
pub(crate) mod failover;
pub(crate) mod ha;
pub(crate) mod history;
pub(crate) mod image;
pub(crate) mod init;
pub(crate) mod man;
pub(crate) mod promote;
pub(crate) mod rollback;
pub(crate) mod sim;
pub(crate) mod watch;

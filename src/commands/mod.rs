//! One module per subcommand, each with a single entry point `run`.

pub mod completions;
pub mod doctor;
pub mod failover;
pub mod ha;
pub mod history;
pub mod promote;
pub mod rollback;
pub mod sim;

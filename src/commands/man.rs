//! `gaia man [--dir DIR]`: manual pages for the CLI as built, one per
//! command; `man/` holds them for packagers.

use crate::cli::ManArgs;
use crate::error::{Error, Outcome, Result};

pub(crate) fn run(args: &ManArgs) -> Result<Outcome> {
    match &args.dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command())
                .render(&mut page)
                .map_err(|e| Error::Failed(format!("cannot render the manual page: {e}")))?;
            crate::output::print(&String::from_utf8_lossy(&page))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Config(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(command(), dir).map_err(|e| {
                Error::Failed(format!(
                    "cannot write manual pages into {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    Ok(Outcome::Healthy)
}

/// The CLI under its plain package version: the pages name no commit, so
/// the ones kept in `man/` change only when the CLI does.
fn command() -> clap::Command {
    crate::cli::command().version(env!("CARGO_PKG_VERSION"))
}

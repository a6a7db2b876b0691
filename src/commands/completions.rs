//! `gaia completions <shell>`: the completion script for the CLI as built.

use crate::cli::CompletionsArgs;
use crate::error::{Outcome, Result};

pub(crate) fn run(args: &CompletionsArgs) -> Result<Outcome> {
    crate::output::print(&script(args.shell))?;
    Ok(Outcome::Healthy)
}

/// The script for `shell`; `completions/` holds these for bash, zsh and fish.
pub(crate) fn script(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "gaia", &mut out);
    String::from_utf8(out).expect("clap_complete writes UTF-8")
}

//! `gaia completions <shell>`: the completion script for the CLI as built.

use clap::builder::PossibleValuesParser;

use crate::cli::CompletionsArgs;
use crate::error::{Outcome, Result};
use crate::registry::Registry;

pub(crate) fn run(args: &CompletionsArgs) -> Result<Outcome> {
    crate::output::print(&script(args.shell))?;
    Ok(Outcome::Healthy)
}

/// The script for `shell`; `completions/` holds these for bash, zsh and fish.
pub(crate) fn script(shell: clap_complete::Shell) -> String {
    let mut command = offering_services(crate::cli::command(), &service_names());
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "gaia", &mut out);
    String::from_utf8(out).expect("clap_complete writes UTF-8")
}

/// The services (and packages) of the built-in registry: what a SERVICE
/// completes to. A script is static, so an operator's own registry is not
/// seen; names outside the list are still accepted as typed.
fn service_names() -> Vec<String> {
    let registry = Registry::load(None).expect("the built-in registry is tested to load");
    registry
        .services
        .iter()
        .map(|s| s.name.clone())
        .chain(registry.packages.iter().map(|p| p.name.clone()))
        .collect()
}

/// `command` with every SERVICE argument offering `names`, in the copy of
/// the CLI the script is generated from (never the one that parses).
fn offering_services(command: clap::Command, names: &[String]) -> clap::Command {
    let services: Vec<clap::Id> = command
        .get_arguments()
        .filter(|arg| {
            arg.get_value_names()
                .is_some_and(|v| v.iter().any(|n| n == "SERVICE"))
        })
        .map(|arg| arg.get_id().clone())
        .collect();
    let command = services.into_iter().fold(command, |command, id| {
        command.mut_arg(id, |arg| {
            arg.value_parser(PossibleValuesParser::new(
                names
                    .iter()
                    .map(|n| clap::builder::PossibleValue::new(n.clone())),
            ))
        })
    });
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    subcommands.into_iter().fold(command, |command, name| {
        command.mut_subcommand(name, |sub| offering_services(sub, names))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_argument_completes_to_the_registrys_services() {
        let bash = script(clap_complete::Shell::Bash);
        // doctor --service, promote SERVICE, failover-test --service
        for command in [
            "gaia__subcmd__doctor)",
            "gaia__subcmd__promote)",
            "gaia__subcmd__failover__subcmd__test)",
        ] {
            let block = bash
                .split(&format!("\n        {command}"))
                .nth(1)
                .and_then(|rest| rest.split("\n        gaia__").next())
                .unwrap_or_else(|| panic!("no {command} block"));
            assert!(block.contains("gaia-core gaia-"), "{command}: {block}");
        }
        assert!(bash.contains("gaia-common"), "packages are promotable too");
    }
}

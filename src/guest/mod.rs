//! What runs inside the simulated containers.
//!
//! The simulated images hold one file, the gaia binary, under the names of
//! the tools the real GAIA images have (`python`, `curl`, `nvidia-smi`, `rm`,
//! and the everyday coreutils and `wget` operators and scripts run in them).
//! Each name answers as that tool does for what gaia and the compose files
//! ask of it, so the same registry and healthchecks work against the real and
//! the simulated stack. `python -m uvicorn gaia_core.main:app` starts the
//! simulated gaia-core, `python -m vllm.entrypoints.openai.api_server` prime.

mod condition;
mod coreutils;
pub(crate) mod faults;
mod ls;
mod server;
mod tools;
mod validators;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

pub(crate) use faults::FAULT_DIR;

/// The names the gaia binary answers to inside a simulated image.
pub(crate) const TOOL_NAMES: &[&str] = &[
    "python",
    "python3",
    "uvicorn",
    "curl",
    "nvidia-smi",
    "rm",
    "stat",
    "printenv",
    "env",
    "test",
    "[",
    "cat",
    "ls",
    "id",
    "wget",
    "gaia-simctl",
];

/// Runs the tool named by argv[0], or returns None when gaia was called as gaia.
pub(crate) fn dispatch(args: &[OsString]) -> Option<ExitCode> {
    let name = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .and_then(|n| n.to_str())?;
    if !TOOL_NAMES.contains(&name) {
        return None;
    }
    let rest: Vec<String> = args[1..]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Some(match name {
        "python" | "python3" => tools::python(&rest),
        "uvicorn" => {
            tools::python(&[["-m".to_owned(), "uvicorn".to_owned()].as_slice(), &rest].concat())
        }
        "curl" => tools::curl(&rest),
        "nvidia-smi" => tools::nvidia_smi(&rest),
        "rm" => tools::rm(&rest),
        "stat" => tools::stat(&rest),
        "printenv" => coreutils::printenv(&rest),
        "env" => coreutils::env(&rest),
        "test" | "[" => condition::test(name, &rest),
        "cat" => coreutils::cat(&rest),
        "ls" => ls::ls(&rest),
        "id" => coreutils::id(&rest),
        "wget" => tools::wget(&rest),
        _ => faults::simctl(&rest),
    })
}

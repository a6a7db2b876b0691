//! gaia: keep the GAIA stack healthy.
//!
//! `run` is the whole program; `main.rs` only calls it. The binary is also
//! the simulated GAIA services and tools inside `gaia sim` images, chosen by
//! the name it was started under (see `guest`).

mod archive;
mod catalogue;
mod cli;
mod commands;
mod compose;
mod config;
mod docker;
mod doctor;
pub mod error;
mod failover;
mod gpu;
mod guest;
mod ha;
pub mod http;
mod output;
mod process;
mod promote;
pub mod registry;
mod repair;
mod secrets;
mod sim;
mod stack;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::Context;
use crate::error::{EXIT_PREFLIGHT, Outcome, Result};

/// Runs gaia with the process arguments and returns its documented exit code.
pub fn run() -> ExitCode {
    restore_default_sigpipe();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = guest::dispatch(&args) {
        return code;
    }
    learn_own_secrets();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_PREFLIGHT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start gaia's runtime: {err}");
            return Outcome::Failures.into();
        }
    };
    match runtime.block_on(dispatch(&cli)) {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            eprintln!("error: {}", secrets::scrub(&format!("{err:#}")));
            err.exit_code()
        }
    }
}

async fn dispatch(cli: &Cli) -> Result<Outcome> {
    if let Command::Completions(args) = &cli.command {
        return commands::completions::run(args);
    }
    if cli.global.format == output::Format::Junit && !matches!(cli.command, Command::Doctor(_)) {
        return Err(error::Error::Config(
            "--format junit is for `gaia doctor`; use human or json here".into(),
        ));
    }
    let ctx = Context::resolve(&cli.global)?;
    match &cli.command {
        Command::Doctor(args) => commands::doctor::run(&ctx, args).await,
        Command::Promote(args) => commands::promote::run(&ctx, args).await,
        Command::Rollback(args) => commands::rollback::run(&ctx, args).await,
        Command::History(args) => commands::history::run(&ctx, args).await,
        Command::Ha(command) => commands::ha::run(&ctx, command).await,
        Command::FailoverTest(args) => commands::failover::run(&ctx, args).await,
        Command::Sim(command) => commands::sim::run(&ctx, command).await,
        Command::Completions(_) => unreachable!("handled before the registry is loaded"),
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GAIA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("gaia={level}")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(secrets::Scrubbed::stderr)
        .without_time()
        .init();
}

/// gaia's own environment may hold secrets (a token for a registry, a
/// database URL) that a tool it runs echoes back.
fn learn_own_secrets() {
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect();
    secrets::learn(
        env.iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    );
}

/// `gaia doctor | head` must end quietly, as Unix tools do, not panic on a
/// closed pipe: Rust ignores SIGPIPE by default, so put the default back.
fn restore_default_sigpipe() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: installing the default disposition runs no handler code, and
    // nothing has spawned threads yet.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

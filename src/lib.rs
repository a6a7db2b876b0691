//! gaia: keep the GAIA stack healthy.
//!
//! `run` is the whole program; `main.rs` only calls it. The binary is also
//! the simulated GAIA services and tools inside `gaia sim` images, chosen by
//! the name it was started under (see `guest`).

mod archive;
mod audit;
mod catalogue;
mod cli;
mod commands;
mod compose;
mod config;
mod confirm;
mod docker;
mod doctor;
pub mod error;
mod failover;
mod gpu;
mod guest;
mod ha;
pub mod http;
mod image;
mod lock;
mod output;
mod overlay;
mod process;
mod promote;
pub mod registry;
mod repair;
mod secrets;
mod signals;
mod sim;
mod stack;
mod watch;

use std::process::ExitCode;

use clap::FromArgMatches as _;

use crate::cli::{Cli, Command, HaCommand, MaintenanceCommand};
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::signals::Signals;

/// Runs gaia with the process arguments and returns its documented exit code.
pub fn run() -> ExitCode {
    sigpipe(nix::sys::signal::SigHandler::SigDfl);
    // A panic is a bug: said in one scrubbed line (its message may quote
    // what gaia was looking at), never as a stack trace.
    std::panic::set_hook(Box::new(|panic| {
        output::say(&format!(
            "error: gaia failed (a bug, please report it): {panic}"
        ));
    }));
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = guest::dispatch(&args) {
        return code;
    }
    learn_own_secrets();
    let cli = match cli::command()
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(err) => {
            let printed = err.print();
            if err.use_stderr() {
                return Outcome::Usage.into();
            }
            // --help and --version are results on stdout, lost like any other.
            return match output::written(printed) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    output::say(&format!("error: {err}"));
                    err.exit_code()
                }
            };
        }
    };
    let changes_live = changes_live(&cli.command);
    if changes_live {
        // A closed terminal must not kill a command between two changes:
        // its writes fail instead, and it goes on to a safe end.
        sigpipe(nix::sys::signal::SigHandler::SigIgn);
    }
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            output::say(&format!("error: cannot start gaia's runtime: {err}"));
            return Outcome::Failures.into();
        }
    };
    match runtime.block_on(dispatch(&cli, changes_live)) {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            output::say(&format!("error: {err:#}"));
            err.exit_code()
        }
    }
}

async fn dispatch(cli: &Cli, changes_live: bool) -> Result<Outcome> {
    // Before anything else: a signal from here on must reach the command's
    // own handling, never kill it between two changes.
    let signals = if changes_live {
        Signals::install().map_err(|e| {
            error::Error::Failed(format!("cannot take over SIGINT/SIGTERM/SIGHUP: {e}"))
        })?
    } else {
        Signals::inert()
    };
    match &cli.command {
        Command::Completions(args) => return commands::completions::run(args),
        Command::Man(args) => return commands::man::run(args),
        Command::Image(args) => return commands::image::run(&cli.global, args).await,
        _ => {}
    }
    if cli.global.format == output::Format::Junit && !matches!(cli.command, Command::Doctor(_)) {
        return Err(error::Error::Config(
            "--format junit is for `gaia doctor`; use human or json here".into(),
        ));
    }
    let ctx = match (Context::resolve(&cli.global, signals), &cli.command) {
        (Ok(ctx), _) => ctx,
        // A CI job still finds the doctor's report, saying why none ran.
        (Err(err), Command::Doctor(args)) => {
            return commands::doctor::not_started(&cli.global, args, err);
        }
        (Err(err), _) => return Err(err),
    };
    let started = std::time::SystemTime::now();
    let result = match &cli.command {
        Command::Doctor(args) => commands::doctor::run(&ctx, args).await,
        Command::Promote(args) => commands::promote::run(&ctx, args).await,
        Command::Rollback(args) => commands::rollback::run(&ctx, args).await,
        Command::History(args) => commands::history::run(&ctx, args).await,
        Command::Ha(command) => commands::ha::run(&ctx, command).await,
        Command::FailoverTest(args) => commands::failover::run(&ctx, args).await,
        Command::Init(args) => commands::init::run(&ctx, args, cli.global.config.as_deref()).await,
        Command::Sim(command) => commands::sim::run(&ctx, command).await,
        Command::Watch(args) => commands::watch::run(&ctx, args).await,
        Command::Completions(_) | Command::Man(_) | Command::Image(_) => {
            unreachable!("handled before the registry is loaded")
        }
    };
    // Work that finished whole despite a signal still tells the shell it was
    // asked to stop; a failure or a degraded stack says more, and stays.
    let result = result.map(|outcome| match (outcome, ctx.signals.received()) {
        (Outcome::Healthy | Outcome::Warnings, Some(signal)) => signal.outcome(),
        (outcome, _) => outcome,
    });
    audit(&ctx, started, result)
}

/// Records a run that held the lock (so changed, or could have changed,
/// live) in the audit log of its root. A record that cannot be written is
/// said, and never makes the run look better than it was.
fn audit(
    ctx: &Context,
    started: std::time::SystemTime,
    result: Result<Outcome>,
) -> Result<Outcome> {
    let Some((root, command)) = ctx.locked() else {
        return result;
    };
    let (code, said) = match &result {
        Ok(outcome) => (*outcome as u8, format!("{outcome:?}").to_lowercase()),
        Err(err) => (err.code(), format!("{err:#}")),
    };
    match audit::append(root, &audit::Entry::new(command, started, code, said)) {
        Ok(()) => result,
        Err(err) => {
            ctx.printer.warn(format!(
                "the audit record of this run could not be written to {}: {err}",
                root.join(audit::LOG).display()
            ));
            result.map(|outcome| outcome.max(Outcome::Failures))
        }
    }
}

/// Whether `command` changes the running stack: such commands take the
/// root's lock, handle SIGINT, SIGTERM and SIGHUP by finishing or undoing
/// what is in flight, and outlive a closed stdout or stderr (SIGPIPE stays
/// ignored, so a write to a dropped session fails instead of killing them
/// between two changes).
fn changes_live(command: &Command) -> bool {
    match command {
        Command::Doctor(args) => args.fix && !args.dry_run,
        Command::Promote(args) => !args.list && !args.dry_run,
        Command::Rollback(args) => !args.plan.dry_run && !args.list,
        Command::FailoverTest(args) => !args.plan.dry_run,
        Command::Ha(HaCommand::Start(args)) => !args.plan.dry_run,
        Command::Ha(HaCommand::Stop(args)) => !args.plan.dry_run,
        Command::Ha(HaCommand::Maintenance(MaintenanceCommand::On(args))) => !args.plan.dry_run,
        Command::Ha(HaCommand::Maintenance(MaintenanceCommand::Off(args))) => !args.plan.dry_run,
        // Not a change, but a service: it closes its listener and lets its
        // alerts go out when told to stop.
        Command::Watch(_) => true,
        Command::Ha(HaCommand::Maintenance(MaintenanceCommand::Status))
        | Command::Ha(HaCommand::Status)
        | Command::History(_)
        | Command::Init(_)
        | Command::Image(_)
        | Command::Sim(_)
        | Command::Completions(_)
        | Command::Man(_) => false,
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
/// closed pipe: Rust ignores SIGPIPE by default, so the default is put back
/// (for the simulated services and tools too), except for the commands that
/// change live.
fn sigpipe(handler: nix::sys::signal::SigHandler) {
    use nix::sys::signal::{Signal, signal};
    // SAFETY: the default and ignore dispositions run no handler code, and
    // nothing has spawned threads yet.
    let _ = unsafe { signal(Signal::SIGPIPE, handler) };
}

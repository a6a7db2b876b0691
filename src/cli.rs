//! The command line as the operator types it. Nothing here is resolved or
//! validated beyond what clap does: `config::Settings` turns it into the
//! configuration the commands run with.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};

use crate::doctor::finding::{Category, FailOn};
use crate::output::{ColorChoice, Format};
use crate::sim::faults::Fault;

/// A duration as humans write it (`30s`, `10m`, `1h30m`), up to a year: a
/// deadline past that is a typo, and would overflow the clock.
fn duration(text: &str) -> Result<Duration, String> {
    const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);
    let parsed = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if parsed > LONGEST {
        return Err(format!("{text} is longer than a year"));
    }
    Ok(parsed)
}

/// The version with the commit and the day it was built from (build.rs).
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("GAIA_COMMIT"),
    ", built ",
    env!("GAIA_BUILD_DATE"),
    ")"
);

/// The command line as gaia parses, documents and completes it: the derived
/// one, with the global options added to every command that uses them, so
/// that `gaia --root X doctor` and `gaia doctor --root X` both work while
/// `completions` and `man`, which never look at the stack, offer none.
/// Clap merges a global option's value from wherever it was given into the
/// top level, where `Cli` reads it.
pub(crate) fn command() -> clap::Command {
    let command = Cli::command();
    let globals: Vec<clap::Arg> = GlobalArgs::augment_args(clap::Command::new("global"))
        .get_arguments()
        .cloned()
        .collect();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter(|name| name != "completions" && name != "man")
        .collect();
    names.iter().fold(command, |command, name| {
        command.mut_subcommand(name, |sub| {
            // `image` packs this gaia and reads no stack: only how to say it.
            let reads_the_stack = name != "image";
            sub.args(
                globals
                    .iter()
                    .filter(|arg| {
                        reads_the_stack || !STACK_OPTIONS.contains(&arg.get_id().as_str())
                    })
                    .map(|arg| {
                        let arg = arg.clone().global(true);
                        if arg.get_id() == "format" && name != "doctor" {
                            arg.value_parser(formats_but_junit())
                        } else {
                            arg
                        }
                    }),
            )
        })
    })
}

/// The global options that say where the stack is and how to change it.
const STACK_OPTIONS: &[&str] = &["config", "root", "checks", "wait"];

/// `--format` for the commands that have no JUnit report: only the doctor's
/// checks map onto test cases.
fn formats_but_junit() -> impl clap::builder::TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        Format::value_variants()
            .iter()
            .filter(|format| **format != Format::Junit)
            .filter_map(ValueEnum::to_possible_value),
    )
    .try_map(|name| Format::from_str(&name, false))
}

#[derive(Debug, Parser)]
#[command(
    name = "gaia",
    version = VERSION,
    about = "Keep the GAIA stack healthy",
    long_about = "Keep the GAIA stack healthy.\n\n\
        gaia checks the live and candidate containers of a GAIA deployment, repairs \
        what is safe to repair, runs the HA hot standbys and drills failover, and \
        brings up a simulated GAIA stack on the local Docker engine to rehearse on.",
    after_help = "Examples:\n  \
        gaia --root /tmp/gaia-sim sim up --ha\n  \
        gaia doctor\n  \
        gaia doctor --service gaia-core --format json\n  \
        gaia promote gaia-core --validate --test\n\n\
        Exit codes, the same for every command (each command's --help lists those it \
        can return):\n  \
        0    done; healthy\n  \
        1    warnings only (doctor); a status worth a look (ha status, ha maintenance status)\n  \
        2    failures: the doctor found some, or the work failed (what it changed was put back)\n  \
        3    live left degraded: a rollback failed, or a drill's target could not be put back\n  \
        4    busy: another gaia command holds the root's lock; nothing was changed\n  \
        5    refused, nothing changed: validation, sync gate, steady state, nothing to roll back\n  \
        64   usage or configuration error (flags, registry, checks files, environment)\n  \
        69   pre-flight: the Docker engine, compose, the GAIA root or the live stack is unavailable\n  \
        129/130/143  stopped by SIGHUP/SIGINT/SIGTERM, after finishing or undoing what was in flight\n\n\
        Start with `gaia --root /tmp/gaia-sim sim up --ha` to get a rehearsal stack, then \
        `gaia doctor`.\n\n\
        A service is named as the registry names it (gaia-core): a SERVICE argument where a \
        command acts on one, --service where it narrows what a command looks at.",
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command that reads the stack takes, before or after its
/// name (see `command`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Service registry to use instead of the built-in description of GAIA
    #[arg(long, env = "GAIA_CONFIG", value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,

    /// GAIA project root: compose files, candidates/, gaia-common/
    #[arg(long, env = "GAIA_ROOT", value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,

    /// Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)
    #[arg(long, value_name = "DIR")]
    pub(crate) checks: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// When to colour the output; NO_COLOR in the environment means never
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,

    /// Say more (repeat for debug logs)
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// Say only what went wrong
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// Commands that change live: wait up to this long (30s, 10m) for
    /// another gaia command to release the root's lock, instead of exiting 4
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub(crate) wait: Option<Duration>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check the health of the live and candidate stacks, every check at once
    ///
    /// With --fix, gaia then repairs what is safe to repair, in dependency
    /// order (network and volumes, then prime and mcp, then core, then web):
    /// it starts exited containers, restarts unhealthy ones, starts the HA
    /// standbys, creates missing shared directories owned as the registry
    /// says, creates the network or a volume as compose would, reattaches
    /// detached containers, and recreates a container left under a mangled
    /// name. It then checks again and reports each repair as repaired, still
    /// failing or failed; the exit code is the state after the repairs.
    ///
    /// It never removes a volume, never turns the maintenance flag off, and
    /// leaves images, shared-library drift, GPU reservations and an unloaded
    /// model to the operator, with the command to run. --fix --dry-run prints
    /// the plan and changes nothing.
    #[command(after_help = "Examples:\n  \
        gaia doctor\n  \
        gaia doctor --service gaia-core --category http\n  \
        gaia doctor --service gaia-core,gaia-web --category containers,http\n  \
        gaia doctor --deadline 2m\n  \
        gaia doctor --format junit --output doctor.xml --fail-on warn\n  \
        gaia doctor --list-checks\n  \
        gaia doctor --fix --dry-run\n  \
        gaia doctor --fix\n\n\
        Exit codes (table in gaia --help): 0 healthy, 1 warnings only, 2 failures (warnings too \
        with --fail-on warn; with --fix, the state after the repairs), 4 busy (--fix), 64 usage \
        or configuration error, 69 pre-flight (Docker engine unreachable), 129/130/143 stopped by \
        SIGHUP/SIGINT/SIGTERM (--fix). When the checks cannot run (4, 64, 69), a JSON or JUnit \
        report, or --output, still holds one failed preflight check saying why.")]
    Doctor(DoctorArgs),

    /// Move a candidate into live: validated, gated, rolled back automatically on failure
    ///
    /// Steps, each shown as it runs and recorded in the audit log (.gaia/promotions.jsonl in
    /// the GAIA root): take the root's lock (.gaia/gaia.lock); with --validate, run ruff (blocking), mypy
    /// (informational) and pytest (blocking; no tests collected is not a failure) in a
    /// throwaway image built from the candidate's Dockerfile; with --test, the candidate must
    /// answer its health check; the sync gate (protocols/cognition_packet.py differing between
    /// candidate and live gaia-common blocks unless --force); back up the live directory to
    /// <service>.bak and record the live image; copy candidate → live (skipping .git,
    /// __pycache__, *.pyc) or tag the candidate image as the live image (the old one kept as
    /// :gaia-rollback); restart, or recreate through compose when the image changed; then the
    /// health gate: Docker health, the service's doctor checks, and a watch window. Any
    /// failure after the backup, and SIGINT, SIGTERM or SIGHUP, rolls back automatically
    /// (the step in flight is finished first). Once the promotion stands, the version it
    /// replaced is kept for `gaia rollback --to <id>` (the newest `keep` of checks/promote.toml).
    #[command(after_help = "Examples:\n  \
        gaia promote --list\n  \
        gaia promote gaia-core --validate --test\n  \
        gaia promote gaia-prime --dry-run\n  \
        gaia promote gaia-common\n  \
        gaia promote gaia-web --force --yes    # in CI: no one to ask\n\n\
        --no-backup and --force ask for confirmation on a terminal; off one (CI, a pipe) they \
        are refused without --yes (exit 5, nothing changed).\n\n\
        Exit codes (table in gaia --help): 0 promoted; 2 the gate failed and the previous \
        version serves again; 3 the rollback failed, live is degraded; 4 another gaia command \
        holds the lock; 5 refused (validation, candidate test, sync gate, space, a link out of \
        the tree, no confirmation), nothing changed; 64 usage or configuration error; 69 \
        pre-flight; 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (rolled back if live had \
        changed).")]
    Promote(PromoteArgs),

    /// Put back the version the last promotion replaced, or an older kept one
    #[command(after_help = "Examples:\n  \
        gaia rollback gaia-core --dry-run\n  \
        gaia rollback gaia-core\n  \
        gaia rollback gaia-core --yes    # in CI: no one to ask\n  \
        gaia rollback gaia-web --gate-timeout 5m\n  \
        gaia rollback gaia-core --list\n  \
        gaia rollback gaia-core --to 3f9a2c    # a kept version, by its id\n\n\
        Restores the live files from <service>.bak and the image from its \
        :gaia-rollback tag, restarts (or recreates) the service and waits until it is healthy. \
        With --to, it restores a version kept from an older promotion instead: each promotion \
        that stands keeps the version it replaced (files in .gaia/versions/<service>/<id>/, \
        the image as <repo>:gaia-<id>), the newest `keep` of them (checks/promote.toml, \
        default 3); `--list` and `gaia history` show their ids. \
        It asks for confirmation on a terminal; off one (CI, a pipe) it is refused without \
        --yes (exit 5, nothing changed).\n\n\
        Exit codes (table in gaia --help): 0 restored and healthy (listed); 2 failed before \
        anything was changed; 3 restored but not healthy, live is degraded; 4 another gaia \
        command holds the lock; 5 nothing to roll back to (--dry-run too), nothing changed; 64 \
        usage or configuration error (--to an id that is not kept, or too short to tell); 69 \
        pre-flight; 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.")]
    Rollback(RollbackArgs),

    /// Run the doctor every interval and serve its findings: a guardian for the stack
    ///
    /// gaia watch runs the doctor's checks every --interval and serves, on --listen:
    /// /healthz (200 while the latest run has no failure, 503 otherwise, one line),
    /// /report.json (the latest report in the doctor's JSON schema, with when it ran),
    /// /metrics (Prometheus text: gaia_check_status and friends) and / (a status page that
    /// refreshes itself, with no script and nothing fetched from the internet).
    ///
    /// With --notify, each run whose checks changed state (pass→fail, fail→pass, →warn) posts
    /// one JSON summary to every URL; a Discord webhook URL gets Discord's message format.
    /// Alerts are retried with backoff apart from the runs: a slow or dead webhook never
    /// delays a check. It changes nothing in the stack: it only looks. SIGINT, SIGTERM or
    /// SIGHUP stop it after the alerts in flight are sent (or a few seconds have passed).
    #[command(after_help = "Examples:\n  \
        gaia watch\n  \
        gaia watch --interval 30s --listen 127.0.0.1:9464\n  \
        gaia watch --notify https://discord.com/api/webhooks/<id>/<token>\n  \
        curl -s 127.0.0.1:9464/healthz\n\n\
        /metrics: gaia_check_status{id,category,service} is 0 pass, 1 warn, 2 fail, -1 \
        skipped; gaia_check_duration_seconds, gaia_run_duration_seconds, gaia_runs_total, \
        gaia_maintenance (1 while the maintenance flag is on and not expired).\n\n\
        Exit codes (table in gaia --help): 64 usage or configuration error (a bad interval or \
        URL, an address in use); 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM, \
        the normal way to end it.")]
    Watch(WatchArgs),

    /// Build a from-scratch image of this gaia, to run `gaia watch` in the stack
    ///
    /// The image holds this gaia binary, the Docker CLI and its compose v2 plugin as
    /// installed on this host (for the repairs that go through compose), the shared
    /// libraries they load, and nothing else; no registry and no builder is needed.
    /// Its entrypoint is gaia, its command `watch`. deploy/gaia-watch.yml (also in the
    /// README) runs it beside the stack with the Docker socket and the GAIA root mounted.
    #[command(after_help = "Examples:\n  \
        gaia image\n  \
        gaia image --tag gaia:0.9 --dry-run\n  \
        GAIA_ROOT=$PWD docker compose -f deploy/gaia-watch.yml up -d\n\n\
        Exit codes (table in gaia --help): 0 built (or, with --dry-run, described); 2 the \
        engine did not take the image; 64 usage or configuration error; 69 pre-flight (Docker \
        engine unreachable, no docker CLI or compose v2 plugin to put in the image).")]
    Image(ImageArgs),

    /// Show the promotion audit log
    #[command(after_help = "Examples:\n  \
        gaia history\n  \
        gaia history gaia-core --format json\n\n\
        The VERSION column gives the ids of the versions each run went from and to, as \
        `gaia rollback <service> --to <id>` takes them.\n\n\
        Exit codes (table in gaia --help): 0 shown, 2 the log cannot be read or shown, 64 usage \
        or configuration error.")]
    History(HistoryArgs),

    /// Manage the HA hot standbys and the maintenance flag
    #[command(
        subcommand,
        after_help = "Examples:\n  \
        gaia ha start\n  \
        gaia ha status\n  \
        gaia ha maintenance on --for 2h --reason \"kernel upgrade\"\n  \
        gaia ha stop --dry-run"
    )]
    Ha(HaCommand),

    /// Stop a live service on purpose, prove its standby serves, and put it back
    ///
    /// The drill: check the steady state (target and standby healthy, maintenance off,
    /// fallback wired, a request through the front served by the target), write a journal,
    /// stop the target (never remove it), send the request through the front and prove
    /// who served it from the response and the front's logs, then start the target, wait
    /// until it is healthy and prove it serves again. The target is put back on success,
    /// failure, error and Ctrl-C (a second Ctrl-C still waits for it); if gaia is killed,
    /// `gaia failover-test --recover` puts it back from the journal, and `gaia doctor`
    /// reports the leftover journal until then.
    #[command(after_help = "Examples:\n  \
        gaia failover-test\n  \
        gaia failover-test --service gaia-mcp --format json\n  \
        gaia failover-test --serve-timeout 60s --dry-run\n  \
        gaia failover-test --hold 60s          # watch the standby serve for a minute\n  \
        gaia failover-test --recover\n  \
        gaia failover-test --yes               # in CI: no one to ask\n\n\
        It asks for confirmation on a terminal once the steady state is met; off one (CI, a \
        pipe) it is refused without --yes (exit 5, nothing changed). --recover never asks.\n\n\
        Exit codes (table in gaia --help): 0 failover worked and the target serves again \
        (--recover: put back, or nothing to put back); 2 no failover (the request failed or the \
        target served it), the target was put back; 3 the target could not be put back, live is \
        degraded; 4 another gaia command holds the lock; 5 refused (steady state not met, or no \
        confirmation), nothing changed; 64 usage or configuration error; 69 pre-flight; \
        129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (the target was put back).")]
    FailoverTest(FailoverArgs),

    /// Draft services.toml from the compose files in the root
    ///
    /// Reads docker-compose.yml, docker-compose.candidate.yml and its HA overlay
    /// docker-compose.ha.yml (as compose v2 resolves them, else as gaia reads the
    /// YAML) and drafts the registry: services, container names, ports, health
    /// paths, GPUs, candidates, profiles, volumes and the network. What compose
    /// cannot say (promote, python, source, shared directories, packages) comes
    /// from the registry in use, or is a default the draft marks for review. The
    /// same files always give the same draft.
    #[command(after_help = "Examples:\n  \
        gaia --root /srv/GAIA_Project init                  # print the draft\n  \
        gaia --root /srv/GAIA_Project init --diff           # against the built-in registry\n  \
        gaia --root /srv/GAIA_Project init --write          # write <root>/services.toml\n  \
        gaia --root /srv/GAIA_Project --config /srv/GAIA_Project/services.toml init --diff\n  \
        gaia --config /srv/GAIA_Project/services.toml doctor --category consistency\n\n\
        --write never replaces a services.toml that differs from the draft without --force \
        (--diff with --config on it shows what would change).\n\n\
        Exit codes (table in gaia --help): 0 drafted (and written), 2 cannot write it, 5 --write \
        refused (services.toml differs), nothing changed, 64 usage or configuration error, \
        69 no docker-compose.yml in the root.")]
    Init(InitArgs),

    /// Run a simulated GAIA stack on the local Docker engine, to rehearse on
    #[command(
        subcommand,
        after_help = "Examples:\n  \
        gaia --root /tmp/gaia-sim sim up --ha\n  \
        gaia sim status\n  \
        gaia sim fault exited --service gaia-web\n  \
        gaia sim heal\n  \
        gaia sim down"
    )]
    Sim(SimCommand),

    /// Print a shell completion script
    #[command(after_help = "Examples:\n  \
        gaia completions bash > /etc/bash_completion.d/gaia\n  \
        gaia completions zsh > ~/.zfunc/_gaia\n  \
        gaia completions fish > ~/.config/fish/completions/gaia.fish\n\n\
        Exit codes (table in gaia --help): 0 printed, 2 cannot print, 64 usage error.")]
    Completions(CompletionsArgs),

    /// Print gaia's manual page, or write one page per command into a directory
    #[command(after_help = "Examples:\n  \
        gaia man | man -l -\n  \
        gaia man --dir ~/.local/share/man/man1    # then: man gaia-doctor\n\n\
        Exit codes (table in gaia --help): 0 printed or written, 2 cannot write a page, 64 usage \
        error or a --dir that cannot be created.")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Write the draft to <root>/services.toml (atomically)
    #[arg(long)]
    pub(crate) write: bool,

    /// Show how the draft differs from the registry in use (--config, or the built-in one)
    #[arg(long)]
    pub(crate) diff: bool,

    /// With --write: replace a services.toml that differs from the draft
    #[arg(long, requires = "write")]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Check only these services (repeatable, or a comma list)
    #[arg(long = "service", value_name = "SERVICE", value_delimiter = ',')]
    pub(crate) services: Vec<String>,

    /// Run only these categories of checks (repeatable, or a comma list)
    #[arg(
        long = "category",
        value_enum,
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub(crate) categories: Vec<Category>,

    /// List the checks that would run, without running them
    #[arg(long)]
    pub(crate) list_checks: bool,

    /// Repair what is safe to repair, in dependency order, then check again
    #[arg(long, conflicts_with = "list_checks")]
    pub(crate) fix: bool,

    /// With --fix: print the repair plan and change nothing
    #[arg(long, requires = "fix")]
    pub(crate) dry_run: bool,

    /// What makes the run fail: warnings too, or only failures
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    pub(crate) fail_on: FailOn,

    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<std::path::PathBuf>,

    /// Deadline for the whole run: the report comes by then, whatever the engine does
    #[arg(
        long,
        alias = "timeout",
        value_parser = duration,
        default_value = "30s",
        value_name = "DURATION"
    )]
    pub(crate) deadline: Duration,
}

/// A maintenance window: whole seconds, as the flag records its expiry
/// to the second, and at least one of them.
fn window(text: &str) -> Result<Duration, String> {
    let parsed = duration(text)?;
    if parsed < Duration::from_secs(1) {
        return Err(format!("{text} is shorter than a second"));
    }
    Ok(parsed)
}

/// A watch interval: long enough to finish a run's bookkeeping between two.
fn interval(text: &str) -> Result<Duration, String> {
    const SHORTEST: Duration = Duration::from_millis(100);
    let parsed = duration(text)?;
    if parsed < SHORTEST {
        return Err(format!(
            "{text} is shorter than the shortest interval, 100ms"
        ));
    }
    Ok(parsed)
}

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// How often the doctor runs (15s, 1m; at least 100ms)
    #[arg(env = "GAIA_WATCH_INTERVAL", long, value_parser = interval, default_value = "15s", value_name = "DURATION")]
    pub(crate) interval: Duration,

    /// Address to serve /, /healthz, /report.json and /metrics on
    #[arg(
        env = "GAIA_WATCH_LISTEN",
        long,
        default_value = "127.0.0.1:9464",
        value_name = "ADDR:PORT"
    )]
    pub(crate) listen: std::net::SocketAddr,

    /// Post an alert to URL when checks change state (repeatable, or a comma list)
    #[arg(
        env = "GAIA_WATCH_NOTIFY",
        hide_env_values = true,
        long,
        value_name = "URL",
        value_delimiter = ','
    )]
    pub(crate) notify: Vec<String>,

    /// Watch only these services (repeatable, or a comma list)
    #[arg(
        env = "GAIA_WATCH_SERVICE",
        long = "service",
        value_name = "SERVICE",
        value_delimiter = ','
    )]
    pub(crate) services: Vec<String>,

    /// Deadline for each run: its report comes by then, whatever the engine does
    #[arg(env = "GAIA_WATCH_DEADLINE", long, value_parser = duration, default_value = "30s", value_name = "DURATION")]
    pub(crate) deadline: Duration,

    /// Look inside the containers (stat, curl from inside, imports, nvidia-smi: an exec each) every this many runs, and at once when a container changed; in between, checks that passed give what they saw
    #[arg(env = "GAIA_WATCH_DEEP_EVERY", long, default_value_t = 8, value_name = "RUNS", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) deep_every: u32,

    /// Alert once when the maintenance flag has been there longer than this (failover is off meanwhile)
    #[arg(env = "GAIA_WATCH_MAINTENANCE_LIMIT", long, value_parser = duration, default_value = "4h", value_name = "DURATION")]
    pub(crate) maintenance_limit: Duration,

    /// Repair services that keep failing, as `gaia doctor --fix` would, within the limits below
    #[arg(env = "GAIA_WATCH_HEAL", long, help_heading = "Healing")]
    pub(crate) heal: bool,

    /// Failing runs in a row before a service is repaired
    #[arg(env = "GAIA_WATCH_HEAL_AFTER", long, default_value_t = 3, value_name = "RUNS", requires = "heal", help_heading = "Healing", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) heal_after: u32,

    /// No repair while a service's container started less than this ago
    #[arg(env = "GAIA_WATCH_GRACE", long, value_parser = duration, default_value = "60s", value_name = "DURATION", requires = "heal", help_heading = "Healing")]
    pub(crate) grace: Duration,

    /// No repair of a service sooner than this after its last one
    #[arg(env = "GAIA_WATCH_COOLDOWN", long, value_parser = duration, default_value = "2m", value_name = "DURATION", requires = "heal", help_heading = "Healing")]
    pub(crate) cooldown: Duration,

    /// At most this many repairs of a service per --repair-window; then its circuit opens
    #[arg(env = "GAIA_WATCH_MAX_REPAIRS", long, default_value_t = 2, value_name = "COUNT", requires = "heal", help_heading = "Healing", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_repairs: u32,

    /// The window --max-repairs counts in; an open circuit closes once it has passed
    #[arg(env = "GAIA_WATCH_REPAIR_WINDOW", long, value_parser = duration, default_value = "30m", value_name = "DURATION", requires = "heal", help_heading = "Healing")]
    pub(crate) repair_window: Duration,
}

#[derive(Debug, Args)]
pub(crate) struct PromoteArgs {
    /// The live service (or gaia-common) to promote its candidate into
    #[arg(required_unless_present = "list", value_name = "SERVICE")]
    pub(crate) service: Option<String>,

    /// List what can be promoted, and how
    #[arg(long, conflicts_with = "service")]
    pub(crate) list: bool,

    /// Run the Python validators in a throwaway image of the candidate first
    #[arg(long)]
    pub(crate) validate: bool,

    /// Require the running candidate to answer its health check first
    #[arg(long)]
    pub(crate) test: bool,

    /// Promote, but do not restart live (it keeps running the old version)
    #[arg(long)]
    pub(crate) no_restart: bool,

    /// Skip the backup (a failed gate then cannot restore the files)
    #[arg(long)]
    pub(crate) no_backup: bool,

    /// Promote even when the sync gate blocks
    #[arg(long)]
    pub(crate) force: bool,

    /// With --no-backup or --force: go ahead without asking (off a terminal they refuse without it)
    #[arg(short, long)]
    pub(crate) yes: bool,

    /// Print the plan and change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Deadline of the health gate (default: the service's healthcheck start budget plus a margin)
    #[arg(long, alias = "timeout", value_parser = duration, value_name = "DURATION")]
    pub(crate) gate_timeout: Option<Duration>,
}

/// `--yes`, for the commands that stop or replace something live.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct YesArg {
    /// Go ahead without asking (off a terminal, as in CI, the command refuses without it)
    #[arg(short, long)]
    pub(crate) yes: bool,
}

/// `--dry-run`, for the commands that change live.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct DryRunArg {
    /// Print what would be done, and change nothing (no lock is taken)
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RollbackArgs {
    /// The live service (or gaia-common) to roll back
    #[arg(value_name = "SERVICE")]
    pub(crate) service: String,

    /// Put back this kept version instead: its id, or 4 or more of its first characters, as
    /// `--list` and `gaia history` show it
    #[arg(long, value_name = "ID")]
    pub(crate) to: Option<String>,

    /// List the service's kept versions, newest first, and change nothing
    #[arg(long, conflicts_with_all = ["to", "dry_run", "yes", "gate_timeout"])]
    pub(crate) list: bool,

    /// Deadline of the health gate (default: the service's healthcheck start budget plus a margin)
    #[arg(long, alias = "timeout", value_parser = duration, value_name = "DURATION")]
    pub(crate) gate_timeout: Option<Duration>,

    #[command(flatten)]
    pub(crate) confirm: YesArg,

    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Only this service
    #[arg(value_name = "SERVICE")]
    pub(crate) service: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HaCommand {
    /// Prepare the standbys' shared directories, start them, wait until healthy, verify the wiring
    #[command(after_help = "Examples:\n  \
        gaia ha start\n  \
        gaia ha start --dry-run\n  \
        gaia ha start --health-timeout 5m\n\n\
        What ha_start.sh did (compose -f docker-compose.candidate.yml \
        -f docker-compose.ha.yml --profile ha up -d), plus the shared directories owned by \
        the uid the registry names, a bounded wait for health, and a check that the live \
        containers' fallback env points at the running standbys.\n\n\
        Exit codes (table in gaia --help): 0 standbys healthy and wired, 2 a standby is not \
        healthy or not wired, 4 another gaia command holds the lock, 64 usage or configuration \
        error, 69 pre-flight, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.")]
    Start(HaStartArgs),

    /// Stop and remove the HA standby containers, and nothing else
    #[command(after_help = "Examples:\n  \
        gaia ha stop --dry-run\n  \
        gaia ha stop\n  \
        gaia ha stop --yes    # in a script\n\n\
        Their volumes are kept; failover is off until `gaia ha start` brings them back. It \
        asks for confirmation on a terminal; off one (CI, a pipe) it is refused without --yes \
        (exit 5, nothing changed).\n\n\
        Exit codes (table in gaia --help): 0 stopped and removed, 2 compose failed, \
        4 another gaia command holds the lock, 64 usage or configuration error, 69 pre-flight, \
        129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.")]
    Stop(HaStopArgs),

    /// Show live ↔ standby pairs, health, wiring, maintenance mode and the orchestrator's view
    #[command(after_help = "Examples:\n  \
        gaia ha status\n  \
        gaia ha status --format json | jq '.pairs[] | {primary, standby, standby_healthy}'\n\n\
        Exit codes (table in gaia --help): 0 every standby healthy and wired and \
        no maintenance flag (in force or expired), 1 otherwise, 64 usage or configuration error, 69 pre-flight.")]
    Status,

    /// Turn maintenance mode (no failover) on or off, or show it
    #[command(after_help = "Examples:\n  \
        gaia ha maintenance on --for 2h --reason \"kernel upgrade\"\n  \
        gaia ha maintenance status\n  \
        gaia ha maintenance off\n\n\
        The flag is a file in the live shared volume (checks/ha.toml), written and read through \
        the Docker API; while it exists, web does not fail over to the standbys. A flag set \
        --for a while expires: gaia then treats it as off and says so, but the file stays (and \
        failover stays off) until `off`.\n\
        Exit codes (table in gaia --help): 0 done (status: off), 1 status: on, or expired but \
        still there, 4 another gaia command holds the lock, 64 usage or configuration error, 69 pre-flight (the engine, or a \
        running live container holding the flag), 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.")]
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
}

#[derive(Debug, Args)]
pub(crate) struct HaStartArgs {
    /// How long to wait for the standbys to become healthy
    #[arg(
        long,
        alias = "timeout",
        value_parser = duration,
        default_value = "180s",
        value_name = "DURATION"
    )]
    pub(crate) health_timeout: Duration,

    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Args)]
pub(crate) struct HaStopArgs {
    #[command(flatten)]
    pub(crate) confirm: YesArg,

    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MaintenanceCommand {
    /// Turn failover off: write the flag, with who set it, when, why and until when
    #[command(after_help = "Examples:\n  \
        gaia ha maintenance on --for 2h --reason \"kernel upgrade\"\n  \
        gaia ha maintenance on --reason \"kernel upgrade\"\n  \
        gaia ha maintenance on --for 30m --dry-run\n\n\
        With --for the flag records when it expires; past then gaia (doctor, watch, ha status) \
        treats it as off and says it expired. GAIA's services only look at whether the file \
        exists, so web does not fail over, and the failover drill will not start, until \
        `gaia ha maintenance off` removes it. Without --for the flag stays until turned off.\n\
        Exit codes: 0 the flag is set.")]
    On(MaintenanceOnArgs),

    /// Turn failover on again: remove the flag
    #[command(after_help = "Examples:\n  \
        gaia ha maintenance off\n  \
        gaia ha maintenance off --dry-run\n\n\
        Exit codes: 0 the flag is gone (or was not there).")]
    Off(MaintenanceOffArgs),

    /// Show whether maintenance mode is on, who set it, when, why and until when
    #[command(after_help = "Examples:\n  \
        gaia ha maintenance status\n  \
        gaia ha maintenance status --format json | jq .flag.expires_at\n\n\
        Exit codes: 0 off, 1 on, or the flag expired but still there.")]
    Status,
}

#[derive(Debug, Args)]
pub(crate) struct MaintenanceOnArgs {
    /// Why: shown to whoever finds the flag
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: Option<String>,

    /// Expire after DURATION (`2h`, `90m`): gaia then treats the flag as off and says it
    /// expired. Without it the flag stays until `gaia ha maintenance off`
    #[arg(long = "for", value_name = "DURATION", value_parser = window)]
    pub(crate) window: Option<Duration>,

    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Args)]
pub(crate) struct MaintenanceOffArgs {
    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Args)]
pub(crate) struct FailoverArgs {
    /// The live service to stop (one with an HA standby)
    #[arg(
        long,
        alias = "target",
        default_value = "gaia-core",
        value_name = "SERVICE"
    )]
    pub(crate) service: String,

    /// JSON body to send through the front instead of the built-in request (checks/ha.toml)
    #[arg(long, value_name = "FILE")]
    pub(crate) payload: Option<std::path::PathBuf>,

    /// How long the request through the front, and the target's return to health, may each take
    #[arg(
        long,
        alias = "timeout",
        value_parser = duration,
        default_value = "180s",
        value_name = "DURATION"
    )]
    pub(crate) serve_timeout: Duration,

    /// Keep the target stopped this long after the standby served, to watch failover mode
    #[arg(long, value_parser = duration, default_value = "0s", value_name = "DURATION")]
    pub(crate) hold: Duration,

    /// Put back what an interrupted drill left stopped, from its journal
    #[arg(long, conflicts_with_all = ["service", "payload", "hold"])]
    pub(crate) recover: bool,

    #[command(flatten)]
    pub(crate) confirm: YesArg,

    #[command(flatten)]
    pub(crate) plan: DryRunArg,
}

#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// The image's tag
    #[arg(long, default_value = "gaia:latest", value_name = "REPO:TAG")]
    pub(crate) tag: String,

    /// Say what the image would hold, and build nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write gaia.1 and a gaia-<command>.1 page for every command here
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SimCommand {
    /// Build the simulated images if needed, start the live stack and wait until it is healthy
    #[command(after_help = "Examples:\n  \
        gaia --root /tmp/gaia-sim sim up\n  \
        gaia --root /tmp/gaia-sim sim up --ha --retry-base-delay 200ms\n  \
        gaia --root /tmp/gaia-sim sim up --scale 50 --health-timeout 10m\n\n\
        Exit codes (table in gaia --help): 0 up and healthy, 2 not healthy in time or a build \
        failed, 5 refused (a GAIA container, network, volume or image not made by gaia sim, or \
        a root that is not empty), nothing changed, 64 usage error, 69 pre-flight.")]
    Up(SimUpArgs),

    /// Remove every container, network and volume the simulated stack created
    #[command(after_help = "Examples:\n  \
        gaia sim down\n  \
        gaia sim down --images    # also the simulated images (the next `sim up` rebuilds them)\n\n\
        Exit codes (table in gaia --help): 0 removed, 2 something could not be \
        removed, 64 usage error, 69 pre-flight.")]
    Down(SimDownArgs),

    /// Show the simulated containers, their state and health
    #[command(after_help = "Examples:\n  \
        gaia sim status\n  \
        gaia sim status --format json\n\n\
        Exit codes (table in gaia --help): 0 shown, 64 usage error, 69 pre-flight.")]
    Status,

    /// Break the simulated stack in a way the doctor must notice
    #[command(after_help = "Examples:\n  \
        gaia sim fault --list\n  \
        gaia sim fault exited --service gaia-web\n  \
        gaia sim fault no-model\n\n\
        Without --root, the root of the running simulated stack is used.\n\n\
        Exit codes (table in gaia --help): 0 injected, 2 the fault could not be injected, \
        5 refused (a container gaia sim did not create), nothing changed, 64 usage error, \
        69 pre-flight (no simulated stack in the root).")]
    Fault(SimFaultArgs),

    /// Undo every injected fault and wait until the stack is healthy again
    #[command(after_help = "Examples:\n  \
        gaia sim heal\n  \
        gaia sim heal --health-timeout 5m\n\n\
        Without --root, the root of the running simulated stack is used.\n\n\
        Exit codes (table in gaia --help): 0 healed and healthy, 2 not healthy in \
        time, 64 usage error, 69 pre-flight (no simulated stack in the root).")]
    Heal(SimWaitArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SimWaitArgs {
    /// How long to wait for the containers to become healthy
    #[arg(
        long,
        alias = "timeout",
        value_parser = duration,
        default_value = "180s",
        value_name = "DURATION"
    )]
    pub(crate) health_timeout: Duration,
}

#[derive(Debug, Args)]
pub(crate) struct SimUpArgs {
    /// Also start the HA hot standbys (gaia-core-candidate, gaia-mcp-candidate)
    #[arg(long)]
    pub(crate) ha: bool,

    /// Add N light services, and a registry naming them (services.scaled.toml
    /// in the root), to measure the doctor on a large stack
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) scale: u16,

    /// How often Docker runs the containers' healthchecks (the real stack: 30s)
    #[arg(long, value_parser = duration, default_value = "2s", value_name = "DURATION")]
    pub(crate) health_interval: Duration,

    /// First delay of web's retry backoff towards core (doubles on each retry)
    #[arg(long, value_parser = duration, default_value = "2s", value_name = "DURATION")]
    pub(crate) retry_base_delay: Duration,

    #[command(flatten)]
    pub(crate) wait: SimWaitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SimDownArgs {
    /// Also remove the simulated images
    #[arg(long)]
    pub(crate) images: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SimFaultArgs {
    /// The fault to inject (see --list)
    #[arg(
        required_unless_present = "list",
        value_name = "FAULT",
        value_enum,
        hide_possible_values = true
    )]
    pub(crate) fault: Option<Fault>,

    /// The service (or its container) to break, instead of the fault's usual target
    #[arg(long, value_name = "SERVICE")]
    pub(crate) service: Option<String>,

    /// List the faults that can be injected
    #[arg(long, conflicts_with = "fault")]
    pub(crate) list: bool,
}

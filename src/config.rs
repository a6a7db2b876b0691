//! Resolved configuration: what the command line and environment ask for,
//! turned into what the commands run with, and the one way a command gets
//! into the live stack.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use crate::catalogue::Catalogue;
use crate::cli::GlobalArgs;
use crate::docker::{Container, Docker};
use crate::error::{Error, Result};
use crate::lock::LiveLock;
use crate::output::Printer;
use crate::registry::Registry;
use crate::signals::Signals;

/// The operator's checks files, under the GAIA root.
const CHECKS_DIR: &str = ".gaia/checks";

pub(crate) struct Context {
    pub(crate) registry: Registry,
    /// Loaded (and checked against the registry) by the commands that use it.
    catalogue: OnceLock<Catalogue>,
    /// The GAIA project root the operator named (`--root`, GAIA_ROOT), or
    /// the current directory.
    pub(crate) root: PathBuf,
    /// Whether the operator named the root rather than leaving it to the
    /// current directory.
    root_given: bool,
    /// `--checks`: the operator's checks files, instead of the root's.
    checks: Option<PathBuf>,
    /// The stack's root, once a command has found it: its checks files
    /// are the ones laid over the built-in catalogue.
    found_root: OnceLock<PathBuf>,
    pub(crate) printer: Printer,
    /// How long a command that changes live waits for another's lock.
    wait: Option<Duration>,
    /// SIGINT, SIGTERM and SIGHUP, for the commands that change live
    /// (inert for the others, which these signals simply end).
    pub(crate) signals: Signals,
    /// The root whose lock this run took, and for what: where its audit
    /// record goes.
    locked: OnceLock<(PathBuf, String)>,
}

/// What a command that reads or changes the running stack works with.
pub(crate) struct Live {
    pub(crate) docker: Docker,
    /// The GAIA root of the running stack (see `Context::stack_root`).
    pub(crate) root: PathBuf,
}

impl Context {
    pub(crate) fn resolve(global: &GlobalArgs, signals: Signals) -> Result<Context> {
        let registry = Registry::load(global.config.as_deref())?;
        let root = global.root.clone().unwrap_or_else(|| PathBuf::from("."));
        let printer = Printer::new(global.color, global.format, global.quiet, global.verbose);
        Ok(Context {
            registry,
            catalogue: OnceLock::new(),
            root,
            root_given: global.root.is_some(),
            checks: global.checks.clone(),
            found_root: OnceLock::new(),
            printer,
            wait: global.wait,
            signals,
            locked: OnceLock::new(),
        })
    }

    /// The root's one lock, for `command` ("promote gaia-core"): refused
    /// naming the holder, or after waiting `--wait` for it.
    pub(crate) async fn lock(&self, root: &Path, command: &str) -> Result<LiveLock> {
        let lock = LiveLock::acquire(root, command, self.wait, &self.signals).await?;
        // A signal that came while the command found its stack: nothing
        // has changed yet, so stopping is all there is to do.
        if let Some(signal) = self.signals.received() {
            return Err(Error::Stopped {
                signal: signal.name(),
                outcome: signal.outcome(),
            });
        }
        let _ = self.locked.set((root.to_owned(), command.to_owned()));
        Ok(lock)
    }

    /// The root whose lock this run took, and for what, if it took one.
    pub(crate) fn locked(&self) -> Option<(&Path, &str)> {
        self.locked
            .get()
            .map(|(root, command)| (root.as_path(), command.as_str()))
    }

    /// The check catalogue with the operator's checks files laid over it
    /// (`--checks`, else `.gaia/checks` in the stack's root), checked against
    /// the registry. What it skips is said once, on stderr.
    pub(crate) fn catalogue(&self) -> Result<&Catalogue> {
        if let Some(catalogue) = self.catalogue.get() {
            return Ok(catalogue);
        }
        let loaded = match &self.checks {
            Some(dir) => Catalogue::load_over(&self.registry, dir, true)?,
            None => {
                let root = self
                    .found_root
                    .get()
                    .cloned()
                    .unwrap_or_else(|| self.stack_root(None));
                Catalogue::load_over(&self.registry, &root.join(CHECKS_DIR), false)?
            }
        };
        for note in &loaded.notes {
            self.printer.note(note);
        }
        Ok(self.catalogue.get_or_init(|| loaded))
    }

    /// The one way into the running stack: the engine, and the stack's root.
    pub(crate) async fn live(&self) -> Result<Live> {
        self.live_by(None).await
    }

    /// The same, with the engine's answers about the root needed by `until`
    /// (a doctor run's deadline).
    pub(crate) async fn live_by(&self, until: Option<Instant>) -> Result<Live> {
        let docker = Docker::connect().await?;
        let asking = until.map_or_else(|| docker.clone(), |until| docker.until(until));
        // One look at every container serves the root's rule and the
        // scrubber: anything a command shows may quote a service (a
        // validator's output, compose's stderr, a front's reply), and the
        // inspect teaches it their secrets.
        let containers = self.containers(&asking).await;
        let root = self.stack_root(Some(&containers));
        let _ = self.found_root.set(root.clone());
        Ok(Live { docker, root })
    }

    /// The GAIA root of the running stack, for what needs no engine (the
    /// audit log): by the same rule, asking the engine only when the rule
    /// needs it, and falling back to the current directory when it is down.
    pub(crate) async fn root_of_stack(&self) -> PathBuf {
        if self.root_is_here() {
            return self.stack_root(None);
        }
        let containers = match Docker::connect().await {
            Ok(docker) => Some(self.containers(&docker).await),
            Err(_) => None,
        };
        let root = self.stack_root(containers.as_deref());
        let _ = self.found_root.set(root.clone());
        root
    }

    /// The registry's containers that exist (an inspect that fails counts
    /// as not found here: the doctor reports it on its own).
    async fn containers(&self, docker: &Docker) -> Vec<Container> {
        futures_util::future::join_all(
            self.registry
                .services
                .iter()
                .map(|s| docker.container(&s.container)),
        )
        .await
        .into_iter()
        .filter_map(|found| found.ok().flatten())
        .collect()
    }

    fn root_is_here(&self) -> bool {
        self.root_given || self.root.join("docker-compose.yml").is_file()
    }

    /// The rule: the root given; else the current directory when it holds
    /// the compose files; else the directory compose last started the
    /// stack's containers from, as they remember it (the most recently
    /// created container wins, so a root the stack has moved away from is
    /// never picked) — so an operator can run gaia from anywhere on the
    /// GAIA host.
    fn stack_root(&self, containers: Option<&[Container]>) -> PathBuf {
        let here = || {
            self.root
                .canonicalize()
                .unwrap_or_else(|_| self.root.clone())
        };
        let Some(containers) = containers.filter(|_| !self.root_is_here()) else {
            return here();
        };
        containers
            .iter()
            .filter_map(|c| {
                let dir = c.labels.get("com.docker.compose.project.working_dir")?;
                Path::new(dir)
                    .join("docker-compose.yml")
                    .is_file()
                    .then(|| {
                        (
                            c.created.unwrap_or(SystemTime::UNIX_EPOCH),
                            PathBuf::from(dir),
                        )
                    })
            })
            .max_by_key(|(created, _)| *created)
            .map_or_else(here, |(_, dir)| dir)
    }
}

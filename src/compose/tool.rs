//! The one façade over the compose tool. gaia speaks to Docker through the
//! Engine API; only compose-level actions (bringing services up with their
//! profiles and overlays) go through `docker compose`, or `docker-compose`
//! where only that is installed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::error::{Error, Result};
use crate::registry::Service;

/// The longest a compose action may take (it creates and starts containers
/// and does not wait for health); `version` gets much less.
const ACTION_DEADLINE: Duration = Duration::from_secs(300);
const PROBE_DEADLINE: Duration = Duration::from_secs(20);
/// `config` only reads files: it gets the probe's time, not an action's.
const CONFIG_DEADLINE: Duration = PROBE_DEADLINE;

/// A compose process gaia waits for: killed when gaia stops waiting, so it
/// never goes on recreating behind a rollback; in a process group of its
/// own, so the operator's Ctrl-C reaches gaia (which decides) and not
/// compose mid-recreate.
fn compose_command(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .kill_on_drop(true)
        .process_group(0)
        .stdin(std::process::Stdio::null());
    command
}

enum Ended {
    Late,
    NotStarted(std::io::Error),
}

/// Runs `command` to its end, or kills its whole process group at
/// `deadline` or when gaia stops waiting: `docker compose` is the docker
/// CLI running the compose plugin as its child, and killing the CLI alone
/// would leave the plugin recreating containers.
async fn run_to_end(
    mut command: Command,
    deadline: Duration,
) -> Result<std::process::Output, Ended> {
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(Ended::NotStarted)?;
    let mut group = ProcessGroup(child.id());
    let output = tokio::time::timeout(deadline, child.wait_with_output()).await;
    match output {
        Ok(Ok(output)) => {
            // Ended by itself: nothing of it is left to kill.
            group.0 = None;
            Ok(output)
        }
        Ok(Err(err)) => Err(Ended::NotStarted(err)),
        Err(_) => Err(Ended::Late),
    }
}

/// The process group of a compose run, killed whole when dropped.
struct ProcessGroup(Option<u32>);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(pid) = self.0.and_then(|pid| i32::try_from(pid).ok()) {
            let group = nix::unistd::Pid::from_raw(pid);
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// The compose tool found on the host.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    pub(crate) path: PathBuf,
    /// The `docker compose` CLI plugin rather than a `docker-compose` program.
    pub(crate) plugin: bool,
    /// Compose v2, which refuses what v1 let pass (a network labelled for
    /// another compose key).
    pub(crate) v2: bool,
}

impl Installed {
    /// How the operator runs it.
    pub(crate) fn command(&self) -> &'static str {
        if self.plugin {
            "docker compose"
        } else {
            "docker-compose"
        }
    }
}

/// The environment variable that picks one compose over the other where
/// both are installed (v2 is preferred otherwise).
const CHOICE: &str = "GAIA_COMPOSE";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `docker compose`
    Plugin,
    /// `docker-compose`
    Standalone,
}

impl Kind {
    fn program(self) -> &'static [&'static str] {
        match self {
            Kind::Plugin => &["docker", "compose"],
            Kind::Standalone => &["docker-compose"],
        }
    }
}

/// The compose GAIA_COMPOSE asks for, if any.
fn chosen() -> Result<Option<Kind>> {
    match std::env::var(CHOICE).ok().as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("docker compose") => Ok(Some(Kind::Plugin)),
        Some("docker-compose") => Ok(Some(Kind::Standalone)),
        Some(other) => Err(Error::Config(format!(
            "{CHOICE} is `{other}`; it must be `docker compose` or `docker-compose`"
        ))),
    }
}

/// Where Docker looks for CLI plugins, the user's own first.
fn plugin_dirs() -> impl Iterator<Item = PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    home.map(|h| h.join(".docker/cli-plugins"))
        .into_iter()
        .chain(
            [
                "/usr/local/lib/docker/cli-plugins",
                "/usr/local/libexec/docker/cli-plugins",
                "/usr/lib/docker/cli-plugins",
                "/usr/libexec/docker/cli-plugins",
            ]
            .map(PathBuf::from),
        )
}

pub(crate) struct Compose {
    program: Vec<String>,
    root: PathBuf,
}

/// A set of compose files that are used together, with the profiles they need.
#[derive(Debug, Clone)]
pub(crate) struct FileSet {
    pub(crate) files: Vec<String>,
    pub(crate) profiles: Vec<String>,
}

impl FileSet {
    /// The compose files and profiles that define `services`, in the order
    /// the registry names them.
    pub(crate) fn of(services: &[&Service]) -> FileSet {
        let mut set = FileSet {
            files: Vec::new(),
            profiles: Vec::new(),
        };
        for service in services {
            for file in &service.compose_files {
                if !set.files.contains(file) {
                    set.files.push(file.clone());
                }
            }
            if let Some(profile) = &service.profile
                && !set.profiles.contains(profile)
            {
                set.profiles.push(profile.clone());
            }
        }
        set
    }

    /// `-f FILE … --profile P … `, as the operator would type it.
    pub(crate) fn describe(&self) -> String {
        let files = self.files.iter().map(|f| format!("-f {f} "));
        let profiles = self.profiles.iter().map(|p| format!("--profile {p} "));
        files.chain(profiles).collect()
    }
}

impl Compose {
    /// Finds `docker compose` (v2) or `docker-compose` (v1), or the one
    /// GAIA_COMPOSE names.
    pub(crate) async fn detect(root: &Path) -> Result<Compose> {
        let candidates = match chosen()? {
            Some(Kind::Plugin) => vec![Kind::Plugin],
            Some(Kind::Standalone) => vec![Kind::Standalone],
            None => vec![Kind::Plugin, Kind::Standalone],
        };
        for kind in candidates {
            let program = kind.program();
            let version = compose_command(program[0])
                .args(&program[1..])
                .arg("version")
                .output();
            let found = tokio::time::timeout(PROBE_DEADLINE, version)
                .await
                .is_ok_and(|out| out.is_ok_and(|out| out.status.success()));
            if found {
                return Ok(Compose {
                    program: program.iter().map(|s| s.to_string()).collect(),
                    root: root.to_owned(),
                });
            }
        }
        Err(Error::PreFlight(match chosen()? {
            Some(kind) => format!(
                "{CHOICE}={} but `{}` does not run",
                kind.program().join(" "),
                kind.program().join(" ")
            ),
            None => "neither `docker compose` nor `docker-compose` is installed; \
                     gaia needs one of them to start services with their profiles"
                .into(),
        }))
    }

    /// The compose tool `locate` finds, to run in `root`; None when there is
    /// none (or GAIA_COMPOSE names none that is installed).
    pub(crate) fn located(root: &Path) -> Option<Compose> {
        let tool = Self::locate().ok().flatten()?;
        Some(Compose {
            program: tool.command().split(' ').map(str::to_owned).collect(),
            root: root.to_owned(),
        })
    }

    /// Where the compose tool is installed, found without running it (the
    /// Python docker-compose takes most of a second just to start): the v2
    /// CLI plugin in Docker's plugin directories, else `docker-compose` on
    /// PATH; only the one GAIA_COMPOSE names when it is set.
    pub(crate) fn locate() -> Result<Option<Installed>> {
        let chosen = chosen()?;
        if chosen != Some(Kind::Standalone)
            && let Some(plugin) = plugin_dirs()
                .map(|dir| dir.join("docker-compose"))
                .find(|plugin| plugin.is_file())
        {
            return Ok(Some(Installed {
                path: plugin,
                plugin: true,
                v2: true,
            }));
        }
        if chosen == Some(Kind::Plugin) {
            return Ok(None);
        }
        let Ok(standalone) = which::which("docker-compose") else {
            return Ok(None);
        };
        // v1 is a Python script, v2 a Go binary: the first bytes tell them
        // apart without paying for v1's start.
        let v2 = std::fs::File::open(&standalone)
            .and_then(|mut f| {
                let mut magic = [0u8; 4];
                std::io::Read::read_exact(&mut f, &mut magic).map(|()| magic)
            })
            .is_ok_and(|magic| magic == *b"\x7fELF");
        Ok(Some(Installed {
            path: standalone,
            plugin: false,
            v2,
        }))
    }

    pub(crate) fn program(&self) -> String {
        self.program.join(" ")
    }

    /// Recreates the container of one service from the compose files,
    /// leaving its dependencies alone: compose stops the old container before
    /// it starts the new one. The name follows `--`, so no name is ever read
    /// as an option (compose v1's docopt and v2's cobra both end options there).
    pub(crate) async fn recreate(&self, set: &FileSet, service: &str) -> Result<()> {
        self.run(
            set,
            &["up", "-d", "--no-deps", "--force-recreate", "--", service],
        )
        .await
    }

    /// Whether this is compose v2, whose `config` resolves everything compose
    /// itself would (interpolation, include, extends, profiles, overlays).
    pub(crate) fn is_v2(&self) -> bool {
        self.program[0] == "docker"
    }

    /// What compose makes of `files` with every profile active, as its JSON
    /// document (`config --format json`, v2 only). A refusal is compose's own
    /// complaint, without the command around it.
    pub(crate) async fn config(&self, files: &[String]) -> Result<serde_json::Value, String> {
        let set = FileSet {
            files: files.to_vec(),
            profiles: vec!["*".into()],
        };
        let output = self
            .output(&set, &["config", "--format", "json"], CONFIG_DEADLINE)
            .await
            .map_err(|err| err.to_string())?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(stderr.trim().lines().last().unwrap_or("").to_owned());
        }
        serde_json::from_slice(&output.stdout).map_err(|err| {
            format!(
                "`{} config` printed no JSON document: {err}",
                self.program()
            )
        })
    }

    /// Runs `compose -f … --profile … ARGS` in the root; output is shown only on failure.
    pub(crate) async fn run(&self, set: &FileSet, args: &[&str]) -> Result<()> {
        let output = self.output(set, args, ACTION_DEADLINE).await?;
        if output.status.success() {
            return Ok(());
        }
        let shown = self.shown(set, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        Err(Error::Failed(format!(
            "`{shown}` failed in {}:\n{}",
            self.root.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )))
    }

    fn shown(&self, set: &FileSet, args: &[&str]) -> String {
        format!("{} {}{}", self.program(), set.describe(), args.join(" "))
    }

    /// Runs `compose -f … --profile … ARGS` in the root to its end or `deadline`.
    async fn output(
        &self,
        set: &FileSet,
        args: &[&str],
        deadline: Duration,
    ) -> Result<std::process::Output> {
        let mut command = compose_command(&self.program[0]);
        command.args(&self.program[1..]).current_dir(&self.root);
        for file in &set.files {
            command.arg("-f").arg(file);
        }
        for profile in &set.profiles {
            command.arg("--profile").arg(profile);
        }
        command.args(args);
        let shown = self.shown(set, args);
        tracing::debug!(command = %shown, "running compose");
        run_to_end(command, deadline)
            .await
            .map_err(|err| match err {
                Ended::Late => Error::Failed(format!(
                    "`{shown}` did not finish within {}s and was stopped",
                    deadline.as_secs()
                )),
                Ended::NotStarted(err) => {
                    Error::PreFlight(format!("cannot run {}: {err}", self.program()))
                }
            })
    }
}

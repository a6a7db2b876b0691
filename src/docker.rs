//! The one façade over the Docker Engine API. Commands ask it questions in
//! gaia's terms (a container, its health, a file in it); nothing outside this
//! module touches bollard.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::ContainerCreateBody;
use bollard::models::{
    ContainerStateStatusEnum, EndpointSettings, HealthStatusEnum, Ipam, IpamConfig,
    NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest, VolumeCreateRequest,
};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptions, TagImageOptionsBuilder, WaitContainerOptions,
};
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListVolumesOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder, RemoveVolumeOptionsBuilder,
    RenameContainerOptionsBuilder, RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use futures_util::{StreamExt, TryStreamExt};

use crate::error::{Error, Result};

/// The label of the containers `run_once` makes; its value is gaia's pid.
pub(crate) const THROWAWAY: &str = "io.gaia.throwaway";

/// How long gaia waits for the engine to answer its first ping.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Every call to the engine ends by then at the latest: bollard's own
/// timeout covers only the response headers, so a call whose answer never
/// comes whole would otherwise wait forever.
const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// An image build (validation) or load (`gaia sim up`) streams for longer.
const BUILD_DEADLINE: Duration = Duration::from_secs(900);

#[derive(Clone)]
pub(crate) struct Docker {
    api: bollard::Docker,
    version: Arc<str>,
    /// When every call must have ended (a doctor run's deadline), if sooner
    /// than each call's own.
    until: Option<Instant>,
}

/// A container as gaia needs to see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Container {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) state: State,
    /// Docker's verdict, for a container with a healthcheck that has one yet.
    pub(crate) health: Option<Health>,
    pub(crate) restart_count: i64,
    /// The host's pid of its main process, while it runs.
    pub(crate) pid: Option<u32>,
    pub(crate) created: Option<SystemTime>,
    /// When it last started; None when it never has.
    pub(crate) started_at: Option<SystemTime>,
    pub(crate) labels: HashMap<String, String>,
    pub(crate) env: Vec<String>,
    pub(crate) networks: Vec<String>,
    /// Device mappings, as `host:container` paths (or CDI names).
    pub(crate) devices: Vec<String>,
    /// Device requests: (driver, count, device ids); count -1 means all.
    pub(crate) device_requests: Vec<(String, i64, Vec<String>)>,
    /// The container's healthcheck timing, when it has a healthcheck.
    pub(crate) healthcheck: Option<HealthTiming>,
}

/// A container's state, as Docker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum State {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    #[default]
    Unknown,
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Created => "created",
            State::Running => "running",
            State::Paused => "paused",
            State::Restarting => "restarting",
            State::Removing => "removing",
            State::Exited => "exited",
            State::Dead => "dead",
            State::Unknown => "unknown",
        })
    }
}

/// Docker's healthcheck verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    Starting,
    Healthy,
    Unhealthy,
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Health::Starting => "starting",
            Health::Healthy => "healthy",
            Health::Unhealthy => "unhealthy",
        })
    }
}

/// How a healthcheck is scheduled, which bounds how long reaching
/// `healthy` can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HealthTiming {
    pub(crate) interval: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
    pub(crate) start_period: Duration,
}

impl HealthTiming {
    /// The longest a healthy service can take to be reported healthy: its
    /// start period, then one interval plus one probe per allowed retry.
    /// Saturating: compose accepts healthchecks whose sum no clock holds.
    pub(crate) fn longest_start(&self) -> Duration {
        self.interval
            .saturating_add(self.timeout)
            .saturating_mul(self.retries.saturating_add(1))
            .saturating_add(self.start_period)
    }
}

impl Container {
    pub(crate) fn is_running(&self) -> bool {
        self.state == State::Running
    }

    /// Running, and healthy if it has a healthcheck.
    pub(crate) fn is_ready(&self) -> bool {
        self.is_running() && self.health.is_none_or(|h| h == Health::Healthy)
    }

    /// `running (healthy)`, or the state alone when there is no verdict or
    /// it does not run.
    pub(crate) fn describe(&self) -> String {
        match self.health {
            Some(health) if self.is_running() => format!("{} ({health})", self.state),
            _ => self.state.to_string(),
        }
    }

    pub(crate) fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    }
}

/// A container from a listing: enough to find and remove it.
#[derive(Debug, Clone)]
pub(crate) struct ContainerRef {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub(crate) id: String,
    pub(crate) created: Option<String>,
    pub(crate) labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Network {
    pub(crate) labels: HashMap<String, String>,
    /// Names of the containers attached to it.
    pub(crate) containers: Vec<String>,
}

/// A network to create: what compose would pass to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetworkSpec {
    pub(crate) name: String,
    pub(crate) driver: String,
    pub(crate) labels: HashMap<String, String>,
    pub(crate) subnets: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ExecOutput {
    pub(crate) exit_code: i64,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// An RFC 3339 time as the engine writes it; None for the zero time it
/// gives what never happened.
fn timestamp(text: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(text)
        .ok()
        .filter(|t| *t > SystemTime::UNIX_EPOCH)
}

fn stream_ended(what: &str, after: Duration) -> Error {
    Error::Failed(format!(
        "{what} did not finish within {} and was stopped",
        humantime::format_duration(after)
    ))
}

fn not_found(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Docker {
    /// Connects to the engine named by DOCKER_HOST (or the local socket) and
    /// proves it answers, quickly: an unreachable engine is a pre-flight error.
    pub(crate) async fn connect() -> Result<Docker> {
        let host = std::env::var("DOCKER_HOST")
            .unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned());
        let unreachable = |cause: String| {
            Error::PreFlight(format!(
                "cannot reach the Docker engine at {host}: {cause}\n\
                 Start the daemon, or point gaia at it with DOCKER_HOST \
                 (for example DOCKER_HOST=unix:///var/run/docker.sock)."
            ))
        };
        let api =
            bollard::Docker::connect_with_defaults().map_err(|e| unreachable(e.to_string()))?;
        // The version is asked once, here, where an engine that does not
        // answer is a pre-flight error, not a doctor finding.
        let first_answer = async {
            let api = api.negotiate_version().await?;
            let version = api.version().await?;
            Ok::<_, bollard::errors::Error>((api, version))
        };
        let (api, version) = tokio::time::timeout(CONNECT_TIMEOUT, first_answer)
            .await
            .map_err(|_| unreachable(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Docker {
            api,
            version: Arc::from(version.version.as_deref().unwrap_or("unknown")),
            until: None,
        })
    }

    /// The same engine, with every call ending by `until` (a run's deadline).
    pub(crate) fn until(&self, until: Instant) -> Docker {
        Docker {
            api: self.api.clone(),
            version: self.version.clone(),
            until: Some(until),
        }
    }

    /// `call`, given up when the engine has not answered it in time.
    async fn bounded<T>(
        &self,
        what: impl std::fmt::Display,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let allowed = self.until.map_or(CALL_DEADLINE, |until| {
            CALL_DEADLINE.min(until.saturating_duration_since(Instant::now()))
        });
        tokio::time::timeout(allowed, call)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Failed(format!(
                    "the Docker engine did not answer within {:.1}s ({what})",
                    allowed.as_secs_f64()
                )))
            })
    }

    /// The engine's version, as it said when gaia connected.
    pub(crate) fn engine_version(&self) -> &str {
        &self.version
    }

    // ── containers ──────────────────────────────────────────────────────────

    pub(crate) async fn container(&self, name: &str) -> Result<Option<Container>> {
        self.bounded(format!("container {name}"), async {
            let inspect = match self.api.inspect_container(name, None).await {
                Ok(inspect) => inspect,
                Err(err) if not_found(&err) => return Ok(None),
                Err(err) => {
                    return Err(anyhow::Error::new(err)
                        .context(format!("inspecting container {name}"))
                        .into());
                }
            };
            let state = inspect.state.unwrap_or_default();
            let host = inspect.host_config.unwrap_or_default();
            let devices = host
                .devices
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    format!(
                        "{}:{}",
                        d.path_on_host.unwrap_or_default(),
                        d.path_in_container.unwrap_or_default()
                    )
                })
                .collect();
            let device_requests = host
                .device_requests
                .unwrap_or_default()
                .into_iter()
                .map(|r| {
                    (
                        r.driver.unwrap_or_default(),
                        r.count.unwrap_or(0),
                        r.device_ids.unwrap_or_default(),
                    )
                })
                .collect();
            let config = inspect.config.unwrap_or_default();
            let env = config.env.unwrap_or_default();
            // Every container gaia looks at teaches the scrubber its secrets,
            // before anything of it (or what it prints) can reach an output.
            crate::secrets::learn_env(&env);
            // Docker's defaults where the image or compose leaves a field unset.
            let nanos = |n: Option<i64>, default: Duration| match n {
                Some(n) if n > 0 => Duration::from_nanos(n as u64),
                _ => default,
            };
            let healthcheck = config
                .healthcheck
                .as_ref()
                .filter(|h| {
                    h.test
                        .as_ref()
                        .is_some_and(|t| t.first().is_some_and(|c| c != "NONE"))
                })
                .map(|h| HealthTiming {
                    interval: nanos(h.interval, Duration::from_secs(30)),
                    timeout: nanos(h.timeout, Duration::from_secs(30)),
                    retries: h.retries.filter(|r| *r > 0).unwrap_or(3) as u32,
                    start_period: nanos(h.start_period, Duration::ZERO),
                });
            let networks = inspect
                .network_settings
                .and_then(|n| n.networks)
                .map(|n| n.into_keys().collect())
                .unwrap_or_default();
            Ok(Some(Container {
                id: inspect.id.unwrap_or_default(),
                name: inspect
                    .name
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_owned(),
                state: match state.status {
                    Some(ContainerStateStatusEnum::CREATED) => State::Created,
                    Some(ContainerStateStatusEnum::RUNNING) => State::Running,
                    Some(ContainerStateStatusEnum::PAUSED) => State::Paused,
                    Some(ContainerStateStatusEnum::RESTARTING) => State::Restarting,
                    Some(ContainerStateStatusEnum::REMOVING) => State::Removing,
                    Some(ContainerStateStatusEnum::EXITED) => State::Exited,
                    Some(ContainerStateStatusEnum::DEAD) => State::Dead,
                    _ => State::Unknown,
                },
                health: match state.health.and_then(|h| h.status) {
                    Some(HealthStatusEnum::STARTING) => Some(Health::Starting),
                    Some(HealthStatusEnum::HEALTHY) => Some(Health::Healthy),
                    Some(HealthStatusEnum::UNHEALTHY) => Some(Health::Unhealthy),
                    _ => None,
                },
                restart_count: inspect.restart_count.unwrap_or(0),
                pid: state
                    .pid
                    .filter(|pid| *pid > 0)
                    .and_then(|pid| u32::try_from(pid).ok()),
                created: inspect.created.as_deref().and_then(timestamp),
                started_at: state.started_at.as_deref().and_then(timestamp),
                labels: config.labels.unwrap_or_default(),
                env,
                networks,
                devices,
                device_requests,
                healthcheck,
            }))
        })
        .await
    }

    /// All containers (running or not) carrying `label` (`key` or `key=value`).
    pub(crate) async fn containers_with_label(&self, label: &str) -> Result<Vec<ContainerRef>> {
        self.bounded(format!("containers_with_label {label}"), async {
            let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
            let options = ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filters)
                .build();
            let list = self
                .api
                .list_containers(Some(options))
                .await
                .context("listing containers")?;
            Ok(list
                .into_iter()
                .map(|c| ContainerRef {
                    id: c.id.unwrap_or_default(),
                    name: c
                        .names
                        .unwrap_or_default()
                        .first()
                        .map(|n| n.trim_start_matches('/').to_owned())
                        .unwrap_or_default(),
                    labels: c.labels.unwrap_or_default(),
                })
                .collect())
        })
        .await
    }

    pub(crate) async fn start(&self, name: &str) -> Result<()> {
        self.bounded(format!("start {name}"), async {
            self.api
                .start_container(name, None)
                .await
                .with_context(|| format!("starting {name}"))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn restart(&self, name: &str) -> Result<()> {
        self.bounded(format!("restart {name}"), async {
            let options = RestartContainerOptionsBuilder::default().t(10).build();
            self.api
                .restart_container(name, Some(options))
                .await
                .with_context(|| format!("restarting {name}"))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn stop(&self, name: &str) -> Result<()> {
        self.bounded(format!("stop {name}"), async {
            let options = StopContainerOptionsBuilder::default().t(10).build();
            self.api
                .stop_container(name, Some(options))
                .await
                .with_context(|| format!("stopping {name}"))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn remove_container(&self, name: &str) -> Result<()> {
        self.bounded(format!("remove_container {name}"), async {
            let options = RemoveContainerOptionsBuilder::default().force(true).build();
            match self.api.remove_container(name, Some(options)).await {
                Err(err) if not_found(&err) => Ok(()),
                other => Ok(other.with_context(|| format!("removing container {name}"))?),
            }
        })
        .await
    }

    pub(crate) async fn rename(&self, name: &str, new_name: &str) -> Result<()> {
        self.bounded(format!("rename {name}"), async {
            let options = RenameContainerOptionsBuilder::default()
                .name(new_name)
                .build();
            self.api
                .rename_container(name, options)
                .await
                .with_context(|| format!("renaming {name} to {new_name}"))?;
            Ok(())
        })
        .await
    }

    /// Runs `argv` inside a running container and collects what it printed.
    pub(crate) async fn exec(
        &self,
        container: &str,
        argv: &[&str],
        user: Option<&str>,
    ) -> Result<ExecOutput> {
        self.bounded(format!("exec {container}"), async {
            let context = || format!("running `{}` in {container}", argv.join(" "));
            let exec = self
                .api
                .create_exec(
                    container,
                    CreateExecOptions {
                        cmd: Some(argv.iter().map(|s| s.to_string()).collect()),
                        user: user.map(str::to_owned),
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        ..Default::default()
                    },
                )
                .await
                .with_context(context)?;
            let mut stdout = String::new();
            let mut stderr = String::new();
            if let StartExecResults::Attached { mut output, .. } = self
                .api
                .start_exec(&exec.id, None)
                .await
                .with_context(context)?
            {
                while let Some(chunk) = output.next().await {
                    match chunk.with_context(context)? {
                        bollard::container::LogOutput::StdErr { message } => {
                            stderr.push_str(&String::from_utf8_lossy(&message))
                        }
                        other => stdout.push_str(&String::from_utf8_lossy(&other.into_bytes())),
                    }
                }
            }
            let inspect = self
                .api
                .inspect_exec(&exec.id)
                .await
                .with_context(context)?;
            Ok(ExecOutput {
                exit_code: inspect.exit_code.unwrap_or(-1),
                stdout,
                stderr,
            })
        })
        .await
    }

    /// Extracts a tar archive into `dir` of a container, through any volume
    /// mounted there; owners and modes come from the archive. Works on
    /// containers that are created but not running.
    pub(crate) async fn upload(&self, container: &str, dir: &str, tar: Vec<u8>) -> Result<()> {
        self.bounded(format!("upload {container}"), async {
            let options = UploadToContainerOptionsBuilder::default().path(dir).build();
            self.api
                .upload_to_container(container, Some(options), bollard::body_full(tar.into()))
                .await
                .with_context(|| format!("writing into {container}:{dir}"))?;
            Ok(())
        })
        .await
    }

    /// A small file from a container, through the archive API (no exec, so
    /// it works on any image); None when the path does not exist.
    pub(crate) async fn read_file(&self, container: &str, path: &str) -> Result<Option<Vec<u8>>> {
        self.bounded(format!("read_file {container}"), async {
            let options = bollard::query_parameters::DownloadFromContainerOptionsBuilder::default()
                .path(path)
                .build();
            let mut chunks = self.api.download_from_container(container, Some(options));
            let mut archive = Vec::new();
            while let Some(chunk) = chunks.next().await {
                match chunk {
                    Ok(bytes) => archive.extend_from_slice(&bytes),
                    Err(err) if not_found(&err) => return Ok(None),
                    Err(err) => {
                        return Err(anyhow::Error::new(err)
                            .context(format!("reading {container}:{path}"))
                            .into());
                    }
                }
            }
            let mut entries = tar::Archive::new(&archive[..]);
            let mut contents = Vec::new();
            if let Some(entry) = entries
                .entries()
                .context("reading an archive from the engine")?
                .next()
            {
                use std::io::Read as _;
                entry
                    .context("reading an archive from the engine")?
                    .read_to_end(&mut contents)
                    .context("reading an archive from the engine")?;
            }
            Ok(Some(contents))
        })
        .await
    }

    /// Bytes held by the engine's images (a cheap listing, not `docker system df`,
    /// which walks every layer and volume).
    pub(crate) async fn images_size(&self) -> Result<(usize, i64)> {
        self.bounded("images_size", async {
            let images = self
                .api
                .list_images(None::<bollard::query_parameters::ListImagesOptions>)
                .await
                .context("listing images")?;
            Ok((images.len(), images.iter().map(|i| i.size).sum()))
        })
        .await
    }

    /// Log lines of a container written since `since`, with the engine's
    /// timestamp of each.
    pub(crate) async fn logs_since(
        &self,
        container: &str,
        since: std::time::SystemTime,
    ) -> Result<Vec<(std::time::SystemTime, String)>> {
        self.bounded(format!("logs_since {container}"), async {
            let seconds = since
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let options = LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .timestamps(true)
                .since(i32::try_from(seconds).unwrap_or(0))
                .build();
            let chunks: Vec<_> = self
                .api
                .logs(container, Some(options))
                .try_collect()
                .await
                .with_context(|| format!("reading the logs of {container}"))?;
            let text: String = chunks
                .into_iter()
                .map(|c| String::from_utf8_lossy(&c.into_bytes()).into_owned())
                .collect();
            Ok(text
                .lines()
                .filter_map(|line| {
                    let (stamp, message) = line.split_once(' ')?;
                    let at = humantime::parse_rfc3339_weak(stamp).ok()?;
                    (at >= since).then(|| (at, message.to_owned()))
                })
                .collect())
        })
        .await
    }

    // ── images ──────────────────────────────────────────────────────────────

    pub(crate) async fn image(&self, tag: &str) -> Result<Option<Image>> {
        self.bounded(format!("image {tag}"), async {
            match self.api.inspect_image(tag).await {
                Ok(image) => {
                    let config = image.config.unwrap_or_default();
                    // What the image sets, its containers (a validator's) have.
                    crate::secrets::learn_env(config.env.as_deref().unwrap_or_default());
                    Ok(Some(Image {
                        id: image.id.unwrap_or_default(),
                        created: image.created.map(|c| c.to_string()),
                        labels: config.labels.unwrap_or_default(),
                    }))
                }
                Err(err) if not_found(&err) => Ok(None),
                Err(err) => Err(anyhow::Error::new(err)
                    .context(format!("inspecting image {tag}"))
                    .into()),
            }
        })
        .await
    }

    /// Loads images from an archive in `docker save` format.
    pub(crate) async fn load_images(&self, archive: Vec<u8>) -> Result<()> {
        let mut progress = self.api.import_image(
            bollard::query_parameters::ImportImageOptionsBuilder::default()
                .quiet(true)
                .build(),
            bollard::body_full(archive.into()),
            None,
        );
        let streamed = async {
            while let Some(step) = progress.next().await {
                step.context("loading images into the engine")?;
            }
            Ok(())
        };
        tokio::time::timeout(BUILD_DEADLINE, streamed)
            .await
            .unwrap_or_else(|_| Err(stream_ended("loading images", BUILD_DEADLINE)))
    }

    pub(crate) async fn remove_image(&self, tag: &str) -> Result<()> {
        self.bounded(format!("remove_image {tag}"), async {
            let options = RemoveImageOptionsBuilder::default().build();
            match self.api.remove_image(tag, Some(options), None).await {
                Err(err) if not_found(&err) => Ok(()),
                other => Ok(other
                    .map(drop)
                    .with_context(|| format!("removing image {tag}"))?),
            }
        })
        .await
    }

    /// Builds `tag` from a build context (a tar holding a Dockerfile), as
    /// `docker build` does; the build's own error when it fails.
    pub(crate) async fn build_image(&self, context: Vec<u8>, tag: &str) -> Result<()> {
        let options = BuildImageOptionsBuilder::default()
            .dockerfile("Dockerfile")
            .t(tag)
            .rm(true)
            .forcerm(true)
            .build();
        let mut progress =
            self.api
                .build_image(options, None, Some(bollard::body_full(context.into())));
        let streamed = async {
            while let Some(step) = progress.next().await {
                let step = step.with_context(|| format!("building {tag}"))?;
                if let Some(detail) = step.error_detail {
                    return Err(Error::Failed(format!(
                        "building {tag} failed: {}",
                        detail.message.unwrap_or_default().trim()
                    )));
                }
            }
            Ok(())
        };
        // Dropping the stream closes the connection, which cancels the build.
        tokio::time::timeout(BUILD_DEADLINE, streamed)
            .await
            .unwrap_or_else(|_| Err(stream_ended(&format!("building {tag}"), BUILD_DEADLINE)))
    }

    /// Tags the image `source` (a tag or id) as `target` (`repo:tag`).
    pub(crate) async fn tag_image(&self, source: &str, target: &str) -> Result<()> {
        self.bounded(format!("tag_image {source}"), async {
            let (repo, tag) = match target.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, tag),
                _ => (target, "latest"),
            };
            let options = TagImageOptionsBuilder::default()
                .repo(repo)
                .tag(tag)
                .build();
            self.api
                .tag_image(source, Some(options))
                .await
                .with_context(|| format!("tagging {source} as {target}"))?;
            Ok(())
        })
        .await
    }

    /// Runs `argv` in a fresh container of `image` to completion, or until
    /// `deadline`, and removes the container: (exit code, what it printed).
    /// The container is labelled THROWAWAY=<gaia's pid>, so what an
    /// interrupted run leaves can be found and removed.
    pub(crate) async fn run_once(
        &self,
        image: &str,
        argv: &[String],
        deadline: Duration,
    ) -> Result<ExecOutput> {
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            cmd: Some(argv.to_vec()),
            labels: Some(HashMap::from([(
                THROWAWAY.to_owned(),
                std::process::id().to_string(),
            )])),
            ..Default::default()
        };
        let created = self
            .bounded(format!("create_container {image}"), async {
                Ok(self
                    .api
                    .create_container(None::<CreateContainerOptions>, body)
                    .await
                    .with_context(|| format!("creating a container of {image}"))?)
            })
            .await?;
        let id = created.id;
        let outcome = tokio::time::timeout(deadline, async {
            self.start(&id).await?;
            let mut waited = self.api.wait_container(&id, None::<WaitContainerOptions>);
            let exit_code = match waited.next().await {
                Some(Ok(done)) => done.status_code,
                Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => code,
                Some(Err(err)) => return Err(anyhow::Error::new(err).context("waiting").into()),
                None => -1,
            };
            let options = LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .build();
            let chunks: Vec<_> = self
                .api
                .logs(&id, Some(options))
                .try_collect()
                .await
                .context("reading its output")?;
            let mut stdout = String::new();
            let mut stderr = String::new();
            for chunk in chunks {
                match chunk {
                    bollard::container::LogOutput::StdErr { message } => {
                        stderr.push_str(&String::from_utf8_lossy(&message))
                    }
                    other => stdout.push_str(&String::from_utf8_lossy(&other.into_bytes())),
                }
            }
            Ok::<_, Error>(ExecOutput {
                exit_code,
                stdout,
                stderr,
            })
        })
        .await;
        self.remove_container(&id).await?;
        outcome.unwrap_or_else(|_| {
            Err(Error::Failed(format!(
                "`{}` in {image} did not finish within {} and was stopped",
                argv.join(" "),
                humantime::format_duration(deadline)
            )))
        })
    }

    // ── networks and volumes ────────────────────────────────────────────────

    pub(crate) async fn network(&self, name: &str) -> Result<Option<Network>> {
        self.bounded(format!("network {name}"), async {
            match self.api.inspect_network(name, None).await {
                Ok(net) => Ok(Some(Network {
                    labels: net.labels.unwrap_or_default(),
                    containers: net
                        .containers
                        .unwrap_or_default()
                        .into_values()
                        .filter_map(|c| c.name)
                        .collect(),
                })),
                Err(err) if not_found(&err) => Ok(None),
                Err(err) => Err(anyhow::Error::new(err)
                    .context(format!("inspecting network {name}"))
                    .into()),
            }
        })
        .await
    }

    pub(crate) async fn create_network(&self, spec: NetworkSpec) -> Result<()> {
        self.bounded("create_network", async {
            let ipam = (!spec.subnets.is_empty()).then(|| Ipam {
                config: Some(
                    spec.subnets
                        .iter()
                        .map(|subnet| IpamConfig {
                            subnet: Some(subnet.clone()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            });
            let request = NetworkCreateRequest {
                name: spec.name.clone(),
                driver: Some(spec.driver),
                labels: Some(spec.labels),
                ipam,
                ..Default::default()
            };
            self.api
                .create_network(request)
                .await
                .with_context(|| format!("creating network {}", spec.name))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn remove_network(&self, name: &str) -> Result<()> {
        self.bounded(format!("remove_network {name}"), async {
            match self.api.remove_network(name).await {
                Err(err) if not_found(&err) => Ok(()),
                other => Ok(other.with_context(|| format!("removing network {name}"))?),
            }
        })
        .await
    }

    pub(crate) async fn connect_network(
        &self,
        network: &str,
        container: &str,
        aliases: Vec<String>,
    ) -> Result<()> {
        self.bounded(format!("connect_network {network}"), async {
            let request = NetworkConnectRequest {
                container: container.to_owned(),
                endpoint_config: Some(EndpointSettings {
                    aliases: Some(aliases),
                    ..Default::default()
                }),
            };
            self.api
                .connect_network(network, request)
                .await
                .with_context(|| format!("connecting {container} to {network}"))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn disconnect_network(&self, network: &str, container: &str) -> Result<()> {
        self.bounded(format!("disconnect_network {network}"), async {
            let request = NetworkDisconnectRequest {
                container: container.to_owned(),
                force: Some(true),
            };
            self.api
                .disconnect_network(network, request)
                .await
                .with_context(|| format!("disconnecting {container} from {network}"))?;
            Ok(())
        })
        .await
    }

    /// Volumes carrying `label`: name and labels.
    pub(crate) async fn volumes_with_label(
        &self,
        label: &str,
    ) -> Result<Vec<(String, HashMap<String, String>)>> {
        self.bounded(format!("volumes_with_label {label}"), async {
            let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
            let options = ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build();
            let list = self
                .api
                .list_volumes(Some(options))
                .await
                .context("listing volumes")?;
            Ok(list
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| (v.name, v.labels))
                .collect())
        })
        .await
    }

    pub(crate) async fn volume_labels(
        &self,
        name: &str,
    ) -> Result<Option<HashMap<String, String>>> {
        self.bounded(format!("volume_labels {name}"), async {
            match self.api.inspect_volume(name).await {
                Ok(v) => Ok(Some(v.labels)),
                Err(err) if not_found(&err) => Ok(None),
                Err(err) => Err(anyhow::Error::new(err)
                    .context(format!("inspecting volume {name}"))
                    .into()),
            }
        })
        .await
    }

    pub(crate) async fn create_volume(
        &self,
        name: &str,
        driver: &str,
        labels: HashMap<String, String>,
    ) -> Result<()> {
        self.bounded(format!("create_volume {name}"), async {
            let request = VolumeCreateRequest {
                name: Some(name.to_owned()),
                driver: Some(driver.to_owned()),
                labels: Some(labels),
                ..Default::default()
            };
            self.api
                .create_volume(request)
                .await
                .with_context(|| format!("creating volume {name}"))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn remove_volume(&self, name: &str) -> Result<()> {
        self.bounded(format!("remove_volume {name}"), async {
            let options = RemoveVolumeOptionsBuilder::default().build();
            match self.api.remove_volume(name, Some(options)).await {
                Err(err) if not_found(&err) => Ok(()),
                other => Ok(other.with_context(|| format!("removing volume {name}"))?),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_start_of_an_absurd_healthcheck_saturates() {
        let sane = HealthTiming {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            retries: 3,
            start_period: Duration::from_secs(10),
        };
        assert_eq!(sane.longest_start(), Duration::from_secs(10 + 7 * 4));
        let absurd = HealthTiming {
            interval: Duration::from_nanos(i64::MAX as u64),
            retries: u32::MAX,
            ..sane
        };
        assert_eq!(absurd.longest_start(), Duration::MAX);
    }
}

//! What every check may look at, gathered once per run and shared: the
//! registry, the catalogue, the containers, the host's GPUs, and one batched
//! `stat` and `curl` per container that serve every check looking inside it
//! (both done from the host through /proc where gaia can see there).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::future::join_all;

use crate::catalogue::Catalogue;
use crate::compose::model::ComposeModel;
use crate::compose::tool::{Compose, FileSet, Installed};
use crate::docker::{Container, Docker, ExecOutput};
use crate::doctor::finding::Finding;
use crate::doctor::through_proc::Root;
pub(crate) use crate::doctor::through_proc::Stat;
use crate::error::{Error, Result};
use crate::gpu::HostGpu;
use crate::http::Http;
use crate::registry::{Registry, Service};

/// Something a check will look at inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// `stat` of a path.
    Stat { container: String, path: String },
    /// An HTTP GET of a URL, from inside.
    Get { container: String, url: String },
}

/// What one batched exec into a container found, shared by the checks.
#[derive(Default)]
struct Batch {
    paths: Vec<String>,
    urls: Vec<String>,
    stats: tokio::sync::OnceCell<Result<HashMap<String, Stat>, String>>,
    codes: tokio::sync::OnceCell<Result<HashMap<String, u16>, String>>,
}

/// An exec inside a container gets this long: a probe's own timeout (curl
/// -m) plus what the engine needs to start and reap the process.
const EXEC_TIMEOUT: Duration = Duration::from_secs(7);

/// How long the NVML probe of the host's GPUs may take.
const GPU_PROBE_DEADLINE: Duration = Duration::from_secs(5);

/// What every check may look at: gathered once, shared by all.
pub(crate) struct Ctx {
    pub(crate) registry: Registry,
    pub(crate) catalogue: Catalogue,
    pub(crate) root: PathBuf,
    pub(crate) docker: Docker,
    pub(crate) http: Http,
    pub(crate) engine_version: String,
    /// The compose files of the root, read once.
    pub(crate) compose: ComposeModel,
    /// The compose tool installed on the host, if any.
    pub(crate) compose_tool: Option<Installed>,
    /// Every registry container that exists, by container name.
    pub(crate) containers: HashMap<String, Container>,
    /// Registry containers the engine could not inspect, with its error:
    /// their own checks fail with it, the rest of the run goes on.
    pub(crate) uninspectable: HashMap<String, String>,
    /// The host's GPUs, or why they cannot be known.
    pub(crate) gpus: Result<Vec<HostGpu>, String>,
    batches: HashMap<String, Batch>,
}

impl Ctx {
    pub(crate) async fn gather(
        registry: Registry,
        catalogue: Catalogue,
        root: PathBuf,
        docker: Docker,
        wants: Vec<Want>,
    ) -> Result<Ctx> {
        let gpus = tokio::task::spawn_blocking(crate::gpu::host_gpus);
        let engine_version = docker.engine_version().to_owned();
        let inspected = join_all(
            registry
                .services
                .iter()
                .map(|s| docker.container(&s.container)),
        )
        .await;
        // A wedged driver must not hold the report: the probe's thread is
        // left to finish on its own.
        let gpus = match tokio::time::timeout(GPU_PROBE_DEADLINE, gpus).await {
            Ok(probed) => probed.unwrap_or_else(|e| Err(format!("GPU probe failed: {e}"))),
            Err(_) => Err(format!(
                "NVML did not answer within {}s",
                GPU_PROBE_DEADLINE.as_secs()
            )),
        };
        let (containers, uninspectable) = sort_inspected(
            registry
                .services
                .iter()
                .map(|s| s.container.as_str())
                .zip(inspected),
        );
        let http = Http::new(
            catalogue.thresholds.http_connect_timeout,
            catalogue.thresholds.http_timeout,
        );
        let compose = ComposeModel::of_registry(&root, &registry).await;
        let compose_tool = Compose::locate().ok().flatten();
        Ok(Ctx {
            registry,
            catalogue,
            root,
            docker,
            http,
            engine_version,
            compose,
            compose_tool,
            containers,
            uninspectable,
            gpus,
            batches: batches(wants),
        })
    }

    /// The container of `service`, None when it does not exist; the failure
    /// of the checks about it when the engine could not say.
    pub(crate) fn container(&self, service: &Service) -> Result<Option<&Container>, Finding> {
        match self.uninspectable.get(&service.container) {
            Some(err) => Err(Finding::fail(format!(
                "the engine could not inspect {}: {err}",
                service.container
            ))),
            None => Ok(self.containers.get(&service.container)),
        }
    }

    /// The running container of `service`, or the skip that explains why a
    /// check cannot look (its precondition failed; that is not a second failure).
    pub(crate) fn running(&self, service: &Service) -> Result<&Container, Finding> {
        match self.container(service)? {
            Some(c) if c.is_running() => Ok(c),
            Some(c) => Err(Finding::skip(format!("{} is {}", service.name, c.state))),
            None => Err(Finding::skip(format!("{} does not exist", service.name))),
        }
    }

    /// The command an operator types to run compose `args` on `services`,
    /// with the compose tool installed here (v2's when there is none: it is
    /// what a fresh install brings).
    pub(crate) fn compose_command(&self, services: &[&Service], args: &str) -> String {
        let tool = self
            .compose_tool
            .as_ref()
            .map_or("docker compose", Installed::command);
        format!("{tool} {}{args}", FileSet::of(services).describe())
    }

    pub(crate) fn service(&self, name: &str) -> &Service {
        self.registry
            .service(name)
            .expect("the catalogue was validated against the registry")
    }

    /// `path` inside `container`, from the one `stat` that serves every check
    /// there; Ok(None) when it does not exist.
    pub(crate) async fn stat(&self, container: &str, path: &str) -> Result<Option<Stat>, String> {
        let batch = self
            .batches
            .get(container)
            .filter(|b| b.paths.iter().any(|p| p == path));
        let Some(batch) = batch else {
            return Err(format!("no check declared a stat of {container}:{path}"));
        };
        let found = batch
            .stats
            .get_or_init(|| async {
                let from_the_host = self
                    .containers
                    .get(container)
                    .and_then(Root::of)
                    .and_then(|root| root.stats(&batch.paths));
                if let Some(found) = from_the_host {
                    return Ok(found);
                }
                let mut argv = vec!["stat", "-c", "%u %Y %U %n", "--"];
                argv.extend(batch.paths.iter().map(String::as_str));
                let out = self.exec(container, &argv).await?;
                Ok(out
                    .stdout
                    .lines()
                    .filter_map(|line| {
                        let mut fields = line.splitn(4, ' ');
                        let uid = fields.next()?.parse().ok()?;
                        let modified = fields.next()?.parse().ok()?;
                        let user = fields.next()?.to_owned();
                        Some((
                            fields.next()?.to_owned(),
                            Stat {
                                uid,
                                user,
                                modified,
                            },
                        ))
                    })
                    .collect())
            })
            .await;
        found
            .as_ref()
            .map(|f| f.get(path).cloned())
            .map_err(Clone::clone)
    }

    /// The HTTP status of GET `url` from inside `container` (0: no response),
    /// from the one `curl` that probes every URL checks declared there.
    pub(crate) async fn get_inside(&self, container: &str, url: &str) -> Result<u16, String> {
        let batch = self
            .batches
            .get(container)
            .filter(|b| b.urls.iter().any(|u| u == url));
        let Some(batch) = batch else {
            return Err(format!(
                "no check declared a probe of {url} from {container}"
            ));
        };
        let codes = batch
            .codes
            .get_or_init(|| async {
                let thresholds = &self.catalogue.thresholds;
                if let Some(root) = self.containers.get(container).and_then(Root::of) {
                    let from_the_host = root.get_inside(
                        &batch.urls,
                        thresholds.http_connect_timeout,
                        thresholds.http_timeout.max(Duration::from_secs(1)),
                    );
                    if let Some(codes) = from_the_host.await {
                        return Ok(codes);
                    }
                }
                let timeout = thresholds.http_timeout.as_secs().max(1).to_string();
                let mut argv = vec![
                    "curl",
                    "-s",
                    "-Z",
                    "-m",
                    &timeout,
                    "-w",
                    "%{url_effective} %{http_code}\n",
                ];
                for _ in &batch.urls {
                    argv.extend(["-o", "/dev/null"]);
                }
                argv.extend(batch.urls.iter().map(String::as_str));
                let out = self.exec(container, &argv).await?;
                Ok(out
                    .stdout
                    .lines()
                    .filter_map(|line| {
                        let (url, code) = line.rsplit_once(' ')?;
                        Some((url.to_owned(), code.parse().ok()?))
                    })
                    .collect())
            })
            .await;
        codes
            .as_ref()
            .map(|c| c.get(url).copied().unwrap_or(0))
            .map_err(Clone::clone)
    }

    /// Runs a command inside a container with the probe timeout.
    pub(crate) async fn exec(&self, container: &str, argv: &[&str]) -> Result<ExecOutput, String> {
        match tokio::time::timeout(EXEC_TIMEOUT, self.docker.exec(container, argv, None)).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(err)) => Err(format!("{err:#}")),
            Err(_) => Err(format!(
                "`{}` in {container} did not finish within {}s",
                argv[0],
                EXEC_TIMEOUT.as_secs()
            )),
        }
    }
}

/// The containers inspected (by name, in registry order) split into those
/// that exist and those the engine failed to inspect, with its error.
fn sort_inspected<'a>(
    inspected: impl Iterator<Item = (&'a str, Result<Option<Container>>)>,
) -> (HashMap<String, Container>, HashMap<String, String>) {
    let mut containers = HashMap::new();
    let mut uninspectable = HashMap::new();
    for (name, found) in inspected {
        match found {
            Ok(Some(container)) => {
                containers.insert(container.name.clone(), container);
            }
            Ok(None) => {}
            Err(err) => {
                // The engine's own words; the finding says what was asked.
                let cause = match &err {
                    Error::Other(err) => err.root_cause().to_string(),
                    err => err.to_string(),
                };
                uninspectable.insert(name.to_owned(), cause);
            }
        }
    }
    (containers, uninspectable)
}

fn batches(wants: Vec<Want>) -> HashMap<String, Batch> {
    let mut batches: HashMap<String, Batch> = HashMap::new();
    for want in wants {
        match want {
            Want::Stat { container, path } => {
                let paths = &mut batches.entry(container).or_default().paths;
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            Want::Get { container, url } => {
                let urls = &mut batches.entry(container).or_default().urls;
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_inspect_is_kept_for_its_container_not_raised() {
        let found = Container {
            name: "gaia-core".into(),
            ..Container::default()
        };
        let (containers, uninspectable) = sort_inspected(
            [
                ("gaia-core", Ok(Some(found))),
                ("gaia-wiki", Ok(None)),
                (
                    "gaia-mcp",
                    Err(
                        anyhow::anyhow!("Multiple IDs found with provided prefix: gaia-mcp")
                            .context("inspecting container gaia-mcp")
                            .into(),
                    ),
                ),
            ]
            .into_iter(),
        );
        assert_eq!(containers.keys().collect::<Vec<_>>(), ["gaia-core"]);
        assert_eq!(uninspectable.len(), 1);
        assert_eq!(
            uninspectable["gaia-mcp"],
            "Multiple IDs found with provided prefix: gaia-mcp"
        );
    }
}

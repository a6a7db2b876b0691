//! The doctor's engine: plans the checks from the registry and the
//! catalogue, runs them concurrently with a bounded pool and per-check
//! deadlines over one shared snapshot of the containers, and orders the
//! results by category, then registry order, whatever order they finish in.

pub mod catalogue;
pub mod checks;
pub mod report;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::future::join_all;

use crate::docker::{Container, Docker, ExecOutput};
use crate::error::Result;
use crate::gpu::HostGpu;
use crate::http::Http;
use crate::registry::{Registry, Service};
pub use catalogue::Catalogue;
pub use report::{Category, CheckResult, Finding, Report, Severity};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One check: a stable id, its category and service, and how to run it.
pub trait Check: Send + Sync {
    fn id(&self) -> String;
    fn category(&self) -> Category;
    fn service(&self) -> Option<&str> {
        None
    }
    fn run<'a>(&'a self, ctx: &'a Ctx) -> BoxFuture<'a, Finding>;
}

/// Checks running at once: enough to overlap every probe of an 11-service
/// stack, few enough not to flood the engine on a large one.
const POOL: usize = 32;
/// No single check may take longer than this.
const CHECK_DEADLINE: Duration = Duration::from_secs(10);
/// An exec inside a container gets this long: a probe's own timeout (curl
/// -m) plus what the engine needs to start and reap the process.
const EXEC_TIMEOUT: Duration = Duration::from_secs(7);

/// What every check may look at: gathered once, shared by all.
pub struct Ctx {
    pub registry: Registry,
    pub catalogue: Catalogue,
    pub root: PathBuf,
    pub docker: Docker,
    pub http: Http,
    pub engine_version: String,
    /// Every registry container that exists, by container name.
    pub containers: HashMap<String, Container>,
    /// The host's GPUs, or why they cannot be known.
    pub gpus: Result<Vec<HostGpu>, String>,
    /// Values of the containers' secret env vars, which no output may show.
    secrets: Vec<String>,
}

/// Env var names whose values are secrets.
pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["KEY", "TOKEN", "SECRET", "PASSWORD"]
        .iter()
        .any(|word| name.contains(word))
}

/// `NAME=value` with the value hidden when the name marks a secret.
pub fn redacted(assignment: &str) -> String {
    match assignment.split_once('=') {
        Some((name, value)) if is_secret(name) && !value.is_empty() => format!("{name}=***"),
        _ => assignment.to_owned(),
    }
}

impl Ctx {
    pub async fn gather(
        registry: Registry,
        catalogue: Catalogue,
        root: PathBuf,
        docker: Docker,
    ) -> Result<Ctx> {
        let gpus = tokio::task::spawn_blocking(crate::gpu::host_gpus);
        let engine_version = docker.engine_version().await?;
        let inspected = join_all(
            registry
                .services
                .iter()
                .map(|s| docker.container(&s.container)),
        )
        .await;
        let gpus = gpus
            .await
            .unwrap_or_else(|e| Err(format!("GPU probe failed: {e}")));
        let mut containers = HashMap::new();
        for found in inspected {
            if let Some(container) = found? {
                containers.insert(container.name.clone(), container);
            }
        }
        let mut secrets: Vec<String> = containers
            .values()
            .flat_map(|c: &Container| c.env.iter())
            .filter_map(|kv| kv.split_once('='))
            .filter(|(name, value)| is_secret(name) && value.len() >= 4)
            .map(|(_, value)| value.to_owned())
            .collect();
        secrets.sort();
        secrets.dedup();
        let http = Http::new(
            catalogue.thresholds.http_connect_timeout,
            catalogue.thresholds.http_timeout,
        );
        Ok(Ctx {
            registry,
            catalogue,
            root,
            docker,
            http,
            engine_version,
            containers,
            gpus,
            secrets,
        })
    }

    /// `text` with every secret value replaced: a last line of defence, so a
    /// check that quotes a container's output or env cannot leak one.
    pub fn scrub(&self, text: String) -> String {
        self.secrets
            .iter()
            .fold(text, |text, secret| text.replace(secret.as_str(), "***"))
    }

    pub fn container(&self, service: &Service) -> Option<&Container> {
        self.containers.get(&service.container)
    }

    /// The running container of `service`, or the skip that explains why a
    /// check cannot look (its precondition failed; that is not a second failure).
    pub fn running(&self, service: &Service) -> Result<&Container, Finding> {
        match self.container(service) {
            Some(c) if c.is_running() => Ok(c),
            Some(c) => Err(Finding::skip(format!("{} is {}", service.name, c.status))),
            None => Err(Finding::skip(format!("{} does not exist", service.name))),
        }
    }

    pub fn service(&self, name: &str) -> &Service {
        self.registry
            .service(name)
            .expect("the catalogue was validated against the registry")
    }

    /// Runs a command inside a container with the probe timeout.
    pub async fn exec(&self, container: &str, argv: &[&str]) -> Result<ExecOutput, String> {
        match tokio::time::timeout(EXEC_TIMEOUT, self.docker.exec(container, argv, None)).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(err)) => Err(format!("{err:#}")),
            Err(_) => Err(format!(
                "`{}` did not finish within {}s",
                argv.join(" "),
                EXEC_TIMEOUT.as_secs()
            )),
        }
    }
}

/// Every check the registry and catalogue call for, in report order.
pub fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    checks::all(registry, catalogue)
}

/// Runs `checks`, reporting progress as (done, total); ends by `deadline`.
pub async fn run(
    ctx: Arc<Ctx>,
    checks: Vec<Box<dyn Check>>,
    deadline: Duration,
    progress: impl Fn(usize, usize),
) -> Vec<CheckResult> {
    let started = Instant::now();
    let total = checks.len();
    let mut results: Vec<(usize, CheckResult)> =
        futures_util::stream::iter(checks.into_iter().enumerate())
            .map(|(order, check)| {
                let ctx = ctx.clone();
                async move {
                    let begun = Instant::now();
                    let allowed = CHECK_DEADLINE.min(deadline.saturating_sub(started.elapsed()));
                    let finding = match tokio::time::timeout(allowed, check.run(&ctx)).await {
                        Ok(finding) => finding,
                        Err(_) => {
                            Finding::fail(format!("no result within {:.1}s", allowed.as_secs_f64()))
                        }
                    };
                    let result = CheckResult {
                        id: check.id(),
                        category: check.category(),
                        service: check.service().map(str::to_owned),
                        severity: finding.severity,
                        message: ctx.scrub(finding.message),
                        remediation: finding.remediation.map(|r| ctx.scrub(r)),
                        evidence: finding.evidence.into_iter().map(|e| ctx.scrub(e)).collect(),
                        duration_ms: begun.elapsed().as_millis() as u64,
                    };
                    (order, result)
                }
            })
            .buffer_unordered(POOL)
            .enumerate()
            .map(|(done, result)| {
                progress(done + 1, total);
                result
            })
            .collect()
            .await;
    results.sort_by_key(|(order, r)| (r.category, *order));
    results.into_iter().map(|(_, r)| r).collect()
}

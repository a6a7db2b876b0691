//! One doctor run over a fresh snapshot of the stack: what `gaia doctor`
//! does once and `gaia watch` every interval.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::{Context, Live};
use crate::doctor::check::Check;
use crate::doctor::ctx::Ctx;
use crate::doctor::engine;
use crate::doctor::finding::Category;
use crate::doctor::report::Report;
use crate::error::{Error, Result};

/// What a run looks at, and by when it reports.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Only these services' checks (none: every service's and the stack's).
    pub(crate) services: Vec<String>,
    /// Only these categories (none: all).
    pub(crate) categories: Vec<Category>,
    /// However the engine behaves, the report comes within this.
    pub(crate) deadline: Duration,
}

/// The ids of the failed check that stands for the checks that could not
/// run, by what stopped them.
pub(crate) const CONFIG: &str = "preflight.config";
pub(crate) const ENGINE: &str = "preflight.docker";
pub(crate) const LOCK: &str = "preflight.lock";

/// Why the checks did not run: `err`, reported as the failed check `id`.
pub(crate) struct NotRun {
    pub(crate) id: &'static str,
    pub(crate) err: Error,
}

/// Tags an error with the check it is reported as, should the checks not run.
pub(crate) trait At<T> {
    fn at(self, id: &'static str) -> std::result::Result<T, NotRun>;
}

impl<T> At<T> for Result<T> {
    fn at(self, id: &'static str) -> std::result::Result<T, NotRun> {
        self.map_err(|err| NotRun { id, err })
    }
}

/// Refuses a service the registry does not know.
pub(crate) fn known(ctx: &Context, name: &str) -> Result<()> {
    match ctx.registry.service(name) {
        Some(_) => Ok(()),
        None => Err(Error::Config(format!(
            "`{name}` is not a service in the registry"
        ))),
    }
}

/// The checks in `scope`, in report order.
pub(crate) fn select(ctx: &Context, scope: &Scope) -> Result<Vec<Box<dyn Check>>> {
    Ok(engine::plan(&ctx.registry, ctx.catalogue()?)
        .into_iter()
        .filter(|c| scope.categories.is_empty() || scope.categories.contains(&c.category()))
        .filter(|c| {
            scope.services.is_empty()
                || c.service()
                    .is_some_and(|s| scope.services.iter().any(|n| n == s))
        })
        .collect())
}

/// One run, ending by the scope's deadline after `begun` (the report's
/// time counts from `started`).
pub(crate) async fn examine(
    ctx: &Context,
    scope: &Scope,
    live: &Live,
    times: (Instant, SystemTime),
    begun: Instant,
) -> std::result::Result<(Report, Arc<Ctx>), NotRun> {
    examine_with(ctx, scope, live, times, begun, |_, checks| checks).await
}

/// The same, with `shape` given the containers as found and the checks
/// before they run, to put some aside (what `gaia watch` does between two
/// looks inside the containers). A look inside happens only when a check
/// runs: leaving one out costs nothing.
pub(crate) async fn examine_with(
    ctx: &Context,
    scope: &Scope,
    live: &Live,
    (started, started_at): (Instant, SystemTime),
    begun: Instant,
    shape: impl FnOnce(&Ctx, Vec<Box<dyn Check>>) -> Vec<Box<dyn Check>>,
) -> std::result::Result<(Report, Arc<Ctx>), NotRun> {
    let checks = select(ctx, scope).at(CONFIG)?;
    let wants = checks.iter().flat_map(|c| c.wants()).collect();
    let shared = Arc::new(
        Ctx::gather(
            ctx.registry.clone(),
            ctx.catalogue().at(CONFIG)?.clone(),
            live.root.clone(),
            live.docker.until(begun + scope.deadline),
            wants,
        )
        .await
        .at(ENGINE)?,
    );
    let checks = shape(&shared, checks);
    let spinner = ctx.printer.spinner("running checks");
    let left = (begun + scope.deadline).saturating_duration_since(Instant::now());
    let results = engine::run(shared.clone(), checks, left, |done, total| {
        spinner.set_message(format!("{done}/{total} checks"));
    })
    .await;
    spinner.finish_and_clear();
    let report = Report::new(
        results,
        started.elapsed(),
        live.root.display().to_string(),
        started_at,
    );
    Ok((report, shared))
}

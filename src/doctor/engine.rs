//! The doctor's engine: plans the checks from the registry and the
//! catalogue, runs them concurrently with a bounded pool and per-check
//! deadlines over one shared snapshot of the containers, and orders the
//! results by category, then registry order, whatever order they finish in.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::catalogue::Catalogue;
use crate::doctor::check::Check;
use crate::doctor::checks;
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{CheckResult, Finding};
use crate::registry::Registry;
use crate::secrets::scrub;

/// Checks running at once: enough to overlap every probe of an 11-service
/// stack, few enough not to flood the engine on a large one.
const POOL: usize = 32;
/// No single check may take longer than this.
const CHECK_DEADLINE: Duration = Duration::from_secs(10);
/// Every check the registry and catalogue call for, in report order.
pub(crate) fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    checks::all(registry, catalogue)
}

/// Runs `checks`, reporting progress as (done, total); ends by `deadline`.
pub(crate) async fn run(
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
                    // Scrubbed here as well as by the printer: the JUnit
                    // report escapes what a finding says before printing.
                    let result = CheckResult {
                        id: check.id(),
                        subject: check.subject(),
                        category: check.category(),
                        service: check.service().map(str::to_owned),
                        severity: finding.severity,
                        message: scrub(&finding.message),
                        remediation: finding.remediation.as_deref().map(scrub),
                        evidence: finding.evidence.iter().map(|e| scrub(e)).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::registry::{DEFAULT_REGISTRY, fuzz};

    /// What `gaia watch` may carry between two looks inside is exactly
    /// what execs: a check that looks inside without saying so would exec
    /// every run, one that says so wrongly would go stale.
    #[test]
    fn the_checks_that_exec_inside_containers_say_so() {
        let registry = Registry::load(None).unwrap();
        let catalogue = Catalogue::load(&registry).unwrap();
        let inside = [
            "connectivity.",
            "mounts.",
            "shared-dirs.",
            "sessions.",
            "images.user.",
            "images.import.",
            "gpu.visible.",
            "http.gaia-wiki",
        ];
        for check in plan(&registry, &catalogue) {
            let id = check.id();
            let expected = inside.iter().any(|prefix| id.starts_with(prefix));
            assert_eq!(check.looks_inside(), expected, "{id}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1500,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// A registry that loads after any edit gives a catalogue or a
        /// configuration error, and the checks planned from it can be
        /// named and asked what they look at: nothing on the way panics.
        #[test]
        fn any_registry_that_loads_plans_its_checks(edits in fuzz::edits()) {
            let text = fuzz::apply(DEFAULT_REGISTRY, &edits);
            let Ok(registry) = Registry::parse(&text, "services.toml") else {
                return Ok(());
            };
            match Catalogue::load(&registry) {
                Ok(catalogue) => {
                    for check in plan(&registry, &catalogue) {
                        let _ = (check.id(), check.category(), check.subject(), check.wants());
                    }
                }
                Err(Error::Config(_)) => {}
                Err(other) => proptest::prop_assert!(false, "not a configuration error: {other}"),
            }
        }
    }
}

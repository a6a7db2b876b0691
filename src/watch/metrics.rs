//! `/metrics`: the latest run as Prometheus text, through prometheus-client.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::doctor::finding::Severity;
use crate::watch::state::Run;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    id: String,
    category: String,
    /// Empty for the checks of the stack as a whole.
    service: String,
}

pub(crate) struct Metrics {
    registry: Registry,
    check_status: Family<CheckLabels, Gauge>,
    check_duration: Family<CheckLabels, Gauge<f64, AtomicU64>>,
    run_duration: Histogram,
    runs: Counter,
    maintenance: Gauge,
}

/// A check's state as `gaia_check_status` gives it (documented in
/// `gaia watch --help` and the README).
fn status(severity: Severity) -> i64 {
    match severity {
        Severity::Pass => 0,
        Severity::Warn => 1,
        Severity::Fail => 2,
        Severity::Skip => -1,
    }
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::default();
        let check_status = Family::<CheckLabels, Gauge>::default();
        registry.register(
            "gaia_check_status",
            "State of a check in the latest run: 0 pass, 1 warn, 2 fail, -1 skipped",
            check_status.clone(),
        );
        let check_duration = Family::<CheckLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "gaia_check_duration_seconds",
            "How long the check took in the latest run",
            check_duration.clone(),
        );
        let run_duration = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        registry.register(
            "gaia_run_duration_seconds",
            "How long whole doctor runs took",
            run_duration.clone(),
        );
        let runs = Counter::default();
        registry.register("gaia_runs", "Doctor runs finished", runs.clone());
        let maintenance = Gauge::default();
        registry.register(
            "gaia_maintenance",
            "1 while the maintenance flag is on and not expired (failover disabled)",
            maintenance.clone(),
        );
        Metrics {
            registry,
            check_status,
            check_duration,
            run_duration,
            runs,
            maintenance,
        }
    }

    /// The run's checks replace the previous run's: a check that no longer
    /// runs leaves no stale series behind.
    pub(crate) fn record(&self, run: &Run) {
        self.check_status.clear();
        self.check_duration.clear();
        for result in &run.report.results {
            let labels = CheckLabels {
                id: result.id.clone(),
                category: result.category.name().to_owned(),
                service: result.service.clone().unwrap_or_default(),
            };
            self.check_status
                .get_or_create(&labels)
                .set(status(result.severity));
            self.check_duration
                .get_or_create(&labels)
                .set(result.duration_ms as f64 / 1000.0);
        }
        self.run_duration.observe(run.report.elapsed.as_secs_f64());
        self.runs.inc();
        self.maintenance.set(i64::from(run.maintenance()));
    }

    /// The exposition, in the OpenMetrics text format Prometheus scrapes.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

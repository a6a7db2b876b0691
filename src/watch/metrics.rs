//! `/metrics`: the latest run as Prometheus text, through prometheus-client.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::doctor::finding::Severity;
use crate::watch::state::{Healed, Run};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    id: String,
    category: String,
    /// Empty for the checks of the stack as a whole.
    service: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RepairLabels {
    service: String,
    action: String,
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    service: String,
}

pub(crate) struct Metrics {
    registry: Registry,
    check_status: Family<CheckLabels, Gauge>,
    check_duration: Family<CheckLabels, Gauge<f64, AtomicU64>>,
    run_duration: Histogram,
    runs: Counter,
    maintenance: Gauge,
    repairs: Family<RepairLabels, Counter>,
    circuit_open: Family<ServiceLabels, Gauge>,
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
        let repairs = Family::<RepairLabels, Counter>::default();
        registry.register(
            "gaia_repairs",
            "Repairs gaia watch --heal made, by service, action and outcome (done, failed)",
            repairs.clone(),
        );
        let circuit_open = Family::<ServiceLabels, Gauge>::default();
        registry.register(
            "gaia_circuit_open",
            "1 while a service was repaired too often and is left alone (gaia watch --heal)",
            circuit_open.clone(),
        );
        Metrics {
            repairs,
            circuit_open,
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

    pub(crate) fn repaired(&self, healed: &Healed) {
        self.repairs
            .get_or_create(&RepairLabels {
                service: healed.service.clone(),
                action: healed.action.clone(),
                outcome: healed.outcome.clone(),
            })
            .inc();
    }

    /// Every service's circuit: 1 for those in `open`.
    pub(crate) fn circuits(&self, registry: &crate::registry::Registry, open: &[String]) {
        for service in &registry.services {
            self.circuit_open
                .get_or_create(&ServiceLabels {
                    service: service.name.clone(),
                })
                .set(i64::from(open.contains(&service.name)));
        }
    }

    /// The exposition, in the OpenMetrics text format Prometheus scrapes.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

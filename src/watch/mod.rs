//! `gaia watch`: the doctor as a guardian. Every interval one doctor run
//! (the same checks, the same report), whose latest result is served over
//! HTTP and whose changes are alerted.

mod alert;
mod metrics;
mod page;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use crate::config::Context;
use crate::doctor::report::Report;
use crate::doctor::run::{At, ENGINE, NotRun, Scope, examine};
use crate::error::{Error, Outcome, Result};
use crate::http::Target;
use alert::{Alert, Alerts};
use server::Shared;
use state::{Run, State, Transition};

/// How long alerts still in flight may take once the watch is told to stop.
const ALERT_GRACE: Duration = Duration::from_secs(5);

/// What the operator asked the watch to do.
pub(crate) struct Settings {
    pub(crate) interval: Duration,
    pub(crate) listen: SocketAddr,
    pub(crate) notify: Vec<Target>,
    pub(crate) scope: Scope,
}

/// Watches until a signal; its outcome is then the signal's.
pub(crate) async fn watch(ctx: &Context, settings: Settings) -> Result<Outcome> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", settings.listen)))?;
    let shared = Arc::new(Shared {
        state: std::sync::RwLock::new(State::default()),
        metrics: metrics::Metrics::new(),
        interval: settings.interval,
    });
    let (stop_serving, stopped) = oneshot::channel::<()>();
    let serving =
        axum::serve(listener, server::router(shared.clone())).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
    let server = tokio::spawn(async move { serving.await });
    let alerts = Alerts::start(&settings.notify, &ctx.printer);
    ctx.printer.step(format!(
        "watching every {}; serving http://{}/ (/healthz, /report.json, /metrics){}",
        humantime::format_duration(settings.interval),
        settings.listen,
        if settings.notify.is_empty() {
            String::new()
        } else {
            format!(
                "; alerts to {}",
                settings
                    .notify
                    .iter()
                    .map(Target::shown)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));

    let mut ticker = tokio::time::interval(settings.interval);
    // A run longer than the interval delays the next; runs never pile up.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut number = 0;
    let signal = loop {
        tokio::select! {
            signal = ctx.signals.arrival() => break signal,
            _ = ticker.tick() => {}
        }
        number += 1;
        let run = tokio::select! {
            signal = ctx.signals.arrival() => break signal,
            run = one_run(ctx, &settings.scope, number) => run,
        };
        shared.metrics.record(&run);
        let summary = run.report.summary();
        let alert = Alert {
            host: run.report.host.clone(),
            root: run.report.root.clone(),
            run: number,
            at: humantime::format_rfc3339_seconds(run.finished_at).to_string(),
            failures: summary.failures,
            warnings: summary.warnings,
            transitions: Vec::new(),
        };
        let changed = shared
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .record(run);
        if !changed.is_empty() {
            for transition in &changed {
                ctx.printer.step(describe(number, transition));
            }
            alerts.send(&Alert {
                transitions: changed,
                ..alert
            });
        }
    };
    ctx.printer.step(format!("{signal}: stopping"));
    let _ = stop_serving.send(());
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => ctx.printer.warn(format!("the HTTP server stopped: {err}")),
        Err(err) => ctx.printer.warn(format!("the HTTP server stopped: {err}")),
    }
    alerts.finish(ALERT_GRACE).await;
    Ok(Outcome::Healthy)
}

/// One doctor run; a run that cannot look at the stack (the engine is
/// down) is a report with one failed pre-flight check, as the doctor's.
async fn one_run(ctx: &Context, scope: &Scope, number: u64) -> Run {
    let (started, started_at) = (Instant::now(), SystemTime::now());
    let examined = match ctx.live_by(Some(started + scope.deadline)).await.at(ENGINE) {
        Ok(live) => examine(ctx, scope, &live, (started, started_at), started)
            .await
            .map(|(report, _)| report),
        Err(not_run) => Err(not_run),
    };
    let report = examined.unwrap_or_else(|NotRun { id, err }| {
        Report::not_run(id, &err, ctx.root.display().to_string(), started_at)
    });
    Run {
        number,
        report,
        finished_at: SystemTime::now(),
    }
}

/// One line on stderr per change.
fn describe(number: u64, t: &Transition) -> String {
    let word = |s: crate::doctor::finding::Severity| format!("{s:?}").to_lowercase();
    format!(
        "run {number}: {} {} → {}: {}",
        t.id,
        t.from.map_or_else(|| "(start)".to_owned(), word),
        word(t.to),
        t.message
    )
}

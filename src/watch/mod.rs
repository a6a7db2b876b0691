//! `gaia watch`: the doctor as a guardian. Every interval one doctor run
//! (the same checks, the same report), whose latest result is served over
//! HTTP and whose changes are alerted.

mod alert;
mod deep;
mod heal;
mod metrics;
mod page;
mod server;
mod state;
mod stuck;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use crate::config::{Context, Live};
use crate::doctor::ctx::Ctx;
use crate::doctor::report::Report;
use crate::doctor::run::{At, ENGINE, NotRun, Scope, examine, examine_with};
use crate::error::{Error, Outcome, Result};
use crate::http::Target;
use crate::lock::LiveLock;
use crate::repair::action::{Plan, Verdict};
use crate::repair::apply::apply;
use crate::repair::plan::{Facts, plan};
use alert::{Alert, Alerts};
use deep::{Deep, Outline};
pub(crate) use heal::Policy;
use heal::{Circuit, Healer};
use server::Shared;
use state::{Healed, Run, State, Transition};
use stuck::StuckFlag;

/// How long alerts still in flight may take once the watch is told to stop.
const ALERT_GRACE: Duration = Duration::from_secs(5);

/// What the operator asked the watch to do.
pub(crate) struct Settings {
    pub(crate) interval: Duration,
    pub(crate) listen: SocketAddr,
    pub(crate) notify: Vec<Target>,
    /// Look inside the containers every this many runs (and when one changed).
    pub(crate) deep_every: u32,
    /// How long the maintenance flag may be there before it is alerted.
    pub(crate) maintenance_limit: Duration,
    /// With `--heal`: the limits of healing.
    pub(crate) heal: Option<Policy>,
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
    let mut healer = settings.heal.clone().map(Healer::new);
    let mut stuck = StuckFlag::new(settings.maintenance_limit);
    let mut deep = Deep::new(settings.deep_every);
    let signal = loop {
        tokio::select! {
            signal = ctx.signals.arrival() => break signal,
            _ = ticker.tick() => {}
        }
        number += 1;
        let (run, looked) = tokio::select! {
            signal = ctx.signals.arrival() => break signal,
            run = one_run(ctx, &settings.scope, number, &mut deep) => run,
        };
        shared.metrics.record(&run);
        let summary = run.report.summary();
        let mut alert = Alert {
            host: run.report.host.clone(),
            root: run.report.root.clone(),
            run: number,
            at: humantime::format_rfc3339_seconds(run.finished_at).to_string(),
            failures: summary.failures,
            warnings: summary.warnings,
            transitions: Vec::new(),
            repairs: Vec::new(),
            circuits: Vec::new(),
            maintenance_stuck: None,
        };
        let maintenance = run.maintenance();
        let flag_present = maintenance || run.maintenance_expired().is_some();
        let results = run.report.results.clone();
        alert.transitions = shared
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .record(run);
        for transition in &alert.transitions {
            ctx.printer.step(describe(number, transition));
        }
        if !flag_present {
            stuck.gone();
        } else if let Some((checked, live)) = &looked {
            let set_at = if stuck.known() {
                None
            } else {
                flag_set_at(ctx, checked, live).await
            };
            if let Some(words) = stuck.there(set_at, SystemTime::now()) {
                ctx.printer.warn(&words);
                alert.maintenance_stuck = Some(words);
            }
        }
        // Healing is never raced with a signal: a repair under way
        // finishes (apply lets the one in flight end and skips the rest).
        if let (Some(healer), Some((checked, live))) = (healer.as_mut(), &looked) {
            heal_due(
                ctx,
                &settings.scope,
                healer,
                &results,
                checked,
                live,
                maintenance,
                &shared,
                &mut alert,
            )
            .await;
        }
        if !(alert.transitions.is_empty()
            && alert.repairs.is_empty()
            && alert.circuits.is_empty()
            && alert.maintenance_stuck.is_none())
        {
            alerts.send(&alert);
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

/// One doctor run, with what it looked at (for healing); a run that cannot
/// look at the stack (the engine is down) is a report with one failed
/// pre-flight check, as the doctor's. Between two looks inside the
/// containers, `deep` carries what the last look saw.
async fn one_run(
    ctx: &Context,
    scope: &Scope,
    number: u64,
    deep: &mut Deep,
) -> (Run, Option<(Arc<Ctx>, Live)>) {
    let (started, started_at) = (Instant::now(), SystemTime::now());
    let mut outline = Outline::default();
    let examined = match ctx.live_by(Some(started + scope.deadline)).await.at(ENGINE) {
        Ok(live) => {
            let shaping = &*deep;
            examine_with(
                ctx,
                scope,
                &live,
                (started, started_at),
                started,
                |shared, checks| {
                    let (checks, shaped) = shaping.shape(&deep::fingerprint(shared), checks);
                    outline = shaped;
                    checks
                },
            )
            .await
            .map(|(report, checked)| (report, Some((checked, live))))
        }
        Err(not_run) => Err(not_run),
    };
    if let Ok((report, Some((checked, _)))) = &examined {
        deep.learn(
            deep::fingerprint(checked),
            number,
            &outline,
            &report.results,
        );
    }
    let (report, looked) = examined.unwrap_or_else(|NotRun { id, err }| {
        let root = ctx.root.display().to_string();
        (Report::not_run(id, &err, root, started_at), None)
    });
    let run = Run {
        number,
        report,
        finished_at: SystemTime::now(),
        looked_inside: outline.looked,
    };
    (run, looked)
}

/// When the maintenance flag was set, as it says; `None` when it cannot be
/// read or does not say (the watch then counts from when it saw it).
async fn flag_set_at(ctx: &Context, checked: &Ctx, live: &Live) -> Option<SystemTime> {
    let ha = crate::ha::Ha {
        registry: &ctx.registry,
        catalogue: &checked.catalogue,
        docker: &live.docker,
    };
    let now = SystemTime::now();
    let on = ha.maintenance().await.ok()??.on_for(now)?;
    Some(now - on)
}

/// Repairs what the healer finds due, each after a confirming re-check of
/// its service, under the root's lock, with an audit record; tells the
/// alert, the metrics and the page.
#[allow(clippy::too_many_arguments)]
async fn heal_due(
    ctx: &Context,
    scope: &Scope,
    healer: &mut Healer,
    results: &[crate::doctor::finding::CheckResult],
    checked: &Ctx,
    live: &Live,
    maintenance: bool,
    shared: &Shared,
    alert: &mut Alert,
) {
    let plan = plan(results, &Facts::of(checked));
    let (due, circuits) = healer.due(
        &plan,
        &ctx.registry,
        &checked.containers,
        maintenance,
        Instant::now(),
    );
    for circuit in &circuits {
        ctx.printer.step(match circuit {
            Circuit::Opened(service) => format!(
                "{service}: circuit open, repaired too often; left alone until the window passes"
            ),
            Circuit::Closed(service) => format!("{service}: circuit closed, healing again"),
        });
    }
    alert.circuits = circuits;
    for service in due {
        // Right before acting, a fresh look at that service alone.
        let only = Scope {
            services: vec![service.clone()],
            ..scope.clone()
        };
        let now = (Instant::now(), SystemTime::now());
        let Ok((report, again)) = examine(ctx, &only, live, now, now.0).await else {
            continue;
        };
        let confirmed = plan_of(&report.results, &again, &service);
        if confirmed.repairs.is_empty() {
            ctx.printer.step(format!(
                "{service}: well again on a second look; not repaired"
            ));
            healer.recovered(&service);
            continue;
        }
        let command = format!("watch --heal {service}");
        let lock = match LiveLock::acquire(&live.root, &command, None, &ctx.signals).await {
            Ok(lock) => lock,
            Err(err) => {
                ctx.printer
                    .warn(format!("{service} not repaired this run: {err}"));
                continue;
            }
        };
        let started = SystemTime::now();
        let attempts = apply(&confirmed, &again, &live.docker, &ctx.printer, &ctx.signals).await;
        drop(lock);
        healer.repaired(&service, Instant::now());
        for attempt in &attempts {
            let failed = attempt.verdict == Verdict::Failed;
            let outcome = if failed { "failed" } else { "done" };
            let healed = Healed {
                at: SystemTime::now(),
                service: service.clone(),
                action: attempt.repair.action.kind().to_owned(),
                outcome: outcome.to_owned(),
                detail: attempt.details.join("; "),
            };
            shared.metrics.repaired(&healed);
            let said = format!("{} {}: {outcome}", healed.action, service);
            let entry = crate::audit::Entry::new(&command, started, u8::from(failed) * 2, said);
            if let Err(err) = crate::audit::append(&live.root, &entry) {
                ctx.printer.warn(format!(
                    "the audit record of {command} could not be written: {err}"
                ));
            }
            alert.repairs.push(healed);
        }
    }
    let open = healer.open();
    shared.metrics.circuits(&ctx.registry, &open);
    let mut state = shared
        .state
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    state.open_circuits = open;
    state.healed(alert.repairs.iter().cloned());
}

/// The repairs of `service` alone in a fresh run's plan.
fn plan_of(results: &[crate::doctor::finding::CheckResult], checked: &Ctx, service: &str) -> Plan {
    let plan = plan(results, &Facts::of(checked));
    Plan {
        repairs: heal::repairs_of(&plan, service)
            .into_iter()
            .cloned()
            .collect(),
        declined: Vec::new(),
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

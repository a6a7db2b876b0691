//! One drill: check the steady state, write the journal, stop the target,
//! send a request through the front and prove who served it, then put the
//! target back and prove it serves again.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::catalogue::Drill;
use crate::config::{Context, Live};
use crate::docker::Docker;
use crate::error::{Error, Result};
use crate::failover::journal::Journal;
use crate::failover::report::{Report, Verdict};
use crate::ha::{Ha, state_of};
use crate::http::Http;
use crate::registry::Service;
use crate::stack::Stack;

/// Everything one drill works with.
pub(crate) struct Plan<'a> {
    drill: &'a Drill,
    target: &'a Service,
    standby: &'a Service,
    front: &'a Service,
    front_url: String,
    payload: serde_json::Value,
    /// Bounds the request through the front and the target's return to health.
    timeout: Duration,
    /// How long the target stays down after the standby served.
    hold: Duration,
}

/// A drill under way: what it acts on and the façades it acts through.
struct Drilling<'a> {
    ctx: &'a Context,
    docker: &'a Docker,
    http: Http,
    plan: Plan<'a>,
}

/// The drill: refused unless the steady state holds and the operator agreed
/// (`yes`: --yes); the target is put back whatever happens once it was
/// stopped.
pub(crate) async fn run(ctx: &Context, live: &Live, plan: Plan<'_>, yes: bool) -> Result<Report> {
    let root = &live.root;
    let docker = &live.docker;
    let catalogue = ctx.catalogue()?;
    let http = Http::new(catalogue.thresholds.http_connect_timeout, plan.timeout);
    if let Some(journal) = Journal::read(root)? {
        return Err(Error::Refused(format!(
            "a drill of {} started {} by pid {} did not finish ({}): \
             run `gaia failover-test --recover` first",
            journal.target,
            journal.started_at,
            journal.pid,
            Journal::path(root).display()
        )));
    }
    let ha = Ha {
        registry: &ctx.registry,
        catalogue,
        docker,
    };
    tokio::select! {
        steady = steady_state(&ha, &http, &plan) => steady?,
        signal = ctx.signals.arrival() => {
            return Err(Error::Stopped {
                signal: signal.name(),
                outcome: signal.outcome(),
            });
        }
    }
    crate::confirm::confirm(
        &ctx.signals,
        yes,
        "failover-test",
        &format!(
            "this stops the live {} until {} has served a request through {}, then starts it again",
            plan.target.container, plan.standby.container, plan.front.container
        ),
    )
    .await?;
    let drilling = Drilling {
        ctx,
        docker,
        http,
        plan,
    };
    let plan = &drilling.plan;

    let mut report = Report::new(&plan.target.name, &plan.standby.name, &plan.drill.front);
    Journal {
        pid: std::process::id(),
        host: crate::process::host(),
        started_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        target: plan.target.name.clone(),
        container: plan.target.container.clone(),
        was_running: true,
        standby: plan.standby.name.clone(),
        front: plan.drill.front.clone(),
    }
    .write(root)?;

    // From here on the target is put back whatever happens; a signal only
    // cuts the outage short.
    ctx.signals
        .finishing(format!("putting {} back", plan.target.container));
    let drill_started = SystemTime::now();
    // The stop itself is never cut short (a container left half-stopped
    // could not be started again); what follows it only waits.
    let outage = match drilling.stop_target(&mut report).await {
        Err(err) => Ok(Err(err)),
        Ok(()) => tokio::select! {
            outcome = drilling.outage(&mut report) => Ok(outcome),
            signal = ctx.signals.arrival() => Err(signal),
        },
    };
    report.verdict = match outage {
        Err(signal) => {
            report.event(
                &ctx.printer,
                format!(
                    "{signal}: putting {} back before exiting",
                    plan.target.container
                ),
            );
            Verdict::Interrupted
        }
        Ok(Ok(verdict)) => verdict,
        Ok(Err(err)) => {
            report.problems.push(format!("{err:#}"));
            Verdict::NoFailover
        }
    };
    // What the front logged about its attempts, interrupted or not.
    match docker
        .logs_since(&plan.front.container, drill_started)
        .await
    {
        Ok(lines) => report.add_front_logs(plan.drill, &lines),
        Err(err) => report.problems.push(format!("{err:#}")),
    }
    let restored = drilling.restore(&mut report).await;
    match restored {
        Ok(()) => Journal::remove(root)?,
        Err(err) => {
            report.verdict = Verdict::RestoreFailed;
            report.problems.push(format!(
                "{err:#}\nWhat to do: `docker logs {c}` to see why, `docker start {c}` \
                 once fixed, then `gaia failover-test --recover` (the journal {} stays until then)",
                Journal::path(root).display(),
                c = plan.target.container
            ));
        }
    }
    Ok(report)
}

/// The drill of `target`, checked against the registry and catalogue
/// before anything is contacted.
pub(crate) fn plan<'a>(
    ctx: &'a Context,
    target: &str,
    payload: Option<&Path>,
    timeout: Duration,
    hold: Duration,
) -> Result<Plan<'a>> {
    let drills = &ctx.catalogue()?.ha.drills;
    let drill = drills.iter().find(|d| d.target == target).ok_or_else(|| {
        Error::Config(format!(
            "no failover drill for `{target}`; targets: {}",
            drills
                .iter()
                .map(|d| d.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let target = ctx
        .registry
        .service(&drill.target)
        .expect("the catalogue is checked against the registry");
    let standby = ctx
        .registry
        .standbys()
        .find(|s| s.stands_in_for.as_deref() == Some(&target.name))
        .ok_or_else(|| {
            Error::Config(format!("{} has no HA standby in the registry", target.name))
        })?;
    let front = ctx
        .registry
        .service(&drill.front)
        .expect("the catalogue is checked against the registry");
    let port = front.host_port.ok_or_else(|| {
        Error::Config(format!(
            "{} publishes no port: the drill cannot reach it",
            front.name
        ))
    })?;
    let (payload, origin) = match payload {
        Some(file) => (
            std::fs::read_to_string(file)
                .map_err(|e| Error::Config(format!("cannot read {}: {e}", file.display())))?,
            file.display().to_string(),
        ),
        None => (drill.payload.clone(), "checks/ha.toml".to_owned()),
    };
    let payload = serde_json::from_str(&payload)
        .map_err(|e| Error::Config(format!("the payload in {origin} is not JSON: {e}")))?;
    Ok(Plan {
        drill,
        target,
        standby,
        front,
        front_url: format!("http://127.0.0.1:{port}{}", drill.path),
        payload,
        timeout,
        hold,
    })
}

impl Plan<'_> {
    /// The drill, one line a step, as `--dry-run` shows it.
    pub(crate) fn describe(&self, root: &Path) -> Vec<String> {
        let (target, standby) = (&self.target.container, &self.standby.container);
        let mut steps = vec![
            format!("lock {}", root.join(crate::lock::LOCK).display()),
            format!(
                "check the steady state: {target} and {standby} healthy, maintenance off, \
                 {} wired to fall back to {standby}, a request through it served by {target} \
                 (else refuse, changing nothing)",
                self.front.container
            ),
            format!("write the journal {}", Journal::path(root).display()),
            format!("stop {target} (never removed)"),
            format!(
                "POST the drill's request to {} and expect {standby} to serve it, within {}",
                self.front_url,
                humantime::format_duration(self.timeout)
            ),
        ];
        if !self.hold.is_zero() {
            steps.push(format!(
                "keep {target} stopped for {}",
                humantime::format_duration(self.hold)
            ));
        }
        steps.push(format!(
            "start {target}, wait until it is healthy and serves the request again \
             (whatever happened before), then remove the journal"
        ));
        steps
    }
}

/// What `--recover --dry-run` would do in `root`.
pub(crate) fn describe_recovery(root: &Path) -> Result<Vec<String>> {
    let mut steps = vec![format!("lock {}", root.join(crate::lock::LOCK).display())];
    steps.push(match Journal::read(root)? {
        Some(journal) => format!(
            "start {} (left stopped by the drill started {} as pid {}), wait until it is \
             healthy and serves again, then remove {}",
            journal.container,
            journal.started_at,
            journal.pid,
            Journal::path(root).display()
        ),
        None => format!(
            "nothing: no unfinished failover drill in {}",
            root.display()
        ),
    });
    Ok(steps)
}

/// Sends the drill's request through the front: (who served it, the error).
async fn ask(http: &Http, plan: &Plan<'_>) -> Result<String, String> {
    let response = http
        .post_json(&plan.front_url, &plan.payload)
        .await
        .map_err(|e| format!("{}: {e}", plan.front_url))?;
    let body = response.json().unwrap_or_default();
    if !response.is_success() {
        return Err(format!(
            "{} answered {}: {}",
            plan.front_url,
            response.status,
            body.get("detail")
                .and_then(|d| d.as_str())
                .unwrap_or(&response.body)
        ));
    }
    served_by(plan.drill, &body).ok_or_else(|| {
        format!(
            "the answer of {} does not say who served it ({})",
            plan.front_url, plan.drill.served_by
        )
    })
}

/// Refuses, changing nothing, unless the stack is in the state a drill
/// can prove something from.
async fn steady_state(ha: &Ha<'_>, http: &Http, plan: &Plan<'_>) -> Result<()> {
    let mut unmet = Vec::new();
    for service in [plan.target, plan.standby] {
        let (state, healthy) = state_of(ha.docker.container(&service.container).await?.as_ref());
        if !healthy {
            unmet.push(format!(
                "{} is {state}, not running and healthy",
                service.name
            ));
        }
    }
    // Even an expired flag: web only looks at whether the file exists, so
    // the drill would stop the target for nothing.
    if let Some(flag) = ha.maintenance().await? {
        let now = SystemTime::now();
        unmet.push(if flag.in_force(now) {
            format!(
                "maintenance mode is on ({}; {}): failover is disabled",
                flag.describe(),
                flag.timing(now)
            )
        } else {
            format!(
                "the maintenance flag expired ({}; {}) but is still there, and web does not \
                 fail over while it exists: gaia ha maintenance off",
                flag.describe(),
                flag.timing(now)
            )
        });
    }
    let wired = ha
        .wiring()
        .await?
        .into_iter()
        .find(|w| w.from == plan.drill.front && w.standby == plan.standby.name);
    match wired {
        Some(w) if !w.ok => unmet.push(format!(
            "{} cannot fall back: {} {}",
            w.from,
            w.env,
            w.problem.unwrap_or_default()
        )),
        None => unmet.push(format!(
            "the registry gives {} no fallback to {}",
            plan.drill.front, plan.standby.name
        )),
        Some(_) => {}
    }
    if unmet.is_empty() {
        match ask(http, plan).await {
            Ok(who) if who == plan.target.container => {}
            Ok(who) => unmet.push(format!(
                "the request through {} was served by {who}, not {}",
                plan.drill.front, plan.target.container
            )),
            Err(err) => unmet.push(format!(
                "the request through {} failed: {err}",
                plan.drill.front
            )),
        }
    }
    if unmet.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "refusing the drill: the steady state is not met, and nothing was changed\n  - {}",
        unmet.join("\n  - ")
    )))
}

impl Drilling<'_> {
    /// Stops the target (never removes it).
    async fn stop_target(&self, report: &mut Report) -> Result<()> {
        let (plan, ctx) = (&self.plan, self.ctx);
        report.event(
            &ctx.printer,
            format!("stop issued: {}", plan.target.container),
        );
        self.docker.stop(&plan.target.container).await?;
        report.event(&ctx.printer, format!("{} stopped", plan.target.container));
        Ok(())
    }

    /// The outage, with the target stopped: send the request, see who
    /// served it.
    async fn outage(&self, report: &mut Report) -> Result<Verdict> {
        let (plan, ctx) = (&self.plan, self.ctx);
        report.event(
            &ctx.printer,
            format!("request sent through {}", plan.drill.front),
        );
        let sent = Instant::now();
        let answer = ask(&self.http, plan).await;
        report.failover_latency = Some(sent.elapsed());
        let verdict = match answer {
            Ok(who) => {
                report.event(&ctx.printer, format!("answer received: served by {who}"));
                let verdict = if who == plan.standby.container {
                    Verdict::FailoverWorked
                } else {
                    report.problems.push(format!(
                        "the request was served by {who}, not the standby {}",
                        plan.standby.container
                    ));
                    Verdict::NoFailover
                };
                report.served_by = Some(who);
                verdict
            }
            Err(err) => {
                report.event(&ctx.printer, "the request failed");
                report.problems.push(err);
                Verdict::NoFailover
            }
        };
        if !plan.hold.is_zero() {
            ctx.printer.step(format!(
                "holding {} stopped for {} (Ctrl-C ends it early)",
                plan.target.container,
                humantime::format_duration(plan.hold)
            ));
            tokio::time::sleep(plan.hold).await;
        }
        Ok(verdict)
    }

    /// Starts the target, waits until it is healthy, proves it serves again.
    async fn restore(&self, report: &mut Report) -> Result<()> {
        let (docker, plan, ctx) = (self.docker, &self.plan, self.ctx);
        let stack = Stack::new(&ctx.registry, docker, &ctx.printer);
        let started = Instant::now();
        report.event(
            &ctx.printer,
            format!("start issued: {}", plan.target.container),
        );
        docker.start(&plan.target.container).await?;
        let budget = stack.start_budget(&[plan.target]).await?.max(plan.timeout);
        stack.wait_healthy(&[plan.target], budget).await?;
        report.event(&ctx.printer, format!("{} healthy", plan.target.container));
        let who = ask(&self.http, plan).await.map_err(Error::Failed)?;
        if who != plan.target.container {
            return Err(Error::Failed(format!(
                "{} is healthy, but the request was served by {who}",
                plan.target.container
            )));
        }
        report.recovery = Some(started.elapsed());
        report.event(
            &ctx.printer,
            format!("first request served by {}", plan.target.container),
        );
        Ok(())
    }
}

/// `--recover`: puts back what an interrupted drill left stopped, from its
/// journal; None when no drill was left unfinished.
pub(crate) async fn recover(
    ctx: &Context,
    live: &Live,
    timeout: Duration,
) -> Result<Option<Report>> {
    let (root, docker) = (live.root.as_path(), &live.docker);
    let http = Http::new(ctx.catalogue()?.thresholds.http_connect_timeout, timeout);
    let Some(journal) = Journal::read(root)? else {
        ctx.printer.step(format!(
            "no unfinished failover drill in {}: nothing to recover",
            root.display()
        ));
        return Ok(None);
    };
    // The caller holds the root's lock, which a drill still running would
    // hold: the one that wrote this journal has ended.
    let plan = plan(ctx, &journal.target, None, timeout, Duration::ZERO)?;
    ctx.printer.step(format!(
        "recovering the drill of {} started {} (pid {})",
        journal.target, journal.started_at, journal.pid
    ));
    let mut report = Report::new(&plan.target.name, &plan.standby.name, &plan.drill.front);
    let (state, _) = state_of(docker.container(&plan.target.container).await?.as_ref());
    report.event(
        &ctx.printer,
        format!("{} found {state}", plan.target.container),
    );
    report.verdict = Verdict::Recovered;
    let drilling = Drilling {
        ctx,
        docker,
        http,
        plan,
    };
    match drilling.restore(&mut report).await {
        Ok(()) => Journal::remove(root)?,
        Err(err) => {
            report.verdict = Verdict::RestoreFailed;
            report.problems.push(format!(
                "{err:#}\nWhat to do: `docker logs {c}`; the journal stays until it serves again",
                c = drilling.plan.target.container
            ));
        }
    }
    Ok(Some(report))
}

/// Who a response names as having served it.
pub(crate) fn served_by(drill: &Drill, body: &serde_json::Value) -> Option<String> {
    body.pointer(&drill.served_by)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

//! `gaia ha start|stop|status|maintenance`: the hot standbys and the flag
//! that turns failover off.

use std::time::SystemTime;

use crate::cli::{HaCommand, HaStartArgs, MaintenanceCommand};
use crate::compose::tool::Compose;
use crate::config::{Context, Live};
use crate::error::{Error, Outcome, Result};
use crate::ha::{Flag, Ha, Status};
use crate::http::Http;
use crate::lock::LOCK;
use crate::output::{Plan, Printer, Render};
use crate::registry::Service;
use crate::stack::Stack;

pub(crate) async fn run(ctx: &Context, command: &HaCommand) -> Result<Outcome> {
    let live = ctx.live().await?;
    let ha = Ha {
        registry: &ctx.registry,
        catalogue: ctx.catalogue()?,
        docker: &live.docker,
    };
    let (what, dry_run) = match command {
        HaCommand::Start(args) => ("ha start".to_owned(), args.plan.dry_run),
        HaCommand::Stop(args) => ("ha stop".to_owned(), args.plan.dry_run),
        HaCommand::Maintenance(MaintenanceCommand::On(args)) => {
            ("ha maintenance on".to_owned(), args.plan.dry_run)
        }
        HaCommand::Maintenance(MaintenanceCommand::Off(args)) => {
            ("ha maintenance off".to_owned(), args.plan.dry_run)
        }
        HaCommand::Maintenance(MaintenanceCommand::Status) | HaCommand::Status => {
            (String::new(), true)
        }
    };
    if dry_run && !what.is_empty() {
        let steps = plan(ctx, &live, &ha, command).await?;
        ctx.printer.print(&Plan {
            command: what,
            steps,
        })?;
        return Ok(Outcome::Healthy);
    }
    let _lock = if what.is_empty() {
        None
    } else {
        Some(ctx.lock(&live.root, &what).await?)
    };
    match command {
        HaCommand::Start(args) => start(ctx, &live, &ha, args).await,
        HaCommand::Stop(args) => stop(ctx, &live, args.confirm.yes).await,
        HaCommand::Status => {
            let status = gather(&ha).await?;
            ctx.printer.print(&status)?;
            // An expired flag is no maintenance, but its file still keeps
            // web from failing over: worth a look all the same.
            Ok(if status.ready() && status.maintenance.is_none() {
                Outcome::Healthy
            } else {
                Outcome::Warnings
            })
        }
        HaCommand::Maintenance(args) => maintenance(ctx, &ha, args).await,
    }
}

/// What `command` would change, step by step (`--dry-run`).
async fn plan(ctx: &Context, live: &Live, ha: &Ha<'_>, command: &HaCommand) -> Result<Vec<String>> {
    let mut steps = vec![format!("lock {}", live.root.join(LOCK).display())];
    match command {
        HaCommand::Start(args) => {
            let standbys = standbys(ctx)?;
            let compose = Compose::detect(&live.root).await?;
            let set = Stack::new(&ctx.registry, &live.docker, &ctx.printer).standby_set();
            let names = names(&standbys);
            steps.push(format!(
                "create {names} with `{} {}up --no-start`",
                compose.program(),
                set.describe()
            ));
            for standby in &standbys {
                for volume in standby
                    .volumes
                    .iter()
                    .filter_map(|v| ctx.registry.volume(v))
                {
                    for dir in &volume.shared_dirs {
                        steps.push(format!(
                            "create {}/{} owned by uid {} (volume {}, through {})",
                            volume.mount, dir.path, dir.owner, volume.name, standby.container
                        ));
                    }
                }
            }
            steps.push(format!(
                "start them with `{} {}up -d`",
                compose.program(),
                set.describe()
            ));
            steps.push(format!(
                "wait up to {} for {names} to be healthy, then check that the live containers' \
                 fallback env points at them",
                humantime::format_duration(args.health_timeout)
            ));
        }
        HaCommand::Stop(_) => {
            let standbys = standbys(ctx)?;
            steps.push(format!(
                "stop and remove {} (their volumes are kept; nothing else is touched)",
                names(&standbys)
            ));
        }
        HaCommand::Maintenance(MaintenanceCommand::On(args)) => {
            let flag = &ha.catalogue.ha.maintenance_flag;
            steps.push(format!(
                "write {flag} (who, when{}) in the live shared volume: web stops failing over",
                if args.reason.is_some() { ", why" } else { "" }
            ));
            let now = SystemTime::now();
            steps.push(match args.window {
                Some(window) => format!(
                    "it expires at {} ({} from now): gaia then treats it as off, but the file \
                     stays until `gaia ha maintenance off`",
                    humantime::format_rfc3339_seconds(now + window),
                    humantime::format_duration(window)
                ),
                None => "no expiry: it stays until `gaia ha maintenance off`".into(),
            });
        }
        HaCommand::Maintenance(MaintenanceCommand::Off(_)) => {
            let flag = &ha.catalogue.ha.maintenance_flag;
            steps.push(match ha.maintenance().await? {
                Some(was) => format!("remove {flag} (it says {})", was.describe()),
                None => format!("nothing: {flag} is not there, maintenance mode is off"),
            });
        }
        HaCommand::Maintenance(MaintenanceCommand::Status) | HaCommand::Status => {}
    }
    Ok(steps)
}

fn names(services: &[&Service]) -> String {
    services
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn standbys(ctx: &Context) -> Result<Vec<&Service>> {
    let standbys: Vec<&Service> = ctx.registry.standbys().collect();
    if standbys.is_empty() {
        return Err(Error::Config(
            "the registry has no HA standbys (candidates with profile \"ha\")".into(),
        ));
    }
    Ok(standbys)
}

async fn gather(ha: &Ha<'_>) -> Result<Status> {
    let http = Http::new(
        ha.catalogue.thresholds.http_connect_timeout,
        ha.catalogue.thresholds.http_timeout,
    );
    Status::gather(ha, &http).await
}

async fn start(ctx: &Context, live: &Live, ha: &Ha<'_>, args: &HaStartArgs) -> Result<Outcome> {
    let standbys = standbys(ctx)?;
    let root = &live.root;
    let compose = Compose::detect(root).await?;
    let stack = Stack::new(&ctx.registry, &live.docker, &ctx.printer);
    ctx.printer.step(format!(
        "preparing the shared directories and starting {} in {} (with {})",
        standbys
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        root.display(),
        compose.program()
    ));
    // Compose's `up` is finished whatever arrives; the wait for health after
    // it only looks, so a signal ends it.
    ctx.signals.finishing("starting the standbys");
    stack
        .start_standbys(&compose, &stack.standby_set(), &[])
        .await?;
    let waited = tokio::select! {
        waited = stack.wait_healthy(&standbys, args.health_timeout) => waited,
        signal = ctx.signals.arrival() => {
            ctx.printer.warn(format!(
                "{signal}: the standbys were started; not waiting for them to be healthy \
                 (`gaia ha status` shows them)"
            ));
            return Ok(signal.outcome());
        }
    };
    let status = gather(ha).await?;
    ctx.printer.print(&status)?;
    if let Err(err) = waited {
        ctx.printer.warn(format!("{err}"));
        return Ok(Outcome::Failures);
    }
    if !status.ready() {
        ctx.printer
            .warn("the standbys run, but the live containers do not reach them: see WIRING");
        return Ok(Outcome::Failures);
    }
    if let Some(flag) = &status.maintenance {
        ctx.printer.warn(format!(
            "{}: web will not fail over until `gaia ha maintenance off`",
            flag.summary(SystemTime::now())
        ));
    }
    Ok(Outcome::Healthy)
}

async fn stop(ctx: &Context, live: &Live, yes: bool) -> Result<Outcome> {
    let standbys = standbys(ctx)?;
    let compose = Compose::detect(&live.root).await?;
    let stack = Stack::new(&ctx.registry, &live.docker, &ctx.printer);
    let names: Vec<&str> = standbys.iter().map(|s| s.name.as_str()).collect();
    crate::confirm::confirm(
        &ctx.signals,
        yes,
        "ha stop",
        &format!(
            "this stops and removes {}: failover is off until `gaia ha start`",
            names.join(", ")
        ),
    )
    .await?;
    ctx.printer
        .step(format!("stopping and removing {}", names.join(", ")));
    ctx.signals.finishing("stopping the standbys");
    // Only the standbys: `down`, as ha_stop.sh ran it, would also try to
    // remove the network the live stack is using.
    compose
        .run(
            &stack.standby_set(),
            &[&["rm", "--stop", "--force", "--"], names.as_slice()].concat(),
        )
        .await?;
    ctx.printer
        .step("the standbys are down; failover is off until `gaia ha start` (volumes kept)");
    Ok(Outcome::Healthy)
}

async fn maintenance(ctx: &Context, ha: &Ha<'_>, command: &MaintenanceCommand) -> Result<Outcome> {
    let (flag, said) = match command {
        MaintenanceCommand::On(args) => {
            let flag = ha.set_maintenance(args.reason.clone(), args.window).await?;
            let said = format!(
                "maintenance mode ON: web will not fail over ({}; {})",
                flag.describe(),
                match &flag.expires_at {
                    Some(at) => format!("expires at {at}"),
                    None => "no expiry: it stays until `gaia ha maintenance off`".into(),
                }
            );
            (Some(flag), said)
        }
        MaintenanceCommand::Off(_) => match ha.clear_maintenance().await? {
            Some(was) => (
                None,
                format!("maintenance mode off (it was {})", was.describe()),
            ),
            None => (None, "maintenance mode was already off".into()),
        },
        MaintenanceCommand::Status => {
            let flag = ha.maintenance().await?;
            let said = match &flag {
                Some(flag) => flag.summary(SystemTime::now()),
                None => "maintenance mode off".into(),
            };
            (flag, said)
        }
    };
    // An expired flag is off to gaia, but its file still keeps web from
    // failing over: a status worth a look, like one in force.
    let on = flag.is_some();
    ctx.printer.print(&Maintenance {
        flag,
        path: &ha.catalogue.ha.maintenance_flag,
        said,
    })?;
    Ok(if matches!(command, MaintenanceCommand::Status) && on {
        Outcome::Warnings
    } else {
        Outcome::Healthy
    })
}

/// The maintenance flag after `gaia ha maintenance`.
struct Maintenance<'a> {
    flag: Option<Flag>,
    path: &'a str,
    /// What was done, in a sentence.
    said: String,
}

impl Render for Maintenance<'_> {
    fn human(&self, _: &Printer) -> String {
        format!("{}\n", self.said)
    }

    fn json(&self) -> serde_json::Value {
        let state = crate::ha::maintenance_json(self.flag.as_ref(), SystemTime::now());
        serde_json::json!({
            "schema": "gaia.ha.maintenance/1",
            "on": state["on"],
            "expired": state["expired"],
            "path": self.path,
            "flag": self.flag,
        })
    }
}

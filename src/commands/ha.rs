//! `gaia ha start|stop|status|maintenance`: the hot standbys and the flag
//! that turns failover off.

use crate::cli::{Format, HaCommand, HaStartArgs, MaintenanceArgs, MaintenanceState};
use crate::compose::Compose;
use crate::config::Context;
use crate::docker::Docker;
use crate::doctor::Catalogue;
use crate::error::{Error, Outcome, Result};
use crate::ha::{Flag, Ha, Status};
use crate::http::Http;
use crate::registry::Service;
use crate::stack::Stack;

pub(crate) async fn run(ctx: &Context, command: &HaCommand) -> Result<Outcome> {
    if let HaCommand::Maintenance(args) = command
        && args.reason.is_some()
        && args.state != MaintenanceState::On
    {
        return Err(Error::Config("--reason goes with `on`".into()));
    }
    let catalogue = Catalogue::load(&ctx.registry)?;
    let docker = Docker::connect().await?;
    let ha = Ha {
        registry: &ctx.registry,
        catalogue: &catalogue,
        docker: &docker,
    };
    match command {
        HaCommand::Start(args) => start(ctx, &ha, args).await,
        HaCommand::Stop => stop(ctx, &ha).await,
        HaCommand::Status => {
            let status = gather(&ha, &catalogue).await?;
            show(ctx, &status);
            Ok(if status.ready() && status.maintenance.is_none() {
                Outcome::Healthy
            } else {
                Outcome::Warnings
            })
        }
        HaCommand::Maintenance(args) => maintenance(ctx, &ha, args).await,
    }
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

async fn gather(ha: &Ha<'_>, catalogue: &Catalogue) -> Result<Status> {
    let http = Http::new(
        catalogue.thresholds.http_connect_timeout,
        catalogue.thresholds.http_timeout,
    );
    Status::gather(ha, &http).await
}

fn show(ctx: &Context, status: &Status) {
    match ctx.printer.format {
        Format::Json => println!("{:#}", status.to_json()),
        _ => print!("{}", status.to_human(&ctx.printer)),
    }
}

async fn start(ctx: &Context, ha: &Ha<'_>, args: &HaStartArgs) -> Result<Outcome> {
    let standbys = standbys(ctx)?;
    let root = ctx.stack_root(ha.docker).await;
    let compose = Compose::detect(&root).await?;
    let stack = Stack::new(&ctx.registry, ha.docker, &ctx.printer);
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
    stack
        .start_standbys(&compose, &stack.standby_set(), &[])
        .await?;
    let waited = stack.wait_healthy(&standbys, args.timeout).await;
    let status = gather(ha, ha.catalogue).await?;
    show(ctx, &status);
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
            "maintenance mode is on ({}): web will not fail over until `gaia ha maintenance off`",
            flag.describe()
        ));
    }
    Ok(Outcome::Healthy)
}

async fn stop(ctx: &Context, ha: &Ha<'_>) -> Result<Outcome> {
    let standbys = standbys(ctx)?;
    let root = ctx.stack_root(ha.docker).await;
    let compose = Compose::detect(&root).await?;
    let stack = Stack::new(&ctx.registry, ha.docker, &ctx.printer);
    let names: Vec<&str> = standbys.iter().map(|s| s.name.as_str()).collect();
    ctx.printer
        .step(format!("stopping and removing {}", names.join(", ")));
    // Only the standbys: `down`, as ha_stop.sh ran it, would also try to
    // remove the network the live stack is using.
    compose
        .run(
            &stack.standby_set(),
            &[&["rm", "--stop", "--force"], names.as_slice()].concat(),
        )
        .await?;
    ctx.printer
        .step("the standbys are down; failover is off until `gaia ha start` (volumes kept)");
    Ok(Outcome::Healthy)
}

async fn maintenance(ctx: &Context, ha: &Ha<'_>, args: &MaintenanceArgs) -> Result<Outcome> {
    let (flag, said) = match args.state {
        MaintenanceState::On => {
            let flag = ha.set_maintenance(args.reason.clone()).await?;
            let said = format!(
                "maintenance mode ON: web will not fail over ({})",
                flag.describe()
            );
            (Some(flag), said)
        }
        MaintenanceState::Off => match ha.clear_maintenance().await? {
            Some(was) => (
                None,
                format!("maintenance mode off (it was {})", was.describe()),
            ),
            None => (None, "maintenance mode was already off".into()),
        },
        MaintenanceState::Status => {
            let flag = ha.maintenance().await?;
            let said = match &flag {
                Some(flag) => format!("maintenance mode ON: {}", flag.describe()),
                None => "maintenance mode off".into(),
            };
            (flag, said)
        }
    };
    match ctx.printer.format {
        Format::Json => println!(
            "{:#}",
            flag_json(flag.as_ref(), &ha.catalogue.ha.maintenance_flag)
        ),
        _ => println!("{said}"),
    }
    Ok(
        if args.state == MaintenanceState::Status && flag.is_some() {
            Outcome::Warnings
        } else {
            Outcome::Healthy
        },
    )
}

fn flag_json(flag: Option<&Flag>, path: &str) -> serde_json::Value {
    serde_json::json!({
        "schema": "gaia.ha.maintenance/1",
        "on": flag.is_some(),
        "path": path,
        "flag": flag,
    })
}

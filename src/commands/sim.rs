//! `gaia sim up|down|status|fault|heal`.

use crate::cli::{Format, SimCommand, SimDownArgs, SimFaultArgs, SimUpArgs, SimWaitArgs};
use crate::config::Context;
use crate::docker::Docker;
use crate::error::{Error, Outcome, Result};
use crate::registry::Registry;
use crate::sim::faults::CATALOGUE;
use crate::sim::image::BUILD_LABEL;
use crate::sim::root::{Root, SCALED_REGISTRY, Settings};
use crate::sim::{SIM_LABEL, Sim, render_status, status_rows};

pub(crate) async fn run(ctx: &Context, command: &SimCommand) -> Result<Outcome> {
    if ctx.printer.format == Format::Junit {
        return Err(Error::Config(
            "--format junit is only for `gaia doctor`".into(),
        ));
    }
    match command {
        SimCommand::Up(args) => up(ctx, args).await,
        SimCommand::Down(args) => down(ctx, args).await,
        SimCommand::Status => status(ctx).await,
        SimCommand::Fault(args) => fault(ctx, args).await,
        SimCommand::Heal(args) => heal(ctx, args).await,
    }
}

async fn up(ctx: &Context, args: &SimUpArgs) -> Result<Outcome> {
    let root = Root::create_or_reuse(&ctx.root)?;
    let settings = Settings {
        ha: args.ha,
        retry_base_delay_ms: u64::try_from(args.retry_base_delay.as_millis()).unwrap_or(u64::MAX),
        health_interval_ms: u64::try_from(args.health_interval.as_millis()).unwrap_or(u64::MAX),
        scale: args.scale,
    };
    // A scaled stack is described by the registry laid out beside it.
    let scaled = if args.scale > 0 {
        root.lay_out(&ctx.registry, &settings)?;
        Some(Registry::load(Some(&root.path.join(SCALED_REGISTRY)))?)
    } else {
        None
    };
    let registry = scaled.as_ref().unwrap_or(&ctx.registry);
    let sim = Sim::connect(registry, &ctx.printer, root).await?;
    let services = sim.expected(args.ha);
    sim.refuse_foreign_objects(&services).await?;
    sim.root.lay_out(&ctx.registry, &settings)?;
    sim.ensure_images().await?;

    sim.converge(args.ha).await?;
    sim.stack()
        .wait_healthy(&services, args.wait.timeout)
        .await?;
    print_status(ctx, &sim.docker).await?;
    if ctx.printer.format == Format::Human && !ctx.printer.quiet {
        println!(
            "\nThe simulated GAIA stack is up. Check it with:\n  gaia --root {} doctor",
            sim.root.path.display()
        );
    }
    Ok(Outcome::Healthy)
}

async fn down(ctx: &Context, args: &SimDownArgs) -> Result<Outcome> {
    let docker = Docker::connect().await?;
    let mut removed = Vec::new();
    for container in docker.containers_with_label(SIM_LABEL).await? {
        docker.remove_container(&container.id).await?;
        removed.push(format!("container {}", container.name));
    }
    let mut left_alone = Vec::new();
    for service in &ctx.registry.services {
        if docker.container(&service.container).await?.is_some() {
            left_alone.push(format!("container {}", service.container));
        }
    }
    match docker.network(&ctx.registry.network).await? {
        Some(net) if net.labels.contains_key(SIM_LABEL) => {
            docker.remove_network(&ctx.registry.network).await?;
            removed.push(format!("network {}", ctx.registry.network));
        }
        Some(_) => left_alone.push(format!("network {}", ctx.registry.network)),
        None => {}
    }
    for (volume, _) in docker.volumes_with_label(SIM_LABEL).await? {
        docker.remove_volume(&volume).await?;
        removed.push(format!("volume {volume}"));
    }
    for volume in &ctx.registry.volumes {
        if docker.volume_labels(&volume.name).await?.is_some() {
            left_alone.push(format!("volume {}", volume.name));
        }
    }
    if args.images {
        // With the tags rehearsed promotions kept for rollback.
        let tags = ctx.registry.services.iter().flat_map(|service| {
            [
                service.image.clone(),
                crate::promote::Subject::rollback_tag(service),
            ]
        });
        for tag in tags {
            let ours = docker
                .image(&tag)
                .await?
                .is_some_and(|i| i.labels.contains_key(BUILD_LABEL));
            if ours {
                docker.remove_image(&tag).await?;
                removed.push(format!("image {tag}"));
            }
        }
    }
    if ctx.printer.format == Format::Json {
        println!(
            "{}",
            serde_json::json!({ "removed": removed, "left_alone": left_alone })
        );
        return Ok(Outcome::Healthy);
    }
    if removed.is_empty() {
        ctx.printer.step("no simulated stack was running");
    } else {
        ctx.printer.step(format!("removed {}", removed.join(", ")));
    }
    if !left_alone.is_empty() {
        ctx.printer.warn(format!(
            "left alone, not created by gaia sim: {}",
            left_alone.join(", ")
        ));
    }
    Ok(Outcome::Healthy)
}

async fn print_status(ctx: &Context, docker: &Docker) -> Result<()> {
    let rows = status_rows(docker, &ctx.registry).await?;
    match ctx.printer.format {
        Format::Json => println!("{}", serde_json::Value::Array(rows)),
        _ => println!("{}", render_status(&ctx.printer, &rows)),
    }
    Ok(())
}

async fn status(ctx: &Context) -> Result<Outcome> {
    let docker = Docker::connect().await?;
    print_status(ctx, &docker).await?;
    Ok(Outcome::Healthy)
}

async fn fault(ctx: &Context, args: &SimFaultArgs) -> Result<Outcome> {
    let Some(name) = &args.fault else {
        return list_faults(ctx);
    };
    crate::sim::faults::find(name)?;
    let sim = Sim::connect(&ctx.registry, &ctx.printer, Root::existing(&ctx.root)?).await?;
    let done = sim.inject(name, args.service.as_deref()).await?;
    match ctx.printer.format {
        Format::Json => println!("{}", serde_json::json!({ "fault": name, "result": done })),
        _ => ctx.printer.step(format!("{name}: {done}")),
    }
    Ok(Outcome::Healthy)
}

fn list_faults(ctx: &Context) -> Result<Outcome> {
    if ctx.printer.format == Format::Json {
        let faults: Vec<_> = CATALOGUE
            .iter()
            .map(
                |f| serde_json::json!({ "name": f.name, "target": f.target, "summary": f.summary }),
            )
            .collect();
        println!("{}", serde_json::Value::Array(faults));
        return Ok(Outcome::Healthy);
    }
    let mut table = ctx.printer.table(&["FAULT", "TARGET", "WHAT IT DOES"]);
    for fault in CATALOGUE {
        table.add_row(vec![fault.name, fault.target.unwrap_or("-"), fault.summary]);
    }
    println!("{table}");
    Ok(Outcome::Healthy)
}

async fn heal(ctx: &Context, args: &SimWaitArgs) -> Result<Outcome> {
    let sim = Sim::connect(&ctx.registry, &ctx.printer, Root::existing(&ctx.root)?).await?;
    sim.heal(args.timeout).await?;
    print_status(ctx, &sim.docker).await?;
    Ok(Outcome::Healthy)
}

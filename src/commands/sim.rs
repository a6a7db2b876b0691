//! `gaia sim up|down|status|fault|heal`.

use clap::ValueEnum as _;

use crate::cli::{SimCommand, SimDownArgs, SimFaultArgs, SimUpArgs, SimWaitArgs};
use crate::config::Context;
use crate::docker::Docker;
use crate::error::{Outcome, Result};
use crate::output::{Printer, Render};
use crate::promote::versions;
use crate::registry::Registry;
use crate::sim::faults::Fault;
use crate::sim::image::BUILD_LABEL;
use crate::sim::root::{Root, SCALED_REGISTRY, Settings};
use crate::sim::{SIM_LABEL, Sim, Status};

pub(crate) async fn run(ctx: &Context, command: &SimCommand) -> Result<Outcome> {
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
        .wait_healthy(&services, args.wait.health_timeout)
        .await?;
    let mut status = Status::gather(&sim.docker, &ctx.registry).await?;
    status.up_in = Some(sim.root.path.clone());
    ctx.printer.print(&status)?;
    Ok(Outcome::Healthy)
}

async fn down(ctx: &Context, args: &SimDownArgs) -> Result<Outcome> {
    let docker = Docker::connect().await?;
    // Found while the containers that may name it still run.
    let root = if args.images {
        Some(ctx.root_of_stack().await)
    } else {
        None
    };
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
        // With the tags rehearsed promotions kept for rollback, and those
        // of the versions they kept (a store that cannot be read keeps none).
        let mut tags = Vec::new();
        for service in &ctx.registry.services {
            tags.push(service.image.clone());
            tags.push(crate::promote::Subject::rollback_tag(service));
            let kept = root
                .as_deref()
                .and_then(|root| versions::list(root, &service.name).ok())
                .unwrap_or_default();
            tags.extend(kept.into_iter().filter_map(|k| k.image_tag));
        }
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
    if !left_alone.is_empty() {
        ctx.printer.warn(format!(
            "left alone, not created by gaia sim: {}",
            left_alone.join(", ")
        ));
    }
    ctx.printer.print(&Removal {
        removed,
        left_alone,
    })?;
    Ok(Outcome::Healthy)
}

/// What `sim down` removed, and what it left alone.
struct Removal {
    removed: Vec<String>,
    left_alone: Vec<String>,
}

impl Render for Removal {
    fn human(&self, _: &Printer) -> String {
        if self.removed.is_empty() {
            "no simulated stack was running\n".to_owned()
        } else {
            format!("removed {}\n", self.removed.join(", "))
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "removed": self.removed, "left_alone": self.left_alone })
    }
}

async fn print_status(ctx: &Context, docker: &Docker) -> Result<()> {
    ctx.printer
        .print(&Status::gather(docker, &ctx.registry).await?)
}

async fn status(ctx: &Context) -> Result<Outcome> {
    let docker = Docker::connect().await?;
    print_status(ctx, &docker).await?;
    Ok(Outcome::Healthy)
}

async fn fault(ctx: &Context, args: &SimFaultArgs) -> Result<Outcome> {
    let Some(fault) = args.fault else {
        ctx.printer.print(&FaultList)?;
        return Ok(Outcome::Healthy);
    };
    let sim = Sim::connect(&ctx.registry, &ctx.printer, running_root(ctx).await?).await?;
    let done = sim.inject(fault, args.service.as_deref()).await?;
    ctx.printer.print(&Injected { fault, done })?;
    Ok(Outcome::Healthy)
}

/// What `sim fault` did.
struct Injected {
    fault: Fault,
    done: String,
}

impl Render for Injected {
    fn human(&self, _: &Printer) -> String {
        format!("{}: {}\n", self.fault.name(), self.done)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "fault": self.fault.name(), "result": self.done })
    }
}

/// `sim fault --list`.
struct FaultList;

impl Render for FaultList {
    fn human(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["FAULT", "TARGET", "WHAT IT DOES"]);
        for fault in Fault::value_variants() {
            table.add_row(vec![
                fault.name().as_str(),
                fault.target().unwrap_or("-"),
                fault.summary(),
            ]);
        }
        format!("{table}\n")
    }

    fn json(&self) -> serde_json::Value {
        Fault::value_variants()
            .iter()
            .map(|f| serde_json::json!({ "name": f.name(), "target": f.target(), "summary": f.summary() }))
            .collect()
    }
}

/// The simulated stack's root: --root, else the one the running stack was
/// started from, found as the doctor finds it.
async fn running_root(ctx: &Context) -> Result<Root> {
    Root::existing(&ctx.root_of_stack().await)
}

async fn heal(ctx: &Context, args: &SimWaitArgs) -> Result<Outcome> {
    let sim = Sim::connect(&ctx.registry, &ctx.printer, running_root(ctx).await?).await?;
    sim.heal(args.health_timeout).await?;
    print_status(ctx, &sim.docker).await?;
    Ok(Outcome::Healthy)
}

//! Carrying out a repair plan, one repair after another in dependency
//! order; a repair that fails is recorded and the rest still run.

use std::time::Instant;

use crate::compose::tool::{Compose, FileSet};
use crate::docker::Docker;
use crate::doctor::ctx::Ctx;
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::registry::Service;
use crate::repair::action::{Action, Attempt, Plan, Verdict};
use crate::signals::Signals;
use crate::stack::Stack;

/// Applies every repair of `plan`; verdicts other than Failed are left for
/// `FixReport::verify` to decide from a fresh doctor run. A signal lets the
/// repair in flight finish and leaves the rest unattempted.
pub(crate) async fn apply(
    plan: &Plan,
    ctx: &Ctx,
    docker: &Docker,
    printer: &Printer,
    signals: &Signals,
) -> Vec<Attempt> {
    let stack = Stack::new(&ctx.registry, docker, printer);
    let mut compose = None;
    let mut attempts = Vec::new();
    for repair in &plan.repairs {
        if let Some(signal) = signals.received() {
            attempts.push(Attempt {
                repair: repair.clone(),
                verdict: Verdict::Failed,
                details: vec![format!("not attempted: {signal} arrived before it")],
                duration: std::time::Duration::ZERO,
            });
            continue;
        }
        signals.finishing(format!(
            "finishing the repair in flight ({})",
            repair.action.describe(&ctx.registry)
        ));
        printer.step(format!(
            "{} (for {})",
            repair.action.describe(&ctx.registry),
            repair.answers.join(", ")
        ));
        let started = Instant::now();
        let (verdict, details) = match perform(&repair.action, &stack, ctx, &mut compose).await {
            Ok(notes) => (Verdict::Planned, notes),
            Err(err) => (Verdict::Failed, vec![format!("{err:#}")]),
        };
        attempts.push(Attempt {
            repair: repair.clone(),
            verdict,
            details,
            duration: started.elapsed(),
        });
    }
    attempts
}

/// Does one repair; returns notes on anything done beyond the action itself.
async fn perform(
    action: &Action,
    stack: &Stack<'_>,
    ctx: &Ctx,
    compose: &mut Option<Compose>,
) -> Result<Vec<String>> {
    let docker = stack.docker;
    match action {
        Action::CreateNetwork => {
            let attached = stack.create_network(&ctx.root, &ctx.compose).await?;
            Ok(if attached.is_empty() {
                Vec::new()
            } else {
                vec![format!("reattached {}", attached.join(", "))]
            })
        }
        Action::RelabelNetwork => {
            let reattached = stack.relabel_network(&ctx.root, &ctx.compose).await?;
            Ok(vec![format!("reattached {}", reattached.join(", "))])
        }
        Action::CreateVolume(volume) => {
            stack.create_volume(&ctx.root, &ctx.compose, volume).await?;
            Ok(Vec::new())
        }
        Action::CreateSharedDirs { via, .. } => {
            stack.prepare_shared_dirs(ctx.service(via)).await?;
            Ok(Vec::new())
        }
        Action::Reconnect(name) => {
            let service = ctx.service(name);
            docker
                .connect_network(
                    &ctx.registry.network,
                    &service.container,
                    vec![service.name.clone()],
                )
                .await?;
            Ok(Vec::new())
        }
        Action::Start(name) => {
            let service = ctx.service(name);
            docker.start(&service.container).await?;
            wait(stack, &[service]).await?;
            Ok(Vec::new())
        }
        Action::Restart(name) => {
            let service = ctx.service(name);
            docker.restart(&service.container).await?;
            wait(stack, &[service]).await?;
            Ok(Vec::new())
        }
        Action::Recreate(name) => {
            let service = ctx.service(name);
            let mut notes = unmangle(stack, service).await?;
            let compose = compose_in(compose, ctx).await?;
            compose
                .recreate(&FileSet::of(&[service]), &service.name)
                .await?;
            wait(stack, &[service]).await?;
            notes.extend(remove_leftovers(stack, service).await?);
            Ok(notes)
        }
        Action::StartStandbys => {
            let compose = compose_in(compose, ctx).await?;
            stack
                .start_standbys(compose, &stack.standby_set(), &[])
                .await?;
            let standbys: Vec<&Service> = ctx.registry.standbys().collect();
            wait(stack, &standbys).await?;
            Ok(Vec::new())
        }
    }
}

/// The compose tool, found the first time a repair needs it.
async fn compose_in<'c>(compose: &'c mut Option<Compose>, ctx: &Ctx) -> Result<&'c Compose> {
    if compose.is_none() {
        *compose = Some(Compose::detect(&ctx.root).await?);
    }
    Ok(compose.as_ref().expect("just set"))
}

async fn wait(stack: &Stack<'_>, services: &[&Service]) -> Result<()> {
    let budget = stack.start_budget(services).await?;
    stack.wait_healthy(services, budget).await
}

/// Removes containers of `service`'s compose project and service left under
/// another name (by a recreate that failed half-way), now that the correctly
/// named one is healthy. Their volumes stay.
/// Gives a container that a failed recreate left as `<id>_<name>` its name
/// back, when its name is free. Compose v2 finds that container by its
/// labels and, recreating it, would move it aside under that very
/// `<id>_<name>` and stop on the clash; under its own name compose replaces
/// it as it replaces any container (its volumes stay).
async fn unmangle(stack: &Stack<'_>, service: &Service) -> Result<Vec<String>> {
    let docker = stack.docker;
    if docker.container(&service.container).await?.is_some() {
        return Ok(Vec::new());
    }
    let label = format!("com.docker.compose.service={}", service.name);
    let suffix = format!("_{}", service.container);
    let mangled: Vec<String> = docker
        .containers_with_label(&label)
        .await?
        .into_iter()
        .map(|c| c.name)
        .filter(|name| {
            name.strip_suffix(&suffix)
                .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    let [only] = mangled.as_slice() else {
        return Ok(Vec::new());
    };
    docker.rename(only, &service.container).await?;
    Ok(vec![format!(
        "renamed {only} back to {}",
        service.container
    )])
}

async fn remove_leftovers(stack: &Stack<'_>, service: &Service) -> Result<Vec<String>> {
    let docker = stack.docker;
    let fresh = docker.container(&service.container).await?.ok_or_else(|| {
        Error::Failed(format!("{} vanished after its recreate", service.container))
    })?;
    let project = fresh.labels.get("com.docker.compose.project");
    let label = format!("com.docker.compose.service={}", service.name);
    let mut notes = Vec::new();
    for leftover in docker.containers_with_label(&label).await? {
        if leftover.name == service.container
            || leftover.labels.get("com.docker.compose.project") != project
        {
            continue;
        }
        docker.remove_container(&leftover.name).await?;
        notes.push(format!("removed the leftover {}", leftover.name));
    }
    Ok(notes)
}

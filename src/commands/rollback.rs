//! `gaia rollback <service>`: the version the last promotion replaced, back.

use crate::cli::RollbackArgs;
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::lock::LOCK;
use crate::output::Plan;
use crate::promote::audit;
use crate::promote::{Promoter, Subject, tree};

pub(crate) async fn run(ctx: &Context, args: &RollbackArgs) -> Result<Outcome> {
    let subject = Subject::resolve(&ctx.registry, &args.service)?;
    let live = ctx.live().await?;
    let root = &live.root;
    if subject.files() {
        for dir in [subject.live_dir(root), subject.backup_dir(root)] {
            tree::inside_without_links(root, &dir)?;
        }
    }
    let mut p = Promoter::new(
        &ctx.registry,
        ctx.catalogue()?,
        &live.docker,
        &ctx.printer,
        root.clone(),
        subject,
        "rollback",
    );
    if args.plan.dry_run {
        let (steps, possible) = plan(&p, args).await;
        ctx.printer.print(&Plan {
            command: format!("rollback {}", args.service),
            steps,
        })?;
        return Ok(if possible {
            Outcome::Healthy
        } else {
            Outcome::Refused
        });
    }
    let _lock = ctx
        .lock(root, &format!("rollback {}", args.service))
        .await?;
    p.record.from = p.snapshot().await?;
    let previous = p.previous_version().await;
    if previous.is_ok() && ctx.signals.received().is_none() {
        crate::confirm::confirm(
            &ctx.signals,
            args.confirm.yes,
            &format!("rollback {}", args.service),
            &format!(
                "this replaces the live {} with the version its last promotion replaced, and \
                 restarts it",
                args.service
            ),
        )
        .await?;
    }
    let (outcome, exit) = match (ctx.signals.received(), previous) {
        (Some(signal), _) => {
            ctx.printer
                .warn(format!("{signal}: stopped before anything was changed"));
            (audit::Outcome::Interrupted, signal.outcome())
        }
        (None, Err(nothing)) => {
            ctx.printer
                .warn(format!("nothing to roll back to: {nothing}"));
            (audit::Outcome::Refused, Outcome::Refused)
        }
        (None, Ok(())) => {
            // A restore is never given up half-way: a signal now is told so,
            // and the restore finishes.
            ctx.signals
                .finishing(format!("putting back the previous {}", args.service));
            let timeout = p.gate_timeout(args.gate_timeout).await;
            let restored = p.roll_back("asked for (gaia rollback)", timeout).await;
            match (restored, ctx.signals.received()) {
                (Err(_), _) => (audit::Outcome::Degraded, Outcome::Degraded),
                (Ok(()), Some(signal)) => (audit::Outcome::Done, signal.outcome()),
                (Ok(()), None) => (audit::Outcome::Done, Outcome::Healthy),
            }
        }
    };
    p.record.to = p.snapshot().await.unwrap_or_default();
    let exit = p.conclude(outcome, exit).await;
    Ok(ctx.printer.conclude(&p.record, exit))
}

/// What the rollback would do, and whether there is anything to go back to.
async fn plan(p: &Promoter<'_>, args: &RollbackArgs) -> (Vec<String>, bool) {
    let mut steps = vec![format!("lock {}", p.root.join(LOCK).display())];
    if let Err(nothing) = p.previous_version().await {
        steps.push(format!(
            "nothing: there is nothing to roll back to ({nothing})"
        ));
        return (steps, false);
    }
    if p.subject.files() {
        steps.push(format!(
            "restore {} from {}",
            p.subject.live_dir(&p.root).display(),
            p.subject.backup_dir(&p.root).display()
        ));
    }
    if let Subject::Service { live, how, .. } = p.subject {
        if how.image() {
            steps.push(format!(
                "tag {} as {} again, and recreate {} through compose",
                Subject::rollback_tag(live),
                live.image,
                live.container
            ));
        } else {
            steps.push(format!("restart {}", live.container));
        }
        let timeout = p.gate_timeout(args.gate_timeout).await;
        steps.push(format!(
            "health gate: Docker health and {}'s doctor checks, within {}",
            live.name,
            humantime::format_duration(timeout)
        ));
    }
    (steps, true)
}

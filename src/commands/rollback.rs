//! `gaia rollback <service>`: the version the last promotion replaced, back.

use crate::cli::RollbackArgs;
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::promote::audit;
use crate::promote::{Promoter, Subject};

pub(crate) async fn run(ctx: &Context, args: &RollbackArgs) -> Result<Outcome> {
    let subject = Subject::resolve(&ctx.registry, &args.service)?;
    let live = ctx.live().await?;
    let root = &live.root;
    let _lock = ctx
        .lock(root, &format!("rollback {}", args.service))
        .await?;
    let mut p = Promoter::new(
        &ctx.registry,
        ctx.catalogue()?,
        &live.docker,
        &ctx.printer,
        root.clone(),
        subject,
        "rollback",
    );
    p.record.from = p.snapshot().await?;
    let previous = p.previous_version().await;
    let (outcome, exit) = match (ctx.signals.received(), previous) {
        (Some(signal), _) => {
            ctx.printer
                .warn(format!("{signal}: stopped before anything was changed"));
            (audit::Outcome::Interrupted, signal.outcome())
        }
        (None, Err(nothing)) => {
            ctx.printer
                .warn(format!("nothing to roll back to: {nothing}"));
            (audit::Outcome::Refused, Outcome::Warnings)
        }
        (None, Ok(())) => {
            // A restore is never given up half-way: a signal now is told so,
            // and the restore finishes.
            ctx.signals
                .finishing(format!("putting back the previous {}", args.service));
            let timeout = p.gate_timeout(args.timeout).await;
            let restored = p.roll_back("asked for (gaia rollback)", timeout).await;
            match (restored, ctx.signals.received()) {
                (Err(_), _) => (audit::Outcome::Degraded, Outcome::Degraded),
                (Ok(()), Some(signal)) => (audit::Outcome::Done, signal.outcome()),
                (Ok(()), None) => (audit::Outcome::Done, Outcome::Healthy),
            }
        }
    };
    p.record.to = p.snapshot().await.unwrap_or_default();
    p.audit(outcome, exit as u8)?;
    ctx.printer.print(&p.record)?;
    Ok(exit)
}

//! `gaia rollback <service>`: the version the last promotion replaced, back.

use crate::cli::RollbackArgs;
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::promote::audit;
use crate::promote::lock::Lock;
use crate::promote::{Promoter, Subject};

pub(crate) async fn run(ctx: &Context, args: &RollbackArgs) -> Result<Outcome> {
    let subject = Subject::resolve(&ctx.registry, &args.service)?;
    let live = ctx.live().await?;
    let root = &live.root;
    let mut p = Promoter::new(
        &ctx.registry,
        ctx.catalogue()?,
        &live.docker,
        &ctx.printer,
        root.clone(),
        subject,
        "rollback",
    );
    let lock = Lock::acquire(root, &args.service);
    p.record.from = p.snapshot().await?;
    let (outcome, exit) = match (&lock, p.previous_version().await) {
        (Err(err), _) => {
            ctx.printer.warn(err.to_string());
            (audit::Outcome::Refused, Outcome::Warnings)
        }
        (Ok(_), Err(nothing)) => {
            ctx.printer
                .warn(format!("nothing to roll back to: {nothing}"));
            (audit::Outcome::Refused, Outcome::Warnings)
        }
        (Ok(_), Ok(())) => {
            let timeout = p.gate_timeout(args.timeout).await;
            match p.roll_back("asked for (gaia rollback)", timeout).await {
                Ok(()) => (audit::Outcome::Done, Outcome::Healthy),
                Err(_) => (audit::Outcome::Degraded, Outcome::Degraded),
            }
        }
    };
    p.record.to = p.snapshot().await.unwrap_or_default();
    let exit = p.conclude(outcome, exit).await;
    ctx.printer.print(&p.record)?;
    drop(lock);
    Ok(exit)
}

//! `gaia failover-test`: the failover drill, and `--recover`.

use crate::cli::FailoverArgs;
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::failover::drill;
use crate::failover::report::Verdict;
use crate::output::Plan;

pub(crate) async fn run(ctx: &Context, args: &FailoverArgs) -> Result<Outcome> {
    // Bad input is refused before anything is contacted.
    let plan = if args.recover {
        None
    } else {
        Some(drill::plan(
            ctx,
            &args.service,
            args.payload.as_deref(),
            args.serve_timeout,
            args.hold,
        )?)
    };
    let live = ctx.live().await?;
    let what = if args.recover {
        "failover-test --recover".to_owned()
    } else {
        format!("failover-test --service {}", args.service)
    };
    if args.plan.dry_run {
        let steps = match &plan {
            Some(plan) => plan.describe(&live.root),
            None => drill::describe_recovery(&live.root)?,
        };
        ctx.printer.print(&Plan {
            command: what,
            steps,
        })?;
        return Ok(Outcome::Healthy);
    }
    let _lock = ctx.lock(&live.root, &what).await?;
    let report = match plan {
        Some(plan) => drill::run(ctx, &live, plan, args.confirm.yes).await?,
        None => match drill::recover(ctx, &live, args.serve_timeout).await? {
            Some(report) => report,
            None => return Ok(Outcome::Healthy),
        },
    };
    let outcome = match report.verdict {
        Verdict::FailoverWorked | Verdict::Recovered => Outcome::Healthy,
        Verdict::NoFailover => Outcome::Failures,
        Verdict::RestoreFailed => Outcome::Degraded,
        Verdict::Interrupted => ctx
            .signals
            .received()
            .map_or(Outcome::Interrupted, |signal| signal.outcome()),
    };
    Ok(ctx.printer.conclude(&report, outcome))
}

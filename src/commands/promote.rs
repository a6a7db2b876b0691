//! `gaia promote <service>` and `gaia promote --list`.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

use crate::cli::PromoteArgs;
use crate::config::Context;
use crate::error::{Error, Outcome, Result};
use crate::lock::LOCK;
use crate::output::{Plan, Printer, Render};
use crate::promote::audit;
use crate::promote::steps::Options;
use crate::promote::{self, Promotable, Promoter, Source, Stop, Subject, tree};
use crate::signals::Signals;

pub(crate) async fn run(ctx: &Context, args: &PromoteArgs) -> Result<Outcome> {
    if args.list {
        ctx.printer
            .print(&Promotables(promote::promotable(&ctx.registry)))?;
        return Ok(Outcome::Healthy);
    }
    let name = args
        .service
        .as_deref()
        .expect("clap requires a service without --list");
    let subject = Subject::resolve(&ctx.registry, name)?;
    let live = ctx.live().await?;
    let root = &live.root;
    for dir in [subject.candidate_dir(root), subject.live_dir(root)] {
        if !subject.files() {
            break;
        }
        tree::inside_without_links(root, &dir)?;
        if !dir.is_dir() {
            return Err(Error::Config(format!(
                "{} does not exist: is {} the GAIA root? (--root)",
                dir.display(),
                root.display()
            )));
        }
    }
    let options = Options {
        validate: args.validate,
        test: args.test,
        force: args.force,
        no_backup: args.no_backup,
        no_restart: args.no_restart,
        gate_timeout: args.gate_timeout,
    };
    let mut promoter = Promoter::new(
        &ctx.registry,
        ctx.catalogue()?,
        &live.docker,
        &ctx.printer,
        root.clone(),
        subject,
        "promote",
    );
    if args.dry_run {
        ctx.printer.print(&Plan {
            command: format!("promote {name}"),
            steps: promoter.describe(&options, &root.join(LOCK)),
        })?;
        return Ok(Outcome::Healthy);
    }
    let _lock = ctx.lock(root, &format!("promote {name}")).await?;
    // The brakes these flags take off: asked about once the root is ours,
    // before anything is validated or changed.
    let unbraked: Vec<(&str, String)> = [
        (
            args.no_backup,
            "--no-backup",
            format!(
                "live {name} is replaced without a backup, so a failed gate cannot restore its \
                 files"
            ),
        ),
        (
            args.force,
            "--force",
            format!(
                "the sync gate does not stop this promotion of {name} when candidate and live \
                 gaia-common differ"
            ),
        ),
    ]
    .into_iter()
    .filter_map(|(on, flag, what)| on.then_some((flag, what)))
    .collect();
    if !unbraked.is_empty() {
        let flags: String = unbraked
            .iter()
            .map(|(flag, _)| format!(" {flag}"))
            .collect();
        let change: Vec<String> = unbraked
            .iter()
            .map(|(flag, what)| format!("{flag}: {what}"))
            .collect();
        crate::confirm::confirm(
            &ctx.signals,
            args.yes,
            &format!("promote {name}{flags}"),
            &change.join("; "),
        )
        .await?;
    }
    promoter.record.from = promoter.snapshot().await?;
    let result = steps(&mut promoter, &options, &ctx.signals).await;
    finish(ctx, promoter, result).await
}

/// The steps, with what stops them: a signal before live changes only ends
/// the run (nothing to undo); after, and on a panic, the run rolls back.
async fn steps(p: &mut Promoter<'_>, options: &Options, signals: &Signals) -> Result<(), Stop> {
    match without_panics(p.walk(options, signals)).await {
        Err(Stop::Failed(why)) if !p.changed => {
            Err(Stop::Refused(format!("{why} before live was changed")))
        }
        other => other,
    }
}

/// A panic in the steps (a bug) becomes a failure, so what they changed is
/// rolled back rather than left half-done.
async fn without_panics(walk: impl Future<Output = Result<(), Stop>>) -> Result<(), Stop> {
    AssertUnwindSafe(walk)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Stop::Failed(format!("gaia itself failed ({what})")))
        })
}

/// Rolls back when live was changed, records the run, reports it.
async fn finish(ctx: &Context, mut p: Promoter<'_>, result: Result<(), Stop>) -> Result<Outcome> {
    let name = p.subject.name();
    let (outcome, exit) = match result {
        Ok(()) => {
            // The promotion stands: what it replaced is kept, and a signal
            // now waits for that.
            ctx.signals
                .finishing(format!("keeping the version of {name} it replaced"));
            p.keep_replaced().await;
            (audit::Outcome::Done, Outcome::Healthy)
        }
        Err(Stop::Refused(why)) => {
            ctx.printer.warn(&why);
            (audit::Outcome::Refused, Outcome::Refused)
        }
        Err(Stop::Signalled(signal)) if !p.changed => {
            ctx.printer.warn(format!(
                "{signal}: stopped before live was changed; nothing to undo"
            ));
            (audit::Outcome::Interrupted, signal.outcome())
        }
        Err(stop) => {
            let why = match &stop {
                Stop::Signalled(signal) => format!("{signal} received"),
                Stop::Failed(why) | Stop::Refused(why) => why.clone(),
            };
            // Told to a later signal from the moment the operator can read it.
            ctx.signals.finishing(format!("rolling back {name}"));
            ctx.printer.warn(format!("{why}: rolling back {name}"));
            let timeout = p.gate_timeout(None).await;
            let rolled_back = p.roll_back(&why, timeout, &Source::Last).await;
            match (rolled_back, stop) {
                (Err(_), _) => (audit::Outcome::Degraded, Outcome::Degraded),
                (Ok(()), Stop::Signalled(signal)) => (audit::Outcome::RolledBack, signal.outcome()),
                (Ok(()), _) => (audit::Outcome::RolledBack, Outcome::Failures),
            }
        }
    };
    p.record.to = p.snapshot().await.unwrap_or_default();
    let exit = p.conclude(outcome, exit).await;
    Ok(ctx.printer.conclude(&p.record, exit))
}

/// `promote --list`.
struct Promotables(Vec<Promotable>);

impl Render for Promotables {
    fn json(&self) -> serde_json::Value {
        serde_json::json!(self.0)
    }

    fn human(&self, printer: &Printer) -> String {
        let port = |p: Option<u16>| p.map_or_else(|| "-".into(), |p| p.to_string());
        let mut table = printer.table(&[
            "SERVICE",
            "PROMOTED BY",
            "CANDIDATE",
            "PYTHON VALIDATION",
            "LIVE PORT",
            "CANDIDATE PORT",
        ]);
        for row in &self.0 {
            table.add_row(vec![
                row.service.clone(),
                row.promoted_by.clone(),
                row.candidate.clone(),
                if row.python_validation { "yes" } else { "no" }.to_owned(),
                port(row.live_port),
                port(row.candidate_port),
            ]);
        }
        format!("{table}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_the_steps_is_a_failure_that_rolls_back() {
        let walk = async {
            panic!("index out of bounds");
            #[allow(unreachable_code)]
            Ok(())
        };
        match without_panics(walk).await {
            Err(Stop::Failed(why)) => assert!(why.contains("index out of bounds"), "{why}"),
            _ => panic!("a panic must become Stop::Failed"),
        }
    }
}

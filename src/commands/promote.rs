//! `gaia promote <service>` and `gaia promote --list`.

use crate::cli::PromoteArgs;
use crate::config::Context;
use crate::error::{Error, Outcome, Result};
use crate::output::{Printer, Render};
use crate::promote::audit;
use crate::promote::lock::{self, Lock};
use crate::promote::steps::Options;
use crate::promote::{self, Promotable, Promoter, Stop, Subject};

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
        if subject.files() && !dir.is_dir() {
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
        gate_timeout: args.timeout,
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
        ctx.printer.print(&DryRun {
            service: name,
            steps: promoter.describe(&options, &root.join(lock::LOCK)),
        })?;
        return Ok(Outcome::Healthy);
    }
    let lock = match Lock::acquire(root, name) {
        Ok(lock) => lock,
        Err(Error::Refused(why)) => {
            return finish(ctx, promoter, Err(Stop::Refused(why))).await;
        }
        Err(err) => return Err(err),
    };
    if let Some(replaced) = &lock.replaced {
        ctx.printer.warn(format!("replaced {replaced}"));
    }
    promoter.record.from = promoter.snapshot().await?;
    let result = steps(&mut promoter, &options).await;
    let outcome = finish(ctx, promoter, result).await;
    drop(lock);
    outcome
}

/// The steps under Ctrl-C: before live changes it only stops the run
/// (nothing to undo), after it the run rolls back.
async fn steps(p: &mut Promoter<'_>, options: &Options) -> Result<(), Stop> {
    let result = tokio::select! {
        result = p.walk(options) => result,
        _ = tokio::signal::ctrl_c() => Err(Stop::Failed("interrupted (Ctrl-C)".into())),
    };
    match result {
        Err(Stop::Failed(why)) if !p.changed => {
            Err(Stop::Refused(format!("{why} before live was changed")))
        }
        other => other,
    }
}

/// Rolls back when live was changed, records the run, reports it.
async fn finish(ctx: &Context, mut p: Promoter<'_>, result: Result<(), Stop>) -> Result<Outcome> {
    let (outcome, exit) = match result {
        Ok(()) => (audit::Outcome::Done, Outcome::Healthy),
        Err(Stop::Refused(why)) => {
            ctx.printer.warn(&why);
            (audit::Outcome::Refused, Outcome::Warnings)
        }
        Err(Stop::Failed(why)) => {
            ctx.printer
                .warn(format!("{why}: rolling back {}", p.subject.name()));
            let timeout = p.gate_timeout(None).await;
            match p.roll_back(&why, timeout).await {
                Ok(()) => (audit::Outcome::RolledBack, Outcome::Failures),
                Err(_) => (audit::Outcome::Degraded, Outcome::Degraded),
            }
        }
    };
    p.record.to = p.snapshot().await.unwrap_or_default();
    let exit = p.conclude(outcome, exit).await;
    ctx.printer.print(&p.record)?;
    Ok(exit)
}

/// `promote --dry-run`.
struct DryRun<'a> {
    service: &'a str,
    steps: Vec<String>,
}

impl Render for DryRun<'_> {
    fn human(&self, _: &Printer) -> String {
        let mut out = format!(
            "gaia promote {} would (dry run: nothing is changed):\n",
            self.service
        );
        for (n, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {step}\n", n + 1));
        }
        out
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "schema": "gaia.promote.plan/1", "service": self.service, "steps": self.steps })
    }
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

//! `gaia doctor`: every check at once, one report.

use std::sync::Arc;
use std::time::Instant;

use crate::cli::DoctorArgs;
use crate::config::{Context, Live};
use crate::doctor::check::Check;
use crate::doctor::ctx::Ctx;
use crate::doctor::engine;
use crate::doctor::report::Report;
use crate::error::{Error, Outcome, Result};
use crate::output::{Printer, Render};
use crate::repair::apply::apply;
use crate::repair::plan::{Facts, plan};
use crate::repair::report::FixReport;

pub(crate) async fn run(ctx: &Context, args: &DoctorArgs) -> Result<Outcome> {
    for name in &args.services {
        if ctx.registry.service(name).is_none() {
            return Err(Error::Config(format!(
                "`{name}` is not a service in the registry"
            )));
        }
    }
    if args.list_checks {
        ctx.printer.print(&CheckList(select(ctx, args)?))?;
        return Ok(Outcome::Healthy);
    }

    let started = Instant::now();
    // However the engine behaves, the report comes by --timeout.
    let live = ctx.live_by(Some(started + args.timeout)).await?;
    let _lock = if args.fix && !args.dry_run {
        Some(ctx.lock(&live.root, "doctor --fix").await?)
    } else {
        None
    };
    let (report, shared) = examine(ctx, args, &live, started, started).await?;
    let mut checkup = Checkup { report, fix: None };
    if args.fix {
        let plan = plan(&checkup.report.results, &Facts::of(&shared));
        let before = checkup.report.summary();
        let registry = ctx.registry.clone();
        checkup.fix = Some(if args.dry_run || plan.repairs.is_empty() {
            FixReport::planned(plan, before, args.dry_run, registry)
        } else {
            let attempts = apply(&plan, &shared, &live.docker, &ctx.printer, &ctx.signals).await;
            ctx.printer.step("checking again");
            (checkup.report, _) = examine(ctx, args, &live, started, Instant::now()).await?;
            FixReport::applied(
                attempts,
                plan.declined,
                before,
                &checkup.report.results,
                registry,
            )
        });
    }

    let rendered = ctx.printer.render(&checkup)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &rendered)
                .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))?;
            let s = checkup.report.summary();
            ctx.printer.step(format!(
                "{} passed, {} warnings, {} failures, {} skipped; report in {}",
                s.passed,
                s.warnings,
                s.failures,
                s.skipped,
                path.display()
            ));
        }
        None => print!("{rendered}"),
    }
    Ok(checkup.report.outcome(args.fail_on))
}

/// The doctor's report, and beside it what `--fix` planned or did (the
/// report is then the state after the repairs).
struct Checkup {
    report: Report,
    fix: Option<FixReport>,
}

impl Render for Checkup {
    fn human(&self, printer: &Printer) -> String {
        let mut out = self.report.to_human(printer);
        if let Some(fix) = &self.fix {
            out.push_str(&fix.to_human(printer));
        }
        out
    }

    fn json(&self) -> serde_json::Value {
        let mut doc = self.report.to_json();
        if let Some(fix) = &self.fix {
            doc["fix"] = fix.to_json();
        }
        doc
    }

    fn junit(&self) -> Option<String> {
        Some(self.report.to_junit())
    }
}

/// `--list-checks`.
struct CheckList(Vec<Box<dyn Check>>);

impl Render for CheckList {
    fn human(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["ID", "CATEGORY", "SERVICE"]);
        for check in &self.0 {
            table.add_row(vec![
                check.id(),
                check.category().name().to_owned(),
                check.service().unwrap_or("-").to_owned(),
            ]);
        }
        format!("{table}\n")
    }

    fn json(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|c| serde_json::json!({ "id": c.id(), "category": c.category(), "service": c.service() }))
            .collect()
    }
}

/// The checks the operator asked for, in report order.
fn select(ctx: &Context, args: &DoctorArgs) -> Result<Vec<Box<dyn Check>>> {
    Ok(engine::plan(&ctx.registry, ctx.catalogue()?)
        .into_iter()
        .filter(|c| args.categories.is_empty() || args.categories.contains(&c.category()))
        .filter(|c| {
            args.services.is_empty()
                || c.service()
                    .is_some_and(|s| args.services.iter().any(|n| n == s))
        })
        .collect())
}

/// One doctor run over a fresh snapshot of the stack, ending by `--timeout`
/// after `begun` (the report's time counts from `started`).
async fn examine(
    ctx: &Context,
    args: &DoctorArgs,
    live: &Live,
    started: Instant,
    begun: Instant,
) -> Result<(Report, Arc<Ctx>)> {
    let checks = select(ctx, args)?;
    let wants = checks.iter().flat_map(|c| c.wants()).collect();
    let shared = Arc::new(
        Ctx::gather(
            ctx.registry.clone(),
            ctx.catalogue()?.clone(),
            live.root.clone(),
            live.docker.until(begun + args.timeout),
            wants,
        )
        .await?,
    );
    let spinner = ctx.printer.spinner("running checks");
    let left = (begun + args.timeout).saturating_duration_since(Instant::now());
    let results = engine::run(shared.clone(), checks, left, |done, total| {
        spinner.set_message(format!("{done}/{total} checks"));
    })
    .await;
    spinner.finish_and_clear();
    let report = Report {
        results,
        elapsed: started.elapsed(),
        root: live.root.display().to_string(),
    };
    Ok((report, shared))
}

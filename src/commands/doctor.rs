//! `gaia doctor`: every check at once, one report.

use std::sync::Arc;
use std::time::Instant;

use crate::cli::{DoctorArgs, Format};
use crate::config::Context;
use crate::docker::Docker;
use crate::doctor::{self, Catalogue, Check, Ctx, Report};
use crate::error::{Error, Outcome, Result};
use crate::repair::{self, FixReport};

pub(crate) async fn run(ctx: &Context, args: &DoctorArgs) -> Result<Outcome> {
    for name in &args.services {
        if ctx.registry.service(name).is_none() {
            return Err(Error::Config(format!(
                "`{name}` is not a service in the registry"
            )));
        }
    }
    let catalogue = Catalogue::load(&ctx.registry)?;
    if args.list_checks {
        return list(ctx, &select(ctx, &catalogue, args));
    }

    let started = Instant::now();
    let docker = Docker::connect().await?;
    let root = ctx.stack_root(&docker).await;
    let (mut report, shared) = examine(ctx, &catalogue, args, &root, &docker, started).await?;
    if args.fix {
        let plan = repair::plan(&report.results, &shared);
        let before = report.summary();
        let registry = ctx.registry.clone();
        report.fix = Some(if args.dry_run || plan.repairs.is_empty() {
            FixReport::planned(plan, before, args.dry_run, registry)
        } else {
            let attempts = repair::apply(&plan, &shared, &ctx.printer).await;
            ctx.printer.step("checking again");
            (report, _) = examine(ctx, &catalogue, args, &root, &docker, started).await?;
            FixReport::applied(attempts, plan.declined, before, &report.results, registry)
        });
    }

    let rendered = match ctx.printer.format {
        Format::Human => report.to_human(&ctx.printer),
        Format::Json => report.to_json() + "\n",
        Format::Junit => report.to_junit(),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &rendered)
                .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))?;
            let s = report.summary();
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
    Ok(report.outcome(args.fail_on))
}

/// The checks the operator asked for, in report order.
fn select(ctx: &Context, catalogue: &Catalogue, args: &DoctorArgs) -> Vec<Box<dyn Check>> {
    doctor::plan(&ctx.registry, catalogue)
        .into_iter()
        .filter(|c| args.categories.is_empty() || args.categories.contains(&c.category()))
        .filter(|c| {
            args.services.is_empty()
                || c.service()
                    .is_some_and(|s| args.services.iter().any(|n| n == s))
        })
        .collect()
}

/// One doctor run over a fresh snapshot of the stack.
async fn examine(
    ctx: &Context,
    catalogue: &Catalogue,
    args: &DoctorArgs,
    root: &std::path::Path,
    docker: &Docker,
    started: Instant,
) -> Result<(Report, Arc<Ctx>)> {
    let checks = select(ctx, catalogue, args);
    let wants = checks.iter().flat_map(|c| c.wants()).collect();
    let shared = Arc::new(
        Ctx::gather(
            ctx.registry.clone(),
            catalogue.clone(),
            root.to_owned(),
            docker.clone(),
            wants,
        )
        .await?,
    );
    let spinner = ctx.printer.spinner("running checks");
    let results = doctor::run(shared.clone(), checks, args.timeout, |done, total| {
        spinner.set_message(format!("{done}/{total} checks"));
    })
    .await;
    spinner.finish_and_clear();
    let report = Report {
        results,
        elapsed: started.elapsed(),
        root: root.display().to_string(),
        fix: None,
    };
    Ok((report, shared))
}

fn list(ctx: &Context, checks: &[Box<dyn Check>]) -> Result<Outcome> {
    if ctx.printer.format == Format::Json {
        let list: Vec<_> = checks
            .iter()
            .map(|c| serde_json::json!({ "id": c.id(), "category": c.category(), "service": c.service() }))
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(Outcome::Healthy);
    }
    let mut table = ctx.printer.table(&["ID", "CATEGORY", "SERVICE"]);
    for check in checks {
        table.add_row(vec![
            check.id(),
            check.category().name().to_owned(),
            check.service().unwrap_or("-").to_owned(),
        ]);
    }
    println!("{table}");
    Ok(Outcome::Healthy)
}

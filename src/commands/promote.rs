//! `gaia promote <service>` and `gaia promote --list`.

use crate::cli::{Format, PromoteArgs};
use crate::config::Context;
use crate::docker::Docker;
use crate::doctor::Catalogue;
use crate::error::{Error, Outcome, Result};
use crate::promote::audit;
use crate::promote::lock::Lock;
use crate::promote::{self, Promoter, Stop, Subject};

pub(crate) async fn run(ctx: &Context, args: &PromoteArgs) -> Result<Outcome> {
    if args.list {
        return list(ctx);
    }
    let name = args
        .service
        .as_deref()
        .expect("clap requires a service without --list");
    let subject = Subject::resolve(&ctx.registry, name)?;
    let catalogue = Catalogue::load(&ctx.registry)?;
    let docker = Docker::connect().await?;
    let root = ctx.stack_root(&docker).await;
    for dir in [subject.candidate_dir(&root), subject.live_dir(&root)] {
        if subject.files() && !dir.is_dir() {
            return Err(Error::Config(format!(
                "{} does not exist: is {} the GAIA root? (--root)",
                dir.display(),
                root.display()
            )));
        }
    }
    if args.dry_run {
        return plan(ctx, &catalogue, &subject, &root, args);
    }

    let mut promoter = Promoter::new(
        &ctx.registry,
        &catalogue,
        &docker,
        &ctx.printer,
        root.clone(),
        subject,
        "promote",
    );
    let lock = match Lock::acquire(&root, name) {
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
    let result = steps(&mut promoter, args).await;
    let outcome = finish(ctx, promoter, result).await;
    drop(lock);
    outcome
}

/// The steps under Ctrl-C: before live changes it only stops the run
/// (nothing to undo), after it the run rolls back.
async fn steps(p: &mut Promoter<'_>, args: &PromoteArgs) -> Result<(), Stop> {
    let result = tokio::select! {
        result = in_order(p, args) => result,
        _ = tokio::signal::ctrl_c() => Err(Stop::Failed("interrupted (Ctrl-C)".into())),
    };
    match result {
        Err(Stop::Failed(why)) if !p.changed => {
            Err(Stop::Refused(format!("{why} before live was changed")))
        }
        other => other,
    }
}

/// The steps in order; Err(Stop::Failed) once live was changed.
async fn in_order(p: &mut Promoter<'_>, args: &PromoteArgs) -> Result<(), Stop> {
    if args.validate {
        p.validate().await?;
    }
    if args.test {
        p.test_candidate().await?;
    }
    p.sync_gate(args.force)?;
    if args.no_backup {
        p.skip(
            "backup",
            "--no-backup: a failed gate cannot restore the live files",
        );
    } else {
        p.back_up()?;
    }
    let timeout = p.gate_timeout(args.timeout).await;
    p.promote().await?;
    if args.no_restart {
        p.skip(
            "restart",
            "--no-restart: live runs the previous version until it is restarted",
        );
        return Ok(());
    }
    p.restart().await?;
    p.gate(timeout, true).await
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
    p.audit(outcome, exit as u8)?;
    render(ctx, &p.record);
    Ok(exit)
}

pub(crate) fn render(ctx: &Context, record: &audit::Record) {
    match ctx.printer.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(record).expect("a record always serializes")
        ),
        _ => print!("{}", record.to_human(&ctx.printer)),
    }
}

fn plan(
    ctx: &Context,
    catalogue: &Catalogue,
    subject: &Subject<'_>,
    root: &std::path::Path,
    args: &PromoteArgs,
) -> Result<Outcome> {
    let name = subject.name();
    let mut steps = vec![format!("lock {}", root.join(promote::lock::LOCK).display())];
    steps.push(match (args.validate, subject.python()) {
        (false, _) => "validate: not asked (--validate)".into(),
        (true, false) => format!("validate: {name} is not configured for Python validation"),
        (true, true) => format!(
            "validate: {} in a throwaway image built from {}",
            catalogue
                .promote
                .validators
                .iter()
                .map(|v| format!(
                    "{}{}",
                    v.name,
                    if v.blocking { "" } else { " (informational)" }
                ))
                .collect::<Vec<_>>()
                .join(", "),
            subject.candidate_dir(root).join("Dockerfile").display()
        ),
    });
    if args.test {
        steps.push("test: the candidate answers its health check".into());
    }
    let gate = &catalogue.promote.sync_gate;
    steps.push(format!(
        "sync gate: {} must match live gaia-common{}; {} may differ with a warning",
        gate.blocking.join(", "),
        if args.force {
            " (--force: or warn)"
        } else {
            ""
        },
        gate.warning.join(", ")
    ));
    if subject.files() && !args.no_backup {
        steps.push(format!(
            "backup {} → {}",
            subject.live_dir(root).display(),
            subject.backup_dir(root).display()
        ));
    }
    if subject.files() {
        steps.push(format!(
            "copy {} → {} (skipping {})",
            subject.candidate_dir(root).display(),
            subject.live_dir(root).display(),
            catalogue.promote.exclude.join(", ")
        ));
    }
    if let Subject::Service {
        live, candidate, ..
    } = subject
    {
        if subject.image() {
            steps.push(format!(
                "tag {} as {} (keeping the current one as {})",
                candidate.image,
                live.image,
                Subject::rollback_tag(live)
            ));
        }
        if !args.no_restart {
            steps.push(if subject.image() {
                format!("recreate {} through compose", live.container)
            } else {
                format!("restart {}", live.container)
            });
            steps.push(format!(
                "health gate: Docker health and {}'s doctor checks, then a {} watch window",
                live.name,
                humantime::format_duration(catalogue.promote.watch_window)
            ));
        }
    }
    steps.push("on any failure after the backup: roll back, then check health again".into());
    match ctx.printer.format {
        Format::Json => println!(
            "{:#}",
            serde_json::json!({ "schema": "gaia.promote.plan/1", "service": name, "steps": steps })
        ),
        _ => {
            println!("gaia promote {name} would (dry run: nothing is changed):");
            for (n, step) in steps.iter().enumerate() {
                println!("  {}. {step}", n + 1);
            }
        }
    }
    Ok(Outcome::Healthy)
}

fn list(ctx: &Context) -> Result<Outcome> {
    let rows = promote::promotable(&ctx.registry);
    if ctx.printer.format == Format::Json {
        println!("{:#}", serde_json::json!(rows));
        return Ok(Outcome::Healthy);
    }
    let port = |p: Option<u16>| p.map_or_else(|| "-".into(), |p| p.to_string());
    let mut table = ctx.printer.table(&[
        "SERVICE",
        "PROMOTED BY",
        "CANDIDATE",
        "PYTHON VALIDATION",
        "LIVE PORT",
        "CANDIDATE PORT",
    ]);
    for row in rows {
        table.add_row(vec![
            row.service,
            row.promoted_by,
            row.candidate,
            if row.python_validation { "yes" } else { "no" }.to_owned(),
            port(row.live_port),
            port(row.candidate_port),
        ]);
    }
    println!("{table}");
    Ok(Outcome::Healthy)
}

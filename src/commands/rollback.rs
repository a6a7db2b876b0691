//! `gaia rollback <service>`: the version the last promotion replaced, or
//! with `--to <id>` an older one kept in the store, back; `--list` shows
//! the kept ones.

use std::path::Path;

use crate::cli::RollbackArgs;
use crate::config::Context;
use crate::error::{Outcome, Result};
use crate::lock::LOCK;
use crate::output::{Plan, Printer, Render, inert};
use crate::promote::{Promoter, Source, Subject, audit, short, tree, versions};

pub(crate) async fn run(ctx: &Context, args: &RollbackArgs) -> Result<Outcome> {
    let subject = Subject::resolve(&ctx.registry, &args.service)?;
    if args.list {
        let root = ctx.root_of_stack().await;
        tree::inside_without_links(&root, &versions::dir(&root, subject.name()))?;
        ctx.printer.print(&KeptVersions {
            versions: versions::list(&root, subject.name())?,
            store: versions::dir(&root, subject.name()),
        })?;
        return Ok(Outcome::Healthy);
    }
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
        let from = source(root, subject, args)?;
        let (steps, possible) = plan(&p, args, &from).await;
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
    // Found once the root is ours: no prune removes it meanwhile.
    let from = source(root, subject, args)?;
    p.record.from = p.snapshot().await?;
    let previous = p.previous_version(&from).await;
    if previous.is_ok() && ctx.signals.received().is_none() {
        let what = match &from {
            Source::Last => "the version its last promotion replaced".to_owned(),
            Source::Kept(kept) => format!("its version {} (kept {})", kept.id, kept.kept_at),
        };
        crate::confirm::confirm(
            &ctx.signals,
            args.confirm.yes,
            &format!("rollback {}", args.service),
            &format!(
                "this replaces the live {} with {what}, and restarts it",
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
            let reason = match &from {
                Source::Last => "asked for (gaia rollback)".to_owned(),
                Source::Kept(kept) => format!("asked for (gaia rollback --to {})", kept.id),
            };
            let restored = p.roll_back(&reason, timeout, &from).await;
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

/// What `args` asks to go back to: the last promotion's backup, or the
/// kept version `--to` names (a usage error when none or several match).
fn source(root: &Path, subject: Subject<'_>, args: &RollbackArgs) -> Result<Source> {
    let Some(prefix) = &args.to else {
        return Ok(Source::Last);
    };
    tree::inside_without_links(root, &versions::dir(root, subject.name()))?;
    Ok(Source::Kept(versions::find(root, subject.name(), prefix)?))
}

/// What the rollback would do, and whether there is anything to go back to.
async fn plan(p: &Promoter<'_>, args: &RollbackArgs, from: &Source) -> (Vec<String>, bool) {
    let mut steps = vec![format!("lock {}", p.root.join(LOCK).display())];
    if let Err(nothing) = p.previous_version(from).await {
        steps.push(format!(
            "nothing: there is nothing to roll back to ({nothing})"
        ));
        return (steps, false);
    }
    if p.subject.files() {
        steps.push(format!(
            "restore {} from {}",
            p.subject.live_dir(&p.root).display(),
            p.files_from(from).display()
        ));
    }
    if let Subject::Service { live, how, .. } = p.subject {
        if how.image() {
            // previous_version found it.
            let image = p.image_from(from, live).unwrap_or_default();
            steps.push(format!(
                "tag {image} as {} again, and recreate {} through compose",
                live.image, live.container
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

/// `rollback --list`: the kept versions of one service, newest first.
struct KeptVersions {
    versions: Vec<versions::Kept>,
    store: std::path::PathBuf,
}

impl Render for KeptVersions {
    fn json(&self) -> serde_json::Value {
        serde_json::json!(self.versions)
    }

    fn human(&self, printer: &Printer) -> String {
        if self.versions.is_empty() {
            return format!("no versions kept in {}\n", self.store.display());
        }
        let mut table = printer.table(&["ID", "KEPT", "IMAGE", "FILES"]);
        for kept in &self.versions {
            let image = match &kept.image_tag {
                Some(tag) => format!("{} ({tag})", short(kept.image_id.as_deref())),
                None => "-".to_owned(),
            };
            let files = match (&kept.digest, kept.files) {
                (Some(digest), true) => digest.clone(),
                _ => "-".to_owned(),
            };
            // version.json is a file: shown, never obeyed by the terminal.
            table.add_row(vec![
                inert(&kept.id),
                inert(&kept.kept_at),
                inert(&image),
                inert(&files),
            ]);
        }
        format!("{table}\n")
    }
}

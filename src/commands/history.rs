//! `gaia history [service]`: the promotion audit log as a table.

use std::path::PathBuf;

use crate::cli::HistoryArgs;
use crate::config::Context;
use crate::error::{Error, Outcome, Result};
use crate::output::{Printer, Render, Tone, inert};
use crate::promote::audit;
use crate::promote::short;

pub(crate) async fn run(ctx: &Context, args: &HistoryArgs) -> Result<Outcome> {
    if let Some(name) = &args.service
        && ctx.registry.service(name).is_none()
        && !ctx.registry.packages.iter().any(|p| &p.name == name)
    {
        return Err(Error::Config(format!(
            "`{name}` is not a service in the registry"
        )));
    }
    // The audit log of the running stack, wherever gaia is run from.
    let root = ctx.root_of_stack().await;
    let records: Vec<audit::Record> = audit::runs(audit::read(&root)?)
        .into_iter()
        .filter(|r| args.service.as_ref().is_none_or(|s| &r.service == s))
        .collect();
    ctx.printer.print(&History {
        records,
        log: root.join(audit::LOG),
    })?;
    Ok(Outcome::Healthy)
}

/// The promotions recorded in one audit log.
struct History {
    records: Vec<audit::Record>,
    log: PathBuf,
}

impl Render for History {
    fn json(&self) -> serde_json::Value {
        serde_json::json!(self.records)
    }

    fn human(&self, printer: &Printer) -> String {
        if self.records.is_empty() {
            return format!("no promotions recorded in {}\n", self.log.display());
        }
        let mut table = printer.table(&[
            "STARTED", "WHO", "COMMAND", "SERVICE", "OUTCOME", "VERSION", "IMAGE", "FILES", "TIME",
        ]);
        for r in &self.records {
            let (outcome, tone) = match r.outcome {
                audit::Outcome::Started => ("started, unfinished", Tone::Bad),
                audit::Outcome::Done => ("done", Tone::Good),
                audit::Outcome::Refused => ("refused", Tone::Warn),
                audit::Outcome::RolledBack => ("rolled back", Tone::Bad),
                audit::Outcome::Degraded => ("DEGRADED", Tone::Bad),
                audit::Outcome::Interrupted => ("interrupted", Tone::Warn),
            };
            let change = |from: Option<&str>, to: Option<&str>| match (from, to) {
                (None, None) => "-".to_owned(),
                (f, t) if f == t => short(f),
                (f, t) => format!("{} → {}", short(f), short(t)),
            };
            // The ids `gaia rollback --to` takes.
            let (from, to) = (r.from.id(), r.to.id());
            // The log is a file: what it says is shown, never obeyed by
            // the terminal (the JSON output keeps it as data).
            table.add_row(vec![
                inert(&r.started_at),
                inert(&r.who),
                inert(&r.command),
                inert(&r.service),
                printer.paint(outcome, tone),
                change(from.as_deref(), to.as_deref()),
                inert(&change(
                    r.from.image_id.as_deref(),
                    r.to.image_id.as_deref(),
                )),
                inert(&change(r.from.digest.as_deref(), r.to.digest.as_deref())),
                format!(
                    "{:.1}s",
                    r.steps.iter().map(|s| s.duration_ms).sum::<u64>() as f64 / 1000.0
                ),
            ]);
        }
        format!("{table}\n")
    }
}

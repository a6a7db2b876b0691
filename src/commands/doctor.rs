//! `gaia doctor`: every check at once, one report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::config::Context;
use crate::doctor::check::Check;
use crate::doctor::report::Report;
use crate::doctor::run::{At, CONFIG, ENGINE, LOCK, NotRun, Scope, examine, known, select};
use crate::error::{Error, Outcome, Result};
use crate::output::{Format, Printer, Render};
use crate::repair::apply::apply;
use crate::repair::plan::{Facts, plan};
use crate::repair::report::FixReport;

pub(crate) async fn run(ctx: &Context, args: &DoctorArgs) -> Result<Outcome> {
    if args.list_checks {
        for name in &args.services {
            known(ctx, name)?;
        }
        // The stack's root holds the operator's checks files.
        ctx.root_of_stack().await;
        ctx.printer.print(&CheckList(select(ctx, &scope(args))?))?;
        return Ok(Outcome::Healthy);
    }

    let report_file = args
        .output
        .as_deref()
        .map(ReportFile::prepare)
        .transpose()?;
    let started_at = SystemTime::now();
    match checkup(ctx, args, started_at).await {
        Ok(checkup) => {
            deliver(&ctx.printer, report_file, &checkup)?;
            Ok(checkup.report.outcome(args.fail_on))
        }
        Err(NotRun { id, err }) => {
            let root = named_root(&ctx.root);
            report_not_run(&ctx.printer, report_file, id, err, root, started_at)
        }
    }
}

/// `gaia doctor` when the registry could not even be loaded: the report
/// still lands, as for any failure before the checks run.
pub(crate) fn not_started(global: &GlobalArgs, args: &DoctorArgs, err: Error) -> Result<Outcome> {
    let started_at = SystemTime::now();
    if args.list_checks {
        return Err(err);
    }
    let report_file = args
        .output
        .as_deref()
        .map(ReportFile::prepare)
        .transpose()?;
    let printer = Printer::new(global.color, global.format, global.quiet, global.verbose);
    let root = named_root(global.root.as_deref().unwrap_or(Path::new(".")));
    report_not_run(&printer, report_file, CONFIG, err, root, started_at)
}

/// The root the operator named, as a report that could not find the
/// stack's own gives it: absolute where it exists.
fn named_root(root: &Path) -> String {
    root.canonicalize()
        .unwrap_or_else(|_| root.to_owned())
        .display()
        .to_string()
}

/// The checks, and with --fix the repairs and the checks again.
async fn checkup(
    ctx: &Context,
    args: &DoctorArgs,
    started_at: SystemTime,
) -> std::result::Result<Checkup, NotRun> {
    for name in &args.services {
        known(ctx, name).at(CONFIG)?;
    }
    let started = Instant::now();
    // However the engine behaves, the report comes by --deadline.
    let live = ctx
        .live_by(Some(started + args.deadline))
        .await
        .at(ENGINE)?;
    let _lock = if args.fix && !args.dry_run {
        Some(ctx.lock(&live.root, "doctor --fix").await.at(LOCK)?)
    } else {
        None
    };
    let (report, shared) =
        examine(ctx, &scope(args), &live, (started, started_at), started).await?;
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
            (checkup.report, _) = examine(
                ctx,
                &scope(args),
                &live,
                (started, started_at),
                Instant::now(),
            )
            .await?;
            FixReport::applied(
                attempts,
                plan.declined,
                before,
                &checkup.report.results,
                registry,
            )
        });
    }
    Ok(checkup)
}

/// The report where it was asked for: `--output`, or standard output.
fn deliver(printer: &Printer, report_file: Option<ReportFile>, checkup: &Checkup) -> Result<()> {
    let rendered = printer.render(checkup)?;
    match report_file {
        Some(file) => {
            let path = file.path.clone();
            if let Err(err) = file.write(&rendered) {
                crate::output::print(&rendered)?;
                return Err(Error::Failed(format!(
                    "{err}; the report is on standard output instead"
                )));
            }
            let s = checkup.report.summary();
            printer.step(format!(
                "{} passed, {} warnings, {} failures, {} skipped; report in {}",
                s.passed,
                s.warnings,
                s.failures,
                s.skipped,
                path.display()
            ));
        }
        None => crate::output::print(&rendered)?,
    }
    Ok(())
}

/// A run whose checks could not run still leaves a report where a CI job
/// looks for one (JSON, JUnit, or `--output`): one failed check saying
/// why. The exit code stays the error's; a human reading the terminal gets
/// the error alone, on stderr.
fn report_not_run(
    printer: &Printer,
    report_file: Option<ReportFile>,
    id: &'static str,
    err: Error,
    root: String,
    started_at: SystemTime,
) -> Result<Outcome> {
    if printer.format == Format::Human && report_file.is_none() {
        return Err(err);
    }
    let checkup = Checkup {
        report: Report::not_run(id, &err, root, started_at),
        fix: None,
    };
    if let Err(lost) = deliver(printer, report_file, &checkup) {
        printer.warn(format!("{lost}"));
    }
    Err(err)
}

/// Where `--output` goes, opened before any check runs so that a path gaia
/// cannot write is refused before anything is looked at or repaired.
struct ReportFile {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    /// A file: the report goes to a temporary file beside it, renamed over
    /// it once whole, so that a reader never sees half of one.
    Replace(tempfile::NamedTempFile, PathBuf),
    /// Not a file (`/dev/stdout`, a pipe, a device): written in place, since
    /// renaming over it would replace the device, not write to it.
    Direct(std::fs::File),
}

impl ReportFile {
    fn prepare(path: &Path) -> Result<ReportFile> {
        let refused = |why: &dyn std::fmt::Display| {
            Error::Config(format!(
                "cannot write the report to {}: {why}",
                path.display()
            ))
        };
        let existing = std::fs::metadata(path).ok();
        if existing.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(refused(&"it is a directory"));
        }
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| refused(&e))?;
            return Ok(ReportFile {
                path: path.to_owned(),
                sink: Sink::Direct(file),
            });
        }
        // A link to a file is followed: the file is what gets replaced.
        let target = match &existing {
            Some(_) => std::fs::canonicalize(path).map_err(|e| refused(&e))?,
            None => path.to_owned(),
        };
        let Some(name) = target.file_name() else {
            return Err(refused(&"it names no file"));
        };
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(refused(&format_args!(
                "{} is not a directory",
                dir.display()
            )));
        }
        // Mode 0666 less the umask, as a plain create would give; a report
        // that replaces one keeps that one's mode.
        let mode = existing.map_or_else(
            || std::os::unix::fs::PermissionsExt::from_mode(0o666),
            |m| m.permissions(),
        );
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".partial")
            .permissions(mode)
            .tempfile_in(dir)
            .map_err(|e| refused(&e))?;
        Ok(ReportFile {
            path: path.to_owned(),
            sink: Sink::Replace(temp, target),
        })
    }

    fn write(self, report: &str) -> Result<()> {
        let failed = |e: std::io::Error| {
            Error::Failed(format!(
                "cannot write the report to {}: {e}",
                self.path.display()
            ))
        };
        match self.sink {
            Sink::Direct(mut file) => file
                .write_all(report.as_bytes())
                .and_then(|()| file.flush())
                .map_err(failed),
            Sink::Replace(mut temp, target) => {
                temp.write_all(report.as_bytes())
                    .and_then(|()| temp.as_file().sync_all())
                    .map_err(failed)?;
                temp.persist(&target).map_err(|e| failed(e.error))?;
                Ok(())
            }
        }
    }
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
        let mut table = printer.table(&["ID", "CATEGORY", "SERVICE", "DESCRIPTION"]);
        for check in &self.0 {
            table.add_row(vec![
                check.id(),
                check.category().name().to_owned(),
                check.service().unwrap_or("-").to_owned(),
                check.description(),
            ]);
        }
        format!("{table}\n")
    }

    fn json(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id(),
                    "category": c.category(),
                    "service": c.service(),
                    "description": c.description(),
                })
            })
            .collect()
    }
}

/// What the operator asked the doctor to look at.
fn scope(args: &DoctorArgs) -> Scope {
    Scope {
        services: args.services.clone(),
        categories: args.categories.clone(),
        deadline: args.deadline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn a_report_replaces_the_file_a_link_names_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link) = (dir.path().join("real.json"), dir.path().join("link.json"));
        std::fs::write(&real, "an older report").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        ReportFile::prepare(&link)
            .unwrap()
            .write("the report")
            .unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.json"));
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "the report");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_device_is_written_in_place_never_replaced() {
        let err = ReportFile::prepare(Path::new("/dev/full"))
            .unwrap()
            .write("the report")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot write the report to /dev/full: No space left on device"),
            "{err}"
        );
        let device = std::fs::metadata("/dev/full").unwrap().file_type();
        assert!(device.is_char_device());
    }

    #[test]
    fn a_report_whose_directory_is_missing_is_a_configuration_error() {
        let refused = ReportFile::prepare(Path::new("/nonexistent/dir/report.json"));
        assert!(matches!(refused, Err(Error::Config(_))));
    }
}

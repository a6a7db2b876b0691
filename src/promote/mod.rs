//! `gaia promote`: a candidate moved into live through validation, a sync
//! gate, a backup, the copy or re-tag, a restart and a health gate, with an
//! automatic rollback when anything after the backup fails, and one line in
//! the audit log for every run.

pub(crate) mod audit;
mod before;
mod gate;
pub(crate) mod steps;
pub(crate) mod tree;
pub(crate) mod versions;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::compose::tool::{Compose, FileSet};
use crate::docker::Docker;
use crate::error::{Error, Outcome as Exit, Result};
use crate::output::Printer;
use crate::registry::{GpuExpectation, Package, Promotion, Registry, Role, Service};
use crate::signals::Signal;
pub(crate) use audit::{Record, StepOutcome, StepRecord, ValidatorResult};
use tree::Excludes;

/// The tag under which the live image is kept while a candidate image replaces it.
pub(crate) const ROLLBACK_TAG: &str = "gaia-rollback";

/// What is promoted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject<'a> {
    Service {
        live: &'a Service,
        candidate: &'a Service,
        how: Promotion,
    },
    /// Source with no container (gaia-common): promoted by files alone.
    Package(&'a Package),
}

impl<'a> Subject<'a> {
    pub(crate) fn resolve(registry: &'a Registry, name: &str) -> Result<Subject<'a>> {
        if let Some(package) = registry.packages.iter().find(|p| p.name == name) {
            return Ok(Subject::Package(package));
        }
        let live = registry.service(name).ok_or_else(|| {
            Error::Config(format!(
                "`{name}` is not a service in the registry (`gaia promote --list` shows what can be promoted)"
            ))
        })?;
        if live.role != Role::Live {
            return Err(Error::Config(format!(
                "`{name}` is a candidate; promote the live service it stands in for ({})",
                live.stands_in_for.as_deref().unwrap_or("?")
            )));
        }
        let how = live.promote.ok_or_else(|| {
            Error::Config(format!(
                "{name} is not promotable: the registry gives it no `promote`"
            ))
        })?;
        let candidate = registry
            .services
            .iter()
            .find(|s| s.role == Role::Candidate && s.stands_in_for.as_deref() == Some(name))
            .ok_or_else(|| Error::Config(format!("{name} has no candidate in the registry")))?;
        Ok(Subject::Service {
            live,
            candidate,
            how,
        })
    }

    pub(crate) fn name(&self) -> &'a str {
        match self {
            Subject::Service { live, .. } => &live.name,
            Subject::Package(p) => &p.name,
        }
    }

    pub(crate) fn python(&self) -> bool {
        match self {
            Subject::Service { live, .. } => live.python,
            Subject::Package(p) => p.python,
        }
    }

    pub(crate) fn files(&self) -> bool {
        match self {
            Subject::Service { how, .. } => how.files(),
            Subject::Package(_) => true,
        }
    }

    pub(crate) fn image(&self) -> bool {
        matches!(self, Subject::Service { how, .. } if how.image())
    }

    pub(crate) fn live_dir(&self, root: &Path) -> PathBuf {
        root.join(match self {
            Subject::Service { live, .. } => &live.source,
            Subject::Package(p) => &p.source,
        })
    }

    pub(crate) fn candidate_dir(&self, root: &Path) -> PathBuf {
        root.join(match self {
            Subject::Service { candidate, .. } => &candidate.source,
            Subject::Package(p) => &p.candidate_source,
        })
    }

    /// Where the live directory is backed up: `<service>.bak` beside it.
    pub(crate) fn backup_dir(&self, root: &Path) -> PathBuf {
        let live = self.live_dir(root);
        let name = live
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name().to_owned());
        live.with_file_name(format!("{name}.bak"))
    }

    /// The live tag under which the previous image is kept.
    pub(crate) fn rollback_tag(live: &Service) -> String {
        format!("{}:{ROLLBACK_TAG}", repo(live))
    }

    /// The live tag under which the image of the kept version `id` is kept.
    pub(crate) fn kept_tag(live: &Service, id: &str) -> String {
        format!("{}:gaia-{id}", repo(live))
    }
}

/// The repository of the live image, without its tag.
fn repo(live: &Service) -> &str {
    match live.image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => live.image.as_str(),
    }
}

/// Where a rollback takes the version it puts back.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// The version the last promotion replaced: `<service>.bak` and the
    /// `:gaia-rollback` image.
    Last,
    /// A version kept in the store (`gaia rollback --to <id>`).
    Kept(versions::Kept),
}

pub(crate) struct Promoter<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) docker: &'a Docker,
    pub(crate) printer: &'a Printer,
    pub(crate) root: PathBuf,
    pub(crate) subject: Subject<'a>,
    excludes: Excludes,
    pub(crate) record: Record,
    /// Whether live has been touched: from then on a failure rolls back.
    pub(crate) changed: bool,
    /// This run skipped the backup (`--no-backup`): a backup found beside
    /// live is an older run's, and rolling back to it would restore files
    /// this run never saw.
    pub(crate) backup_skipped: bool,
    /// The live image's id before this run re-tagged it: what its rollback
    /// tags back (the `:gaia-rollback` tag may be an older run's, if keeping
    /// it failed). None in `gaia rollback`, which goes back to the tag.
    image_before: Option<String>,
    /// The candidate was found copyable, with room for it, this run.
    copy_checked: bool,
    /// The `started` record is in the audit log.
    started: bool,
}

/// Why a run stopped early.
pub(crate) enum Stop {
    /// Before anything changed: exit 5.
    Refused(String),
    /// After the backup: roll back.
    Failed(String),
    /// SIGINT, SIGTERM or SIGHUP, at a step boundary or in a step that only
    /// waits: roll back if live changed.
    Signalled(Signal),
}

impl<'a> Promoter<'a> {
    pub(crate) fn new(
        registry: &'a Registry,
        catalogue: &'a Catalogue,
        docker: &'a Docker,
        printer: &'a Printer,
        root: PathBuf,
        subject: Subject<'a>,
        command: &str,
    ) -> Promoter<'a> {
        Promoter {
            registry,
            catalogue,
            docker,
            printer,
            excludes: Excludes::new(&catalogue.promote.exclude),
            record: Record::new(command, subject.name()),
            changed: false,
            backup_skipped: false,
            image_before: None,
            copy_checked: false,
            started: false,
            root,
            subject,
        }
    }

    /// Records a step that was not taken, and why.
    pub(crate) fn skip(&mut self, step: &str, why: impl Into<String>) {
        self.note(step, StepOutcome::Skipped, why, Instant::now());
    }

    fn note(
        &mut self,
        step: &str,
        outcome: StepOutcome,
        detail: impl Into<String>,
        began: Instant,
    ) {
        let detail = detail.into();
        self.printer.step(format!("{step}: {detail}"));
        self.record.steps.push(StepRecord {
            step: step.to_owned(),
            outcome,
            detail,
            duration_ms: began.elapsed().as_millis() as u64,
        });
    }

    /// The live image id, and the digest of the live tree.
    pub(crate) async fn snapshot(&self) -> Result<audit::Version> {
        let image_id = match self.subject {
            Subject::Service { live, .. } => self.docker.image(&live.image).await?.map(|i| i.id),
            Subject::Package(_) => None,
        };
        let live = self.subject.live_dir(&self.root);
        let digest = if live.is_dir() {
            let excludes = self.excludes.clone();
            Some(joined(
                tokio::task::spawn_blocking(move || tree::digest(&live, &excludes)).await,
            )?)
        } else {
            None
        };
        Ok(audit::Version { image_id, digest })
    }

    // ── file work, off the async workers ───────────────────────────────────

    /// Runs blocking file work on a blocking thread, so that the runtime
    /// (and with it a signal) is served while it runs. The steps that do
    /// file work are never given up midway (see `walk`), so it always ends
    /// before anything else touches the trees.
    async fn off_runtime<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        joined(tokio::task::spawn_blocking(work).await)
    }

    /// Checks once, before anything is written, that the candidate can be
    /// copied over live: no link out of it, nothing that is never copied,
    /// and room for it (and for the backup, when one is taken).
    async fn check_copy(&mut self, backup: bool) -> Result<()> {
        if self.copy_checked || !self.subject.files() {
            return Ok(());
        }
        let (candidate, live, excludes) = (
            self.subject.candidate_dir(&self.root),
            self.subject.live_dir(&self.root),
            self.excludes.clone(),
        );
        self.off_runtime(move || {
            tree::check_copy(&candidate, &live, &excludes, backup, tree::free_space)
        })
        .await?;
        self.copy_checked = true;
        Ok(())
    }

    /// Appends the `started` record, once, before the first change to
    /// live: a run killed midway is on record too.
    fn record_start(&mut self) -> Result<()> {
        if self.started {
            return Ok(());
        }
        let mut started = self.record.clone();
        started.outcome = audit::Outcome::Started;
        audit::append(&self.root, &started)?;
        self.started = true;
        Ok(())
    }

    // ── steps that change live ─────────────────────────────────────────────

    pub(crate) async fn back_up(&mut self) -> Result<(), Stop> {
        let began = Instant::now();
        if !self.subject.files() {
            self.note(
                "backup",
                StepOutcome::Ok,
                format!(
                    "live image {} recorded",
                    short(self.record.from.image_id.as_deref())
                ),
                began,
            );
            return Ok(());
        }
        let (live, backup) = (
            self.subject.live_dir(&self.root),
            self.subject.backup_dir(&self.root),
        );
        let excludes = self.excludes.clone();
        let (from, to) = (live.clone(), backup.clone());
        let backed_up = match self.check_copy(true).await {
            Ok(()) => {
                self.off_runtime(move || tree::prepare_backup(&from, &to, &excludes))
                    .await
            }
            Err(err) => Err(err),
        };
        match backed_up {
            Ok(()) => {
                self.note(
                    "backup",
                    StepOutcome::Ok,
                    format!("{} → {}", live.display(), backup.display()),
                    began,
                );
                Ok(())
            }
            Err(err) => {
                self.note("backup", StepOutcome::Failed, err.to_string(), began);
                Err(Stop::Refused(err.to_string()))
            }
        }
    }

    pub(crate) async fn promote(&mut self) -> Result<(), Stop> {
        let began = Instant::now();
        let ready = match self.check_copy(false).await {
            Ok(()) => self
                .record_start()
                .map_err(|e| format!("{e}: live is not changed without a record")),
            Err(err) => Err(err.to_string()),
        };
        if let Err(why) = ready {
            self.note("promote", StepOutcome::Failed, &why, began);
            return Err(Stop::Refused(why));
        }
        if self.subject.files()
            && !self.backup_skipped
            && let Err(err) = tree::commit_backup(&self.subject.backup_dir(&self.root))
        {
            self.note("promote", StepOutcome::Failed, err.to_string(), began);
            return Err(Stop::Refused(err.to_string()));
        }
        self.changed = true;
        let mut done = Vec::new();
        if self.subject.files() {
            let (candidate, live) = (
                self.subject.candidate_dir(&self.root),
                self.subject.live_dir(&self.root),
            );
            let (from, to, excludes) = (candidate.clone(), live.clone(), self.excludes.clone());
            let copied = self
                .off_runtime(move || tree::mirror(&from, &to, &excludes, tree::Links::StayInside))
                .await;
            if let Err(err) = copied {
                self.note("promote", StepOutcome::Failed, err.to_string(), began);
                return Err(Stop::Failed(err.to_string()));
            }
            done.push(format!("{} → {}", candidate.display(), live.display()));
        }
        if let Subject::Service {
            live,
            candidate,
            how,
        } = self.subject
            && how.image()
        {
            let keep = Subject::rollback_tag(live);
            self.image_before = self.record.from.image_id.clone();
            let retag = async {
                self.docker.tag_image(&live.image, &keep).await?;
                self.docker.tag_image(&candidate.image, &live.image).await
            };
            if let Err(err) = retag.await {
                self.note("promote", StepOutcome::Failed, format!("{err:#}"), began);
                return Err(Stop::Failed(format!("{err:#}")));
            }
            done.push(format!(
                "{} kept as {keep}; {} tagged {}",
                live.image, candidate.image, live.image
            ));
        }
        self.note("promote", StepOutcome::Ok, done.join("; "), began);
        Ok(())
    }

    /// Restarts live on what was promoted: recreated through compose when
    /// its image changed (compose stops the old container before it starts
    /// the new one, so a GPU is never claimed twice), restarted otherwise.
    pub(crate) async fn restart(&mut self) -> Result<(), Stop> {
        let began = Instant::now();
        let Subject::Service { live, how, .. } = self.subject else {
            self.note(
                "restart",
                StepOutcome::Skipped,
                "gaia-common has no container",
                began,
            );
            return Ok(());
        };
        let result = if how.image() {
            async {
                let compose = Compose::detect(&self.root).await?;
                compose
                    .recreate(&FileSet::of(&[live]), &live.name)
                    .await
            }
            .await
            .map(|()| {
                let gpu = if live.gpu == GpuExpectation::None {
                    ""
                } else {
                    " (the old container stopped before the new one started: one GPU holder at a time)"
                };
                format!("recreated {} through compose{gpu}", live.container)
            })
        } else {
            self.docker
                .restart(&live.container)
                .await
                .map(|()| format!("restarted {}", live.container))
        };
        match result {
            Ok(detail) => {
                self.note("restart", StepOutcome::Ok, detail, began);
                Ok(())
            }
            Err(err) => {
                self.note("restart", StepOutcome::Failed, format!("{err:#}"), began);
                Err(Stop::Failed(format!("{err:#}")))
            }
        }
    }

    // ── the versions kept for `rollback --to` ──────────────────────────────

    /// Keeps the version this promotion replaced (it stood): its files
    /// from the backup just taken, its image as `<repo>:gaia-<id>`; then
    /// removes the oldest beyond `keep`. Never fails the promotion: what
    /// could not be kept or removed is a warning.
    pub(crate) async fn keep_replaced(&mut self) {
        let began = Instant::now();
        let keep = self.catalogue.promote.keep;
        let name = self.subject.name().to_owned();
        let mut said = Vec::new();
        let mut problems = Vec::new();
        if keep == 0 {
            said.push("keep = 0: no version is kept".to_owned());
        } else if self.subject.files() && self.backup_skipped {
            said.push(
                "the replaced version is not kept: --no-backup took no copy of its files".into(),
            );
        } else {
            match self.keep_version().await {
                Ok(kept) => said.push(format!(
                    "{} kept in {}",
                    kept.id,
                    versions::dir(&self.root, &name).join(&kept.id).display()
                )),
                Err(why) => problems.push(format!("the replaced version is not kept: {why}")),
            }
        }
        let (root, service) = (self.root.clone(), name.clone());
        match self
            .off_runtime(move || Ok(versions::prune(&root, &service, keep)))
            .await
        {
            Ok((removed, failed)) => {
                problems.extend(failed);
                for version in &removed {
                    if let Some(tag) = &version.image_tag
                        && let Err(err) = self.docker.remove_image(tag).await
                    {
                        problems.push(format!("cannot remove the tag {tag}: {err:#}"));
                    }
                }
                if !removed.is_empty() {
                    let ids: Vec<&str> = removed.iter().map(|v| v.id.as_str()).collect();
                    said.push(format!("{} removed (keep = {keep})", ids.join(", ")));
                }
            }
            Err(err) => problems.push(err.to_string()),
        }
        let outcome = if problems.is_empty() {
            StepOutcome::Ok
        } else {
            StepOutcome::Warning
        };
        said.extend(problems);
        self.note("keep", outcome, said.join("; "), began);
    }

    /// Keeps `record.from`: its image tagged first, then its files; a tag
    /// this run made for files that then could not be kept is removed
    /// again (one an earlier keep of the same version made stays with it).
    async fn keep_version(&mut self) -> Result<versions::Kept, String> {
        let mut kept =
            versions::Kept::new(self.subject.name(), &self.record.from, &self.record.run)
                .ok_or("neither its image nor its files are known")?;
        let mut made = false;
        if let Subject::Service { live, how, .. } = self.subject
            && how.image()
        {
            let image = kept
                .image_id
                .clone()
                .ok_or("the image it ran is not known")?;
            let tag = Subject::kept_tag(live, &kept.id);
            made = !matches!(self.docker.image(&tag).await, Ok(Some(_)));
            self.docker
                .tag_image(&image, &tag)
                .await
                .map_err(|e| format!("{e:#}"))?;
            kept.image_tag = Some(tag);
        }
        let tag = kept.image_tag.clone().filter(|_| made);
        let files = self
            .subject
            .files()
            .then(|| self.subject.backup_dir(&self.root));
        let (root, excludes) = (self.root.clone(), self.excludes.clone());
        let stored = self
            .off_runtime(move || versions::keep(&root, kept, files.as_deref(), &excludes))
            .await;
        match stored {
            Ok(kept) => Ok(kept),
            Err(err) => {
                if let Some(tag) = tag {
                    let _ = self.docker.remove_image(&tag).await;
                }
                Err(err.to_string())
            }
        }
    }

    // ── rollback ───────────────────────────────────────────────────────────

    /// Where the files of the version `from` are.
    pub(crate) fn files_from(&self, from: &Source) -> PathBuf {
        match from {
            Source::Last => self.subject.backup_dir(&self.root),
            Source::Kept(kept) => kept.files_dir(&self.root),
        }
    }

    /// The image (a tag or an id) of the version `from`.
    pub(crate) fn image_from(&self, from: &Source, live: &Service) -> Result<String, String> {
        match from {
            Source::Last => Ok(self
                .image_before
                .clone()
                .unwrap_or_else(|| Subject::rollback_tag(live))),
            Source::Kept(kept) => kept
                .image_tag
                .clone()
                .ok_or_else(|| format!("version {} was kept without its image", kept.id)),
        }
    }

    /// Puts back the version `from`: its files, its image; then restart
    /// and the gate (no watch window).
    pub(crate) async fn roll_back(
        &mut self,
        reason: &str,
        timeout: Duration,
        from: &Source,
    ) -> Result<(), String> {
        let began = Instant::now();
        if let Err(err) = self.record_start() {
            // Putting the old version back matters more than its record.
            self.printer
                .warn(format!("{err}: rolling back without a started record"));
        }
        let mut done = vec![format!("because {reason}")];
        if self.subject.files() {
            let (backup, live) = (self.files_from(from), self.subject.live_dir(&self.root));
            if self.backup_skipped || !backup.is_dir() {
                let why = if self.backup_skipped {
                    "--no-backup: this run took no backup, so the live files cannot be restored"
                        .to_owned()
                } else {
                    format!(
                        "no backup at {}: the live files cannot be restored",
                        backup.display()
                    )
                };
                self.note("rollback", StepOutcome::Failed, &why, began);
                return Err(why);
            }
            let (from, to, excludes) = (backup.clone(), live.clone(), self.excludes.clone());
            let restored = self
                .off_runtime(move || tree::mirror(&from, &to, &excludes, tree::Links::AsTheyAre))
                .await;
            if let Err(err) = restored {
                self.note("rollback", StepOutcome::Failed, err.to_string(), began);
                return Err(err.to_string());
            }
            done.push(format!(
                "{} restored from {}",
                live.display(),
                backup.display()
            ));
        }
        if let Subject::Service { live, how, .. } = self.subject
            && how.image()
        {
            let previous = match self.image_from(from, live) {
                Ok(previous) => previous,
                Err(why) => {
                    self.note("rollback", StepOutcome::Failed, &why, began);
                    return Err(why);
                }
            };
            if let Err(err) = self.docker.tag_image(&previous, &live.image).await {
                let why = format!("cannot re-tag {previous} as {}: {err:#}", live.image);
                self.note("rollback", StepOutcome::Failed, &why, began);
                return Err(why);
            }
            done.push(format!(
                "{} tagged {} again",
                short_or(&previous),
                live.image
            ));
        }
        self.note("rollback", StepOutcome::Ok, done.join(": "), began);
        self.restart().await.map_err(stop_reason)?;
        self.gate(timeout, false).await.map_err(stop_reason)
    }

    /// Whether `gaia rollback` can go back to the version `from`, or why not.
    pub(crate) async fn previous_version(&self, from: &Source) -> Result<(), String> {
        let backup = self.files_from(from);
        if self.subject.files() && matches!(from, Source::Last) {
            let records = audit::read(&self.root).map_err(|e| e.to_string())?;
            // The backup beside live is older than what such a promotion
            // replaced: restoring it would go back further than asked.
            if let Some(last) = audit::last_change(&records, self.subject.name())
                && !last.took_backup()
            {
                return Err(format!(
                    "nothing recorded to go back to: the last promotion of {} (started {} by {}) \
                     took no backup (--no-backup), and {} is older than what it replaced",
                    self.subject.name(),
                    last.started_at,
                    last.who,
                    backup.display()
                ));
            }
        }
        if self.subject.files() && !backup.is_dir() {
            return Err(match from {
                Source::Last => format!("no backup at {}", backup.display()),
                Source::Kept(kept) => format!("version {} was kept without its files", kept.id),
            });
        }
        if let Subject::Service { live, how, .. } = self.subject
            && how.image()
        {
            let keep = self.image_from(from, live)?;
            if self
                .docker
                .image(&keep)
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no image tagged {keep}"));
            }
        }
        Ok(())
    }

    /// Appends the run's final record. When
    /// it cannot be written the operator is told why and the exit code says
    /// so too, never lower than the run's own: a success becomes 2.
    pub(crate) async fn conclude(&mut self, outcome: audit::Outcome, exit: Exit) -> Exit {
        self.record.outcome = outcome;
        self.record.exit_code = Some(exit as u8);
        self.record.finished_at =
            Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
        match audit::append(&self.root, &self.record) {
            Ok(()) => exit,
            Err(err) => {
                self.printer
                    .warn(format!("the audit record could not be written: {err}"));
                let exit = unrecorded(exit);
                self.record.exit_code = Some(exit as u8);
                exit
            }
        }
    }
}

/// The exit code of a run whose final record could not be written: a
/// failure at least, never lower than the run's own.
fn unrecorded(exit: Exit) -> Exit {
    exit.max(Exit::Failures)
}

/// The result of file work on a blocking thread.
fn joined<T>(result: Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    result.map_err(|e| Error::Failed(format!("the file work stopped: {e}")))?
}

fn stop_reason(stop: Stop) -> String {
    match stop {
        Stop::Refused(why) | Stop::Failed(why) => why,
        Stop::Signalled(signal) => format!("{signal} received"),
    }
}

/// An image id shortened as docker shows it; a tag as it is.
fn short_or(image: &str) -> String {
    if image.starts_with("sha256:") {
        short(Some(image))
    } else {
        image.to_owned()
    }
}

/// An image id shortened as docker shows it.
pub(crate) fn short(id: Option<&str>) -> String {
    id.map(|i| i.trim_start_matches("sha256:").chars().take(12).collect())
        .unwrap_or_else(|| "-".into())
}

/// One row of `gaia promote --list`.
#[derive(Debug, Serialize)]
pub(crate) struct Promotable {
    pub(crate) service: String,
    pub(crate) promoted_by: String,
    pub(crate) candidate: String,
    pub(crate) python_validation: bool,
    pub(crate) live_port: Option<u16>,
    pub(crate) candidate_port: Option<u16>,
}

pub(crate) fn promotable(registry: &Registry) -> Vec<Promotable> {
    let mut rows: Vec<Promotable> = registry
        .services
        .iter()
        .filter_map(|s| match Subject::resolve(registry, &s.name) {
            Ok(Subject::Service {
                live,
                candidate,
                how,
            }) => Some(Promotable {
                service: live.name.clone(),
                promoted_by: format!("{how:?}").to_lowercase(),
                candidate: candidate.name.clone(),
                python_validation: live.python,
                live_port: live.host_port,
                candidate_port: candidate.host_port,
            }),
            _ => None,
        })
        .collect();
    rows.extend(registry.packages.iter().map(|p| Promotable {
        service: p.name.clone(),
        promoted_by: "files (no container)".into(),
        candidate: p.candidate_source.clone(),
        python_validation: p.python,
        live_port: None,
        candidate_port: None,
    }));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritten_record_makes_a_run_a_failure_and_never_lowers_its_exit_code() {
        assert_eq!(unrecorded(Exit::Healthy), Exit::Failures);
        assert_eq!(unrecorded(Exit::Warnings), Exit::Failures);
        assert_eq!(unrecorded(Exit::Failures), Exit::Failures);
        assert_eq!(unrecorded(Exit::Degraded), Exit::Degraded);
        assert_eq!(unrecorded(Exit::Interrupted), Exit::Interrupted);
    }
}

//! `gaia promote`: a candidate moved into live through validation, a sync
//! gate, a backup, the copy or re-tag, a restart and a health gate, with an
//! automatic rollback when anything after the backup fails, and one line in
//! the audit log for every run.

pub(crate) mod audit;
mod before;
mod gate;
pub(crate) mod steps;
pub(crate) mod tree;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::compose::tool::Compose;
use crate::docker::Docker;
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::registry::{GpuExpectation, Package, Promotion, Registry, Role, Service};
use crate::signals::Signal;
use crate::stack::Stack;
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
        let repo = match live.image.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo,
            _ => live.image.as_str(),
        };
        format!("{repo}:{ROLLBACK_TAG}")
    }
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
}

/// Why a run stopped early.
pub(crate) enum Stop {
    /// Before anything changed: exit 1.
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
            Some(tree::digest(&live, &self.excludes)?)
        } else {
            None
        };
        Ok(audit::Version { image_id, digest })
    }

    // ── steps that change live ─────────────────────────────────────────────

    pub(crate) fn back_up(&mut self) -> Result<(), Stop> {
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
        match tree::back_up(&live, &backup, &self.excludes) {
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
        self.changed = true;
        let mut done = Vec::new();
        if self.subject.files() {
            let (candidate, live) = (
                self.subject.candidate_dir(&self.root),
                self.subject.live_dir(&self.root),
            );
            tree::mirror(&candidate, &live, &self.excludes)
                .map_err(|e| Stop::Failed(e.to_string()))?;
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
            let retag = async {
                self.docker.tag_image(&live.image, &keep).await?;
                self.docker.tag_image(&candidate.image, &live.image).await
            };
            retag.await.map_err(|e| Stop::Failed(format!("{e:#}")))?;
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
                    .recreate(&Stack::file_set(&[live]), &live.name)
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

    // ── rollback ───────────────────────────────────────────────────────────

    /// Puts back the previous version: files from the backup, the image
    /// from its rollback tag; then restart and the gate (no watch window).
    pub(crate) async fn roll_back(
        &mut self,
        reason: &str,
        timeout: Duration,
    ) -> Result<(), String> {
        let began = Instant::now();
        let mut done = vec![format!("because {reason}")];
        if self.subject.files() {
            let (backup, live) = (
                self.subject.backup_dir(&self.root),
                self.subject.live_dir(&self.root),
            );
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
            if let Err(err) = tree::mirror(&backup, &live, &self.excludes) {
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
            let keep = Subject::rollback_tag(live);
            if let Err(err) = self.docker.tag_image(&keep, &live.image).await {
                let why = format!("cannot re-tag {keep} as {}: {err:#}", live.image);
                self.note("rollback", StepOutcome::Failed, &why, began);
                return Err(why);
            }
            done.push(format!("{keep} tagged {} again", live.image));
        }
        self.note("rollback", StepOutcome::Ok, done.join(": "), began);
        self.restart().await.map_err(stop_reason)?;
        self.gate(timeout, false).await.map_err(stop_reason)
    }

    /// What `gaia rollback` can go back to, or why there is nothing.
    pub(crate) async fn previous_version(&self) -> Result<(), String> {
        if self.subject.files() && !self.subject.backup_dir(&self.root).is_dir() {
            return Err(format!(
                "no backup at {}",
                self.subject.backup_dir(&self.root).display()
            ));
        }
        if let Subject::Service { live, how, .. } = self.subject
            && how.image()
        {
            let keep = Subject::rollback_tag(live);
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

    pub(crate) fn audit(&mut self, outcome: audit::Outcome, exit_code: u8) -> Result<()> {
        self.record.outcome = outcome;
        self.record.exit_code = exit_code;
        self.record.finished_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        audit::append(&self.root, &self.record)
    }
}

fn stop_reason(stop: Stop) -> String {
    match stop {
        Stop::Refused(why) | Stop::Failed(why) => why,
        Stop::Signalled(signal) => format!("{signal} received"),
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

//! `gaia promote`: a candidate moved into live through validation, a sync
//! gate, a backup, the copy or re-tag, a restart and a health gate, with an
//! automatic rollback when anything after the backup fails, and one line in
//! the audit log for every run.

pub mod audit;
pub mod lock;
pub mod tree;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::compose::Compose;
use crate::docker::Docker;
use crate::doctor::{self, Catalogue, Category, Ctx, Severity};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::output::Printer;
use crate::registry::{GpuExpectation, Package, Promotion, Registry, Role, Service};
use crate::stack::Stack;
pub use audit::{Record, StepOutcome, StepRecord, ValidatorResult};
use tree::Excludes;

/// The tag under which the live image is kept while a candidate image replaces it.
pub const ROLLBACK_TAG: &str = "gaia-rollback";

/// What is promoted.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Service {
        live: &'a Service,
        candidate: &'a Service,
        how: Promotion,
    },
    /// Source with no container (gaia-common): promoted by files alone.
    Package(&'a Package),
}

impl<'a> Subject<'a> {
    pub fn resolve(registry: &'a Registry, name: &str) -> Result<Subject<'a>> {
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

    pub fn name(&self) -> &'a str {
        match self {
            Subject::Service { live, .. } => &live.name,
            Subject::Package(p) => &p.name,
        }
    }

    pub fn python(&self) -> bool {
        match self {
            Subject::Service { live, .. } => live.python,
            Subject::Package(p) => p.python,
        }
    }

    pub fn files(&self) -> bool {
        match self {
            Subject::Service { how, .. } => how.files(),
            Subject::Package(_) => true,
        }
    }

    pub fn image(&self) -> bool {
        matches!(self, Subject::Service { how, .. } if how.image())
    }

    pub fn live_dir(&self, root: &Path) -> PathBuf {
        root.join(match self {
            Subject::Service { live, .. } => &live.source,
            Subject::Package(p) => &p.source,
        })
    }

    pub fn candidate_dir(&self, root: &Path) -> PathBuf {
        root.join(match self {
            Subject::Service { candidate, .. } => &candidate.source,
            Subject::Package(p) => &p.candidate_source,
        })
    }

    /// Where the live directory is backed up: `<service>.bak` beside it.
    pub fn backup_dir(&self, root: &Path) -> PathBuf {
        let live = self.live_dir(root);
        let name = live
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name().to_owned());
        live.with_file_name(format!("{name}.bak"))
    }

    /// The live tag under which the previous image is kept.
    pub fn rollback_tag(live: &Service) -> String {
        let repo = match live.image.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo,
            _ => live.image.as_str(),
        };
        format!("{repo}:{ROLLBACK_TAG}")
    }
}

pub struct Promoter<'a> {
    pub registry: &'a Registry,
    pub catalogue: &'a Catalogue,
    pub docker: &'a Docker,
    pub printer: &'a Printer,
    pub root: PathBuf,
    pub subject: Subject<'a>,
    excludes: Excludes,
    pub record: Record,
    /// Whether live has been touched: from then on a failure rolls back.
    pub changed: bool,
}

/// Why a run stopped early.
pub enum Stop {
    /// Before anything changed: exit 1.
    Refused(String),
    /// After the backup: roll back.
    Failed(String),
}

impl<'a> Promoter<'a> {
    pub fn new(
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
            root,
            subject,
        }
    }

    /// Records a step that was not taken, and why.
    pub fn skip(&mut self, step: &str, why: impl Into<String>) {
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
    pub async fn snapshot(&self) -> Result<audit::Version> {
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

    // ── steps before anything changes ──────────────────────────────────────

    pub async fn validate(&mut self) -> Result<(), Stop> {
        let began = Instant::now();
        let name = self.subject.name().to_owned();
        if !self.subject.python() {
            self.note(
                "validate",
                StepOutcome::Skipped,
                format!("{name} is not configured for Python validation"),
                began,
            );
            return Ok(());
        }
        let context = self.subject.candidate_dir(&self.root);
        if !context.join("Dockerfile").is_file() {
            let why = format!("no Dockerfile in {}", context.display());
            self.note("validate", StepOutcome::Failed, &why, began);
            return Err(Stop::Refused(why));
        }
        let tag = format!("gaia-validate-{name}:{}", std::process::id());
        self.printer.step(format!(
            "validate: building a throwaway image from {}",
            context.display()
        ));
        let archive = tree::context_archive(&context, &self.excludes)
            .map_err(|e| Stop::Refused(e.to_string()))?;
        if let Err(err) = self.docker.build_image(archive, &tag).await {
            let why = format!("cannot build the validation image: {err:#}");
            self.note("validate", StepOutcome::Failed, &why, began);
            let _ = self.docker.remove_image(&tag).await;
            return Err(Stop::Refused(why));
        }
        let mut results = Vec::new();
        for validator in &self.catalogue.promote.validators {
            let ran = self.docker.run_once(&tag, &validator.command).await;
            let (exit_code, output) = match ran {
                Ok(out) => (out.exit_code, format!("{}{}", out.stdout, out.stderr)),
                Err(err) => (-1, format!("{err:#}")),
            };
            let tail: Vec<&str> = output.lines().rev().take(20).collect();
            results.push(ValidatorResult {
                name: validator.name.clone(),
                blocking: validator.blocking,
                exit_code,
                passed: validator.passing_exit_codes.contains(&exit_code),
                output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            });
        }
        let _ = self.docker.remove_image(&tag).await;
        let summary = results
            .iter()
            .map(|r| {
                format!(
                    "{} {}{}",
                    r.name,
                    if r.passed { "passed" } else { "FAILED" },
                    if r.blocking { "" } else { " (informational)" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let blocking: Vec<&ValidatorResult> =
            results.iter().filter(|r| r.blocking && !r.passed).collect();
        let outcome = if !blocking.is_empty() {
            StepOutcome::Failed
        } else if results.iter().any(|r| !r.passed) {
            StepOutcome::Warning
        } else {
            StepOutcome::Ok
        };
        let why = blocking
            .iter()
            .map(|r| format!("{} exited {}:\n{}", r.name, r.exit_code, r.output))
            .collect::<Vec<_>>()
            .join("\n");
        self.record.validators = results;
        self.note("validate", outcome, summary, began);
        if outcome == StepOutcome::Failed {
            return Err(Stop::Refused(format!("validation failed: {why}")));
        }
        Ok(())
    }

    pub async fn test_candidate(&mut self) -> Result<(), Stop> {
        let began = Instant::now();
        let Subject::Service {
            live, candidate, ..
        } = self.subject
        else {
            self.note(
                "test",
                StepOutcome::Skipped,
                "gaia-common has no container to test",
                began,
            );
            return Ok(());
        };
        let container = self
            .docker
            .container(&candidate.container)
            .await
            .map_err(|e| Stop::Refused(e.to_string()))?;
        let running = container.as_ref().is_some_and(|c| c.is_running());
        if !running {
            if live.gpu != GpuExpectation::None {
                self.note(
                    "test",
                    StepOutcome::Skipped,
                    format!(
                        "{} is not running: a GPU service's candidate cannot run beside live on \
                         a one-GPU host; the health gate proves it after promotion",
                        candidate.name
                    ),
                    began,
                );
                return Ok(());
            }
            let why = format!(
                "{} is not running: its health cannot be tested",
                candidate.name
            );
            self.note("test", StepOutcome::Failed, &why, began);
            return Err(Stop::Refused(why));
        }
        let health = container.and_then(|c| c.health);
        let mut problems = Vec::new();
        if health.as_deref().is_some_and(|h| h != "healthy") {
            problems.push(format!("Docker reports it {}", health.unwrap_or_default()));
        }
        if let Some(port) = candidate.host_port {
            let url = format!("http://127.0.0.1:{port}{}", candidate.health_path);
            let http = Http::new(
                self.catalogue.thresholds.http_connect_timeout,
                self.catalogue.thresholds.http_timeout,
            );
            match http.get(&url).await {
                Ok(r) if r.is_success() => {}
                Ok(r) => problems.push(format!("{url} answered {}", r.status)),
                Err(e) => problems.push(format!("{url}: {e}")),
            }
        }
        if problems.is_empty() {
            self.note(
                "test",
                StepOutcome::Ok,
                format!("{} is healthy", candidate.name),
                began,
            );
            return Ok(());
        }
        let why = format!("{}: {}", candidate.name, problems.join("; "));
        self.note("test", StepOutcome::Failed, &why, began);
        Err(Stop::Refused(why))
    }

    /// The shared-library gate between the candidate and live gaia-common.
    pub fn sync_gate(&mut self, force: bool) -> Result<(), Stop> {
        let began = Instant::now();
        let gate = &self.catalogue.promote.sync_gate;
        let live = self.root.join(&self.catalogue.library.live);
        let candidate = self.root.join(&self.catalogue.library.candidate);
        let differs = |file: &String| !tree::same_file(&live.join(file), &candidate.join(file));
        let blocking: Vec<String> = gate
            .blocking
            .iter()
            .filter(|f| differs(f))
            .cloned()
            .collect();
        let warning: Vec<String> = gate
            .warning
            .iter()
            .filter(|f| differs(f))
            .cloned()
            .collect();
        let mut listed = Vec::new();
        let (live_listed, candidate_listed) =
            (live.join(&gate.listed), candidate.join(&gate.listed));
        let mut names: Vec<PathBuf> = Vec::new();
        for dir in [&live_listed, &candidate_listed] {
            if let Ok(found) = tree::files(dir, &self.excludes) {
                names.extend(found.into_keys());
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            let relative = format!("{}/{}", gate.listed, name.display());
            if !gate.blocking.contains(&relative)
                && !tree::same_file(&live_listed.join(&name), &candidate_listed.join(&name))
            {
                listed.push(relative);
            }
        }
        let mut said = Vec::new();
        if !blocking.is_empty() {
            said.push(format!(
                "{} differs between candidate and live gaia-common",
                blocking.join(", ")
            ));
        }
        if !warning.is_empty() {
            said.push(format!("{} differs (warning)", warning.join(", ")));
        }
        if !listed.is_empty() {
            said.push(format!(
                "other protocol files differ: {}",
                listed.join(", ")
            ));
        }
        if blocking.is_empty() {
            let outcome = if said.is_empty() {
                StepOutcome::Ok
            } else {
                StepOutcome::Warning
            };
            let detail = if said.is_empty() {
                "gaia-common protocols in sync".to_owned()
            } else {
                said.join("; ")
            };
            self.note("sync gate", outcome, detail, began);
            return Ok(());
        }
        if force {
            self.record.forced = true;
            self.note(
                "sync gate",
                StepOutcome::Warning,
                format!("{} (--force)", said.join("; ")),
                began,
            );
            return Ok(());
        }
        let why = format!(
            "{}; promote gaia-common first, or pass --force",
            said.join("; ")
        );
        self.note("sync gate", StepOutcome::Failed, &why, began);
        Err(Stop::Refused(why))
    }

    // ── steps that change live ─────────────────────────────────────────────

    pub fn back_up(&mut self) -> Result<(), Stop> {
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

    pub async fn promote(&mut self) -> Result<(), Stop> {
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
    pub async fn restart(&mut self) -> Result<(), Stop> {
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
                    .run(
                        &Stack::file_set(&[live]),
                        &["up", "-d", "--no-deps", "--force-recreate", &live.name],
                    )
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

    /// The gate's default deadline: the service's slowest healthy start plus a margin.
    pub async fn gate_timeout(&self, given: Option<Duration>) -> Duration {
        if let Some(timeout) = given {
            return timeout;
        }
        let Subject::Service { live, .. } = self.subject else {
            return self.catalogue.promote.gate_margin;
        };
        let stack = Stack::new(self.registry, self.docker, self.printer);
        stack
            .start_budget(&[live])
            .await
            .unwrap_or(Duration::from_secs(30))
            + self.catalogue.promote.gate_margin
    }

    /// Docker health (unhealthy or a crash ends it at once), then the
    /// service's doctor checks, then — with `watch` — the same again after
    /// the watch window, to catch a crash loop.
    pub async fn gate(&mut self, timeout: Duration, watch: bool) -> Result<(), Stop> {
        let began = Instant::now();
        let Subject::Service { live, .. } = self.subject else {
            self.note(
                "health gate",
                StepOutcome::Skipped,
                "gaia-common has no container",
                began,
            );
            return Ok(());
        };
        let verdict = async {
            let restarts = self.healthy(live, timeout, None).await?;
            self.checks_pass(live).await?;
            if watch {
                let window = self.catalogue.promote.watch_window;
                self.printer.step(format!(
                    "health gate: healthy; watching for {}",
                    humantime::format_duration(window)
                ));
                tokio::time::sleep(window).await;
                self.healthy(live, Duration::ZERO, Some(restarts)).await?;
                self.checks_pass(live).await?;
            }
            Ok::<(), String>(())
        }
        .await;
        match verdict {
            Ok(()) => {
                self.note(
                    "health gate",
                    StepOutcome::Ok,
                    format!("{} healthy, its checks pass", live.name),
                    began,
                );
                Ok(())
            }
            Err(why) => {
                self.note("health gate", StepOutcome::Failed, &why, began);
                Err(Stop::Failed(why))
            }
        }
    }

    /// Waits until `live` runs healthy and returns its restart count. Its
    /// restart count must not move from `baseline` (the watch window), or
    /// from where it was first seen (a crash at start).
    async fn healthy(
        &self,
        live: &Service,
        timeout: Duration,
        baseline: Option<i64>,
    ) -> Result<i64, String> {
        let started = Instant::now();
        let mut first = baseline;
        loop {
            let container = self
                .docker
                .container(&live.container)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{} does not exist", live.container))?;
            let base = *first.get_or_insert(container.restart_count);
            if container.restart_count > base {
                return Err(match baseline {
                    Some(_) => format!(
                        "{} restarted during the watch window: a crash loop",
                        live.container
                    ),
                    None => format!("{} keeps restarting: it crashes at start", live.container),
                });
            }
            match (container.status.as_str(), container.health.as_deref()) {
                (_, Some("unhealthy")) => {
                    return Err(format!("{} is unhealthy", live.container));
                }
                ("exited" | "dead", _) => {
                    return Err(format!(
                        "{} {}: it crashed at start",
                        live.container, container.status
                    ));
                }
                ("running", Some("healthy") | None) => return Ok(container.restart_count),
                _ => {}
            }
            if started.elapsed() >= timeout {
                return Err(format!(
                    "{} not healthy within {} ({}{})",
                    live.container,
                    humantime::format_duration(timeout),
                    container.status,
                    container
                        .health
                        .map(|h| format!(", {h}"))
                        .unwrap_or_default()
                ));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// The doctor's checks of `live` (state, HTTP, model, routes) all pass.
    async fn checks_pass(&self, live: &Service) -> Result<(), String> {
        let checks: Vec<Box<dyn doctor::Check>> = doctor::plan(self.registry, self.catalogue)
            .into_iter()
            .filter(|c| c.service() == Some(live.name.as_str()))
            .filter(|c| {
                matches!(
                    c.category(),
                    Category::Containers
                        | Category::Http
                        | Category::Model
                        | Category::Connectivity
                )
            })
            .collect();
        let wants = checks.iter().flat_map(|c| c.wants()).collect();
        let ctx = Ctx::gather(
            self.registry.clone(),
            self.catalogue.clone(),
            self.root.clone(),
            self.docker.clone(),
            wants,
        )
        .await
        .map_err(|e| e.to_string())?;
        let results = doctor::run(Arc::new(ctx), checks, Duration::from_secs(30), |_, _| {}).await;
        let failed: Vec<String> = results
            .iter()
            .filter(|r| r.severity == Severity::Fail)
            .map(|r| format!("[{}] {}", r.id, r.message))
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }

    // ── rollback ───────────────────────────────────────────────────────────

    /// Puts back the previous version: files from the backup, the image
    /// from its rollback tag; then restart and the gate (no watch window).
    pub async fn roll_back(&mut self, reason: &str, timeout: Duration) -> Result<(), String> {
        let began = Instant::now();
        let mut done = vec![format!("because {reason}")];
        if self.subject.files() {
            let (backup, live) = (
                self.subject.backup_dir(&self.root),
                self.subject.live_dir(&self.root),
            );
            if !backup.is_dir() {
                let why = format!(
                    "no backup at {}: the live files cannot be restored",
                    backup.display()
                );
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
    pub async fn previous_version(&self) -> Result<(), String> {
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

    pub fn audit(&mut self, outcome: audit::Outcome, exit_code: u8) -> Result<()> {
        self.record.outcome = outcome;
        self.record.exit_code = exit_code;
        self.record.finished_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        audit::append(&self.root, &self.record)
    }
}

fn stop_reason(stop: Stop) -> String {
    match stop {
        Stop::Refused(why) | Stop::Failed(why) => why,
    }
}

/// An image id shortened as docker shows it.
pub fn short(id: Option<&str>) -> String {
    id.map(|i| i.trim_start_matches("sha256:").chars().take(12).collect())
        .unwrap_or_else(|| "-".into())
}

/// One row of `gaia promote --list`.
#[derive(Debug, Serialize)]
pub struct Promotable {
    pub service: String,
    pub promoted_by: String,
    pub candidate: String,
    pub python_validation: bool,
    pub live_port: Option<u16>,
    pub candidate_port: Option<u16>,
}

pub fn promotable(registry: &Registry) -> Vec<Promotable> {
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

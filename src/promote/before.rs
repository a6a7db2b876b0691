//! The steps before live changes: validation in a throwaway image, the
//! candidate's own health, and the shared-library sync gate. Each refuses
//! (nothing to undo) rather than fails.

use std::path::PathBuf;
use std::time::Instant;

use super::{Promoter, StepOutcome, Stop, Subject, ValidatorResult, tree};
use crate::docker::{Health, THROWAWAY};
use crate::http::Http;
use crate::registry::GpuExpectation;

impl Promoter<'_> {
    pub(crate) async fn validate(&mut self) -> Result<(), Stop> {
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
        let tag = self.validation_tag();
        self.printer.step(format!(
            "validate: building a throwaway image from {}",
            context.display()
        ));
        let (dir, excludes) = (context.clone(), self.excludes.clone());
        let packed = tokio::task::spawn_blocking(move || tree::context_archive(&dir, &excludes));
        let archive = super::joined(packed.await).map_err(|e| Stop::Refused(e.to_string()))?;
        if let Err(err) = self.docker.build_image(archive, &tag).await {
            let why = format!("cannot build the validation image: {err:#}");
            self.note("validate", StepOutcome::Failed, &why, began);
            let _ = self.docker.remove_image(&tag).await;
            return Err(Stop::Refused(why));
        }
        let mut results = Vec::new();
        for validator in &self.catalogue.promote.validators {
            let ran = self
                .docker
                .run_once(&tag, &validator.command, validator.timeout)
                .await;
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

    /// The throwaway image validation builds, one per gaia process.
    fn validation_tag(&self) -> String {
        format!(
            "gaia-validate-{}:{}",
            self.subject.name(),
            std::process::id()
        )
    }

    /// What validation given up mid-way leaves on the engine (a build stops
    /// with its connection): the validator's container and the image.
    pub(crate) async fn discard_validation(&self) {
        let label = format!("{THROWAWAY}={}", std::process::id());
        if let Ok(left) = self.docker.containers_with_label(&label).await {
            for container in left {
                let _ = self.docker.remove_container(&container.id).await;
            }
        }
        let _ = self.docker.remove_image(&self.validation_tag()).await;
    }

    pub(crate) async fn test_candidate(&mut self) -> Result<(), Stop> {
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
        if let Some(health) = health.filter(|h| *h != Health::Healthy) {
            problems.push(format!("Docker reports it {health}"));
        }
        if let (Some(port), Some(path)) = (candidate.host_port, &candidate.health_path) {
            let url = format!("http://127.0.0.1:{port}{path}");
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
    pub(crate) fn sync_gate(&mut self, force: bool) -> Result<(), Stop> {
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
            if let Ok(found) = tree::walk(dir, &self.excludes, tree::Links::AsTheyAre) {
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
}

//! The health gate after a promotion or rollback: Docker health first (an
//! unhealthy or crashing container ends it at once), then the service's own
//! doctor checks, then — after a promotion — the same again after a watch
//! window, to catch a crash loop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Promoter, StepOutcome, Stop, Subject};
use crate::docker::{Health, State};
use crate::doctor::check::Check;
use crate::doctor::ctx::Ctx;
use crate::doctor::engine;
use crate::doctor::finding::{Category, Severity};
use crate::registry::Service;
use crate::stack::Stack;

impl Promoter<'_> {
    /// The gate's default deadline: the service's slowest healthy start plus a margin.
    pub(crate) async fn gate_timeout(&self, given: Option<Duration>) -> Duration {
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
            .saturating_add(self.catalogue.promote.gate_margin)
    }

    /// Docker health (unhealthy or a crash ends it at once), then the
    /// service's doctor checks, then — with `watch` — the same again after
    /// the watch window, to catch a crash loop.
    pub(crate) async fn gate(&mut self, timeout: Duration, watch: bool) -> Result<(), Stop> {
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
            match (container.state, container.health) {
                (_, Some(Health::Unhealthy)) => {
                    return Err(format!("{} is unhealthy", live.container));
                }
                (State::Exited | State::Dead, _) => {
                    return Err(format!(
                        "{} {}: it crashed at start",
                        live.container, container.state
                    ));
                }
                (State::Running, Some(Health::Healthy) | None) => {
                    return Ok(container.restart_count);
                }
                _ => {}
            }
            if started.elapsed() >= timeout {
                return Err(format!(
                    "{} not healthy within {} ({}{})",
                    live.container,
                    humantime::format_duration(timeout),
                    container.state,
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
        let checks: Vec<Box<dyn Check>> = engine::plan(self.registry, self.catalogue)
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
        let results = engine::run(Arc::new(ctx), checks, Duration::from_secs(30), |_, _| {}).await;
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
}

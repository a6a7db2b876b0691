//! Container state: exists, running, Docker health, restart count, uptime.

use std::time::{Duration, SystemTime};

use crate::docker::Health;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{Expected, Registry, Service};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    registry
        .services
        .iter()
        .map(|s| Box::new(State(s.clone())) as Box<dyn Check>)
        .collect()
}

struct State(Service);
check!(State, Containers, |self| subject: Subject::Container(self.0.name.clone()), id: format!("containers.{}", self.0.name), service: Some(&self.0.name),
    description: format!("Docker state, health and restart count of {}", self.0.container));

impl State {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = &self.0;
        let found = match ctx.container(service) {
            Ok(found) => found,
            Err(failure) => return failure,
        };
        let Some(c) = found else {
            let label = format!("com.docker.compose.service={}", service.name);
            let mangled = ctx
                .docker
                .containers_with_label(&label)
                .await
                .unwrap_or_default();
            return match mangled.first() {
                Some(other) => Finding::fail(format!(
                    "{} runs under a mangled name, {} (left by a failed recreate)",
                    service.name, other.name
                ))
                .fix(format!(
                    "docker rename {} {}",
                    other.name, service.container
                )),
                None if service.expected == Expected::Stopped => Finding::pass(format!(
                    "{} is not present, as the registry expects (expected = \"stopped\")",
                    service.container
                )),
                None if service.required => {
                    Finding::fail(format!("{} does not exist", service.container))
                        .fix(ctx.compose_command(&[service], &format!("up -d {}", service.name)))
                }
                None => Finding::skip(format!("{} (optional) is not present", service.container)),
            };
        };
        let uptime = c
            .started_at
            .filter(|_| c.is_running())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map(|d| humantime::format_duration(Duration::from_secs(d.as_secs())).to_string());
        let state = c.describe();
        let summary = format!(
            "{} {state}, {} restarts{}",
            service.container,
            c.restart_count,
            uptime.map(|u| format!(", up {u}")).unwrap_or_default()
        );
        let limit = ctx.catalogue.thresholds.restart_count_warn_above;
        if !c.is_running() && service.expected == Expected::Stopped {
            return Finding::pass(format!(
                "{summary}: stopped, as the registry expects (expected = \"stopped\")"
            ));
        }
        if !c.is_running() {
            return Finding::bad(service.required, summary)
                .fix(format!("docker start {}", service.container));
        }
        if c.health == Some(Health::Unhealthy) {
            return Finding::fail(summary).fix(format!("docker restart {}", service.container));
        }
        if c.restart_count > limit {
            return Finding::warn(format!(
                "{summary}: more than {limit} restarts, a crash loop?"
            ))
            .fix(format!("docker logs --tail 50 {}", service.container));
        }
        if c.health == Some(Health::Starting) {
            return Finding::warn(summary);
        }
        Finding::pass(summary)
    }
}

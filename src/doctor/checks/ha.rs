//! High availability: standbys running, fallback wiring in the live
//! containers, the maintenance flag, the orchestrator's `ha_status`.

use std::time::SystemTime;

use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::ha::Flag;
use crate::registry::{Fallback, Registry, Role, Service};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> = vec![Box::new(Standbys)];
    for service in registry.services.iter().filter(|s| s.role == Role::Live) {
        for fallback in &service.fallbacks {
            checks.push(Box::new(Wiring(service.clone(), fallback.clone())));
        }
    }
    checks.push(Box::new(Maintenance));
    checks.push(Box::new(Orchestrator));
    checks.push(Box::new(DrillJournal));
    checks
}

struct Standbys;
check!(Standbys, Ha, |self| subject: Subject::Standbys, id: "ha.standbys".into(), service: None,
    description: "The HA standbys are running".into());
impl Standbys {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let standbys: Vec<&Service> = ctx.registry.standbys().collect();
        let down: Vec<&str> = standbys
            .iter()
            .filter(|s| ctx.running(s).is_err())
            .map(|s| s.name.as_str())
            .collect();
        let up = ctx.compose_command(&standbys, "up -d");
        match down.len() {
            0 => Finding::pass(format!("all {} standbys running", standbys.len())),
            n if n == standbys.len() => {
                Finding::warn("no HA standby is running: failover is off").fix(up.clone())
            }
            _ => Finding::warn(format!(
                "{} of {} standbys running; down: {}",
                standbys.len() - down.len(),
                standbys.len(),
                down.join(", ")
            ))
            .fix(up),
        }
    }
}

struct Wiring(Service, Fallback);
check!(Wiring, Ha, |self| subject: Subject::Service(self.0.name.clone()), id: format!("ha.fallback.{}", self.0.name), service: Some(&self.0.name),
    description: format!("{} sets {}, to fall back to {}", self.0.name, self.1.env, self.1.standby));
impl Wiring {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let (service, fallback) = (&self.0, &self.1);
        let container = match ctx.running(service) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        match container.env_var(&fallback.env).filter(|v| !v.is_empty()) {
            Some(url) => Finding::pass(format!(
                "{} is wired to fall back to {} ({}={url})",
                service.name, fallback.standby, fallback.env
            ))
            // Only the variable this check is about: the rest of the
            // container's environment is none of the report's business.
            .saw(format!("env of {}: {}={url}", container.name, fallback.env)),
            None => Finding::fail(format!(
                "{} has no {}: it cannot fail over to {}",
                service.name, fallback.env, fallback.standby
            ))
            .fix(ctx.compose_command(&[service], &format!("up -d {}", service.name))),
        }
    }
}

/// The running container that sees the maintenance flag, if any.
fn flag_holder(ctx: &Ctx) -> Option<&Service> {
    let flag = &ctx.catalogue.ha.maintenance_flag;
    ctx.registry.services.iter().find(|s| {
        s.role == Role::Live
            && ctx.running(s).is_ok()
            && s.volumes
                .iter()
                .filter_map(|v| ctx.registry.volume(v))
                .any(|v| flag.starts_with(&format!("{}/", v.mount)))
    })
}

struct Maintenance;
check!(Maintenance, Ha, |self| subject: Subject::Maintenance, id: "ha.maintenance".into(), service: None,
    description: "Whether the maintenance flag (failover off) is set".into());
impl Maintenance {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let flag = &ctx.catalogue.ha.maintenance_flag;
        let Some(holder) = flag_holder(ctx) else {
            return Finding::skip(format!("no running live container mounts {flag}"));
        };
        match ctx.docker.read_file(&holder.container, flag).await {
            Ok(None) => Finding::pass("maintenance mode off"),
            // An expired flag is no maintenance any more, and the message
            // says so; it still warns, because GAIA's services only look at
            // whether the file exists: until it is removed web does not fail
            // over, and nobody means that any more.
            Ok(Some(note)) => Finding::warn(
                Flag::parse(&String::from_utf8_lossy(&note)).summary(SystemTime::now()),
            )
            .fix("gaia ha maintenance off"),
            Err(err) => Finding::warn(format!("cannot read {flag}: {err:#}")),
        }
    }
}

struct Orchestrator;
check!(Orchestrator, Ha, |self| subject: Subject::Orchestrator, id: "ha.orchestrator".into(), service: None,
    description: "The orchestrator's view of HA (health_watchdog.ha_status)".into());
impl Orchestrator {
    async fn check(&self, ctx: &Ctx) -> Finding {
        // A registry without the orchestrator was noted when the catalogue loaded.
        let Some(service) = ctx.registry.service(&ctx.catalogue.ha.orchestrator) else {
            return Finding::skip(format!(
                "the registry has no {}",
                ctx.catalogue.ha.orchestrator
            ));
        };
        if let Err(skip) = ctx.running(service) {
            return skip;
        }
        let Some(port) = service.host_port else {
            return Finding::skip(format!("{} publishes no port", service.name));
        };
        let url = format!("http://127.0.0.1:{port}{}", ctx.catalogue.ha.status_path);
        let status = match ctx.http.get(&url).await {
            Ok(r) if r.is_success() => r.json().unwrap_or_default(),
            Ok(r) => return Finding::warn(format!("{url} answered {}", r.status)),
            Err(err) => return Finding::warn(format!("{url}: {err}")),
        };
        match status["health_watchdog"]["ha_status"].as_str() {
            Some("active") => Finding::pass("orchestrator ha_status: active"),
            Some(s @ ("degraded" | "failover_active")) => {
                Finding::warn(format!("orchestrator ha_status: {s}"))
            }
            Some(s @ "failed") => Finding::fail(format!("orchestrator ha_status: {s}")),
            Some(other) => Finding::warn(format!("orchestrator ha_status: {other} (unknown)")),
            None => Finding::warn(format!("{url} has no health_watchdog.ha_status")),
        }
    }
}

/// A failover drill that did not finish leaves its target stopped and its
/// journal in the root.
struct DrillJournal;
check!(DrillJournal, Ha, |self| subject: Subject::Drill, id: "ha.failover-journal".into(), service: None,
    description: "No interrupted failover drill left a service stopped".into());
impl DrillJournal {
    async fn check(&self, ctx: &Ctx) -> Finding {
        match crate::failover::journal::Journal::read(&ctx.root) {
            Ok(None) => Finding::pass("no unfinished failover drill"),
            Ok(Some(journal)) if journal.writer_alive(&ctx.root) => Finding::warn(format!(
                "a failover drill of {} is running (pid {}): {} is stopped on purpose",
                journal.target, journal.pid, journal.container
            )),
            Ok(Some(journal)) => Finding::fail(format!(
                "a failover drill of {} started {} (pid {}) did not finish: {} may still be stopped",
                journal.target, journal.started_at, journal.pid, journal.container
            ))
            .fix("gaia failover-test --recover")
            .saw(format!("journal: {}", crate::failover::journal::Journal::path(&ctx.root).display())),
            Err(err) => Finding::fail(err.to_string()),
        }
    }
}

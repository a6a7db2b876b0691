//! `gaia doctor`: the state of every registry container.

use std::time::{Duration, SystemTime};

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use crate::cli::{DoctorArgs, Format};
use crate::config::Context;
use crate::docker::Docker;
use crate::error::{Error, Outcome, Result};
use crate::output::Tone;
use crate::registry::Service;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Thresholds {
    restart_count_warn_above: i64,
}

const THRESHOLDS: &str = include_str!("../../checks/containers.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Skip,
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Finding {
    id: String,
    category: &'static str,
    service: String,
    severity: Severity,
    message: String,
    state: String,
    health: Option<String>,
    restarts: i64,
    uptime_s: Option<u64>,
}

pub async fn run(ctx: &Context, args: &DoctorArgs) -> Result<Outcome> {
    let thresholds: Thresholds = toml::from_str(THRESHOLDS)
        .map_err(|e| Error::Config(format!("checks/containers.toml: {}", e.message())))?;
    for name in &args.services {
        if ctx.registry.service(name).is_none() {
            return Err(Error::Config(format!(
                "`{name}` is not a service in the registry"
            )));
        }
    }
    let docker = Docker::connect().await?;
    let services: Vec<&Service> = ctx
        .registry
        .services
        .iter()
        .filter(|s| args.services.is_empty() || args.services.contains(&s.name))
        .collect();
    let findings: Vec<Finding> =
        join_all(services.iter().map(|s| inspect(&docker, s, &thresholds)))
            .await
            .into_iter()
            .collect::<Result<_>>()?;

    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let outcome = match findings.iter().map(|f| f.severity).max() {
        Some(Severity::Fail) => Outcome::Failures,
        Some(Severity::Warn) => Outcome::Warnings,
        _ => Outcome::Healthy,
    };
    match ctx.printer.format {
        Format::Json => {
            let report = serde_json::json!({
                "checks": findings,
                "summary": {
                    "passed": count(Severity::Pass),
                    "warnings": count(Severity::Warn),
                    "failures": count(Severity::Fail),
                    "skipped": count(Severity::Skip),
                },
            });
            println!("{report}");
        }
        Format::Human => {
            let p = &ctx.printer;
            let mut table = p.table(&[
                "", "SERVICE", "STATE", "HEALTH", "RESTARTS", "UPTIME", "NOTE",
            ]);
            for f in &findings {
                let (mark, tone) = match f.severity {
                    Severity::Pass => ("✓", Tone::Good),
                    Severity::Warn => ("!", Tone::Warn),
                    Severity::Fail => ("✗", Tone::Bad),
                    Severity::Skip => ("–", Tone::Dim),
                };
                table.add_row(vec![
                    p.paint(mark, tone),
                    f.service.clone(),
                    f.state.clone(),
                    f.health.clone().unwrap_or_else(|| "-".into()),
                    f.restarts.to_string(),
                    f.uptime_s
                        .map(|s| humantime::format_duration(Duration::from_secs(s)).to_string())
                        .unwrap_or_else(|| "-".into()),
                    f.message.clone(),
                ]);
            }
            println!("Container state\n{table}");
            println!(
                "\n{} passed, {} warnings, {} failures, {} skipped",
                count(Severity::Pass),
                count(Severity::Warn),
                count(Severity::Fail),
                count(Severity::Skip)
            );
        }
    }
    Ok(outcome)
}

async fn inspect(docker: &Docker, service: &Service, thresholds: &Thresholds) -> Result<Finding> {
    let mut finding = Finding {
        id: format!("containers.{}", service.name),
        category: "containers",
        service: service.name.clone(),
        severity: Severity::Pass,
        message: String::new(),
        state: "missing".into(),
        health: None,
        restarts: 0,
        uptime_s: None,
    };
    let Some(c) = docker.container(&service.container).await? else {
        let label = format!("com.docker.compose.service={}", service.name);
        let mangled = docker.containers_with_label(&label).await?;
        (finding.severity, finding.message) = match mangled.first() {
            Some(other) => (
                Severity::Fail,
                format!(
                    "runs under a mangled name: {} (left by a failed recreate)",
                    other.name
                ),
            ),
            None if service.required => {
                (Severity::Fail, "required container does not exist".into())
            }
            None => (Severity::Skip, "optional, not present".into()),
        };
        return Ok(finding);
    };
    finding.state = c.status.clone();
    finding.health = c.health.clone();
    finding.restarts = c.restart_count;
    finding.uptime_s = c
        .started_at
        .as_deref()
        .filter(|_| c.is_running())
        .and_then(|s| humantime::parse_rfc3339_weak(s).ok())
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map(|d| d.as_secs());
    (finding.severity, finding.message) = if !c.is_running() {
        let severity = if service.required {
            Severity::Fail
        } else {
            Severity::Warn
        };
        (severity, format!("container is {}", c.status))
    } else if c.health.as_deref() == Some("unhealthy") {
        (Severity::Fail, "Docker reports it unhealthy".into())
    } else if c.health.as_deref() == Some("starting") {
        (Severity::Warn, "healthcheck still starting".into())
    } else if c.restart_count > thresholds.restart_count_warn_above {
        (
            Severity::Warn,
            format!(
                "restarted {} times (more than {})",
                c.restart_count, thresholds.restart_count_warn_above
            ),
        )
    } else {
        (Severity::Pass, "running".into())
    };
    Ok(finding)
}

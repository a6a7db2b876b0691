//! Session state: the age of `sessions.json` in core, and how far the
//! candidate's copy drifted from it.

use std::time::{Duration, SystemTime};

use super::check;
use crate::doctor::{Check, Ctx, Finding};
use crate::registry::Service;

pub fn plan() -> Vec<Box<dyn Check>> {
    vec![Box::new(Age), Box::new(Drift)]
}

/// When `file` was last written inside `service`'s container.
async fn modified(ctx: &Ctx, service: &Service, file: &str) -> Result<SystemTime, Finding> {
    let container = ctx.running(service)?;
    let out = ctx
        .exec(&container.name, &["stat", "-c", "%Y", file])
        .await
        .map_err(|e| Finding::fail(format!("cannot look inside {}: {e}", service.name)))?;
    out.stdout
        .trim()
        .parse::<u64>()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| {
            Finding::warn(format!("{file} is missing in {}", service.name))
                .saw(out.stderr.trim().to_owned())
        })
}

fn age(when: SystemTime) -> Duration {
    Duration::from_secs(
        SystemTime::now()
            .duration_since(when)
            .unwrap_or_default()
            .as_secs(),
    )
}

struct Age;
check!(Age, Sessions, |self| id: "sessions.age".into(), service: None);
impl Age {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let spec = &ctx.catalogue.sessions;
        let live = ctx.service(&spec.live);
        let when = match modified(ctx, live, &spec.file).await {
            Ok(when) => when,
            Err(finding) => return finding,
        };
        let age = age(when);
        let fresh = ctx.catalogue.thresholds.sessions_fresh_under;
        if age < fresh {
            Finding::pass(format!(
                "{} saved {} ago",
                spec.file,
                humantime::format_duration(age)
            ))
        } else {
            Finding::warn(format!(
                "{} in {} is stale: saved {} ago (fresh under {})",
                spec.file,
                live.name,
                humantime::format_duration(age),
                humantime::format_duration(fresh)
            ))
            .fix(format!("docker logs --tail 50 {}", live.container))
        }
    }
}

struct Drift;
check!(Drift, Sessions, |self| id: "sessions.drift".into(), service: None);
impl Drift {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let spec = &ctx.catalogue.sessions;
        let (live, candidate) = (ctx.service(&spec.live), ctx.service(&spec.candidate));
        if let Err(skip) = ctx.running(candidate) {
            return skip;
        }
        let (a, b) = match (
            modified(ctx, live, &spec.file).await,
            modified(ctx, candidate, &spec.file).await,
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(finding), _) | (_, Err(finding)) => return finding,
        };
        let drift = a
            .duration_since(b)
            .or_else(|e| Ok::<_, ()>(e.duration()))
            .unwrap_or_default();
        let drift = Duration::from_secs(drift.as_secs());
        let t = &ctx.catalogue.thresholds;
        let message = format!(
            "live and candidate {} written {} apart",
            spec.file,
            humantime::format_duration(drift)
        );
        if drift < t.sessions_drift_pass_under {
            Finding::pass(message)
        } else if drift < t.sessions_drift_warn_under {
            Finding::warn(message)
        } else {
            Finding::fail(message)
        }
    }
}

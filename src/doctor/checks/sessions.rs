//! Session state: the age of `sessions.json` in core, and how far the
//! candidate's copy drifted from it.

use std::time::{Duration, SystemTime};

use crate::catalogue::Catalogue;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Finding, Subject};
use crate::registry::Registry;

pub(crate) fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    let container = |name: &str| registry.service(name).map(|s| s.container.clone());
    let spec = &catalogue.sessions;
    let (Some(live), Some(candidate)) = (container(&spec.live), container(&spec.candidate)) else {
        return Vec::new();
    };
    let file = spec.file.clone();
    vec![
        Box::new(Age {
            live: live.clone(),
            file: file.clone(),
        }),
        Box::new(Drift {
            live,
            candidate,
            file,
        }),
    ]
}

fn want(container: &str, file: &str) -> Want {
    Want::Stat {
        container: container.to_owned(),
        path: file.to_owned(),
    }
}

/// When the sessions file was last written inside `container`.
async fn modified(ctx: &Ctx, service: &str, container: &str) -> Result<SystemTime, Finding> {
    ctx.running(ctx.service(service))?;
    let file = &ctx.catalogue.sessions.file;
    match ctx.stat(container, file).await {
        Ok(Some(stat)) => written_at(stat.modified).ok_or_else(|| {
            Finding::warn(format!(
                "{file} in {service} has a modification time no clock can hold ({} s after 1970)",
                stat.modified
            ))
        }),
        Ok(None) => Err(Finding::warn(format!("{file} is missing in {service}"))),
        Err(err) => Err(Finding::fail(format!(
            "cannot look inside {service}: {err}"
        ))),
    }
}

/// The time `stat` reported as seconds since 1970, None when it is past
/// what a `SystemTime` can hold (a corrupt or hostile file system).
fn written_at(seconds: u64) -> Option<SystemTime> {
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

struct Age {
    live: String,
    file: String,
}
check!(Age, Sessions, |self| subject: Subject::Stack, id: "sessions.age".into(), service: None,
    wants: vec![want(&self.live, &self.file)],
    description: format!("How long ago {} saved {}", self.live, self.file));
impl Age {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let spec = &ctx.catalogue.sessions;
        let when = match modified(ctx, &spec.live, &self.live).await {
            Ok(when) => when,
            Err(finding) => return finding,
        };
        let age = Duration::from_secs(
            SystemTime::now()
                .duration_since(when)
                .unwrap_or_default()
                .as_secs(),
        );
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
                spec.live,
                humantime::format_duration(age),
                humantime::format_duration(fresh)
            ))
            .fix(format!("docker logs --tail 50 {}", self.live))
        }
    }
}

struct Drift {
    live: String,
    candidate: String,
    file: String,
}
check!(Drift, Sessions, |self| subject: Subject::Stack, id: "sessions.drift".into(), service: None,
    wants: vec![want(&self.live, &self.file), want(&self.candidate, &self.file)],
    description: format!("How far apart {} and {} last saved {}", self.live, self.candidate, self.file));
impl Drift {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let spec = &ctx.catalogue.sessions;
        if let Err(skip) = ctx.running(ctx.service(&spec.candidate)) {
            return skip;
        }
        let (a, b) = match (
            modified(ctx, &spec.live, &self.live).await,
            modified(ctx, &spec.candidate, &self.candidate).await,
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(finding), _) | (_, Err(finding)) => return finding,
        };
        let drift = a.duration_since(b).unwrap_or_else(|e| e.duration());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modification_time_past_any_clock_is_none_not_a_panic() {
        assert_eq!(written_at(u64::MAX), None);
        assert_eq!(
            written_at(1_700_000_000),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
    }
}

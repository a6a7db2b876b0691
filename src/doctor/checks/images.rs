//! Images: candidates not older than their live image, the service user in
//! `/etc/passwd`, Python packages importable where they must be.

use std::time::Duration;

use crate::catalogue::Catalogue;
use crate::catalogue::Import as ImportSpec;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{Registry, Role, Service};

pub(crate) fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> = Vec::new();
    for candidate in registry
        .services
        .iter()
        .filter(|s| s.role == Role::Candidate)
    {
        checks.push(Box::new(Age(candidate.clone())));
    }
    for service in registry.services.iter().filter(|s| s.user.is_some()) {
        checks.push(Box::new(User(service.clone())));
    }
    for import in &catalogue.imports {
        checks.push(Box::new(Import(import.clone())));
    }
    checks
}

struct Age(Service);
check!(Age, Images, |self| subject: Subject::Service(self.0.name.clone()), id: format!("images.age.{}", self.0.name), service: Some(&self.0.name),
    description: format!("{} is not older than the live image", self.0.image));
impl Age {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let candidate = &self.0;
        let live = ctx.service(candidate.stands_in_for.as_deref().unwrap_or_default());
        let created = |tag: String| async move {
            ctx.docker
                .image(&tag)
                .await
                .ok()
                .flatten()
                .and_then(|i| i.created)
                .and_then(|c| humantime::parse_rfc3339_weak(&c).ok())
        };
        let (Some(theirs), Some(ours)) = (
            created(live.image.clone()).await,
            created(candidate.image.clone()).await,
        ) else {
            return Finding::skip(format!(
                "{} or {} is not built",
                live.image, candidate.image
            ));
        };
        let behind = theirs.duration_since(ours).unwrap_or_default();
        let behind = Duration::from_secs(behind.as_secs());
        if behind > ctx.catalogue.thresholds.candidate_image_age_tolerance {
            Finding::warn(format!(
                "{} is {} older than {}",
                candidate.image,
                humantime::format_duration(behind),
                live.image
            ))
            .fix(ctx.compose_command(&[candidate], &format!("build {}", candidate.name)))
        } else {
            Finding::pass(format!(
                "{} is not older than {}",
                candidate.image, live.image
            ))
        }
    }
}

/// The service's main process, whose owner `stat` names from the image's
/// /etc/passwd: the lookup PyTorch and friends make, and fail confusingly.
const MAIN_PROCESS: &str = "/proc/1";

struct User(Service);
check!(User, Images, |self| subject: Subject::Service(self.0.name.clone()), id: format!("images.user.{}", self.0.name), service: Some(&self.0.name),
    wants: vec![Want::Stat { container: self.0.container.clone(), path: MAIN_PROCESS.into() }],
    description: format!("{} runs as the registry's uid, which its image knows", self.0.name));
impl User {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = &self.0;
        let uid = service.user.unwrap_or_default();
        if let Err(skip) = ctx.running(service) {
            return skip;
        }
        let rebuild = ctx.compose_command(&[service], &format!("build {}", service.name));
        match ctx.stat(&service.container, MAIN_PROCESS).await {
            Ok(Some(stat)) if stat.uid != uid => Finding::fail(format!(
                "{} runs as uid {}; the registry expects uid {uid}",
                service.name, stat.uid
            )),
            Ok(Some(stat)) if stat.user == "UNKNOWN" => Finding::fail(format!(
                "{} runs as uid {uid}, which its image's /etc/passwd lacks (PyTorch and friends fail confusingly)",
                service.name
            ))
            .fix(rebuild),
            Ok(Some(stat)) => Finding::pass(format!("{} knows uid {uid} as {}", service.image, stat.user)),
            Ok(None) => Finding::fail(format!("{} has no {MAIN_PROCESS}", service.name)),
            Err(err) => Finding::fail(format!("cannot look inside {}: {err}", service.name)),
        }
    }
}

struct Import(ImportSpec);
check!(Import, Images, |self| subject: Subject::Service(self.0.service.clone()), id: format!("images.import.{}.{}", self.0.service, self.0.module), service: Some(&self.0.service),
    inside: true, description: format!("{} imports {}", self.0.service, self.0.module));
impl Import {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = ctx.service(&self.0.service);
        let container = match ctx.running(service) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let code = format!("import {}", self.0.module);
        match ctx.exec(&container.name, &["python", "-c", &code]).await {
            Ok(out) if out.exit_code == 0 => Finding::pass(format!("{} imports {}", service.name, self.0.module)),
            Ok(out) => Finding::fail(format!(
                "{} cannot import {}: {}",
                service.name,
                self.0.module,
                out.stderr.lines().last().unwrap_or_default()
            ))
            .fix(format!(
                "set PYTHONPATH in {}'s environment so it includes the mounted gaia-common, then recreate it",
                service.name
            )),
            Err(err) => Finding::fail(format!("{}: {err}", service.name)),
        }
    }
}

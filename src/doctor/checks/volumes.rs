//! Volumes and mounts: named volumes exist, paths exist inside services,
//! shared directories exist with their owner. Looks with `stat`, never by
//! downloading a directory.

use crate::catalogue::Catalogue;
use crate::catalogue::Mount;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{Registry, Volume as VolumeSpec};

pub(crate) fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> = Vec::new();
    for volume in &registry.volumes {
        checks.push(Box::new(Exists(volume.clone())));
    }
    for mount in &catalogue.mounts {
        if let Some(service) = registry.service(&mount.service) {
            checks.push(Box::new(Paths(mount.clone(), service.container.clone())));
        }
    }
    for volume in registry
        .volumes
        .iter()
        .filter(|v| !v.shared_dirs.is_empty())
    {
        let holders = registry
            .services
            .iter()
            .filter(|s| s.volumes.contains(&volume.name))
            .map(|s| (s.name.clone(), s.container.clone()))
            .collect();
        checks.push(Box::new(SharedDirs(volume.clone(), holders)));
    }
    checks
}

struct Exists(VolumeSpec);
check!(Exists, Volumes, |self| subject: Subject::Volume(self.0.name.clone()), id: format!("volumes.{}", self.0.name), service: None,
    description: format!("Volume {} exists", self.0.name));
impl Exists {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let name = &self.0.name;
        match ctx.docker.volume_labels(name).await {
            Ok(Some(_)) => Finding::pass(format!("volume {name} exists")),
            Ok(None) => {
                let users: Vec<&str> = ctx
                    .registry
                    .services
                    .iter()
                    .filter(|s| {
                        s.volumes.contains(name) && ctx.container(s).is_ok_and(|c| c.is_some())
                    })
                    .map(|s| s.name.as_str())
                    .collect();
                if users.is_empty() {
                    Finding::skip(format!(
                        "volume {name} does not exist; no container that uses it does either"
                    ))
                } else {
                    Finding::fail(format!(
                        "volume {name} is missing; used by {}",
                        users.join(", ")
                    ))
                }
            }
            Err(err) => Finding::fail(format!("cannot inspect volume {name}: {err:#}")),
        }
    }
}

/// The paths, and the container they must exist in.
struct Paths(Mount, String);
check!(Paths, Volumes, |self| subject: Subject::Service(self.0.service.clone()), id: format!("mounts.{}", self.0.service), service: Some(&self.0.service),
    wants: self.0.paths.iter().map(|p| Want::Stat { container: self.1.clone(), path: p.clone() }).collect(),
    description: format!("{} sees {}", self.0.service, self.0.paths.join(", ")));
impl Paths {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = ctx.service(&self.0.service);
        if let Err(skip) = ctx.running(service) {
            return skip;
        }
        let mut missing = Vec::new();
        for path in &self.0.paths {
            match ctx.stat(&self.1, path).await {
                Ok(Some(_)) => {}
                Ok(None) => missing.push(path.as_str()),
                Err(err) => {
                    return Finding::fail(format!("cannot look inside {}: {err}", service.name));
                }
            }
        }
        if missing.is_empty() {
            Finding::pass(format!("{} sees {}", service.name, self.0.paths.join(", ")))
        } else {
            Finding::fail(format!("{} lacks {}", service.name, missing.join(", ")))
        }
    }
}

/// A volume's shared directories, and the (service, container) pairs that
/// mount it: any running one can look.
struct SharedDirs(VolumeSpec, Vec<(String, String)>);
check!(SharedDirs, Volumes, |self| subject: Subject::SharedDirs(self.0.name.clone()), id: format!("shared-dirs.{}", self.0.name), service: None,
    wants: self.1.iter().flat_map(|(_, container)| self.paths().into_iter().map(|path| Want::Stat {
        container: container.clone(),
        path,
    })).collect(),
    description: format!("The shared directories of volume {} exist, owned by the registry's uids", self.0.name));
impl SharedDirs {
    fn paths(&self) -> Vec<String> {
        self.0
            .shared_dirs
            .iter()
            .map(|d| format!("{}/{}", self.0.mount, d.path))
            .collect()
    }

    async fn check(&self, ctx: &Ctx) -> Finding {
        let volume = &self.0;
        let Some((_, holder)) = self
            .1
            .iter()
            .find(|(service, _)| ctx.running(ctx.service(service)).is_ok())
        else {
            return Finding::skip(format!("no running container mounts {}", volume.name));
        };
        let mut problems = Vec::new();
        for (dir, path) in volume.shared_dirs.iter().zip(self.paths()) {
            match ctx.stat(holder, &path).await {
                Ok(None) => problems.push(format!("{path} is missing")),
                Ok(Some(stat)) if stat.uid != dir.owner => problems.push(format!(
                    "{path} belongs to uid {}, not {}",
                    stat.uid, dir.owner
                )),
                Ok(Some(_)) => {}
                Err(err) => return Finding::fail(format!("cannot look inside {holder}: {err}")),
            }
        }
        if problems.is_empty() {
            return Finding::pass(format!(
                "{} has {} owned by their uid",
                volume.name,
                volume
                    .shared_dirs
                    .iter()
                    .map(|d| d.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let owner = volume.shared_dirs[0].owner;
        Finding::fail(format!("{}: {}", volume.name, problems.join("; "))).fix(format!(
            "docker exec -u 0 {holder} sh -c 'mkdir -p {dirs} && chown {owner}:{owner} {dirs}'",
            dirs = self.paths().join(" ")
        ))
    }
}

//! Volumes and mounts: named volumes exist, paths exist inside services,
//! shared directories exist with their owner. Looks with `stat`, never by
//! downloading a directory.

use super::check;
use crate::doctor::catalogue::Mount;
use crate::doctor::{Catalogue, Check, Ctx, Finding};
use crate::registry::{Registry, Volume as VolumeSpec};

pub fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> = Vec::new();
    for volume in &registry.volumes {
        checks.push(Box::new(Exists(volume.clone())));
    }
    for mount in &catalogue.mounts {
        checks.push(Box::new(Paths(mount.clone())));
    }
    for volume in registry
        .volumes
        .iter()
        .filter(|v| !v.shared_dirs.is_empty())
    {
        checks.push(Box::new(SharedDirs(volume.clone())));
    }
    checks
}

struct Exists(VolumeSpec);
check!(Exists, Volumes, |self| id: format!("volumes.{}", self.0.name), service: None);
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
                    .filter(|s| s.volumes.contains(name) && ctx.container(s).is_some())
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

struct Paths(Mount);
check!(Paths, Volumes, |self| id: format!("mounts.{}", self.0.service), service: Some(&self.0.service));
impl Paths {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = ctx.service(&self.0.service);
        let container = match ctx.running(service) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let mut argv = vec!["stat", "-c", "%n"];
        argv.extend(self.0.paths.iter().map(String::as_str));
        match ctx.exec(&container.name, &argv).await {
            Ok(out) => {
                let found: Vec<&str> = out.stdout.lines().collect();
                let missing: Vec<&str> = self
                    .0
                    .paths
                    .iter()
                    .map(String::as_str)
                    .filter(|p| !found.contains(p))
                    .collect();
                if missing.is_empty() {
                    Finding::pass(format!("{} sees {}", service.name, self.0.paths.join(", ")))
                } else {
                    Finding::fail(format!("{} lacks {}", service.name, missing.join(", ")))
                        .saw(out.stderr.trim().to_owned())
                }
            }
            Err(err) => Finding::fail(format!("cannot look inside {}: {err}", service.name)),
        }
    }
}

struct SharedDirs(VolumeSpec);
check!(SharedDirs, Volumes, |self| id: format!("shared-dirs.{}", self.0.name), service: None);
impl SharedDirs {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let volume = &self.0;
        let Some(holder) = ctx
            .registry
            .services
            .iter()
            .find(|s| s.volumes.contains(&volume.name) && ctx.running(s).is_ok())
        else {
            return Finding::skip(format!("no running container mounts {}", volume.name));
        };
        let paths: Vec<String> = volume
            .shared_dirs
            .iter()
            .map(|d| format!("{}/{}", volume.mount, d.path))
            .collect();
        let mut argv = vec!["stat", "-c", "%u %n"];
        argv.extend(paths.iter().map(String::as_str));
        let out = match ctx.exec(&holder.container, &argv).await {
            Ok(out) => out,
            Err(err) => return Finding::fail(format!("cannot look inside {}: {err}", holder.name)),
        };
        let owners: Vec<(&str, &str)> = out
            .stdout
            .lines()
            .filter_map(|l| l.split_once(' '))
            .collect();
        let mut problems = Vec::new();
        for (dir, path) in volume.shared_dirs.iter().zip(&paths) {
            match owners.iter().find(|(_, p)| p == path) {
                None => problems.push(format!("{path} is missing")),
                Some((uid, _)) if *uid != dir.owner.to_string() => {
                    problems.push(format!("{path} belongs to uid {uid}, not {}", dir.owner))
                }
                Some(_) => {}
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
        let fixes: Vec<String> = volume
            .shared_dirs
            .iter()
            .map(|d| format!("{}/{}", volume.mount, d.path))
            .collect();
        let owner = volume.shared_dirs[0].owner;
        Finding::fail(format!("{}: {}", volume.name, problems.join("; "))).fix(format!(
            "docker exec -u 0 {} sh -c 'mkdir -p {dirs} && chown {owner}:{owner} {dirs}'",
            holder.container,
            dirs = fixes.join(" ")
        ))
    }
}

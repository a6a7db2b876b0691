//! Operations on a GAIA stack that more than one command performs: waiting
//! for health, preparing shared directories, starting the HA standbys, and
//! creating the network and volumes as compose would. Each exists once, so
//! `gaia doctor --fix`, `gaia ha` and `gaia sim` act alike.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::archive;
use crate::compose::model::ComposeModel;
use crate::compose::tool::{Compose, FileSet};
use crate::docker::{Docker, NetworkSpec};
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::registry::{Registry, Service};

/// Waits for health never end sooner than this, whatever the healthchecks say.
const SHORTEST_WAIT: Duration = Duration::from_secs(30);

pub(crate) struct Stack<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) docker: &'a Docker,
    pub(crate) printer: &'a Printer,
}

impl<'a> Stack<'a> {
    pub(crate) fn new(
        registry: &'a Registry,
        docker: &'a Docker,
        printer: &'a Printer,
    ) -> Stack<'a> {
        Stack {
            registry,
            docker,
            printer,
        }
    }

    /// The compose files and profiles that define `services`, in the order
    /// the registry names them.
    pub(crate) fn file_set(services: &[&Service]) -> FileSet {
        let mut set = FileSet {
            files: Vec::new(),
            profiles: Vec::new(),
        };
        for service in services {
            for file in &service.compose_files {
                if !set.files.contains(file) {
                    set.files.push(file.clone());
                }
            }
            if let Some(profile) = &service.profile
                && !set.profiles.contains(profile)
            {
                set.profiles.push(profile.clone());
            }
        }
        set
    }

    /// What `docker compose -f docker-compose.candidate.yml -f
    /// docker-compose.ha.yml --profile ha` means, from the registry.
    pub(crate) fn standby_set(&self) -> FileSet {
        Self::file_set(&self.registry.standbys().collect::<Vec<_>>())
    }

    /// Creates the registry's shared directories in every volume `service`
    /// mounts, owned by the uid the registry names, through the Docker API:
    /// no assumption about where the engine keeps volumes on the host. Works
    /// on a container that is created but not started.
    pub(crate) async fn prepare_shared_dirs(&self, service: &Service) -> Result<()> {
        for volume in service
            .volumes
            .iter()
            .filter_map(|v| self.registry.volume(v))
        {
            if volume.shared_dirs.is_empty() {
                continue;
            }
            let dirs: Vec<(&str, u32)> = volume
                .shared_dirs
                .iter()
                .map(|d| (d.path.as_str(), d.owner))
                .collect();
            let archive = archive::directories_archive(&dirs, 0o755)?;
            self.docker
                .upload(&service.container, &volume.mount, archive)
                .await?;
        }
        Ok(())
    }

    /// Brings the HA standbys up as `compose … --profile ha up -d` does, with
    /// their shared directories prepared between creating and starting them
    /// (the standbys refuse to start without them).
    pub(crate) async fn start_standbys(
        &self,
        compose: &Compose,
        set: &FileSet,
        up: &[&str],
    ) -> Result<()> {
        compose
            .run(set, &[&["up", "--no-start"], up].concat())
            .await?;
        for standby in self.registry.standbys() {
            self.prepare_shared_dirs(standby).await?;
        }
        compose.run(set, &["up", "-d"]).await
    }

    /// How long `services` may take to become healthy: the slowest start
    /// their healthchecks allow, and never less than SHORTEST_WAIT.
    pub(crate) async fn start_budget(&self, services: &[&Service]) -> Result<Duration> {
        let mut budget = SHORTEST_WAIT;
        for service in services {
            if let Some(timing) = self
                .docker
                .container(&service.container)
                .await?
                .and_then(|c| c.healthcheck)
            {
                budget = budget.max(timing.longest_start());
            }
        }
        Ok(budget)
    }

    /// Waits until every named container runs and, if it has a healthcheck,
    /// is healthy; an unhealthy one ends the wait at once.
    pub(crate) async fn wait_healthy(
        &self,
        services: &[&Service],
        timeout: Duration,
    ) -> Result<()> {
        let started = Instant::now();
        let spinner = self
            .printer
            .spinner("waiting for containers to become healthy");
        loop {
            let mut waiting = Vec::new();
            for service in services {
                match self.docker.container(&service.container).await? {
                    Some(c) if c.is_ready() => {}
                    Some(c) => waiting.push(format!(
                        "{} ({}{})",
                        service.container,
                        c.state,
                        c.health.map(|h| format!(", {h}")).unwrap_or_default()
                    )),
                    None => waiting.push(format!("{} (missing)", service.container)),
                }
            }
            if waiting.is_empty() {
                spinner.finish_and_clear();
                return Ok(());
            }
            if started.elapsed() > timeout {
                spinner.finish_and_clear();
                return Err(Error::Failed(format!(
                    "not healthy after {}s: {}\nSee why with `docker logs <container>`.",
                    timeout.as_secs(),
                    waiting.join(", ")
                )));
            }
            spinner.set_message(format!("waiting for {}", waiting.join(", ")));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Compose's project name and version, as the stack's containers carry
    /// them, so that what gaia creates is what compose would have created.
    async fn compose_labels(&self, root: &Path) -> Result<HashMap<String, String>> {
        for service in &self.registry.services {
            if let Some(c) = self.docker.container(&service.container).await?
                && let Some(project) = c.labels.get("com.docker.compose.project")
            {
                let mut labels = HashMap::from([(PROJECT.to_owned(), project.clone())]);
                if let Some(version) = c.labels.get("com.docker.compose.version") {
                    labels.insert("com.docker.compose.version".into(), version.clone());
                }
                return Ok(labels);
            }
        }
        let project = project_name(root, std::env::var("COMPOSE_PROJECT_NAME").ok());
        Ok(HashMap::from([(PROJECT.to_owned(), project)]))
    }

    /// Creates the registry's network as the compose files define it
    /// (driver, labels, subnets) with compose's own labels, so compose
    /// adopts it, and reattaches every running registry container to it
    /// under its service name.
    pub(crate) async fn create_network(
        &self,
        root: &Path,
        compose: &ComposeModel,
    ) -> Result<Vec<String>> {
        let name = &self.registry.network;
        let definition = compose.network(name)?;
        let mut labels = self.compose_labels(root).await?;
        labels.insert("com.docker.compose.network".into(), name.clone());
        labels.extend(definition.labels.clone());
        self.docker
            .create_network(NetworkSpec {
                name: name.clone(),
                driver: definition.driver.clone().unwrap_or_else(|| "bridge".into()),
                labels,
                subnets: definition.subnets.clone(),
            })
            .await?;
        let mut attached = Vec::new();
        for service in &self.registry.services {
            if let Some(c) = self.docker.container(&service.container).await?
                && c.is_running()
                && !c.networks.contains(name)
            {
                self.docker
                    .connect_network(name, &service.container, vec![service.name.clone()])
                    .await?;
                attached.push(service.container.clone());
            }
        }
        Ok(attached)
    }

    /// Creates a named volume as the compose files define it, with
    /// compose's labels. Never touches an existing one.
    pub(crate) async fn create_volume(
        &self,
        root: &Path,
        compose: &ComposeModel,
        name: &str,
    ) -> Result<()> {
        let definition = compose.volume(name)?;
        let mut labels = self.compose_labels(root).await?;
        labels.insert("com.docker.compose.volume".into(), name.to_owned());
        labels.extend(definition.labels.clone());
        self.docker
            .create_volume(
                name,
                definition.driver.as_deref().unwrap_or("local"),
                labels,
            )
            .await
    }
}

const PROJECT: &str = "com.docker.compose.project";

/// Compose's default project name for a directory: its name, lowercased,
/// without the characters compose drops; COMPOSE_PROJECT_NAME (`from_env`,
/// then the root's .env) wins.
fn project_name(root: &Path, from_env: Option<String>) -> String {
    let from_env_file = || {
        std::fs::read_to_string(root.join(".env"))
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("COMPOSE_PROJECT_NAME=").map(str::to_owned))
    };
    from_env.or_else(from_env_file).unwrap_or_else(|| {
        let dir = root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        dir.to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standbys_come_up_with_their_files_and_profile() {
        let registry = Registry::load(None).unwrap();
        let standbys: Vec<&Service> = registry.standbys().collect();
        let set = Stack::file_set(&standbys);
        assert_eq!(
            set.files,
            ["docker-compose.candidate.yml", "docker-compose.ha.yml"]
        );
        assert_eq!(set.profiles, ["ha"]);
    }

    #[test]
    fn a_project_is_named_after_its_directory_as_compose_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("GAIA_Project.v2");
        std::fs::create_dir(&root).unwrap();
        assert_eq!(project_name(&root, None), "gaia_projectv2");
        std::fs::write(root.join(".env"), "A=1\nCOMPOSE_PROJECT_NAME=gaia-sim\n").unwrap();
        assert_eq!(project_name(&root, None), "gaia-sim");
        assert_eq!(project_name(&root, Some("other".into())), "other");
    }
}

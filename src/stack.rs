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

    /// What `docker compose -f docker-compose.candidate.yml -f
    /// docker-compose.ha.yml --profile ha` means, from the registry.
    pub(crate) fn standby_set(&self) -> FileSet {
        FileSet::of(&self.registry.standbys().collect::<Vec<_>>())
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

    /// The compose project the stack's containers belong to.
    async fn project(&self, root: &Path) -> Result<Project> {
        let mut containers = Vec::new();
        for service in &self.registry.services {
            if let Some(c) = self.docker.container(&service.container).await?
                && c.labels.contains_key(PROJECT)
            {
                containers.push(c);
                break;
            }
        }
        Ok(Project::of(&containers, root))
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
        self.create_network_as_compose(root, compose).await?;
        let mut attached = Vec::new();
        for service in &self.registry.services {
            if let Some(c) = self.docker.container(&service.container).await?
                && c.is_running()
                && !c.networks.contains(name)
            {
                self.attach(service).await?;
                attached.push(service.container.clone());
            }
        }
        Ok(attached)
    }

    /// Recreates the registry's network with the labels compose expects
    /// (Docker cannot change a network's labels), and attaches again every
    /// registry container that was on it, stopped ones too. Refuses when a
    /// container outside the registry is on it: gaia would cut off what it
    /// does not know how to reattach.
    pub(crate) async fn relabel_network(
        &self,
        root: &Path,
        compose: &ComposeModel,
    ) -> Result<Vec<String>> {
        let name = &self.registry.network;
        compose.network(name)?;
        let Some(network) = self.docker.network(name).await? else {
            return Err(Error::Failed(format!("network {name} no longer exists")));
        };
        let strangers: Vec<&str> = network
            .containers
            .iter()
            .filter(|c| !self.registry.services.iter().any(|s| &s.container == *c))
            .map(String::as_str)
            .collect();
        if !strangers.is_empty() {
            return Err(Error::Refused(format!(
                "containers outside the registry are on {name} ({}): recreating the network \
                 would cut them off; detach them or add them to the registry first",
                strangers.join(", ")
            )));
        }
        let mut on_it = Vec::new();
        for service in &self.registry.services {
            if let Some(c) = self.docker.container(&service.container).await?
                && c.networks.contains(name)
            {
                on_it.push(service);
            }
        }
        for service in &on_it {
            self.docker
                .disconnect_network(name, &service.container)
                .await?;
        }
        if let Err(err) = self.docker.remove_network(name).await {
            // The old network is still there: put everyone back on it.
            for service in &on_it {
                self.attach(service).await?;
            }
            return Err(err);
        }
        self.create_network_as_compose(root, compose).await?;
        for service in &on_it {
            self.attach(service).await?;
        }
        Ok(on_it.iter().map(|s| s.container.clone()).collect())
    }

    /// Attaches `service`'s container to the registry's network under its
    /// service name, as compose does.
    async fn attach(&self, service: &Service) -> Result<()> {
        self.docker
            .connect_network(
                &self.registry.network,
                &service.container,
                vec![service.name.clone()],
            )
            .await
    }

    async fn create_network_as_compose(&self, root: &Path, compose: &ComposeModel) -> Result<()> {
        let name = &self.registry.network;
        let definition = compose.network(name)?;
        let mut labels = self
            .project(root)
            .await?
            .labels(Object::Network, &definition.key);
        labels.extend(definition.labels.clone());
        self.docker
            .create_network(NetworkSpec {
                name: name.clone(),
                driver: definition.driver.clone().unwrap_or_else(|| "bridge".into()),
                labels,
                subnets: definition.subnets.clone(),
            })
            .await
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
        let mut labels = self
            .project(root)
            .await?
            .labels(Object::Volume, &definition.key);
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
const VERSION: &str = "com.docker.compose.version";

/// A network or a named volume, as compose labels them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Object {
    Network,
    Volume,
}

impl Object {
    /// The label in which compose records the object's key in the compose
    /// file. Compose v2 refuses a network whose label names anything else
    /// ("network … was found but has incorrect label"); v1 and v2 both
    /// write the key, never the object's `name:`.
    pub(crate) fn key_label(self) -> &'static str {
        match self {
            Object::Network => "com.docker.compose.network",
            Object::Volume => "com.docker.compose.volume",
        }
    }
}

/// The compose project a stack belongs to, as compose would label what it
/// creates for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Project {
    pub(crate) name: String,
    version: Option<String>,
}

impl Project {
    /// The project the first of `containers` that compose labelled belongs
    /// to (with the compose version that made it), else the project compose
    /// would name for `root`.
    pub(crate) fn of<'c>(
        containers: impl IntoIterator<Item = &'c crate::docker::Container>,
        root: &Path,
    ) -> Project {
        containers
            .into_iter()
            .find_map(|c| {
                Some(Project {
                    name: c.labels.get(PROJECT)?.clone(),
                    version: c.labels.get(VERSION).cloned(),
                })
            })
            .unwrap_or_else(|| Project {
                name: project_name(root, std::env::var("COMPOSE_PROJECT_NAME").ok()),
                version: None,
            })
    }

    /// The labels compose gives the object it creates under `key`.
    pub(crate) fn labels(&self, object: Object, key: &str) -> HashMap<String, String> {
        let mut labels = HashMap::from([
            (PROJECT.to_owned(), self.name.clone()),
            (object.key_label().to_owned(), key.to_owned()),
        ]);
        if let Some(version) = &self.version {
            labels.insert(VERSION.to_owned(), version.clone());
        }
        labels
    }

    /// What in `found` compose would object to for the object under
    /// `key`: its key label (refused by compose v2), then its project
    /// (a warning from compose); the version label is compose's own note.
    pub(crate) fn label_problems(
        &self,
        object: Object,
        key: &str,
        found: &HashMap<String, String>,
    ) -> Vec<LabelProblem> {
        let mut problems = Vec::new();
        for (label, expected, refused) in [
            (object.key_label(), key, object == Object::Network),
            (PROJECT, self.name.as_str(), false),
        ] {
            if found.get(label).map(String::as_str) != Some(expected) {
                problems.push(LabelProblem {
                    label,
                    expected: expected.to_owned(),
                    found: found.get(label).cloned(),
                    refused_by_v2: refused,
                });
            }
        }
        problems
    }
}

/// A compose label that is missing or says something else than compose expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelProblem {
    pub(crate) label: &'static str,
    pub(crate) expected: String,
    pub(crate) found: Option<String>,
    /// Compose v2 stops (rather than warns) on it.
    pub(crate) refused_by_v2: bool,
}

impl std::fmt::Display for LabelProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.found {
            Some(found) => write!(
                f,
                "{} is \"{found}\", compose expects \"{}\"",
                self.label, self.expected
            ),
            None => write!(
                f,
                "{} is missing (compose expects \"{}\")",
                self.label, self.expected
            ),
        }
    }
}

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
        let set = FileSet::of(&standbys);
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

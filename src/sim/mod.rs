//! `gaia sim`: a simulated GAIA stack in real containers on the local engine.
//!
//! Everything it creates carries the label `io.gaia.sim`; anything with a
//! GAIA name that lacks it belongs to someone else, and the simulation
//! refuses to touch it.

pub(crate) mod faults;
pub(crate) mod image;
pub(crate) mod root;

use serde_json::json;

use crate::compose::model::ComposeModel;
use crate::compose::tool::{Compose, FileSet};
use crate::docker::{Container, Docker, Health, State};
use crate::error::{Error, Result};
use crate::output::{Printer, Render, Tone};
use crate::registry::{Registry, Role, Service};
use crate::stack::{Object, Stack};
use image::{BUILD_LABEL, ImageSpec, VARIANT_LABEL, Variant};
use root::Root;

/// Label on every container, network and volume of the simulated stack.
pub(crate) const SIM_LABEL: &str = "io.gaia.sim";

/// Compose overlays holding the settings faults changed, one per file set.
const LIVE_FAULTS: &str = "docker-compose.sim-faults.yml";
const HA_FAULTS: &str = "docker-compose.ha.sim-faults.yml";

pub(crate) struct Sim<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) printer: &'a Printer,
    pub(crate) docker: Docker,
    pub(crate) compose: Compose,
    pub(crate) root: Root,
}

/// Merges `patch` into `base`, object by object, so faults on one service add up.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                merge(base.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (base, patch) => *base = patch,
    }
}

/// Whether a container belongs to the simulated stack.
pub(crate) fn is_simulated(container: &Container) -> bool {
    container.labels.contains_key(SIM_LABEL)
}

impl<'a> Sim<'a> {
    pub(crate) async fn connect(
        registry: &'a Registry,
        printer: &'a Printer,
        root: Root,
    ) -> Result<Sim<'a>> {
        let docker = Docker::connect().await?;
        let compose = Compose::detect(&root.path).await?;
        Ok(Sim {
            registry,
            printer,
            docker,
            compose,
            root,
        })
    }

    /// Recreates the network when compose would refuse its labels (as gaia
    /// 0.1's `--fix` left it): `up` cannot converge anything until then.
    async fn relabel_network_if_refused(&self) -> Result<()> {
        let name = &self.registry.network;
        let Some(network) = self.docker.network(name).await? else {
            return Ok(());
        };
        let model = ComposeModel::of_registry(&self.root.path, self.registry).await;
        let key = &model.network(name)?.key;
        if network.labels.get(Object::Network.key_label()) != Some(key) {
            self.printer
                .step(format!("recreating {name} with compose's labels"));
            self.stack()
                .relabel_network(&self.root.path, &model)
                .await?;
        }
        Ok(())
    }

    /// The services the stack runs: the live ones without a profile, and the
    /// HA standbys when asked for.
    pub(crate) fn expected(&self, ha: bool) -> Vec<&'a Service> {
        let registry = self.registry;
        registry
            .services
            .iter()
            .filter(|s| s.role == Role::Live && s.profile.is_none())
            .chain(registry.standbys().filter(move |_| ha))
            .collect()
    }

    pub(crate) fn is_live_file_set(service: &Service) -> bool {
        service.compose_files.first().map(String::as_str) == Some(root::LIVE_COMPOSE)
    }

    fn with_faults(&self, mut set: FileSet, overlay: &str) -> FileSet {
        if self.root.path.join(overlay).is_file() {
            set.files.push(overlay.into());
        }
        set
    }

    pub(crate) fn live_set(&self) -> FileSet {
        let mut set = Root::live_files();
        if self.root.path.join(root::SCALE_COMPOSE).is_file() {
            set.files.push(root::SCALE_COMPOSE.into());
        }
        self.with_faults(set, LIVE_FAULTS)
    }

    pub(crate) fn ha_set(&self) -> FileSet {
        self.with_faults(Root::ha_files(), HA_FAULTS)
    }

    pub(crate) fn set_for(&self, service: &Service) -> FileSet {
        if Self::is_live_file_set(service) {
            self.live_set()
        } else {
            self.ha_set()
        }
    }

    /// Adds settings for `service` to the fault overlay of its file set.
    pub(crate) fn override_service(
        &self,
        service: &Service,
        settings: serde_json::Value,
    ) -> Result<()> {
        let overlay = self.root.path.join(if Self::is_live_file_set(service) {
            LIVE_FAULTS
        } else {
            HA_FAULTS
        });
        let mut doc = std::fs::read_to_string(&overlay)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .unwrap_or_else(|| json!({ "services": {} }));
        merge(&mut doc["services"][&service.name], settings);
        // JSON is YAML: compose reads the overlay like any other file.
        let text = serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?;
        std::fs::write(&overlay, text)
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", overlay.display())))?;
        Ok(())
    }

    /// Drops every fault overlay; true when there was one.
    pub(crate) fn clear_overrides(&self) -> Result<bool> {
        let mut any = false;
        for overlay in [LIVE_FAULTS, HA_FAULTS] {
            let path = self.root.path.join(overlay);
            if path.exists() {
                std::fs::remove_file(&path)
                    .map_err(|e| Error::Failed(format!("cannot remove {}: {e}", path.display())))?;
                any = true;
            }
        }
        Ok(any)
    }

    /// Refuses when a container, network, volume or image the stack would
    /// use exists but was not made by gaia sim: it may be the real GAIA.
    pub(crate) async fn refuse_foreign_objects(&self, services: &[&Service]) -> Result<()> {
        let mut foreign = Vec::new();
        for service in services {
            if let Some(c) = self.docker.container(&service.container).await?
                && !is_simulated(&c)
            {
                foreign.push(format!("container {}", service.container));
            }
        }
        if let Some(net) = self.docker.network(&self.registry.network).await?
            && !net.labels.contains_key(SIM_LABEL)
        {
            foreign.push(format!("network {}", self.registry.network));
        }
        for volume in &self.registry.volumes {
            if let Some(labels) = self.docker.volume_labels(&volume.name).await?
                && !labels.contains_key(SIM_LABEL)
            {
                foreign.push(format!("volume {}", volume.name));
            }
        }
        for service in &self.registry.services {
            if let Some(image) = self.docker.image(&service.image).await?
                && !image.labels.contains_key(BUILD_LABEL)
            {
                foreign.push(format!("image {}", service.image));
            }
        }
        foreign.dedup();
        if foreign.is_empty() {
            return Ok(());
        }
        Err(Error::Refused(format!(
            "refusing to touch what gaia sim did not create:\n  {}\n\
             These may belong to a real GAIA stack on this host. The simulated stack \
             uses the same names, so it cannot run beside them.",
            foreign.join("\n  ")
        )))
    }

    /// Loads the images of every registry service that are missing or were
    /// made from another gaia binary.
    pub(crate) async fn ensure_images(&self) -> Result<()> {
        let build = crate::image::build_id()?;
        let mut missing = Vec::new();
        for service in &self.registry.services {
            let current = self
                .docker
                .image(&service.image)
                .await?
                .is_some_and(|image| {
                    image.labels.get(BUILD_LABEL) == Some(&build)
                        && image.labels.get(VARIANT_LABEL).map(String::as_str)
                            == Some(Variant::Standard.label())
                });
            if !current && !missing.iter().any(|s: &ImageSpec| s.tag == service.image) {
                missing.push(ImageSpec::for_service(service, Variant::Standard));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        self.printer.step(format!(
            "building {} simulated images from scratch",
            missing.len()
        ));
        self.load(&missing, &build).await
    }

    pub(crate) async fn load(&self, specs: &[ImageSpec], build: &str) -> Result<()> {
        let archive = image::archive(specs, build)?;
        self.docker.load_images(archive).await
    }

    /// The operations the simulated stack shares with the real one.
    pub(crate) fn stack(&self) -> Stack<'_> {
        Stack::new(self.registry, &self.docker, self.printer)
    }

    /// Brings the live stack (and with `ha` the standbys) to what the compose
    /// files say: starts what stopped, recreates what an overlay or an image
    /// changed, resets crash-looped containers, reattaches detached ones.
    pub(crate) async fn converge(&self, ha: bool) -> Result<()> {
        self.relabel_network_if_refused().await?;
        // Containers keep the id of the network they were created on: once it
        // is gone, only recreating them attaches them to the new one.
        let network_gone = self.docker.network(&self.registry.network).await?.is_none();
        let force: &[&str] = if network_gone {
            &["--force-recreate"]
        } else {
            &[]
        };
        self.printer.step(format!(
            "starting the live stack in {} (with {})",
            self.root.path.display(),
            self.compose.program()
        ));
        self.compose
            .run(&self.live_set(), &[&["up", "-d"], force].concat())
            .await?;
        if ha {
            self.printer.step("starting the HA standbys");
            self.stack()
                .start_standbys(&self.compose, &self.ha_set(), force)
                .await?;
        }
        for service in self.expected(ha) {
            let Some(c) = self.docker.container(&service.container).await? else {
                continue;
            };
            if c.restart_count > 0 {
                self.printer.step(format!(
                    "recreating {} to reset its restart count",
                    service.container
                ));
                let set = self.set_for(service);
                self.compose.recreate(&set, &service.name).await?;
            } else if c.is_running() && !c.networks.iter().any(|n| n == &self.registry.network) {
                self.printer.step(format!(
                    "reconnecting {} to {}",
                    service.container, self.registry.network
                ));
                self.docker
                    .connect_network(
                        &self.registry.network,
                        &service.container,
                        vec![service.name.clone()],
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

/// The simulated stack's containers: one row per registry container that
/// exists, plus the live ones that should.
pub(crate) struct Status {
    rows: Vec<Row>,
    /// With `sim up`: the root it runs from, for the operator's next step.
    pub(crate) up_in: Option<std::path::PathBuf>,
}

struct Row {
    service: String,
    container: String,
    /// None when the container is missing.
    found: Option<(State, Option<Health>)>,
    host_port: Option<u16>,
    owner: &'static str,
}

impl Status {
    pub(crate) async fn gather(docker: &Docker, registry: &Registry) -> Result<Status> {
        let mut rows = Vec::new();
        for service in &registry.services {
            let container = docker.container(&service.container).await?;
            let expected = service.role == Role::Live && service.profile.is_none();
            if container.is_none() && !expected {
                continue;
            }
            rows.push(Row {
                service: service.name.clone(),
                container: service.container.clone(),
                found: container.as_ref().map(|c| (c.state, c.health)),
                host_port: service.host_port,
                owner: match &container {
                    Some(c) if is_simulated(c) => "gaia sim",
                    Some(_) => "not gaia sim",
                    None => "-",
                },
            });
        }
        Ok(Status { rows, up_in: None })
    }
}

impl Render for Status {
    fn human(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["SERVICE", "STATE", "HEALTH", "PORT", "OWNER"]);
        for row in &self.rows {
            let (state, health) = match row.found {
                Some((state, health)) => (state.to_string(), health),
                None => ("missing".to_owned(), None),
            };
            let tone = match row.found {
                Some((State::Running, Some(Health::Healthy) | None)) => Tone::Good,
                Some((State::Running, Some(Health::Starting))) => Tone::Warn,
                _ => Tone::Bad,
            };
            table.add_row(vec![
                row.service.clone(),
                printer.paint(&state, tone),
                health.map_or_else(|| "-".to_owned(), |h| h.to_string()),
                row.host_port
                    .map(|p| format!("127.0.0.1:{p}"))
                    .unwrap_or_else(|| "internal".into()),
                row.owner.to_owned(),
            ]);
        }
        let mut out = format!("{table}\n");
        if let Some(root) = &self.up_in
            && !printer.quiet
        {
            out.push_str(&format!(
                "\nThe simulated GAIA stack is up. Check it with:\n  gaia --root {} doctor\n",
                root.display()
            ));
        }
        out
    }

    fn json(&self) -> serde_json::Value {
        self.rows
            .iter()
            .map(|row| {
                json!({
                    "service": row.service,
                    "container": row.container,
                    "state": row.found.map_or_else(|| "missing".to_owned(), |(s, _)| s.to_string()),
                    "health": row.found.and_then(|(_, h)| h).map(|h| h.to_string()),
                    "host_port": row.host_port,
                    "owner": row.owner,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::merge;
    use serde_json::json;

    #[test]
    fn faults_on_one_service_add_up() {
        let mut doc = json!({ "services": {} });
        merge(
            &mut doc["services"]["gaia-web"],
            json!({ "environment": { "A": "" } }),
        );
        merge(
            &mut doc["services"]["gaia-web"],
            json!({ "environment": { "B": "/app" } }),
        );
        assert_eq!(
            doc,
            json!({ "services": { "gaia-web": { "environment": { "A": "", "B": "/app" } } } })
        );
    }
}

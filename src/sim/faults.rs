//! The faults `gaia sim fault` can inject, one for each incident the doctor
//! must catch, and `gaia sim heal`, which undoes them all.

use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use super::image::{ImageSpec, Variant};
use super::{SIM_LABEL, Sim, is_simulated};
use crate::archive;
use crate::docker::NetworkSpec;
use crate::error::{Error, Result};
use crate::guest::faults as switch;
use crate::registry::Service;
use crate::stack::Object;
use clap::ValueEnum as _;

/// A fault `gaia sim fault` can inject, each one an incident the doctor
/// must catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Fault {
    Exited,
    Unhealthy,
    RestartLoop,
    #[value(name = "health-500")]
    Health500,
    HealthHang,
    NoModel,
    CoreGpu,
    StandbyDown,
    StandbysDown,
    NoFallbackEnv,
    MaintenanceOn,
    NetworkDetached,
    SharedDirMissing,
    SharedDirRootOwned,
    LibraryDrift,
    SessionsStale,
    StaleCandidateImage,
    ImageWithoutUser,
    NoGaiaCommon,
    MangledName,
    NetworkMissing,
    NetworkMislabelled,
    CudaOom,
}

impl Fault {
    /// Its name on the command line.
    pub(crate) fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    pub(crate) fn summary(self) -> &'static str {
        match self {
            Fault::Exited => "stop a required container",
            Fault::Unhealthy => {
                "make the container's own healthcheck fail until Docker reports it unhealthy"
            }
            Fault::RestartLoop => "crash the service six times so its restart count passes 5",
            Fault::Health500 => "make /health answer 500",
            Fault::HealthHang => "make /health accept connections and never answer",
            Fault::NoModel => "prime answers /health but serves no model",
            Fault::CoreGpu => "recreate the container holding a GPU",
            Fault::StandbyDown => "stop one HA standby",
            Fault::StandbysDown => "stop every HA standby",
            Fault::NoFallbackEnv => "recreate the container without its fallback endpoint",
            Fault::MaintenanceOn => "set the HA maintenance flag /shared/ha_maintenance",
            Fault::NetworkDetached => "disconnect the container from gaia-network",
            Fault::SharedDirMissing => "remove a shared directory the registry requires",
            Fault::SharedDirRootOwned => "give a required shared directory to root",
            Fault::LibraryDrift => "change a key gaia-common file in the candidate copy",
            Fault::SessionsStale => "stop core saving /shared/sessions.json and age it by an hour",
            Fault::StaleCandidateImage => "replace the candidate image with one built 30 days ago",
            Fault::ImageWithoutUser => {
                "replace the image with one whose /etc/passwd lacks uid 1000"
            }
            Fault::NoGaiaCommon => {
                "recreate the container with a PYTHONPATH that hides gaia_common"
            }
            Fault::MangledName => {
                "rename the container as a failed compose recreate leaves it (<hash>_name)"
            }
            Fault::NetworkMissing => "detach every container and remove gaia-network",
            Fault::NetworkMislabelled => {
                "recreate gaia-network labelled with its name, not its compose key (compose v2 \
                 then refuses every up)"
            }
            Fault::CudaOom => "make prime log a CUDA out-of-memory error (heal restarts it)",
        }
    }

    /// The container broken when `--service` is not given.
    pub(crate) fn target(self) -> Option<&'static str> {
        match self {
            Fault::Exited => Some("gaia-web"),
            Fault::Unhealthy => Some("gaia-mcp"),
            Fault::RestartLoop => Some("gaia-study"),
            Fault::Health500 => Some("gaia-study"),
            Fault::HealthHang => Some("gaia-study"),
            Fault::NoModel => Some("gaia-prime"),
            Fault::CoreGpu => Some("gaia-core"),
            Fault::StandbyDown => Some("gaia-mcp-candidate"),
            Fault::StandbysDown => None,
            Fault::NoFallbackEnv => Some("gaia-web"),
            Fault::MaintenanceOn => None,
            Fault::NetworkDetached => Some("gaia-core"),
            Fault::SharedDirMissing => Some("gaia-core-candidate"),
            Fault::SharedDirRootOwned => Some("gaia-core-candidate"),
            Fault::LibraryDrift => None,
            Fault::SessionsStale => Some("gaia-core"),
            Fault::StaleCandidateImage => Some("gaia-core-candidate"),
            Fault::ImageWithoutUser => Some("gaia-core-candidate"),
            Fault::NoGaiaCommon => Some("gaia-web"),
            Fault::MangledName => Some("gaia-core"),
            Fault::NetworkMissing | Fault::NetworkMislabelled => None,
            Fault::CudaOom => Some("gaia-prime"),
        }
    }
}

const SETTLE: Duration = Duration::from_secs(60);
const SHARED_DIR_BROKEN: &str = "council";
const DRIFTED_FILE: &str = "utils/resilience.py";
/// What PyTorch logs when vLLM asks for more GPU memory than is free.
const CUDA_OOM_LINE: &str = "ERROR torch.OutOfMemoryError: CUDA out of memory. Tried to allocate \
    2.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.12 GiB is free.";

impl Sim<'_> {
    fn target(&self, fault: Fault, chosen: Option<&str>) -> Result<Option<&Service>> {
        let Some(name) = chosen.or(fault.target()) else {
            if let Some(chosen) = chosen {
                return Err(Error::Config(format!(
                    "fault `{}` takes no --service (got {chosen})",
                    fault.name()
                )));
            }
            return Ok(None);
        };
        self.registry
            .services
            .iter()
            .find(|s| s.name == name || s.container == name)
            .map(Some)
            .ok_or_else(|| Error::Config(format!("`{name}` is not a service in the registry")))
    }

    /// The running simulated container of `service`, or a clear refusal.
    async fn running(&self, service: &Service) -> Result<()> {
        match self.docker.container(&service.container).await? {
            Some(c) if !is_simulated(&c) => Err(Error::Refused(format!(
                "{} was not created by gaia sim; faults are only injected into the simulated stack",
                service.container
            ))),
            Some(c) if c.is_running() => Ok(()),
            Some(c) => Err(Error::Failed(format!(
                "{} is {}; faults need it running (try `gaia sim heal`)",
                service.container, c.state
            ))),
            None => Err(Error::Failed(format!(
                "{} does not exist{}",
                service.container,
                if self.registry.standbys().any(|s| s.name == service.name) {
                    "; start the standbys with `gaia sim up --ha`"
                } else {
                    ""
                }
            ))),
        }
    }

    async fn set_switch(&self, service: &Service, name: &str, value: &str) -> Result<()> {
        let out = self
            .docker
            .exec(
                &service.container,
                &["gaia-simctl", "set", name, value],
                Some("0"),
            )
            .await?;
        if out.exit_code != 0 {
            return Err(Error::Failed(format!(
                "could not set {name} in {}: {}",
                service.container,
                out.stderr.trim()
            )));
        }
        Ok(())
    }

    /// Recreates `service` through compose and waits until it is healthy
    /// again, so what the fault changed is all that differs.
    async fn recreate(&self, service: &Service) -> Result<()> {
        self.compose
            .recreate(&self.set_for(service), &service.name)
            .await?;
        self.stack().wait_healthy(&[service], SETTLE).await
    }
    async fn settle(
        &self,
        service: &Service,
        what: &str,
        done: impl Fn(&crate::docker::Container) -> bool,
    ) -> Result<()> {
        let started = Instant::now();
        let spinner = self
            .printer
            .spinner(format!("waiting until {} is {what}", service.container));
        while started.elapsed() < SETTLE {
            if self
                .docker
                .container(&service.container)
                .await?
                .is_some_and(|c| done(&c))
            {
                spinner.finish_and_clear();
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        spinner.finish_and_clear();
        Err(Error::Failed(format!(
            "{} did not become {what} within {}s",
            service.container,
            SETTLE.as_secs()
        )))
    }

    /// Injects `fault` and waits until its effect can be observed.
    pub(crate) async fn inject(&self, fault: Fault, chosen: Option<&str>) -> Result<String> {
        let target = self.target(fault, chosen)?;
        if let Some(service) = target {
            self.running(service).await?;
        }
        let service = || target.expect("every fault with a target has one");
        match fault {
            Fault::Exited | Fault::StandbyDown => {
                self.docker.stop(&service().container).await?;
                Ok(format!("stopped {}", service().container))
            }
            Fault::StandbysDown => {
                let mut stopped = Vec::new();
                for standby in self.registry.standbys() {
                    self.running(standby).await?;
                    self.docker.stop(&standby.container).await?;
                    stopped.push(standby.container.as_str());
                }
                Ok(format!("stopped {}", stopped.join(", ")))
            }
            Fault::Unhealthy => {
                self.set_switch(service(), switch::HEALTHCHECK_FAILS, "")
                    .await?;
                self.settle(service(), "unhealthy", |c| {
                    c.health == Some(crate::docker::Health::Unhealthy)
                })
                .await?;
                Ok(format!(
                    "{} fails its own healthcheck and is unhealthy",
                    service().container
                ))
            }
            Fault::RestartLoop => {
                self.set_switch(service(), switch::CRASH_LOOP, "6").await?;
                self.settle(service(), "restarted more than 5 times and running", |c| {
                    c.restart_count > 5 && c.is_running()
                })
                .await?;
                Ok(format!(
                    "{} crashed and was restarted 6 times",
                    service().container
                ))
            }
            Fault::Health500 => {
                self.set_switch(service(), switch::HEALTH_500, "").await?;
                Ok(format!("{} answers /health with 500", service().container))
            }
            Fault::HealthHang => {
                self.set_switch(service(), switch::HEALTH_HANG, "").await?;
                Ok(format!("{} never answers /health", service().container))
            }
            Fault::CudaOom => {
                self.set_switch(service(), switch::LOGGED_ERROR, "").await?;
                // As the service's own user: only it may open its process's
                // output (root in the container lacks CAP_SYS_PTRACE).
                let out = self
                    .docker
                    .exec(
                        &service().container,
                        &["gaia-simctl", "log", CUDA_OOM_LINE],
                        None,
                    )
                    .await?;
                if out.exit_code != 0 {
                    return Err(Error::Failed(format!(
                        "could not write to the log of {}: {}",
                        service().container,
                        out.stderr.trim()
                    )));
                }
                Ok(format!(
                    "{} logged a CUDA out-of-memory error",
                    service().container
                ))
            }
            Fault::NoModel => {
                self.set_switch(service(), switch::NO_MODEL, "").await?;
                Ok(format!("{} serves no model", service().container))
            }
            Fault::SessionsStale => {
                self.set_switch(service(), switch::SESSIONS_FROZEN, "")
                    .await?;
                let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
                let archive = archive::file_archive(
                    "sessions.json",
                    b"{\"sessions\": {}}",
                    1000,
                    an_hour_ago,
                )?;
                self.docker
                    .upload(&service().container, "/shared", archive)
                    .await?;
                Ok(format!(
                    "{} stopped saving sessions.json, last saved an hour ago",
                    service().container
                ))
            }
            Fault::CoreGpu => {
                self.override_service(service(), json!({ "devices": ["/dev/null:/dev/nvidia0"] }))?;
                self.recreate(service()).await?;
                Ok(format!(
                    "recreated {} holding a (simulated) GPU",
                    service().container
                ))
            }
            Fault::NoFallbackEnv => {
                let fallback = service().fallbacks.first().ok_or_else(|| {
                    Error::Config(format!(
                        "{} reaches no standby: it has no fallback env",
                        service().name
                    ))
                })?;
                self.override_service(
                    service(),
                    json!({ "environment": { fallback.env.clone(): "" } }),
                )?;
                self.recreate(service()).await?;
                Ok(format!(
                    "recreated {} with {} empty",
                    service().container,
                    fallback.env
                ))
            }
            Fault::NoGaiaCommon => {
                self.override_service(
                    service(),
                    json!({ "environment": { "PYTHONPATH": "/app" } }),
                )?;
                self.recreate(service()).await?;
                Ok(format!(
                    "recreated {} with PYTHONPATH=/app: gaia_common no longer imports",
                    service().container
                ))
            }
            Fault::StaleCandidateImage | Fault::ImageWithoutUser => {
                let variant = if fault == Fault::StaleCandidateImage {
                    Variant::Stale
                } else {
                    Variant::WithoutServiceUser
                };
                let build = crate::image::build_id()?;
                self.load(&[ImageSpec::for_service(service(), variant)], &build)
                    .await?;
                self.recreate(service()).await?;
                Ok(format!(
                    "{} now runs an image that is {}",
                    service().container,
                    match variant {
                        Variant::Stale => "30 days old",
                        _ => "missing the uid-1000 user",
                    }
                ))
            }
            Fault::MaintenanceOn => {
                let holder = self.holder_of("gaia-shared")?;
                self.running(holder).await?;
                let note = format!(
                    "reason=rehearsal\nset_by=gaia sim fault\nset_at={}\n",
                    humantime::format_rfc3339_seconds(SystemTime::now())
                );
                let archive = archive::file_archive(
                    "ha_maintenance",
                    note.as_bytes(),
                    1000,
                    SystemTime::now(),
                )?;
                self.docker
                    .upload(&holder.container, "/shared", archive)
                    .await?;
                Ok("HA maintenance flag set in gaia-shared".into())
            }
            Fault::SharedDirMissing => {
                let path = format!("/shared/{SHARED_DIR_BROKEN}");
                let out = self
                    .docker
                    .exec(&service().container, &["rm", "-rf", &path], Some("0"))
                    .await?;
                if out.exit_code != 0 {
                    return Err(Error::Failed(format!(
                        "could not remove {path}: {}",
                        out.stderr.trim()
                    )));
                }
                Ok(format!("removed {path} from {}", service().container))
            }
            Fault::SharedDirRootOwned => {
                let archive = archive::directories_archive(&[(SHARED_DIR_BROKEN, 0)], 0o755)?;
                self.docker
                    .upload(&service().container, "/shared", archive)
                    .await?;
                Ok(format!(
                    "/shared/{SHARED_DIR_BROKEN} in {} now belongs to root",
                    service().container
                ))
            }
            Fault::LibraryDrift => {
                let candidate = crate::catalogue::Catalogue::load(self.registry)?
                    .library
                    .candidate;
                let file = self.root.path.join(&candidate).join(DRIFTED_FILE);
                let mut text = std::fs::read_to_string(&file)
                    .map_err(|e| Error::Failed(format!("cannot read {}: {e}", file.display())))?;
                text.push_str("\nRETRY_JITTER = 0.5  # changed in the candidate only\n");
                std::fs::write(&file, text)
                    .map_err(|e| Error::Failed(format!("cannot write {}: {e}", file.display())))?;
                Ok(format!("{candidate}/{DRIFTED_FILE} now differs from live"))
            }
            Fault::MangledName => {
                let c = self
                    .docker
                    .container(&service().container)
                    .await?
                    .expect("checked running");
                let mangled = format!("{}_{}", &c.id[..12], service().container);
                self.docker.rename(&service().container, &mangled).await?;
                Ok(format!("{} is now named {mangled}", service().container))
            }
            Fault::NetworkDetached => {
                self.docker
                    .disconnect_network(&self.registry.network, &service().container)
                    .await?;
                Ok(format!(
                    "{} is off {}",
                    service().container,
                    self.registry.network
                ))
            }
            Fault::NetworkMissing => {
                let network = &self.registry.network;
                let Some(detached) = self.remove_network().await? else {
                    return Ok(format!("{network} was already missing"));
                };
                Ok(format!(
                    "removed {network} after detaching {} containers",
                    detached.len()
                ))
            }
            Fault::NetworkMislabelled => {
                let network = &self.registry.network;
                let Some(old) = self.docker.network(network).await? else {
                    return Err(Error::Failed(format!(
                        "{network} is missing; `gaia sim heal` first"
                    )));
                };
                let detached = self.remove_network().await?.unwrap_or_default();
                // What gaia 0.1's `--fix` wrote: the network's name where
                // compose keeps its key.
                let mut labels = old.labels;
                labels.insert(Object::Network.key_label().into(), network.clone());
                self.docker
                    .create_network(NetworkSpec {
                        name: network.clone(),
                        driver: "bridge".into(),
                        labels,
                        subnets: Vec::new(),
                    })
                    .await?;
                for name in &detached {
                    let alias = self
                        .docker
                        .container(name)
                        .await?
                        .and_then(|c| c.labels.get("com.docker.compose.service").cloned());
                    self.docker
                        .connect_network(network, name, alias.into_iter().collect())
                        .await?;
                }
                Ok(format!(
                    "{network} now labelled com.docker.compose.network={network}"
                ))
            }
        }
    }

    /// Detaches every container from the simulated stack's network and
    /// removes it; the containers it detached, None when it was missing.
    async fn remove_network(&self) -> Result<Option<Vec<String>>> {
        let network = &self.registry.network;
        let Some(net) = self.docker.network(network).await? else {
            return Ok(None);
        };
        if !net.labels.contains_key(SIM_LABEL) {
            return Err(Error::Refused(format!(
                "{network} was not created by gaia sim"
            )));
        }
        for name in &net.containers {
            let owned = self
                .docker
                .container(name)
                .await?
                .is_some_and(|c| is_simulated(&c));
            if !owned {
                return Err(Error::Refused(format!(
                    "{name}, attached to {network}, was not created by gaia sim; leaving the network alone"
                )));
            }
        }
        for name in &net.containers {
            self.docker.disconnect_network(network, name).await?;
        }
        self.docker.remove_network(network).await?;
        Ok(Some(net.containers))
    }

    /// The first service of the registry that mounts `volume`.
    fn holder_of(&self, volume: &str) -> Result<&Service> {
        self.registry
            .services
            .iter()
            .find(|s| s.volumes.iter().any(|v| v == volume) && s.profile.is_none())
            .ok_or_else(|| Error::Config(format!("no service in the registry mounts {volume}")))
    }

    /// Undoes every fault: what compose can converge it converges, the rest
    /// (names, switches, files, images, network attachments) is put back here.
    pub(crate) async fn heal(&self, timeout: Duration) -> Result<()> {
        let settings = self.root.settings()?;
        let services = self.expected(settings.ha);
        let owned = self.docker.containers_with_label(SIM_LABEL).await?;

        for c in &owned {
            let Some(service) = c.labels.get("com.docker.compose.service") else {
                continue;
            };
            if &c.name != service && self.docker.container(service).await?.is_none() {
                self.printer
                    .step(format!("renaming {} back to {service}", c.name));
                self.docker.rename(&c.name, service).await?;
            }
        }
        // Switches first: compose refuses to start anything whose
        // dependency is unhealthy, and a cleared switch heals within one interval.
        let mut running = Vec::new();
        for service in &services {
            if let Some(c) = self.docker.container(&service.container).await?
                && c.is_running()
            {
                let cleared = self
                    .docker
                    .exec(&service.container, &["gaia-simctl", "clear"], Some("0"))
                    .await?;
                // A logged error cannot be unwritten: a restart starts the
                // log the doctor judges afresh.
                if cleared.stdout.lines().any(|l| l == switch::LOGGED_ERROR) {
                    self.printer
                        .step(format!("restarting {} for a clean log", service.container));
                    self.docker.restart(&service.container).await?;
                }
                running.push(*service);
            }
        }
        self.stack().wait_healthy(&running, timeout).await?;
        let library = crate::catalogue::Catalogue::load(self.registry)?.library;
        for package in [&library.live, &library.candidate] {
            self.root.restore_library_file(package, DRIFTED_FILE)?;
        }
        self.clear_overrides()?;
        self.ensure_images().await?;
        self.converge(settings.ha).await?;
        let holder = self.holder_of("gaia-shared")?;
        self.docker
            .exec(
                &holder.container,
                &["rm", "-f", "/shared/ha_maintenance"],
                Some("0"),
            )
            .await?;
        let fresh = archive::file_archive(
            "sessions.json",
            b"{\"sessions\": {}}",
            1000,
            SystemTime::now(),
        )?;
        self.docker
            .upload(&holder.container, "/shared", fresh)
            .await?;
        self.stack().wait_healthy(&services, timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::sim::root::Root;

    #[test]
    fn every_fault_targets_a_registry_service() {
        let registry = Registry::load(None).unwrap();
        for fault in Fault::value_variants() {
            if let Some(target) = fault.target() {
                assert!(
                    registry.service(target).is_some(),
                    "{} targets {target}",
                    fault.name()
                );
            }
        }
    }

    #[test]
    fn faults_are_named_as_operators_type_them() {
        assert_eq!(Fault::Health500.name(), "health-500");
        assert_eq!(Fault::SharedDirRootOwned.name(), "shared-dir-root-owned");
    }

    #[test]
    fn the_live_files_start_the_live_services() {
        let registry = Registry::load(None).unwrap();
        assert!(Sim::is_live_file_set(
            registry.service("gaia-core").unwrap()
        ));
        assert!(!Sim::is_live_file_set(
            registry.service("gaia-core-candidate").unwrap()
        ));
        assert_eq!(Root::live_files().files, ["docker-compose.yml"]);
    }
}

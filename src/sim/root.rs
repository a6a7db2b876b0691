//! The rehearsal root: a directory laid out like the real GAIA project root
//! (compose files, service sources, `candidates/`, `gaia-common/`), which
//! the simulated containers bind-mount as the real ones do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::compose::tool::FileSet;
use crate::error::{Error, Result};
use crate::registry::{HA_PROFILE, Registry, Role};

const MARKER: &str = ".gaia-sim.json";
pub(crate) const LIVE_COMPOSE: &str = "docker-compose.yml";
pub(crate) const CANDIDATE_COMPOSE: &str = "docker-compose.candidate.yml";
pub(crate) const HA_COMPOSE: &str = "docker-compose.ha.yml";
pub(crate) const SCALE_COMPOSE: &str = "docker-compose.scale.yml";
pub(crate) const SCALED_REGISTRY: &str = "services.scaled.toml";
/// Host ports of the scale services start above this.
const SCALE_PORT_BASE: u16 = 20000;

const TEMPLATES: [(&str, &str); 3] = [
    (LIVE_COMPOSE, include_str!("compose/docker-compose.yml")),
    (
        CANDIDATE_COMPOSE,
        include_str!("compose/docker-compose.candidate.yml"),
    ),
    (HA_COMPOSE, include_str!("compose/docker-compose.ha.yml")),
];

/// The model the rehearsal prime serves and every core asks for.
pub(crate) const MODEL: &str = "/models/Qwen3-4B-Instruct-2507-heretic";

/// What `gaia sim up` was asked for, kept for `heal`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub(crate) ha: bool,
    pub(crate) retry_base_delay_ms: u64,
    #[serde(default = "default_health_interval_ms")]
    pub(crate) health_interval_ms: u64,
    /// Extra light services for benchmarks.
    #[serde(default)]
    pub(crate) scale: u16,
}

fn default_health_interval_ms() -> u64 {
    2000
}

pub(crate) struct Root {
    pub(crate) path: PathBuf,
}

impl Root {
    /// A root `gaia sim up` may write: new, empty, or one it made before.
    pub(crate) fn create_or_reuse(path: &Path) -> Result<Root> {
        let is_ours = path.join(MARKER).is_file();
        let is_empty = match std::fs::read_dir(path) {
            Ok(mut entries) => entries.next().is_none(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => true,
            Err(err) => {
                return Err(Error::PreFlight(format!(
                    "cannot read {}: {err}",
                    path.display()
                )));
            }
        };
        if !is_ours && !is_empty {
            return Err(Error::Refused(format!(
                "{} is not empty and was not made by `gaia sim up`; the rehearsal stack \
                 will not write its compose files there. Choose an empty directory with \
                 --root DIR (or GAIA_ROOT).",
                path.display()
            )));
        }
        std::fs::create_dir_all(path)
            .map_err(|err| Error::PreFlight(format!("cannot create {}: {err}", path.display())))?;
        let path = path
            .canonicalize()
            .map_err(|err| Error::PreFlight(format!("cannot resolve {}: {err}", path.display())))?;
        Ok(Root { path })
    }

    /// The root of a simulated stack that is already up.
    pub(crate) fn existing(path: &Path) -> Result<Root> {
        if !path.join(MARKER).is_file() {
            return Err(Error::PreFlight(format!(
                "{} holds no simulated stack: run `gaia sim up` first, or pass the --root it used",
                path.display()
            )));
        }
        Ok(Root {
            path: path.canonicalize().unwrap_or_else(|_| path.to_owned()),
        })
    }

    pub(crate) fn settings(&self) -> Result<Settings> {
        let text = std::fs::read_to_string(self.path.join(MARKER))
            .with_context(|| format!("reading {}", self.path.join(MARKER).display()))?;
        Ok(serde_json::from_str(&text).context("reading the rehearsal root's settings")?)
    }

    /// Writes the compose files, sources and settings. Existing sources are
    /// kept: a rehearsal may have changed them on purpose.
    pub(crate) fn lay_out(&self, registry: &Registry, settings: &Settings) -> Result<()> {
        let write = |relative: &str, contents: &str| -> Result<()> {
            let file = self.path.join(relative);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&file, contents)
                .with_context(|| format!("writing {}", file.display()))?;
            Ok(())
        };
        for (name, text) in TEMPLATES {
            write(name, text)?;
        }
        let delay = Duration::from_millis(settings.retry_base_delay_ms).as_secs_f64();
        let interval = settings.health_interval_ms;
        write(
            ".env",
            &format!(
                "# Written by `gaia sim up`: settings of the rehearsal stack.\n\
                 COMPOSE_PROJECT_NAME=gaia-sim\n\
                 PRIME_MODEL={MODEL}\n\
                 PRIME_MODEL_PATH={MODEL}\n\
                 CORE_RETRY_BASE_DELAY={delay}\n\
                 GAIA_SIM_HEALTH_INTERVAL={interval}ms\n\
                 GROQ_API_KEY=gsk_rehearsal_0000000000000000\n"
            ),
        )?;
        write(
            ".env.discord",
            "DISCORD_BOT_TOKEN=rehearsal-discord-token-0000\n",
        )?;
        for dir in [
            "knowledge/vector_store",
            "gaia-models",
            "logs",
            "gaia-wiki/docs",
        ] {
            std::fs::create_dir_all(self.path.join(dir))
                .with_context(|| format!("creating {dir}"))?;
        }
        for service in &registry.services {
            let version = self.path.join(&service.source).join("VERSION");
            if !version.exists() {
                let label = match service.role {
                    Role::Live => "1.0.0",
                    Role::Candidate => "1.1.0-candidate",
                };
                write(
                    &format!("{}/VERSION", service.source),
                    &format!("{} {label}\n", service.name.trim_end_matches("-candidate")),
                )?;
            }
        }
        // What `gaia promote --validate` builds its throwaway image from: the
        // candidate's own image with the candidate's source at /app, as the
        // real Dockerfiles install it.
        let base_of_packages = registry
            .services
            .iter()
            .find(|s| s.role == Role::Candidate && s.python)
            .map(|s| s.image.as_str());
        let dockerfiles = registry
            .services
            .iter()
            .filter(|s| s.role == Role::Candidate)
            .map(|s| (s.source.as_str(), Some(s.image.as_str())))
            .chain(
                registry
                    .packages
                    .iter()
                    .map(|p| (p.candidate_source.as_str(), base_of_packages)),
            );
        for (source, image) in dockerfiles {
            let Some(image) = image else { continue };
            if !self.path.join(source).join("Dockerfile").exists() {
                write(
                    &format!("{source}/Dockerfile"),
                    &format!("FROM {image}\nCOPY . /app\n"),
                )?;
            }
        }
        // The key files the doctor compares, in both copies of gaia-common.
        let library = Catalogue::load(registry)?.library;
        for package in [&library.live, &library.candidate] {
            write(&format!("{package}/__init__.py"), "")?;
            for file in &library.files {
                let path = format!("{package}/{file}");
                if let Some((subpackage, _)) = file.split_once('/') {
                    write(&format!("{package}/{subpackage}/__init__.py"), "")?;
                }
                if !self.path.join(&path).exists() {
                    write(&path, &library_file(file))?;
                }
            }
        }
        self.lay_out_scale(settings.scale)?;
        let marker = serde_json::to_string_pretty(settings).context("writing settings")?;
        write(MARKER, &marker)
    }

    /// `scale` copies of a light service (the study image, no healthcheck, so
    /// the engine is not kept busy) in their own compose file, and a registry
    /// that adds them to the built-in one; none when `scale` is 0.
    fn lay_out_scale(&self, scale: u16) -> Result<()> {
        let (compose, registry) = (
            self.path.join(SCALE_COMPOSE),
            self.path.join(SCALED_REGISTRY),
        );
        if scale == 0 {
            for file in [&compose, &registry] {
                if file.exists() {
                    std::fs::remove_file(file)
                        .with_context(|| format!("removing {}", file.display()))?;
                }
            }
            return Ok(());
        }
        let mut services = serde_json::Map::new();
        let mut entries = String::from(crate::registry::DEFAULT_REGISTRY);
        for n in 1..=scale {
            let name = format!("gaia-scale-{n:03}");
            let port = SCALE_PORT_BASE + n;
            services.insert(
                name.clone(),
                serde_json::json!({
                    "image": "localhost:5000/gaia-study:local",
                    "container_name": name,
                    "hostname": name,
                    "restart": "unless-stopped",
                    "labels": { "io.gaia.sim": "true" },
                    "command": ["python", "-m", "uvicorn", "gaia_study.main:app", "--host", "0.0.0.0", "--port", "8766"],
                    "ports": [format!("127.0.0.1:{port}:8766")],
                    "networks": ["gaia-net"],
                }),
            );
            entries.push_str(&format!(
                "\n[[service]]\nname = \"{name}\"\nrole = \"live\"\nrequired = true\nhost_port = {port}\n\
                 port = 8766\nhealth_path = \"/health\"\ncompose_files = [\"{SCALE_COMPOSE}\"]\n\
                 image = \"localhost:5000/gaia-study:local\"\ngpu = \"none\"\nsource = \"gaia-study\"\n"
            ));
        }
        let doc = serde_json::json!({
            "services": services,
            "networks": { "gaia-net": { "name": "gaia-network", "driver": "bridge", "labels": { "io.gaia.sim": "true" } } },
        });
        let text = serde_json::to_string_pretty(&doc).context("writing the scale compose file")?;
        std::fs::write(&compose, text).with_context(|| format!("writing {}", compose.display()))?;
        std::fs::write(&registry, entries)
            .with_context(|| format!("writing {}", registry.display()))?;
        Ok(())
    }

    /// Puts a shared-library file of `package` back as `gaia sim up` wrote it.
    pub(crate) fn restore_library_file(&self, package: &str, file: &str) -> Result<()> {
        let path = self.path.join(package).join(file);
        std::fs::write(&path, library_file(file))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    pub(crate) fn live_files() -> FileSet {
        FileSet {
            files: vec![LIVE_COMPOSE.into()],
            profiles: vec![],
        }
    }

    pub(crate) fn ha_files() -> FileSet {
        FileSet {
            files: vec![CANDIDATE_COMPOSE.into(), HA_COMPOSE.into()],
            profiles: vec![HA_PROFILE.into()],
        }
    }
}

fn library_file(file: &str) -> String {
    if file.ends_with(".json") {
        return "{\n  \"protocol_version\": \"0.3\",\n  \"max_retries\": 3\n}\n".into();
    }
    format!("\"\"\"gaia_common/{file} (rehearsal copy).\"\"\"\n\nVERSION = \"0.3\"\n")
}

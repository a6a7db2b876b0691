//! The service registry: `services.toml` read, checked and resolved.
//!
//! Every per-service behaviour of gaia follows from this file, so a bad entry
//! must stop gaia with one precise message (file:line:column, what was
//! expected) instead of quietly checking less.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};

/// The registry of the real GAIA stack, built into the binary.
pub const DEFAULT_REGISTRY: &str = include_str!("../services.toml");
const DEFAULT_REGISTRY_NAME: &str = "services.toml (built in)";

#[derive(Debug, Clone)]
pub struct Registry {
    pub network: String,
    pub volumes: Vec<Volume>,
    pub services: Vec<Service>,
    pub packages: Vec<Package>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub name: String,
    pub mount: String,
    pub shared_dirs: Vec<SharedDir>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDir {
    pub path: String,
    pub owner: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Live,
    Candidate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuExpectation {
    None,
    One,
    All,
}

/// How `gaia promote` moves a candidate into live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Promotion {
    /// Copy the candidate's source directory over the live one.
    Files,
    /// Tag the candidate's image as the live image.
    Image,
    /// Both.
    Both,
}

impl Promotion {
    pub fn files(self) -> bool {
        matches!(self, Promotion::Files | Promotion::Both)
    }

    pub fn image(self) -> bool {
        matches!(self, Promotion::Image | Promotion::Both)
    }
}

/// Source promoted by files alone, with no container of its own (gaia-common).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub name: String,
    pub source: String,
    pub candidate_source: String,
    #[serde(default)]
    pub python: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub env: String,
    pub standby: String,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub container: String,
    pub role: Role,
    pub stands_in_for: Option<String>,
    pub required: bool,
    pub host_port: Option<u16>,
    pub port: u16,
    pub health_path: String,
    pub compose_files: Vec<String>,
    pub profile: Option<String>,
    pub image: String,
    pub user: Option<u32>,
    pub gpu: GpuExpectation,
    pub source: String,
    pub volumes: Vec<String>,
    pub fallbacks: Vec<Fallback>,
    /// For a live service: how `gaia promote` moves its candidate in.
    pub promote: Option<Promotion>,
    /// Python source, validated with the Python validators on promotion.
    pub python: bool,
}

impl Registry {
    /// The built-in registry, or the file at `path`.
    pub fn load(path: Option<&Path>) -> Result<Registry> {
        match path {
            None => Registry::parse(DEFAULT_REGISTRY, DEFAULT_REGISTRY_NAME),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|err| {
                    Error::Config(format!("cannot read registry {}: {err}", path.display()))
                })?;
                Registry::parse(&text, &path.display().to_string())
            }
        }
    }

    /// Parses and validates registry text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Registry> {
        let located = |span: Option<Range<usize>>, message: &str| {
            Error::Config(match span {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!("{origin}:{line}:{column}: {message}")
                }
                None => format!("{origin}: {message}"),
            })
        };
        let raw: RawRegistry =
            toml::from_str(text).map_err(|err| located(err.span(), err.message()))?;
        raw.resolve()
            .map_err(|(span, message)| located(Some(span), &message))
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.name == name)
    }

    /// The candidates that start with the HA profile: the hot standbys.
    pub fn standbys(&self) -> impl Iterator<Item = &Service> {
        self.services
            .iter()
            .filter(|s| s.role == Role::Candidate && s.profile.as_deref() == Some(HA_PROFILE))
    }
}

/// The compose profile that starts the HA hot standbys.
pub const HA_PROFILE: &str = "ha";

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// ── the file as written ─────────────────────────────────────────────────────

type Problem = (Range<usize>, String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    stack: RawStack,
    #[serde(default, rename = "volume")]
    volumes: Vec<RawVolume>,
    #[serde(rename = "service")]
    services: Vec<RawService>,
    #[serde(default, rename = "package")]
    packages: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStack {
    network: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVolume {
    name: Spanned<String>,
    mount: String,
    #[serde(default)]
    shared_dirs: Vec<SharedDir>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFallback {
    env: String,
    standby: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: Spanned<String>,
    container: Option<Spanned<String>>,
    role: Role,
    stands_in_for: Option<Spanned<String>>,
    required: bool,
    host_port: Option<Spanned<i64>>,
    port: Spanned<i64>,
    health_path: Spanned<String>,
    compose_files: Vec<String>,
    profile: Option<String>,
    image: String,
    user: Option<u32>,
    gpu: GpuExpectation,
    source: String,
    #[serde(default)]
    volumes: Vec<Spanned<String>>,
    #[serde(default)]
    fallbacks: Vec<RawFallback>,
    promote: Option<Spanned<Promotion>>,
    #[serde(default)]
    python: bool,
}

fn port(value: &Spanned<i64>) -> Result<u16, Problem> {
    u16::try_from(*value.get_ref())
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            (
                value.span(),
                format!("port {} is out of range, expected 1-65535", value.get_ref()),
            )
        })
}

impl RawRegistry {
    fn resolve(self) -> Result<Registry, Problem> {
        let mut volumes: Vec<Volume> = Vec::new();
        for raw in self.volumes {
            if volumes.iter().any(|v| v.name == *raw.name.get_ref()) {
                return Err((
                    raw.name.span(),
                    format!("duplicate volume `{}`", raw.name.get_ref()),
                ));
            }
            volumes.push(Volume {
                name: raw.name.into_inner(),
                mount: raw.mount,
                shared_dirs: raw.shared_dirs,
            });
        }

        let mut first_seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut containers: HashMap<String, String> = HashMap::new();
        for raw in &self.services {
            let name = raw.name.get_ref();
            if first_seen.insert(name.clone(), raw.name.span()).is_some() {
                return Err((raw.name.span(), format!("duplicate service `{name}`")));
            }
            let container = raw.container.as_ref().unwrap_or(&raw.name);
            if let Some(other) = containers.insert(container.get_ref().clone(), name.clone()) {
                return Err((
                    container.span(),
                    format!(
                        "container `{}` is already used by service `{other}`",
                        container.get_ref()
                    ),
                ));
            }
        }

        let mut services = Vec::with_capacity(self.services.len());
        for raw in &self.services {
            services.push(raw.resolve(&first_seen, &volumes)?);
        }
        for service in &services {
            if let Some(live) = &service.stands_in_for {
                let target = services.iter().find(|s| &s.name == live);
                if target.is_some_and(|t| t.role != Role::Live) {
                    let raw = self
                        .services
                        .iter()
                        .find(|r| *r.name.get_ref() == service.name);
                    let span = raw
                        .and_then(|r| r.stands_in_for.as_ref())
                        .map(|s| s.span())
                        .unwrap_or_default();
                    return Err((span, format!("`{live}` is not a live service")));
                }
            }
        }

        Ok(Registry {
            network: self.stack.network,
            volumes,
            services,
            packages: self.packages,
        })
    }
}

impl RawService {
    fn resolve(
        &self,
        names: &HashMap<String, Range<usize>>,
        volumes: &[Volume],
    ) -> Result<Service, Problem> {
        let name = self.name.get_ref();
        let stands_in_for = match (&self.role, &self.stands_in_for) {
            (Role::Candidate, None) => {
                return Err((
                    self.name.span(),
                    format!(
                        "candidate `{name}` needs `stands_in_for`: the live service it replaces"
                    ),
                ));
            }
            (Role::Live, Some(target)) => {
                return Err((
                    target.span(),
                    format!(
                        "live service `{name}` cannot stand in for another; only candidates do"
                    ),
                ));
            }
            (_, Some(target)) if !names.contains_key(target.get_ref()) => {
                return Err((
                    target.span(),
                    format!(
                        "candidate `{name}` stands in for `{}`, which is not a service in this registry",
                        target.get_ref()
                    ),
                ));
            }
            (_, target) => target.as_ref().map(|t| t.get_ref().clone()),
        };
        if !self.health_path.get_ref().starts_with('/') {
            return Err((
                self.health_path.span(),
                format!(
                    "health_path `{}` must start with `/`",
                    self.health_path.get_ref()
                ),
            ));
        }
        for volume in &self.volumes {
            if !volumes.iter().any(|v| v.name == *volume.get_ref()) {
                return Err((
                    volume.span(),
                    format!(
                        "volume `{}` is not declared in a [[volume]] table",
                        volume.get_ref()
                    ),
                ));
            }
        }
        if let (Role::Candidate, Some(promote)) = (self.role, &self.promote) {
            return Err((
                promote.span(),
                format!("candidate `{name}` cannot have `promote`: it is what gets promoted"),
            ));
        }
        for fallback in &self.fallbacks {
            if !names.contains_key(fallback.standby.get_ref()) {
                return Err((
                    fallback.standby.span(),
                    format!(
                        "fallback standby `{}` is not a service in this registry",
                        fallback.standby.get_ref()
                    ),
                ));
            }
        }
        Ok(Service {
            name: name.clone(),
            container: self
                .container
                .as_ref()
                .unwrap_or(&self.name)
                .get_ref()
                .clone(),
            role: self.role,
            stands_in_for,
            required: self.required,
            host_port: self.host_port.as_ref().map(port).transpose()?,
            port: port(&self.port)?,
            health_path: self.health_path.get_ref().clone(),
            compose_files: self.compose_files.clone(),
            profile: self.profile.clone(),
            image: self.image.clone(),
            user: self.user,
            gpu: self.gpu,
            source: self.source.clone(),
            volumes: self.volumes.iter().map(|v| v.get_ref().clone()).collect(),
            fallbacks: self
                .fallbacks
                .iter()
                .map(|f| Fallback {
                    env: f.env.clone(),
                    standby: f.standby.get_ref().clone(),
                })
                .collect(),
            promote: self.promote.as_ref().map(|p| *p.get_ref()),
            python: self.python,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_registry_describes_every_gaia_service() {
        let registry = Registry::load(None).expect("built-in registry is valid");
        let names: Vec<_> = registry.services.iter().map(|s| s.name.as_str()).collect();
        for expected in [
            "gaia-orchestrator",
            "gaia-prime",
            "gaia-core",
            "gaia-web",
            "gaia-mcp",
            "gaia-study",
            "gaia-audio",
            "gaia-wiki",
            "gaia-core-candidate",
            "gaia-mcp-candidate",
            "gaia-web-candidate",
            "gaia-study-candidate",
            "gaia-orchestrator-candidate",
            "gaia-prime-candidate",
            "gaia-audio-candidate",
        ] {
            assert!(names.contains(&expected), "{expected} missing");
        }
        let standbys: Vec<_> = registry.standbys().map(|s| s.name.as_str()).collect();
        assert_eq!(standbys, ["gaia-core-candidate", "gaia-mcp-candidate"]);
        assert_eq!(registry.service("gaia-wiki").unwrap().host_port, None);
        assert_eq!(
            registry.service("gaia-prime").unwrap().gpu,
            GpuExpectation::One
        );
    }

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}

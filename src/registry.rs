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

#[derive(Debug, Clone, PartialEq, Eq)]
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

/// What `gaia watch --heal` may do to a service whose container keeps
/// failing: the same repairs as `gaia doctor --fix`, as far as this allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Heal {
    /// Start it, restart it, reattach it to the network.
    Restart,
    /// All that, and recreate it through compose.
    Recreate,
    /// Nothing: only watch it (a GPU service, whose restart reloads a model).
    Never,
}

impl Heal {
    /// Live CPU services restart, GPU services are only watched, candidates
    /// (disposable copies) are recreated.
    fn default_for(role: Role, gpu: GpuExpectation) -> Heal {
        match (role, gpu) {
            (Role::Candidate, _) => Heal::Recreate,
            (_, GpuExpectation::None) => Heal::Restart,
            _ => Heal::Never,
        }
    }
}

/// Whether the operator means a service to run. One stopped on purpose
/// (`expected = "stopped"`) is not a failure while stopped, and neither
/// `doctor --fix` nor `watch --heal` starts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    #[default]
    Running,
    Stopped,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub source: String,
    pub candidate_source: String,
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
    /// Where it answers HTTP health; None: it serves no HTTP, and only its
    /// Docker state is checked.
    pub health_path: Option<String>,
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
    /// What `gaia watch --heal` may do to it.
    pub heal: Heal,
    /// Whether it is meant to run.
    pub expected: Expected,
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
            Error::Config(located(origin, text, span, message))
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

/// `message` about `text` (read from `origin`), at `span` when it is known:
/// `origin:line:column: message`, as editors and compilers write it.
pub(crate) fn located(
    origin: &str,
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
) -> String {
    match span {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("{origin}:{line}:{column}: {message}")
        }
        None => format!("{origin}: {message}"),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    // A span from a fuzzed file may end inside a character: count from the
    // character's start rather than slice through it.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
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
    packages: Vec<RawPackage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStack {
    network: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVolume {
    name: Spanned<String>,
    mount: Spanned<String>,
    #[serde(default)]
    shared_dirs: Vec<RawSharedDir>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSharedDir {
    path: Spanned<String>,
    owner: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFallback {
    env: Spanned<String>,
    standby: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    name: Spanned<String>,
    source: Spanned<String>,
    candidate_source: Spanned<String>,
    #[serde(default)]
    python: bool,
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
    health_path: Option<Spanned<String>>,
    compose_files: Spanned<Vec<Spanned<String>>>,
    profile: Option<Spanned<String>>,
    image: Spanned<String>,
    user: Option<u32>,
    gpu: GpuExpectation,
    source: Spanned<String>,
    #[serde(default)]
    volumes: Vec<Spanned<String>>,
    #[serde(default)]
    fallbacks: Vec<RawFallback>,
    promote: Option<Spanned<Promotion>>,
    #[serde(default)]
    python: bool,
    heal: Option<Heal>,
    #[serde(default)]
    expected: Expected,
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
        docker_name("network", &self.stack.network)?;
        let mut volumes: Vec<Volume> = Vec::new();
        for raw in self.volumes {
            docker_name("volume", &raw.name)?;
            if volumes.iter().any(|v| v.name == *raw.name.get_ref()) {
                return Err((
                    raw.name.span(),
                    format!("duplicate volume `{}`", raw.name.get_ref()),
                ));
            }
            container_path("mount", &raw.mount)?;
            let mut shared_dirs = Vec::with_capacity(raw.shared_dirs.len());
            for dir in raw.shared_dirs {
                relative_path("shared_dirs path", &dir.path, "the volume")?;
                shared_dirs.push(SharedDir {
                    path: dir.path.into_inner(),
                    owner: dir.owner,
                });
            }
            volumes.push(Volume {
                name: raw.name.into_inner(),
                mount: raw.mount.into_inner(),
                shared_dirs,
            });
        }

        let mut first_seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut containers: HashMap<String, String> = HashMap::new();
        for raw in &self.services {
            let name = raw.name.get_ref();
            entry_name("service", &raw.name)?;
            if first_seen.insert(name.clone(), raw.name.span()).is_some() {
                return Err((raw.name.span(), format!("duplicate service `{name}`")));
            }
            let container = raw.container.as_ref().unwrap_or(&raw.name);
            docker_name("container", container)?;
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
        // A promotion copies the candidate's tree over the live one: the two
        // must be apart, or the copy eats its own source.
        for (raw, service) in self.services.iter().zip(&services) {
            let live = service
                .stands_in_for
                .as_ref()
                .and_then(|live| services.iter().find(|s| &s.name == live));
            if let Some(live) = live {
                apart(&raw.source, &live.source)?;
            }
        }

        let mut packages: Vec<Package> = Vec::with_capacity(self.packages.len());
        for raw in self.packages {
            let name = raw.name.get_ref();
            entry_name("package", &raw.name)?;
            if first_seen.contains_key(name) || packages.iter().any(|p| p.name == *name) {
                return Err((
                    raw.name.span(),
                    format!("package `{name}` has the name of another service or package"),
                ));
            }
            source_path("source", &raw.source)?;
            source_path("candidate_source", &raw.candidate_source)?;
            apart(&raw.candidate_source, raw.source.get_ref())?;
            packages.push(Package {
                name: raw.name.into_inner(),
                source: raw.source.into_inner(),
                candidate_source: raw.candidate_source.into_inner(),
                python: raw.python,
            });
        }

        Ok(Registry {
            network: self.stack.network.into_inner(),
            volumes,
            services,
            packages,
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
        if self.compose_files.get_ref().is_empty() {
            return Err((
                self.compose_files.span(),
                format!("service `{name}` needs at least one compose file in `compose_files`"),
            ));
        }
        for file in self.compose_files.get_ref() {
            relative_path("compose file", file, "the GAIA root")?;
        }
        if let Some(profile) = &self.profile {
            docker_name("profile", profile)?;
        }
        image_reference(&self.image)?;
        source_path("source", &self.source)?;
        if let Some(path) = &self.health_path
            && !path.get_ref().starts_with('/')
        {
            return Err((
                path.span(),
                format!("health_path `{}` must start with `/`", path.get_ref()),
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
            env_name(&fallback.env)?;
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
            health_path: self.health_path.as_ref().map(|p| p.get_ref().clone()),
            compose_files: self
                .compose_files
                .get_ref()
                .iter()
                .map(|f| f.get_ref().clone())
                .collect(),
            profile: self.profile.as_ref().map(|p| p.get_ref().clone()),
            image: self.image.get_ref().clone(),
            user: self.user,
            gpu: self.gpu,
            heal: self
                .heal
                .unwrap_or_else(|| Heal::default_for(self.role, self.gpu)),
            expected: self.expected,
            source: self.source.get_ref().clone(),
            volumes: self.volumes.iter().map(|v| v.get_ref().clone()).collect(),
            fallbacks: self
                .fallbacks
                .iter()
                .map(|f| Fallback {
                    env: f.env.get_ref().clone(),
                    standby: f.standby.get_ref().clone(),
                })
                .collect(),
            promote: self.promote.as_ref().map(|p| *p.get_ref()),
            python: self.python,
        })
    }
}

// ── what names and paths may be ─────────────────────────────────────────────
//
// Registry values reach argv (compose, stat, rm), Engine API URLs and paths
// under the GAIA root, so each is held to what its tool accepts: a name that
// starts with `-` would be read as a flag, a source of "" or "." is the root
// itself (a promotion would replace the whole stack's tree with one service),
// and an absolute or `..` path reaches outside it.

/// Letters, digits, `_`, `.`, `-`, starting with a letter or digit: what
/// compose accepts for a service and Docker for a container, volume or network.
fn is_name(value: &str) -> bool {
    let mut chars = value.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A service or package name.
fn entry_name(what: &str, value: &Spanned<String>) -> Result<(), Problem> {
    if is_name(value.get_ref()) {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "{what} name `{}` is not valid: use letters, digits, `_`, `.` and `-`, \
             starting with a letter or digit",
            value.get_ref().escape_debug()
        ),
    ))
}

/// A name Docker gives an object: as `entry_name`, and two characters at
/// least (Docker refuses a one-character container or volume name).
fn docker_name(what: &str, value: &Spanned<String>) -> Result<(), Problem> {
    if is_name(value.get_ref()) && value.get_ref().len() >= 2 {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "{what} name `{}` is not valid for Docker: use two or more letters, digits, \
             `_`, `.` and `-`, starting with a letter or digit",
            value.get_ref().escape_debug()
        ),
    ))
}

/// An image reference as `[registry[:port]/]path[:tag][@digest]`, checked for
/// what could be misread, not parsed: the engine judges the rest.
fn image_reference(value: &Spanned<String>) -> Result<(), Problem> {
    let image = value.get_ref();
    let mut chars = image.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':' | '/' | '@'));
    if valid {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "image `{}` is not a valid image reference",
            image.escape_debug()
        ),
    ))
}

/// An environment variable name, as a shell writes it.
fn env_name(value: &Spanned<String>) -> Result<(), Problem> {
    let name = value.get_ref();
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "env `{}` is not a variable name: letters, digits and `_`, not starting with a digit",
            name.escape_debug()
        ),
    ))
}

/// Why `path` does not name something strictly inside a directory, if it does not.
pub(crate) fn escapes(path: &str) -> Option<&'static str> {
    use std::path::Component;
    if path.chars().any(char::is_control) {
        return Some("holds a control character");
    }
    let mut inside = false;
    for component in Path::new(path).components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return Some("is absolute"),
            Component::ParentDir => return Some("goes up with `..`"),
            Component::CurDir => {}
            Component::Normal(_) => inside = true,
        }
    }
    (!inside).then_some("names the directory itself, not something inside it")
}

/// A path relative to `within`, strictly inside it.
fn relative_path(what: &str, value: &Spanned<String>, within: &str) -> Result<(), Problem> {
    match escapes(value.get_ref()) {
        None => Ok(()),
        Some(why) => Err((
            value.span(),
            format!(
                "{what} `{}` {why}: it must be a relative path inside {within}",
                value.get_ref().escape_debug()
            ),
        )),
    }
}

/// A source directory: inside the GAIA root, and not gaia's own state
/// (`.gaia/` holds the lock, backups and the audit log).
fn source_path(what: &str, value: &Spanned<String>) -> Result<(), Problem> {
    relative_path(what, value, "the GAIA root")?;
    let first = Path::new(value.get_ref())
        .components()
        .find(|c| matches!(c, std::path::Component::Normal(_)));
    if first.is_some_and(|c| c.as_os_str() == ".gaia") {
        return Err((
            value.span(),
            format!(
                "{what} `{}` is inside `.gaia/`, gaia's own state; name a service's directory",
                value.get_ref()
            ),
        ));
    }
    Ok(())
}

/// A candidate's source (`candidate`) neither is, nor holds, nor lies in the
/// live source it is promoted over.
fn apart(candidate: &Spanned<String>, live: &str) -> Result<(), Problem> {
    let parts = |path: &str| -> Vec<String> {
        Path::new(path)
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let (ours, theirs) = (parts(candidate.get_ref()), parts(live));
    if ours.starts_with(&theirs) || theirs.starts_with(&ours) {
        return Err((
            candidate.span(),
            format!(
                "source `{}` overlaps `{live}`, the live source it is promoted over: \
                 the two trees must be apart",
                candidate.get_ref()
            ),
        ));
    }
    Ok(())
}

/// An absolute path inside a container, with no `..`: it cannot be read as
/// a flag by the tools gaia runs there.
pub(crate) fn is_container_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.chars().any(char::is_control)
        && !Path::new(path)
            .components()
            .any(|c| c == std::path::Component::ParentDir)
}

fn container_path(what: &str, value: &Spanned<String>) -> Result<(), Problem> {
    let path = value.get_ref();
    if is_container_path(path) {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "{what} `{}` must be an absolute path inside the container, with no `..`",
            path.escape_debug()
        ),
    ))
}

/// Edits of a configuration file for the property tests of its loaders:
/// what a slip of the editor or a hostile hand makes of it.
#[cfg(test)]
pub(crate) mod fuzz {
    use proptest::prelude::*;

    /// Values that break loaders, or what runs after them.
    const NASTY: &[&str] = &[
        "",
        ".",
        "./",
        "/",
        "/etc",
        "..",
        "../../etc",
        "a/../..",
        ".gaia",
        "-",
        "-x",
        "--rm",
        "--",
        " ",
        "\\u0000",
        "\u{1}",
        "\n",
        "é",
        "a\\b",
        "0",
        "-1",
        "65536",
        "18446744073709551616",
        "1e400",
        "nan",
        "inf",
        "true",
        "[]",
        "[\"\"]",
        "{}",
        "[[service]]",
        "[stack]",
        "\"",
        "'",
        "=",
        "#",
        ",",
        "]",
        "[",
        "\"-x\"",
        "\"..\"",
        "\"\"",
    ];

    #[derive(Debug, Clone)]
    pub(crate) enum Edit {
        /// Cut `len` bytes at a position.
        Cut(usize, usize),
        /// Insert a token at a position.
        Insert(usize, String),
        /// Replace what follows the nth `= ` on its line.
        Value(usize, String),
        /// Drop the nth line.
        DropLine(usize),
        /// Copy the nth line to before the mth.
        CopyLine(usize, usize),
    }

    fn nasty() -> impl Strategy<Value = String> {
        prop::sample::select(NASTY).prop_map(str::to_owned)
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let token = prop_oneof![nasty(), "\\PC{0,6}"];
        let value = prop_oneof![nasty(), nasty().prop_map(|v| format!("\"{v}\""))];
        prop_oneof![
            (any::<usize>(), 1..40usize).prop_map(|(at, len)| Edit::Cut(at, len)),
            (any::<usize>(), token).prop_map(|(at, s)| Edit::Insert(at, s)),
            (any::<usize>(), value).prop_map(|(nth, v)| Edit::Value(nth, v)),
            any::<usize>().prop_map(Edit::DropLine),
            (any::<usize>(), any::<usize>()).prop_map(|(n, m)| Edit::CopyLine(n, m)),
        ]
    }

    /// One to three edits.
    pub(crate) fn edits() -> impl Strategy<Value = Vec<Edit>> {
        prop::collection::vec(edit(), 1..4)
    }

    /// The char boundary at or before `at` (taken modulo the length).
    fn boundary(text: &str, at: usize) -> usize {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    pub(crate) fn apply(text: &str, edits: &[Edit]) -> String {
        let mut text = text.to_owned();
        for edit in edits {
            match edit {
                Edit::Cut(at, len) => {
                    let start = boundary(&text, *at);
                    let end = boundary(&text, (start + len).min(text.len()));
                    text.replace_range(start..end.max(start), "");
                }
                Edit::Insert(at, token) => text.insert_str(boundary(&text, *at), token),
                Edit::Value(nth, value) => {
                    let assignments: Vec<usize> =
                        text.match_indices("= ").map(|(i, _)| i + 2).collect();
                    if let Some(&start) = assignments.get(nth % assignments.len().max(1)) {
                        let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
                        text.replace_range(start..end, value);
                    }
                }
                Edit::DropLine(n) => {
                    let mut lines: Vec<&str> = text.split('\n').collect();
                    lines.remove(n % lines.len());
                    text = lines.join("\n");
                }
                Edit::CopyLine(n, m) => {
                    let mut lines: Vec<&str> = text.split('\n').collect();
                    let line = lines[n % lines.len()];
                    let to = m % lines.len();
                    lines.insert(to, line);
                    text = lines.join("\n");
                }
            }
        }
        text
    }

    /// Whether `message` starts `origin:LINE:COLUMN: `.
    pub(crate) fn located_in(message: &str, origin: &str) -> bool {
        let Some(rest) = message
            .strip_prefix(origin)
            .and_then(|r| r.strip_prefix(':'))
        else {
            return false;
        };
        let mut parts = rest.splitn(3, ':');
        let number = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        number(parts.next())
            && number(parts.next())
            && parts.next().is_some_and(|m| m.starts_with(' '))
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

    /// The built-in registry with the first `from` replaced by `to`, parsed:
    /// the one error line it gives.
    fn refused(from: &str, to: &str) -> String {
        assert!(
            DEFAULT_REGISTRY.contains(from),
            "{from:?} not in the registry"
        );
        let text = DEFAULT_REGISTRY.replacen(from, to, 1);
        match Registry::parse(&text, "services.toml") {
            Ok(_) => panic!("{to:?} was accepted"),
            Err(Error::Config(message)) => {
                let at = DEFAULT_REGISTRY.find(from).unwrap();
                let line = DEFAULT_REGISTRY[..at].matches('\n').count() + 1;
                assert!(
                    message.starts_with(&format!("services.toml:{line}:")),
                    "{message} (expected line {line})"
                );
                message
            }
            Err(other) => panic!("not a configuration error: {other}"),
        }
    }

    #[test]
    fn a_source_outside_or_at_the_root_is_refused() {
        for bad in [
            "",
            ".",
            "./",
            "/",
            "/etc",
            "../../etc",
            "gaia-core/../..",
            "a/../b",
        ] {
            let message = refused("source = \"gaia-core\"", &format!("source = \"{bad}\""));
            assert!(
                message.contains("it must be a relative path inside the GAIA root"),
                "{bad:?}: {message}"
            );
        }
        let message = refused("source = \"gaia-web\"", "source = \".gaia/x\"");
        assert!(message.contains("gaia's own state"), "{message}");
        for (from, to) in [
            (
                "candidate_source = \"candidates/gaia-common\"",
                "candidate_source = \"../gaia-common\"",
            ),
            ("source = \"gaia-common\"", "source = \"\""),
            (
                "compose_files = [\"docker-compose.yml\"]",
                "compose_files = [\"/etc/compose.yml\"]",
            ),
            (
                "compose_files = [\"docker-compose.yml\"]",
                "compose_files = [\"../docker-compose.yml\"]",
            ),
            (
                "{ path = \"council\", owner = 1000 }",
                "{ path = \"../../etc\", owner = 1000 }",
            ),
        ] {
            let message = refused(from, to);
            assert!(
                message.contains("must be a relative path inside"),
                "{to}: {message}"
            );
        }
    }

    #[test]
    fn a_candidate_source_overlapping_its_live_source_is_refused() {
        for (live, candidate) in [
            ("gaia-core", "gaia-core"),
            ("gaia-core", "./gaia-core/"),
            ("gaia-core", "gaia-core/candidate"),
            ("candidates/gaia-core/live", "candidates/gaia-core"),
        ] {
            let text = DEFAULT_REGISTRY
                .replacen("source = \"gaia-core\"", &format!("source = \"{live}\""), 1)
                .replacen(
                    "source = \"candidates/gaia-core\"",
                    &format!("source = \"{candidate}\""),
                    1,
                );
            let err = Registry::parse(&text, "services.toml")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!(
                    "overlaps `{live}`, the live source it is promoted over"
                )),
                "{live} / {candidate}: {err}"
            );
        }
        let message = refused(
            "candidate_source = \"candidates/gaia-common\"",
            "candidate_source = \"gaia-common/next\"",
        );
        assert!(message.contains("overlaps `gaia-common`"), "{message}");
    }

    #[test]
    fn a_service_needs_a_compose_file() {
        let message = refused(
            "compose_files = [\"docker-compose.yml\"]",
            "compose_files = []",
        );
        assert!(
            message.ends_with(
                "service `gaia-orchestrator` needs at least one compose file in `compose_files`"
            ),
            "{message}"
        );
    }

    #[test]
    fn names_a_tool_would_read_as_a_flag_or_refuse_are_refused() {
        for (from, to) in [
            ("name = \"gaia-wiki\"", "name = \"-gaia-wiki\""),
            ("name = \"gaia-wiki\"", "name = \"gaia wiki\""),
            ("name = \"gaia-wiki\"", "name = \"\""),
            ("name = \"gaia-wiki\"", "name = \"gaia/wiki\""),
            ("name = \"gaia-common\"", "name = \"--all\""),
            ("name = \"gaia-shared\"", "name = \"-v\""),
            ("network = \"gaia-network\"", "network = \"--rm\""),
            ("profile = \"audio\"", "profile = \"-x\""),
            (
                "image = \"gaia-orchestrator:latest\"",
                "image = \"--privileged\"",
            ),
            ("env = \"CORE_FALLBACK_ENDPOINT\"", "env = \"-E\""),
        ] {
            let message = refused(from, to);
            assert!(
                message.contains("valid") || message.contains("variable name"),
                "{to}: {message}"
            );
        }
        let text = DEFAULT_REGISTRY.replacen(
            "name = \"gaia-wiki\"",
            "name = \"gaia-wiki\"\ncontainer = \"-wiki\"",
            1,
        );
        let err = Registry::parse(&text, "services.toml").unwrap_err();
        assert!(
            err.to_string()
                .contains("container name `-wiki` is not valid for Docker"),
            "{err}"
        );
        // Docker refuses one-character container names; compose takes the service's.
        let message = refused("name = \"gaia-wiki\"", "name = \"w\"");
        assert!(message.contains("container name `w`"), "{message}");
    }

    #[test]
    fn a_package_cannot_shadow_a_service() {
        let message = refused("name = \"gaia-common\"", "name = \"gaia-core\"");
        assert!(
            message.contains("has the name of another service"),
            "{message}"
        );
    }

    #[test]
    fn a_volume_mount_is_an_absolute_path_in_the_container() {
        let message = refused("mount = \"/sandbox\"", "mount = \"sandbox\"");
        assert!(message.contains("must be an absolute path"), "{message}");
        let message = refused("mount = \"/sandbox\"", "mount = \"/a/../etc\"");
        assert!(message.contains("must be an absolute path"), "{message}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 3000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// No edit of the registry makes gaia panic: it loads, or it is a
        /// configuration error (exit 64) naming file, line and column.
        #[test]
        fn any_edit_of_the_registry_loads_or_is_a_located_configuration_error(
            edits in fuzz::edits()
        ) {
            let text = fuzz::apply(DEFAULT_REGISTRY, &edits);
            match Registry::parse(&text, "services.toml") {
                Ok(_) => {}
                Err(Error::Config(message)) => proptest::prop_assert!(
                    fuzz::located_in(&message, "services.toml"),
                    "{message}"
                ),
                Err(other) => proptest::prop_assert!(false, "not a configuration error: {other}"),
            }
        }
    }

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é", 1), (1, 1));
    }
}

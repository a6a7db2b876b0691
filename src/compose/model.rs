//! The compose files of a GAIA root, read once: services (their container
//! names, dependencies, ports, healthchecks, GPUs, profiles) and the networks
//! and volumes they declare. Everything in gaia that needs to know what the
//! compose files say asks this model.
//!
//! Compose v2 reads the files itself (`config --format json`: interpolation,
//! include, extends, profiles and overlays resolved as `up` would); where only
//! v1 is installed, or a set of files cannot all be read, gaia reads the YAML
//! and merges the files as compose does. Both give a compose document as a
//! `serde_json::Value`, cut to what the model reads with secrets hidden
//! (`compose::cache`, which also keeps compose's answers between runs), and
//! the model is built from that in one place.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use futures_util::future::join_all;
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::compose::cache;
use crate::compose::tool::Compose;
use crate::error::{Error, Result};
use crate::registry::{Registry, Role};

/// What the compose files say, each set of files merged as compose merges them.
#[derive(Debug, Default)]
pub(crate) struct ComposeModel {
    /// Service definitions by compose key: from the file set the registry
    /// names for the service, else from the first set that defines it.
    pub(crate) services: BTreeMap<String, ServiceDef>,
    /// Every set read, in the order asked, with its services in compose order.
    pub(crate) sets: Vec<ReadSet>,
    networks: Vec<Entry>,
    volumes: Vec<Entry>,
    /// Files the registry names that are not in the root.
    pub(crate) missing: Vec<String>,
    /// Files (or a set of them) that could not be read, with why: the
    /// phrase follows the file's name ("is not valid YAML: …").
    pub(crate) invalid: Vec<(String, String)>,
}

/// One set of compose files used together, as compose resolved it.
#[derive(Debug, Default)]
pub(crate) struct ReadSet {
    pub(crate) files: Vec<String>,
    pub(crate) services: Vec<(String, ServiceDef)>,
}

#[derive(Debug)]
struct Entry {
    name: String,
    /// The files that declare it.
    files: String,
    definition: Definition,
}

/// One service of the compose files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ServiceDef {
    pub(crate) container_name: Option<String>,
    pub(crate) depends_on: Vec<String>,
    pub(crate) image: Option<String>,
    pub(crate) user: Option<String>,
    pub(crate) restart: Option<String>,
    pub(crate) profiles: Vec<String>,
    pub(crate) ports: Vec<Port>,
    /// The healthcheck's test, as compose's list form; empty when there is
    /// none or it is disabled.
    pub(crate) health_test: Vec<String>,
    pub(crate) gpus: Option<Gpus>,
    /// Named volumes it mounts: (compose key, mount point).
    pub(crate) volumes: Vec<(String, String)>,
    /// The compose keys of the networks it joins.
    pub(crate) networks: Vec<String>,
    pub(crate) environment: Vec<(String, String)>,
}

/// A port mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Port {
    pub(crate) host_ip: Option<String>,
    pub(crate) published: Option<u16>,
    pub(crate) target: u16,
}

/// The GPUs a service reserves or is given as devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gpus {
    Count(u32),
    All,
}

/// What a compose file says about a network or volume.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Definition {
    /// Its key under `networks:` / `volumes:`, which compose labels it with.
    pub(crate) key: String,
    pub(crate) external: bool,
    pub(crate) driver: Option<String>,
    pub(crate) labels: HashMap<String, String>,
    pub(crate) subnets: Vec<String>,
}

/// How the files are read: by compose v2, or by gaia's YAML reader.
enum Reader {
    Compose(Compose),
    Yaml,
}

impl ComposeModel {
    /// The compose files of every registry service, one set per distinct
    /// `compose_files` list (each is used on its own: `up` on a service
    /// passes exactly its files), in registry order.
    pub(crate) async fn of_registry(root: &Path, registry: &Registry) -> ComposeModel {
        let mut sets: Vec<Vec<String>> = Vec::new();
        let mut owners = HashMap::new();
        for service in &registry.services {
            let at = match sets.iter().position(|s| *s == service.compose_files) {
                Some(at) => at,
                None => {
                    sets.push(service.compose_files.clone());
                    sets.len() - 1
                }
            };
            owners.insert(service.name.clone(), at);
        }
        Self::read(root, &sets, &owners).await
    }

    /// Reads each of `sets`; `owners` says which set defines a service
    /// where several do.
    pub(crate) async fn read(
        root: &Path,
        sets: &[Vec<String>],
        owners: &HashMap<String, usize>,
    ) -> ComposeModel {
        // Found without running anything, and every set read at once: the
        // doctor pays for the slowest `config`, not for all of them.
        let reader = match Compose::located(root) {
            Some(compose) if compose.is_v2() => Reader::Compose(compose),
            _ => Reader::Yaml,
        };
        let documents = join_all(sets.iter().map(|files| document(root, &reader, files))).await;
        let mut model = ComposeModel::default();
        for (at, (files, (doc, present, invalid))) in sets.iter().zip(documents).enumerate() {
            for file in files.iter().filter(|f| !present.contains(f)) {
                if !model.missing.contains(file) {
                    model.missing.push(file.clone());
                }
            }
            for (file, err) in invalid {
                if !model.invalid.iter().any(|(f, _)| *f == file) {
                    model.invalid.push((file, err));
                }
            }
            model.add(at, files, &doc, owners);
        }
        model
    }

    fn add(&mut self, at: usize, files: &[String], doc: &Value, owners: &HashMap<String, usize>) {
        let mut set = ReadSet {
            files: files.to_vec(),
            services: Vec::new(),
        };
        if let Some(services) = doc["services"].as_object() {
            for (key, definition) in services {
                let service = ServiceDef::from_value(definition);
                let owned_here = owners.get(key) == Some(&at);
                if owned_here || !self.services.contains_key(key) {
                    self.services.insert(key.clone(), service.clone());
                }
                set.services.push((key.clone(), service));
            }
        }
        self.sets.push(set);
        for (section, into) in [
            ("networks", &mut self.networks),
            ("volumes", &mut self.volumes),
        ] {
            for (key, entry) in doc[section].as_object().into_iter().flatten() {
                let name = entry["name"].as_str().unwrap_or(key).to_owned();
                if !into.iter().any(|e| e.name == name) {
                    into.push(Entry {
                        name,
                        files: files.join(" + "),
                        definition: Definition::from_value(key, entry),
                    });
                }
            }
        }
    }

    /// The name compose gives the network or volume with compose key `key`.
    pub(crate) fn network_name(&self, key: &str) -> Option<&str> {
        Self::name_of(&self.networks, key)
    }

    pub(crate) fn volume_name(&self, key: &str) -> Option<&str> {
        Self::name_of(&self.volumes, key)
    }

    fn name_of<'m>(entries: &'m [Entry], key: &str) -> Option<&'m str> {
        entries
            .iter()
            .find(|e| e.definition.key == key)
            .map(|e| e.name.as_str())
    }

    /// The definition of the network named `name` (by its `name:` or its
    /// key), refused when compose expects it to be created outside.
    pub(crate) fn network(&self, name: &str) -> Result<&Definition> {
        self.find(&self.networks, "networks", name)
    }

    /// The definition of the named volume `name`, as for `network`.
    pub(crate) fn volume(&self, name: &str) -> Result<&Definition> {
        self.find(&self.volumes, "volumes", name)
    }

    fn find<'m>(&self, entries: &'m [Entry], section: &str, name: &str) -> Result<&'m Definition> {
        let Entry {
            files, definition, ..
        } = entries.iter().find(|e| e.name == name).ok_or_else(|| {
            let unread: Vec<String> = self
                .invalid
                .iter()
                .map(|(file, err)| format!("{file} {err}"))
                .collect();
            Error::Failed(if unread.is_empty() {
                format!("no compose file defines {section} `{name}`")
            } else {
                format!(
                    "no compose file that could be read defines {section} `{name}`; {}",
                    unread.join("; ")
                )
            })
        })?;
        if definition.external {
            return Err(Error::Refused(format!(
                "{name} is declared external in {files}: compose expects it to be \
                 created outside the stack, so gaia leaves that to you"
            )));
        }
        Ok(definition)
    }

    /// How deep each registry service sits in compose's `depends_on`
    /// graph: 0 for one that depends on nothing, one more than its deepest
    /// dependency otherwise. Work on services runs shallow first, as compose
    /// starts them; a candidate never runs ahead of the live service it
    /// stands in for.
    pub(crate) fn dependency_depths(&self, registry: &Registry) -> HashMap<String, u32> {
        let mut depths = HashMap::new();
        for service in &registry.services {
            self.depth(&service.name, &mut depths, &mut Vec::new());
        }
        for service in registry
            .services
            .iter()
            .filter(|s| s.role == Role::Candidate)
        {
            if let Some(live) = service
                .stands_in_for
                .as_ref()
                .and_then(|l| depths.get(l).copied())
            {
                let own = depths.entry(service.name.clone()).or_insert(0);
                *own = (*own).max(live);
            }
        }
        depths
    }

    fn depth(
        &self,
        name: &str,
        depths: &mut HashMap<String, u32>,
        visiting: &mut Vec<String>,
    ) -> u32 {
        if let Some(d) = depths.get(name) {
            return *d;
        }
        // A cycle is compose's error to report; here it just ends the walk.
        if visiting.iter().any(|v| v == name) {
            return 0;
        }
        visiting.push(name.to_owned());
        let deps = self
            .services
            .get(name)
            .map(|s| s.depends_on.clone())
            .unwrap_or_default();
        let d = deps
            .iter()
            .map(|dep| self.depth(dep, depths, visiting) + 1)
            .max()
            .unwrap_or(0);
        visiting.pop();
        depths.insert(name.to_owned(), d);
        d
    }
}

/// The compose document of one set, the files of it present in the root,
/// and what could not be read. Compose reads a complete set; where it
/// refuses, its complaint is kept and gaia's reader still gives what the
/// files say (creating a network needs no env file).
async fn document(
    root: &Path,
    reader: &Reader,
    files: &[String],
) -> (Value, Vec<String>, Vec<(String, String)>) {
    let present: Vec<String> = files
        .iter()
        .filter(|f| root.join(f).is_file())
        .cloned()
        .collect();
    let (yaml, unreadable) = read_yaml(root, &present);
    let mut invalid: Vec<(String, String)> = unreadable
        .into_iter()
        .map(|(file, err)| (file, format!("is not valid YAML: {err}")))
        .collect();
    if let Reader::Compose(compose) = reader
        && present.len() == files.len()
        && invalid.is_empty()
    {
        let key = cache::Key::of(root, files, &compose.program());
        if let Some(doc) = cache::remembered(root, &key) {
            return (doc, present, invalid);
        }
        match compose.config(files).await {
            Ok(doc) => {
                let doc = cache::kept(&doc);
                cache::remember(root, key, files, &doc);
                return (doc, present, invalid);
            }
            Err(err) => invalid.push((
                files.join(" + "),
                format!("is refused by `{} config`: {err}", compose.program()),
            )),
        }
    }
    (cache::kept(&yaml), present, invalid)
}

impl ServiceDef {
    /// Reads a service as compose writes it, in its short (`"6410:6410"`,
    /// `[a, b]`, `K=V`) or long (`config`'s) syntax.
    fn from_value(v: &Value) -> ServiceDef {
        let health = &v["healthcheck"];
        let health_test = match &health["test"] {
            _ if health["disable"] == Value::Bool(true) => Vec::new(),
            Value::String(s) => vec!["CMD-SHELL".to_owned(), s.clone()],
            Value::Array(list) => list.iter().filter_map(scalar).collect(),
            _ => Vec::new(),
        };
        let health_test = if health_test.first().map(String::as_str) == Some("NONE") {
            Vec::new()
        } else {
            health_test
        };
        ServiceDef {
            container_name: v["container_name"].as_str().map(str::to_owned),
            depends_on: names(&v["depends_on"]),
            image: v["image"].as_str().map(str::to_owned),
            user: scalar(&v["user"]),
            restart: v["restart"].as_str().map(str::to_owned),
            profiles: names(&v["profiles"]),
            ports: v["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Port::from_value)
                .collect(),
            health_test,
            gpus: gpus(v),
            volumes: v["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(named_mount)
                .collect(),
            networks: names(&v["networks"]),
            environment: {
                let mut environment = pairs(&v["environment"]);
                environment.sort();
                environment
            },
        }
    }
}

impl Port {
    fn from_value(v: &Value) -> Option<Port> {
        if let Some(map) = v.as_object() {
            return Some(Port {
                host_ip: map
                    .get("host_ip")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                published: map
                    .get("published")
                    .and_then(scalar)
                    .and_then(|p| p.parse().ok()),
                target: map.get("target").and_then(scalar)?.parse().ok()?,
            });
        }
        // [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]; a range is not a service's port.
        let text = scalar(v)?;
        let text = text.split('/').next()?;
        let (rest, target) = text.rsplit_once(':').unwrap_or(("", text));
        let (host_ip, published) = match rest.rsplit_once(':') {
            Some((ip, published)) => (Some(ip.trim_matches(['[', ']']).to_owned()), published),
            None => (None, rest),
        };
        Some(Port {
            host_ip,
            published: published.parse().ok(),
            target: target.parse().ok()?,
        })
    }
}

/// GPUs from a device reservation (`deploy.resources.reservations.devices`
/// with the `gpu` capability or the nvidia driver) or from `/dev/nvidiaN`
/// device nodes.
fn gpus(v: &Value) -> Option<Gpus> {
    let reserved = v["deploy"]["resources"]["reservations"]["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["driver"] == "nvidia" || names(&d["capabilities"]).iter().any(|c| c == "gpu"))
        .map(|d| match (&d["count"], d["device_ids"].as_array()) {
            // `config` writes `all` as -1.
            (Value::String(all), _) if all == "all" => Gpus::All,
            (count, _) if count.as_i64() == Some(-1) => Gpus::All,
            (_, Some(ids)) => Gpus::Count(ids.len() as u32),
            (count, _) => Gpus::Count(scalar(count).and_then(|c| c.parse().ok()).unwrap_or(1)),
        })
        .reduce(|a, b| match (a, b) {
            (Gpus::Count(a), Gpus::Count(b)) => Gpus::Count(a + b),
            _ => Gpus::All,
        });
    let nodes = v["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| match d {
            Value::Object(map) => map.get("target").and_then(Value::as_str).map(str::to_owned),
            other => scalar(other).map(|s| s.split(':').nth(1).unwrap_or(&s).to_owned()),
        })
        .filter(|target| {
            target
                .strip_prefix("/dev/nvidia")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .count() as u32;
    reserved.or((nodes > 0).then_some(Gpus::Count(nodes)))
}

/// A named volume's mount: (compose key, mount point); None for a bind mount.
fn named_mount(v: &Value) -> Option<(String, String)> {
    if let Some(map) = v.as_object() {
        if map.get("type").and_then(Value::as_str) != Some("volume") {
            return None;
        }
        let source = map.get("source").and_then(Value::as_str)?;
        return Some((
            source.to_owned(),
            map.get("target").and_then(Value::as_str)?.to_owned(),
        ));
    }
    let text = v.as_str()?;
    let mut parts = text.split(':');
    let (source, target) = (parts.next()?, parts.next()?);
    let bind = source.starts_with(['.', '/', '~', '$']) || source.contains('/');
    (!bind).then(|| (source.to_owned(), target.to_owned()))
}

/// The names of a list (`[a, b]`) or of a map's keys (`{a: …, b: …}`).
fn names(value: &Value) -> Vec<String> {
    match value {
        Value::Array(list) => list.iter().filter_map(scalar).collect(),
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// `{K: V}` or `[K=V]`; a bare `K` has no value here.
fn pairs(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), scalar(v)?)))
            .collect(),
        Value::Array(list) => list
            .iter()
            .filter_map(|l| l.as_str()?.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

impl Definition {
    fn from_value(key: &str, entry: &Value) -> Definition {
        let subnets = entry["ipam"]["config"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["subnet"].as_str().map(str::to_owned))
            .collect();
        Definition {
            key: key.to_owned(),
            external: entry["external"] == Value::Bool(true) || entry["external"].is_object(),
            driver: entry["driver"].as_str().map(str::to_owned),
            labels: pairs(&entry["labels"]).into_iter().collect(),
            subnets,
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// gaia's own reading of `files` where compose v2 does not read them:
/// each file's first document, interpolated, merged in order as compose
/// merges overlays (maps merge, lists add up, scalars replace). The files
/// that are not valid YAML are returned with the parser's complaint.
fn read_yaml(root: &Path, files: &[String]) -> (Value, Vec<(String, String)>) {
    let env = Interpolation::of(root);
    let mut merged = Value::Object(Map::new());
    let mut invalid = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        match YamlLoader::load_from_str(&text) {
            Ok(docs) => {
                if let Some(doc) = docs.first() {
                    merge(&mut merged, to_json(doc, &env));
                }
            }
            Err(err) => invalid.push((file.clone(), err.to_string())),
        }
    }
    (merged, invalid)
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                match into.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(into), Value::Array(from)) => {
            for item in from {
                if !into.contains(&item) {
                    into.push(item);
                }
            }
        }
        (into, from) => *into = from,
    }
}

fn to_json(yaml: &Yaml, env: &Interpolation) -> Value {
    match yaml {
        Yaml::String(s) => Value::String(env.apply(s)),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(r.clone()), Value::Number),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(list) => Value::Array(list.iter().map(|y| to_json(y, env)).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    let value = match to_json(v, env) {
                        // Compose merges these by name, whichever syntax each file uses.
                        Value::Array(list) if key == "depends_on" => Value::Object(
                            list.iter()
                                .filter_map(scalar)
                                .map(|name| (name, Value::Null))
                                .collect(),
                        ),
                        Value::Array(list) if key == "environment" || key == "labels" => {
                            Value::Object(
                                list.iter()
                                    .filter_map(Value::as_str)
                                    .map(|l| match l.split_once('=') {
                                        Some((k, v)) => (k.to_owned(), Value::from(v)),
                                        None => (l.to_owned(), Value::Null),
                                    })
                                    .collect(),
                            )
                        }
                        value => value,
                    };
                    Some((key, value))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`, from
/// gaia's environment and then the root's `.env`, as compose resolves them.
struct Interpolation {
    dotenv: HashMap<String, String>,
}

impl Interpolation {
    fn of(root: &Path) -> Interpolation {
        let dotenv = std::fs::read_to_string(root.join(".env"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_owned(),
                    v.trim().trim_matches(['"', '\'']).to_owned(),
                )
            })
            .collect();
        Interpolation { dotenv }
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.dotenv.get(name).cloned())
    }

    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix('$') {
                out.push('$');
                rest = after;
            } else if let Some(body) = rest.strip_prefix('{')
                && let Some(end) = body.find('}')
            {
                out.push_str(&self.expand(&body[..end]));
                rest = &body[end + 1..];
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push_str(&self.var(&rest[..end]).unwrap_or_default());
                rest = &rest[end..];
            }
        }
        out.push_str(rest);
        out
    }

    fn expand(&self, body: &str) -> String {
        let split = body.find([':', '-', '?', '+']).unwrap_or(body.len());
        let (name, op) = body.split_at(split);
        let value = self.var(name);
        let (unset_or_empty, default) = match op.strip_prefix(':') {
            Some(op) => (value.as_deref().is_none_or(str::is_empty), op),
            None => (value.is_none(), op),
        };
        match default.chars().next() {
            Some('-') if unset_or_empty => default[1..].to_owned(),
            Some('+') if !unset_or_empty => default[1..].to_owned(),
            Some('+') => String::new(),
            _ => value.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        let env = Interpolation {
            dotenv: HashMap::new(),
        };
        to_json(&YamlLoader::load_from_str(text).unwrap()[0], &env)
    }

    fn model(text: &str) -> ComposeModel {
        let mut model = ComposeModel::default();
        let files = ["docker-compose.yml".to_owned()];
        model.add(0, &files, &yaml(text), &HashMap::new());
        model
    }

    fn reference() -> std::path::PathBuf {
        // The real GAIA compose files, as the project keeps them beside the code.
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose")
    }

    #[test]
    fn a_compose_definition_keeps_its_key_driver_labels_and_subnets() {
        let model = model(
            "networks:\n  gaia-net:\n    name: gaia-network\n    driver: bridge\n    labels:\n      \
             io.gaia.sim: \"true\"\n      tier: 2\n    ipam:\n      config:\n        - subnet: 172.28.0.0/16\n",
        );
        let definition = model.network("gaia-network").unwrap();
        assert_eq!(definition.key, "gaia-net");
        assert_eq!(definition.driver.as_deref(), Some("bridge"));
        assert_eq!(definition.labels["io.gaia.sim"], "true");
        assert_eq!(definition.labels["tier"], "2");
        assert_eq!(definition.subnets, ["172.28.0.0/16"]);
        assert_eq!(model.network_name("gaia-net"), Some("gaia-network"));
    }

    #[test]
    fn labels_may_be_a_list_and_external_is_refused() {
        let model = model("volumes:\n  a:\n    labels:\n      - a=b\n  b:\n    external: true\n");
        assert_eq!(model.volume("a").unwrap().labels["a"], "b");
        assert!(matches!(model.volume("b"), Err(Error::Refused(_))));
        assert!(matches!(model.volume("c"), Err(Error::Failed(_))));
    }

    #[test]
    fn overlays_merge_services_as_compose_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yml"),
            "services:\n  web:\n    container_name: gaia-web\n    depends_on: [core]\n    \
             environment: [A=1, B=2]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.yml"),
            "services:\n  web:\n    container_name: gaia-web-2\n    depends_on:\n      \
             mcp:\n        condition: service_healthy\n    environment:\n      B: 3\n",
        )
        .unwrap();
        let (doc, invalid) = read_yaml(dir.path(), &["a.yml".into(), "b.yml".into()]);
        assert!(invalid.is_empty());
        let web = ServiceDef::from_value(&doc["services"]["web"]);
        assert_eq!(web.container_name.as_deref(), Some("gaia-web-2"));
        assert_eq!(web.depends_on, ["core", "mcp"]);
        assert_eq!(
            web.environment,
            [("A".into(), "1".into()), ("B".into(), "3".into())]
        );
    }

    #[test]
    fn short_and_long_syntax_read_alike() {
        let short = yaml(
            "ports: [\"127.0.0.1:6416:6415\", \"8080\"]\nvolumes: [\"gaia-shared:/shared:rw\", \"./x:/app\"]\n\
             devices: [\"/dev/null:/dev/nvidia0\"]\nhealthcheck:\n  test: curl -f http://localhost:1/\n",
        );
        let long = serde_json::json!({
            "ports": [{"host_ip": "127.0.0.1", "published": "6416", "target": 6415}, {"target": 8080}],
            "volumes": [{"type": "volume", "source": "gaia-shared", "target": "/shared"},
                        {"type": "bind", "source": "/r/x", "target": "/app"}],
            "devices": [{"source": "/dev/null", "target": "/dev/nvidia0"}],
            "healthcheck": {"test": ["CMD-SHELL", "curl -f http://localhost:1/"]},
        });
        let (short, long) = (
            ServiceDef::from_value(&short),
            ServiceDef::from_value(&long),
        );
        assert_eq!(short, long);
        assert_eq!(short.ports[0].published, Some(6416));
        assert_eq!(short.ports[1].published, None);
        assert_eq!(short.gpus, Some(Gpus::Count(1)));
        assert_eq!(short.volumes, [("gaia-shared".into(), "/shared".into())]);
    }

    #[test]
    fn the_yaml_reader_interpolates_as_compose_does() {
        let env = Interpolation {
            dotenv: HashMap::from([("GAIA_T_SET".into(), "v".into())]),
        };
        assert_eq!(env.apply("${GAIA_T_SET:-d}/${GAIA_T_UNSET:-d}"), "v/d");
        assert_eq!(
            env.apply("$$HOME ${GAIA_T_UNSET}x $GAIA_T_SET"),
            "$HOME x v"
        );
        assert_eq!(
            env.apply("${GAIA_T_SET:+alt}${GAIA_T_UNSET-dash}"),
            "altdash"
        );
    }

    #[tokio::test]
    async fn missing_and_broken_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.yml"), "services: [unclosed").unwrap();
        let sets = [vec!["absent.yml".to_owned(), "bad.yml".to_owned()]];
        let model = ComposeModel::read(dir.path(), &sets, &HashMap::new()).await;
        assert_eq!(model.missing, ["absent.yml"]);
        assert_eq!(model.invalid[0].0, "bad.yml");
        assert!(model.invalid[0].1.starts_with("is not valid YAML"));
    }

    #[tokio::test]
    async fn a_file_compose_refuses_is_named_with_its_complaint() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("odd.yml"),
            "services:\n  a:\n    image: x\n    bogus: 1\n",
        )
        .unwrap();
        let Ok(compose) = Compose::detect(dir.path()).await else {
            return;
        };
        let sets = [vec!["odd.yml".to_owned()]];
        let model = ComposeModel::read(dir.path(), &sets, &HashMap::new()).await;
        if compose.is_v2() {
            assert_eq!(model.invalid[0].0, "odd.yml");
            assert!(model.invalid[0].1.contains("bogus"), "{:?}", model.invalid);
            // What the files say is still known from gaia's own reading.
            assert!(model.services.contains_key("a"));
        }
    }

    #[tokio::test]
    async fn compose_v2_and_the_yaml_reader_agree_on_the_reference_files() {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "docker-compose.yml",
            "docker-compose.candidate.yml",
            "docker-compose.ha.yml",
        ] {
            std::fs::copy(reference().join(file), dir.path().join(file)).unwrap();
        }
        std::fs::write(dir.path().join(".env.discord"), "").unwrap();
        let registry = Registry::load(None).unwrap();
        let model = ComposeModel::of_registry(dir.path(), &registry).await;
        assert!(model.invalid.is_empty(), "{:?}", model.invalid);
        assert_eq!(model.sets.len(), 3);
        for set in &model.sets {
            let (doc, _) = read_yaml(dir.path(), &set.files);
            let by_yaml: Vec<(String, ServiceDef)> = doc["services"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), ServiceDef::from_value(v)))
                .collect();
            let sorted = |mut list: Vec<(String, ServiceDef)>| {
                list.sort_by(|a, b| a.0.cmp(&b.0));
                list
            };
            assert_eq!(
                sorted(set.services.clone()),
                sorted(by_yaml),
                "{:?}",
                set.files
            );
        }
        let standby = &model.services["gaia-core-candidate"];
        assert!(standby.profiles.contains(&"ha".to_owned()));
        assert_eq!(standby.restart.as_deref(), Some("unless-stopped"));
        assert_eq!(model.services["gaia-prime"].gpus, Some(Gpus::Count(1)));
        assert_eq!(model.services["gaia-study"].gpus, Some(Gpus::All));
    }

    #[tokio::test]
    async fn services_come_up_in_compose_dependency_order() {
        let registry = Registry::load(None).unwrap();
        let depths = ComposeModel::of_registry(&reference(), &registry)
            .await
            .dependency_depths(&registry);
        assert_eq!(depths["gaia-prime"], 0);
        assert_eq!(depths["gaia-mcp"], 0);
        assert!(depths["gaia-core"] > depths["gaia-prime"]);
        assert!(depths["gaia-core"] > depths["gaia-mcp"]);
        assert!(depths["gaia-web"] > depths["gaia-core"]);
        assert!(depths["gaia-core-candidate"] >= depths["gaia-core"]);
    }
}

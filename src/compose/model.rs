//! The compose files of a GAIA root, read once: services (their container
//! names and dependencies) and the networks and volumes they declare. Everything in gaia that needs to know what the
//! compose files say asks this model.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{Error, Result};
use crate::registry::{Registry, Role};

/// What the compose files say, merged in the order compose merges them.
#[derive(Debug, Default)]
pub(crate) struct ComposeModel {
    /// Service definitions by compose key.
    pub(crate) services: BTreeMap<String, ServiceDef>,
    networks: Vec<(String, String, Definition)>,
    volumes: Vec<(String, String, Definition)>,
    /// Files the registry names that are not in the root.
    pub(crate) missing: Vec<String>,
    /// Files that are not valid YAML, with the parser's complaint.
    pub(crate) invalid: Vec<(String, String)>,
}

/// One service of the compose files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ServiceDef {
    pub(crate) container_name: Option<String>,
    pub(crate) depends_on: Vec<String>,
}

/// What a compose file says about a network or volume.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Definition {
    /// The entry's key in the compose file (`gaia-net`), which compose
    /// writes into the object's labels; the object itself is named by
    /// `name:` (`gaia-network`), or by the key when there is none.
    pub(crate) key: String,
    pub(crate) external: bool,
    pub(crate) driver: Option<String>,
    pub(crate) labels: HashMap<String, String>,
    pub(crate) subnets: Vec<String>,
}

impl ComposeModel {
    /// The compose files of every registry service, in registry order.
    pub(crate) fn of_registry(root: &Path, registry: &Registry) -> ComposeModel {
        let mut files: Vec<&str> = Vec::new();
        for file in registry.services.iter().flat_map(|s| &s.compose_files) {
            if !files.contains(&file.as_str()) {
                files.push(file);
            }
        }
        Self::read(root, &files)
    }

    pub(crate) fn read(root: &Path, files: &[&str]) -> ComposeModel {
        let mut model = ComposeModel::default();
        for file in files {
            let Ok(text) = std::fs::read_to_string(root.join(file)) else {
                model.missing.push((*file).to_owned());
                continue;
            };
            match YamlLoader::load_from_str(&text) {
                Ok(docs) => {
                    if let Some(doc) = docs.first() {
                        model.add(file, doc);
                    }
                }
                Err(err) => model.invalid.push(((*file).to_owned(), err.to_string())),
            }
        }
        model
    }

    fn add(&mut self, file: &str, doc: &Yaml) {
        if let Some(services) = doc["services"].as_hash() {
            for (key, definition) in services {
                let Some(key) = key.as_str() else { continue };
                let service = self.services.entry(key.to_owned()).or_default();
                service.merge(definition);
            }
        }
        for (section, into) in [
            ("networks", &mut self.networks),
            ("volumes", &mut self.volumes),
        ] {
            if let Some(entries) = doc[section].as_hash() {
                for (key, entry) in entries {
                    let Some(key) = key.as_str() else { continue };
                    let name = entry["name"].as_str().unwrap_or(key).to_owned();
                    into.push((name, file.to_owned(), Definition::from_yaml(key, entry)));
                }
            }
        }
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

    fn find<'m>(
        &self,
        entries: &'m [(String, String, Definition)],
        section: &str,
        name: &str,
    ) -> Result<&'m Definition> {
        let (_, file, definition) = entries
            .iter()
            .find(|(named, _, _)| named == name)
            .ok_or_else(|| {
                let unread: Vec<String> = self
                    .invalid
                    .iter()
                    .map(|(file, err)| format!("{file} is not valid YAML: {err}"))
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
                "{name} is declared external in {file}: compose expects it to be \
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

impl ServiceDef {
    /// Adds what a later file says, as compose merges overlays: scalars
    /// replace, lists add up.
    fn merge(&mut self, definition: &Yaml) {
        if let Some(name) = definition["container_name"].as_str() {
            self.container_name = Some(name.to_owned());
        }
        for name in names(&definition["depends_on"]) {
            if !self.depends_on.contains(&name) {
                self.depends_on.push(name);
            }
        }
    }
}

/// The names of a list (`[a, b]`) or of a map's keys (`{a: …, b: …}`).
fn names(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::Array(list) => list
            .iter()
            .filter_map(|d| d.as_str())
            .map(str::to_owned)
            .collect(),
        Yaml::Hash(map) => map
            .keys()
            .filter_map(|d| d.as_str())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

impl Definition {
    fn from_yaml(key: &str, entry: &Yaml) -> Definition {
        let labels = match &entry["labels"] {
            Yaml::Hash(map) => map
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), scalar(v)?)))
                .collect(),
            Yaml::Array(list) => list
                .iter()
                .filter_map(|l| l.as_str()?.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            _ => HashMap::new(),
        };
        let subnets = entry["ipam"]["config"]
            .as_vec()
            .map(|configs| {
                configs
                    .iter()
                    .filter_map(|c| c["subnet"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Definition {
            key: key.to_owned(),
            external: entry["external"].as_bool() == Some(true),
            driver: entry["driver"].as_str().map(str::to_owned),
            labels,
            subnets,
        }
    }
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> ComposeModel {
        let mut model = ComposeModel::default();
        model.add(
            "docker-compose.yml",
            &YamlLoader::load_from_str(text).unwrap()[0],
        );
        model
    }

    #[test]
    fn a_compose_definition_keeps_driver_labels_and_subnets() {
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
        let mut model =
            model("services:\n  web:\n    container_name: gaia-web\n    depends_on: [core]\n");
        model.add(
            "overlay.yml",
            &YamlLoader::load_from_str(
                "services:\n  web:\n    container_name: gaia-web-2\n    depends_on:\n      \
                 mcp:\n        condition: service_healthy\n",
            )
            .unwrap()[0],
        );
        let web = &model.services["web"];
        assert_eq!(web.container_name.as_deref(), Some("gaia-web-2"));
        assert_eq!(web.depends_on, ["core", "mcp"]);
    }

    #[test]
    fn missing_and_broken_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.yml"), "services: [unclosed").unwrap();
        let model = ComposeModel::read(dir.path(), &["absent.yml", "bad.yml"]);
        assert_eq!(model.missing, ["absent.yml"]);
        assert_eq!(model.invalid[0].0, "bad.yml");
    }

    #[test]
    fn services_come_up_in_compose_dependency_order() {
        // The real GAIA compose files, as the project keeps them beside the code.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose");
        let registry = Registry::load(None).unwrap();
        let depths = ComposeModel::of_registry(&root, &registry).dependency_depths(&registry);
        assert_eq!(depths["gaia-prime"], 0);
        assert_eq!(depths["gaia-mcp"], 0);
        assert!(depths["gaia-core"] > depths["gaia-prime"]);
        assert!(depths["gaia-core"] > depths["gaia-mcp"]);
        assert!(depths["gaia-web"] > depths["gaia-core"]);
        assert!(depths["gaia-core-candidate"] >= depths["gaia-core"]);
    }
}

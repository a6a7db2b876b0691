//! The check catalogue: the GAIA facts the doctor checks, kept as data in
//! `checks/` and built into the binary. Every entry naming a service must
//! name one the registry knows, so a typo cannot quietly drop a check.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::registry::{Registry, escapes, is_container_path, located};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Thresholds {
    pub(crate) restart_count_warn_above: i64,
    #[serde(with = "humantime_serde")]
    pub(crate) http_connect_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub(crate) http_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub(crate) sessions_fresh_under: Duration,
    #[serde(with = "humantime_serde")]
    pub(crate) sessions_drift_pass_under: Duration,
    #[serde(with = "humantime_serde")]
    pub(crate) sessions_drift_warn_under: Duration,
    pub(crate) disk_pass_under_percent: f64,
    pub(crate) disk_warn_under_percent: f64,
    pub(crate) gpu_memory_warn_percent: f64,
    #[serde(with = "humantime_serde")]
    pub(crate) candidate_image_age_tolerance: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Route {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Library {
    pub(crate) live: String,
    pub(crate) candidate: String,
    pub(crate) files: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Mount {
    pub(crate) service: String,
    pub(crate) paths: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Model {
    pub(crate) server: String,
    pub(crate) client: String,
    pub(crate) env: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Import {
    pub(crate) service: String,
    pub(crate) module: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sessions {
    pub(crate) file: String,
    pub(crate) live: String,
    pub(crate) candidate: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ha {
    pub(crate) maintenance_flag: String,
    pub(crate) orchestrator: String,
    pub(crate) status_path: String,
    #[serde(default, rename = "drill")]
    pub(crate) drills: Vec<Drill>,
}

/// How `gaia failover-test` drills one target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Drill {
    /// The live service stopped on purpose.
    pub(crate) target: String,
    /// The live service that calls it and must fall back to its standby.
    pub(crate) front: String,
    /// Where the request goes on the front (POST, JSON).
    pub(crate) path: String,
    /// The request body.
    pub(crate) payload: String,
    /// JSON pointer to the field of the front's response naming who served.
    pub(crate) served_by: String,
    /// A front log line holding this and "failed" is a failed attempt.
    pub(crate) failed_attempt: String,
    /// A front log line holding this and "succeeded" is the standby serving.
    pub(crate) fallback_served: String,
}

/// What `gaia promote` checks, copies and waits for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Promote {
    pub(crate) exclude: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub(crate) watch_window: std::time::Duration,
    #[serde(with = "humantime_serde")]
    pub(crate) gate_margin: std::time::Duration,
    pub(crate) sync_gate: SyncGate,
    #[serde(rename = "validator")]
    pub(crate) validators: Vec<Validator>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncGate {
    pub(crate) blocking: Vec<String>,
    pub(crate) warning: Vec<String>,
    pub(crate) listed: String,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Validator {
    pub(crate) name: String,
    pub(crate) command: Vec<String>,
    pub(crate) blocking: bool,
    #[serde(default = "only_zero")]
    pub(crate) passing_exit_codes: Vec<i64>,
    /// A validator still running after this is stopped and fails.
    #[serde(default = "ten_minutes", with = "humantime_serde")]
    pub(crate) timeout: Duration,
}

fn ten_minutes() -> Duration {
    Duration::from_secs(600)
}

fn only_zero() -> Vec<i64> {
    vec![0]
}

#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    pub(crate) thresholds: Thresholds,
    pub(crate) routes: Vec<Route>,
    pub(crate) library: Library,
    pub(crate) mounts: Vec<Mount>,
    pub(crate) models: Vec<Model>,
    pub(crate) imports: Vec<Import>,
    pub(crate) sessions: Sessions,
    pub(crate) ha: Ha,
    pub(crate) promote: Promote,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Routes {
    route: Vec<Route>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mounts {
    mount: Vec<Mount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Models {
    model: Vec<Model>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Imports {
    import: Vec<Import>,
}

/// The catalogue's files as built into the binary, by name under `checks/`.
const BUILT_IN: &[(&str, &str)] = &[
    ("thresholds.toml", include_str!("../checks/thresholds.toml")),
    ("routes.toml", include_str!("../checks/routes.toml")),
    ("library.toml", include_str!("../checks/library.toml")),
    ("mounts.toml", include_str!("../checks/mounts.toml")),
    ("models.toml", include_str!("../checks/models.toml")),
    ("imports.toml", include_str!("../checks/imports.toml")),
    ("sessions.toml", include_str!("../checks/sessions.toml")),
    ("ha.toml", include_str!("../checks/ha.toml")),
    ("promote.toml", include_str!("../checks/promote.toml")),
];

/// `checks/NAME` from `files`, parsed; an error names file, line and column.
fn parse<T: serde::de::DeserializeOwned>(files: &[(&str, &str)], name: &str) -> Result<T> {
    let origin = format!("checks/{name}");
    let Some((_, text)) = files.iter().find(|(file, _)| *file == name) else {
        return Err(Error::Config(format!("{origin} is missing")));
    };
    toml::from_str(text).map_err(|e| Error::Config(located(&origin, text, e.span(), e.message())))
}

impl Catalogue {
    /// The built-in catalogue, checked against `registry`.
    pub(crate) fn load(registry: &Registry) -> Result<Catalogue> {
        Catalogue::from_files(BUILT_IN, registry)
    }

    /// The catalogue made of `files` (name under `checks/`, text), checked
    /// against `registry`.
    fn from_files(files: &[(&str, &str)], registry: &Registry) -> Result<Catalogue> {
        let catalogue = Catalogue {
            thresholds: parse(files, "thresholds.toml")?,
            routes: parse::<Routes>(files, "routes.toml")?.route,
            library: parse(files, "library.toml")?,
            mounts: parse::<Mounts>(files, "mounts.toml")?.mount,
            models: parse::<Models>(files, "models.toml")?.model,
            imports: parse::<Imports>(files, "imports.toml")?.import,
            sessions: parse(files, "sessions.toml")?,
            ha: parse(files, "ha.toml")?,
            promote: parse(files, "promote.toml")?,
        };
        catalogue.validate(registry)?;
        Ok(catalogue)
    }

    fn validate(&self, registry: &Registry) -> Result<()> {
        let named = self
            .routes
            .iter()
            .flat_map(|r| [("routes.toml", &r.from), ("routes.toml", &r.to)])
            .chain(self.mounts.iter().map(|m| ("mounts.toml", &m.service)))
            .chain(
                self.models
                    .iter()
                    .flat_map(|m| [("models.toml", &m.server), ("models.toml", &m.client)]),
            )
            .chain(self.imports.iter().map(|i| ("imports.toml", &i.service)))
            .chain([
                ("sessions.toml", &self.sessions.live),
                ("sessions.toml", &self.sessions.candidate),
                ("ha.toml", &self.ha.orchestrator),
            ])
            .chain(
                self.ha
                    .drills
                    .iter()
                    .flat_map(|d| [("ha.toml", &d.target), ("ha.toml", &d.front)]),
            );
        for (file, service) in named {
            if registry.service(service).is_none() {
                return Err(Error::Config(format!(
                    "checks/{file} names `{service}`, which is not a service in the registry"
                )));
            }
        }
        // Library files are read under the GAIA root; the other paths are
        // handed to `stat` and `rm` inside containers.
        let library = [&self.library.live, &self.library.candidate]
            .into_iter()
            .chain(&self.library.files);
        for path in library {
            if let Some(why) = escapes(path) {
                return Err(Error::Config(format!(
                    "checks/library.toml: `{}` {why}: it must be a relative path inside the GAIA root",
                    path.escape_debug()
                )));
            }
        }
        let inside = self
            .mounts
            .iter()
            .flat_map(|m| m.paths.iter().map(|p| ("mounts.toml", p)))
            .chain([
                ("sessions.toml", &self.sessions.file),
                ("ha.toml", &self.ha.maintenance_flag),
            ]);
        for (file, path) in inside {
            if !is_container_path(path) {
                return Err(Error::Config(format!(
                    "checks/{file}: `{}` must be an absolute path inside the container, with no `..`",
                    path.escape_debug()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_matches_the_built_in_registry() {
        let registry = Registry::load(None).unwrap();
        let catalogue = Catalogue::load(&registry).unwrap();
        assert_eq!(catalogue.routes.len(), 5);
        assert_eq!(catalogue.thresholds.restart_count_warn_above, 5);
        assert_eq!(catalogue.library.files.len(), 5);
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let registry = Registry::load(None).unwrap();
        let mut files = BUILT_IN.to_vec();
        files[6].1 = "file = \"/shared/sessions.json\"\nlive = gaia-core\n";
        let err = Catalogue::from_files(&files, &registry).unwrap_err();
        assert!(
            err.to_string().starts_with("checks/sessions.toml:2:8: "),
            "{err}"
        );
    }

    #[test]
    fn paths_that_leave_the_root_or_could_be_flags_are_refused() {
        let registry = Registry::load(None).unwrap();
        for (index, from, to, says) in [
            (
                2,
                "live = \"gaia-common/gaia_common\"",
                "live = \"../../etc\"",
                "goes up with `..`",
            ),
            (
                2,
                "\"utils/resilience.py\"",
                "\"/etc/shadow\"",
                "is absolute",
            ),
            (
                6,
                "file = \"/shared/sessions.json\"",
                "file = \"-rf\"",
                "must be an absolute path",
            ),
            (
                7,
                "maintenance_flag = \"/shared/ha_maintenance\"",
                "maintenance_flag = \"/shared/../x\"",
                "must be an absolute path",
            ),
            (3, "\"/knowledge\"", "\"--all\"", "must be an absolute path"),
        ] {
            let edited = BUILT_IN[index].1.replacen(from, to, 1);
            assert_ne!(edited, BUILT_IN[index].1, "{from} not found");
            let mut files = BUILT_IN.to_vec();
            files[index].1 = &edited;
            let err = Catalogue::from_files(&files, &registry)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("checks/{}", BUILT_IN[index].0)),
                "{err}"
            );
            assert!(err.contains(says), "{to}: {err}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1500,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// No edit of a file under checks/ makes gaia panic: the catalogue
        /// loads, or it is a configuration error naming that file (with line
        /// and column when the file does not parse).
        #[test]
        fn any_edit_of_a_checks_file_loads_or_is_a_configuration_error_naming_it(
            which in 0..BUILT_IN.len(),
            edits in crate::registry::fuzz::edits(),
        ) {
            let registry = Registry::load(None).unwrap();
            let (name, text) = BUILT_IN[which];
            let edited = crate::registry::fuzz::apply(text, &edits);
            let mut files = BUILT_IN.to_vec();
            files[which].1 = &edited;
            let origin = format!("checks/{name}");
            match Catalogue::from_files(&files, &registry) {
                Ok(_) => {}
                Err(Error::Config(message)) => proptest::prop_assert!(
                    crate::registry::fuzz::located_in(&message, &origin)
                        || message.starts_with(&format!("{origin} names "))
                        || message.starts_with(&format!("{origin}: `")),
                    "{message}"
                ),
                Err(other) => proptest::prop_assert!(false, "not a configuration error: {other}"),
            }
        }
    }
}

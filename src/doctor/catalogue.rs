//! The check catalogue: the GAIA facts the doctor checks, kept as data in
//! `checks/` and built into the binary. Every entry naming a service must
//! name one the registry knows, so a typo cannot quietly drop a check.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::registry::Registry;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub restart_count_warn_above: i64,
    #[serde(with = "humantime_serde")]
    pub http_connect_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub http_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub sessions_fresh_under: Duration,
    #[serde(with = "humantime_serde")]
    pub sessions_drift_pass_under: Duration,
    #[serde(with = "humantime_serde")]
    pub sessions_drift_warn_under: Duration,
    pub disk_pass_under_percent: f64,
    pub disk_warn_under_percent: f64,
    pub gpu_memory_warn_percent: f64,
    #[serde(with = "humantime_serde")]
    pub candidate_image_age_tolerance: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub from: String,
    pub to: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub live: String,
    pub candidate: String,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    pub service: String,
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub server: String,
    pub client: String,
    pub env: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub service: String,
    pub module: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sessions {
    pub file: String,
    pub live: String,
    pub candidate: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ha {
    pub maintenance_flag: String,
    pub orchestrator: String,
    pub status_path: String,
    #[serde(default, rename = "drill")]
    pub drills: Vec<Drill>,
}

/// How `gaia failover-test` drills one target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    /// The live service stopped on purpose.
    pub target: String,
    /// The live service that calls it and must fall back to its standby.
    pub front: String,
    /// Where the request goes on the front (POST, JSON).
    pub path: String,
    /// The request body.
    pub payload: String,
    /// JSON pointer to the field of the front's response naming who served.
    pub served_by: String,
    /// A front log line holding this and "failed" is a failed attempt.
    pub failed_attempt: String,
    /// A front log line holding this and "succeeded" is the standby serving.
    pub fallback_served: String,
}

/// What `gaia promote` checks, copies and waits for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promote {
    pub exclude: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub watch_window: std::time::Duration,
    #[serde(with = "humantime_serde")]
    pub gate_margin: std::time::Duration,
    pub sync_gate: SyncGate,
    #[serde(rename = "validator")]
    pub validators: Vec<Validator>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncGate {
    pub blocking: Vec<String>,
    pub warning: Vec<String>,
    pub listed: String,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Validator {
    pub name: String,
    pub command: Vec<String>,
    pub blocking: bool,
    #[serde(default = "only_zero")]
    pub passing_exit_codes: Vec<i64>,
}

fn only_zero() -> Vec<i64> {
    vec![0]
}

#[derive(Debug, Clone)]
pub struct Catalogue {
    pub thresholds: Thresholds,
    pub routes: Vec<Route>,
    pub library: Library,
    pub mounts: Vec<Mount>,
    pub models: Vec<Model>,
    pub imports: Vec<Import>,
    pub sessions: Sessions,
    pub ha: Ha,
    pub promote: Promote,
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

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Config(format!("checks/{name}: {}", e.message())))
}

impl Catalogue {
    /// The built-in catalogue, checked against `registry`.
    pub fn load(registry: &Registry) -> Result<Catalogue> {
        let catalogue = Catalogue {
            thresholds: parse(
                "thresholds.toml",
                include_str!("../../checks/thresholds.toml"),
            )?,
            routes: parse::<Routes>("routes.toml", include_str!("../../checks/routes.toml"))?.route,
            library: parse("library.toml", include_str!("../../checks/library.toml"))?,
            mounts: parse::<Mounts>("mounts.toml", include_str!("../../checks/mounts.toml"))?.mount,
            models: parse::<Models>("models.toml", include_str!("../../checks/models.toml"))?.model,
            imports: parse::<Imports>("imports.toml", include_str!("../../checks/imports.toml"))?
                .import,
            sessions: parse("sessions.toml", include_str!("../../checks/sessions.toml"))?,
            ha: parse("ha.toml", include_str!("../../checks/ha.toml"))?,
            promote: parse("promote.toml", include_str!("../../checks/promote.toml"))?,
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
}

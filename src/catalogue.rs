//! The check catalogue: the GAIA facts the doctor checks, kept as data in
//! `checks/` and built into the binary. Every entry naming a service must
//! name one the registry knows, so a typo cannot quietly drop a check.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::registry::Registry;

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

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Config(format!("checks/{name}: {}", e.message())))
}

impl Catalogue {
    /// The built-in catalogue, checked against `registry`.
    pub(crate) fn load(registry: &Registry) -> Result<Catalogue> {
        let catalogue = Catalogue {
            thresholds: parse("thresholds.toml", include_str!("../checks/thresholds.toml"))?,
            routes: parse::<Routes>("routes.toml", include_str!("../checks/routes.toml"))?.route,
            library: parse("library.toml", include_str!("../checks/library.toml"))?,
            mounts: parse::<Mounts>("mounts.toml", include_str!("../checks/mounts.toml"))?.mount,
            models: parse::<Models>("models.toml", include_str!("../checks/models.toml"))?.model,
            imports: parse::<Imports>("imports.toml", include_str!("../checks/imports.toml"))?
                .import,
            sessions: parse("sessions.toml", include_str!("../checks/sessions.toml"))?,
            ha: parse("ha.toml", include_str!("../checks/ha.toml"))?,
            promote: parse("promote.toml", include_str!("../checks/promote.toml"))?,
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

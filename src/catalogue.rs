//! The check catalogue: the GAIA facts the doctor checks, kept as data in
//! `checks/` and built into the binary, with the operator's own files laid
//! over it (`overlay` says how they merge). An entry naming a service the
//! registry lacks is skipped with a note, so that a registry without an
//! optional service still loads and the operator is told what is not checked.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::overlay::{Sources, merge};
use crate::registry::{Registry, escapes, is_container_path};

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
    /// How many replaced versions of each service are kept for `gaia
    /// rollback --to` (0: none).
    pub(crate) keep: usize,
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

/// What a custom check finds when its expectation does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Warn,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Http,
    Exec,
    Log,
}

/// A `[[check]]` of `custom.toml` as written: the keys of every kind, each
/// kind's own checked once the kind is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Spanned<String>,
    kind: Kind,
    description: String,
    severity: Level,
    remediation: Option<String>,
    service: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    status: Option<Spanned<u16>>,
    contains: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    argv: Option<Spanned<Vec<String>>>,
    exit_code: Option<Spanned<i64>>,
    stdout_contains: Option<Spanned<String>>,
    patterns: Option<Spanned<Vec<String>>>,
    since: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entries {
    #[serde(default)]
    check: Vec<Spanned<Entry>>,
}

/// A check the operator wrote in TOML (`custom.toml`).
#[derive(Debug, Clone)]
pub(crate) struct Custom {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) severity: Level,
    pub(crate) remediation: Option<String>,
    /// The service it is about, for `--service` and the report.
    pub(crate) service: Option<String>,
    pub(crate) probe: Probe,
}

#[derive(Debug, Clone)]
pub(crate) enum Probe {
    Http(HttpProbe),
    Exec(ExecProbe),
    Log(LogProbe),
}

/// GET `url` from the host, or from inside `inside`'s container.
#[derive(Debug, Clone)]
pub(crate) struct HttpProbe {
    pub(crate) url: String,
    pub(crate) inside: Option<String>,
    pub(crate) status: u16,
    pub(crate) contains: Option<String>,
    pub(crate) timeout: Duration,
}

/// `argv` inside the service's container.
#[derive(Debug, Clone)]
pub(crate) struct ExecProbe {
    pub(crate) argv: Vec<String>,
    pub(crate) exit_code: i64,
    pub(crate) stdout_contains: Option<String>,
    pub(crate) timeout: Duration,
}

/// Lines of the service's log matching any of `patterns`, written in the
/// last `since` of the current container's life.
#[derive(Debug, Clone)]
pub(crate) struct LogProbe {
    pub(crate) patterns: Vec<regex::Regex>,
    pub(crate) since: Duration,
}

/// A custom probe may take this long: every check has 10 s in all.
const LONGEST_PROBE: Duration = Duration::from_secs(9);
/// An exec probe that names no timeout gets this.
const EXEC_TIMEOUT: Duration = Duration::from_secs(7);

#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    /// Operator's custom checks, in file order.
    pub(crate) custom: Vec<Custom>,
    /// Entries skipped because they name a service the registry lacks.
    pub(crate) notes: Vec<String>,
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
    ("custom.toml", include_str!("../checks/custom.toml")),
];

/// An operator's file laid over the built-in file of the same name.
struct Overlay {
    name: String,
    origin: String,
    text: String,
}

/// The `*.toml` files of `dir`, each named like a built-in file. A missing
/// directory is no overlay, unless the operator named it (`named`).
fn overlays(dir: &Path, named: bool) -> Result<Vec<Overlay>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !named => return Ok(Vec::new()),
        Err(err) => {
            return Err(Error::Config(format!(
                "cannot read the checks directory {}: {err}",
                dir.display()
            )));
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", dir.display())))?
            .path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // Editors' backups and notes beside the overlays are not overlays.
        if !name.ends_with(".toml") {
            continue;
        }
        if !BUILT_IN.iter().any(|(built_in, _)| *built_in == name) {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            return Err(Error::Config(format!(
                "{}: not a checks file; overlays are named like the built-in ones: {}",
                path.display(),
                names.join(", ")
            )));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        found.push(Overlay {
            name: name.to_owned(),
            origin: path.display().to_string(),
            text,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// `checks/NAME` from `files` with the overlays of that name laid over it,
/// read; an error names file, line and column.
fn parse<'t, T: serde::de::DeserializeOwned>(
    sources: &mut Sources<'t>,
    files: &[(&str, &'t str)],
    overlays: &'t [Overlay],
    name: &str,
) -> Result<T> {
    let origin = format!("checks/{name}");
    let Some((_, text)) = files.iter().find(|(file, _)| *file == name) else {
        return Err(Error::Config(format!("{origin} is missing")));
    };
    let mut table = sources.parse(&origin, text).map_err(Error::Config)?;
    for overlay in overlays.iter().filter(|o| o.name == name) {
        let over = sources
            .parse(&overlay.origin, &overlay.text)
            .map_err(Error::Config)?;
        merge(&mut table, over);
    }
    sources.read(table).map_err(Error::Config)
}

/// One file's parse, with sources of its own so that spans name its files.
fn read<T: serde::de::DeserializeOwned>(
    files: &[(&str, &str)],
    overlays: &[Overlay],
    name: &str,
) -> Result<T> {
    parse(&mut Sources::default(), files, overlays, name)
}

impl Catalogue {
    /// The built-in catalogue, checked against `registry`.
    pub(crate) fn load(registry: &Registry) -> Result<Catalogue> {
        Catalogue::from_files(BUILT_IN, &[], registry)
    }

    /// The built-in catalogue with the operator's files in `dir` laid over
    /// it; `named`: the operator named `dir`, so it must exist.
    pub(crate) fn load_over(registry: &Registry, dir: &Path, named: bool) -> Result<Catalogue> {
        Catalogue::from_files(BUILT_IN, &overlays(dir, named)?, registry)
    }

    /// The catalogue made of `files` (name under `checks/`, text) and the
    /// overlays, checked against `registry`.
    fn from_files(
        files: &[(&str, &str)],
        overlays: &[Overlay],
        registry: &Registry,
    ) -> Result<Catalogue> {
        let thresholds: Thresholds = read(files, overlays, "thresholds.toml")?;
        let mut sources = Sources::default();
        let entries: Entries = parse(&mut sources, files, overlays, "custom.toml")?;
        let mut notes = Vec::new();
        let custom = customs(entries.check, &sources, registry, &thresholds, &mut notes)?;
        let mut catalogue = Catalogue {
            custom,
            notes,
            thresholds,
            routes: read::<Routes>(files, overlays, "routes.toml")?.route,
            library: read(files, overlays, "library.toml")?,
            mounts: read::<Mounts>(files, overlays, "mounts.toml")?.mount,
            models: read::<Models>(files, overlays, "models.toml")?.model,
            imports: read::<Imports>(files, overlays, "imports.toml")?.import,
            sessions: read(files, overlays, "sessions.toml")?,
            ha: read(files, overlays, "ha.toml")?,
            promote: read(files, overlays, "promote.toml")?,
        };
        catalogue.skip_absent(registry);
        catalogue.validate()?;
        Ok(catalogue)
    }

    /// Drops the entries naming a service the registry lacks, each with a
    /// note saying what is not checked.
    fn skip_absent(&mut self, registry: &Registry) {
        let notes = &mut self.notes;
        let mut present = |file: &str, what: String, services: &[&str]| {
            let absent: Vec<&str> = services
                .iter()
                .copied()
                .filter(|s| registry.service(s).is_none())
                .collect();
            if !absent.is_empty() {
                notes.push(format!(
                    "{file}: {what} is not checked: the registry has no {}",
                    absent.join(" and no ")
                ));
            }
            absent.is_empty()
        };
        self.routes.retain(|r| {
            present(
                "routes.toml",
                format!("the route {} → {}", r.from, r.to),
                &[&r.from, &r.to],
            )
        });
        self.mounts.retain(|m| {
            present(
                "mounts.toml",
                format!("the mounts of {}", m.service),
                &[&m.service],
            )
        });
        self.models.retain(|m| {
            present(
                "models.toml",
                format!("the model {} serves {}", m.server, m.client),
                &[&m.server, &m.client],
            )
        });
        self.imports.retain(|i| {
            present(
                "imports.toml",
                format!("the import of {} in {}", i.module, i.service),
                &[&i.service],
            )
        });
        self.ha.drills.retain(|d| {
            present(
                "ha.toml",
                format!("the drill of {}", d.target),
                &[&d.target, &d.front],
            )
        });
        // The checks that use these look the services up and skip.
        present(
            "sessions.toml",
            "the session store".into(),
            &[&self.sessions.live, &self.sessions.candidate],
        );
        present(
            "ha.toml",
            "the orchestrator's HA status".into(),
            &[&self.ha.orchestrator],
        );
    }

    fn validate(&self) -> Result<()> {
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

/// The custom checks of `entries`, each checked for its kind's keys; those
/// naming a service the registry lacks are skipped with a note.
fn customs(
    entries: Vec<Spanned<Entry>>,
    sources: &Sources<'_>,
    registry: &Registry,
    thresholds: &Thresholds,
    notes: &mut Vec<String>,
) -> Result<Vec<Custom>> {
    let mut checks: Vec<Custom> = Vec::new();
    for entry in entries {
        let span = entry.span();
        let entry = entry.into_inner();
        let at = |span: std::ops::Range<usize>, message: String| {
            Error::Config(sources.locate(Some(span), &message))
        };
        let id = entry.id.get_ref();
        let well_named = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !well_named {
            return Err(at(
                entry.id.span(),
                format!(
                    "check id `{}` must be letters, digits, `-`, `_` and `.`",
                    id.escape_debug()
                ),
            ));
        }
        if checks.iter().any(|c| c.id == *id) {
            return Err(at(
                entry.id.span(),
                format!("a second check with id `{id}`"),
            ));
        }
        let kind_name = match entry.kind {
            Kind::Http => "http",
            Kind::Exec => "exec",
            Kind::Log => "log",
        };
        let keys = [
            ("url", entry.url.as_ref().map(Spanned::span), Kind::Http),
            ("path", entry.path.as_ref().map(Spanned::span), Kind::Http),
            ("from", entry.from.as_ref().map(Spanned::span), Kind::Http),
            (
                "status",
                entry.status.as_ref().map(Spanned::span),
                Kind::Http,
            ),
            (
                "contains",
                entry.contains.as_ref().map(Spanned::span),
                Kind::Http,
            ),
            ("argv", entry.argv.as_ref().map(Spanned::span), Kind::Exec),
            (
                "exit_code",
                entry.exit_code.as_ref().map(Spanned::span),
                Kind::Exec,
            ),
            (
                "stdout_contains",
                entry.stdout_contains.as_ref().map(Spanned::span),
                Kind::Exec,
            ),
            (
                "patterns",
                entry.patterns.as_ref().map(Spanned::span),
                Kind::Log,
            ),
            ("since", entry.since.as_ref().map(Spanned::span), Kind::Log),
            (
                "timeout",
                entry.timeout.as_ref().map(Spanned::span),
                entry.kind,
            ),
        ];
        for (key, found, kind) in keys {
            if let Some(found) = found
                && (kind != entry.kind || (key == "timeout" && entry.kind == Kind::Log))
            {
                return Err(at(
                    found,
                    format!("`{key}` is not a key of a `{kind_name}` check"),
                ));
            }
        }
        let from = entry
            .from
            .as_ref()
            .filter(|f| f.get_ref() != "host")
            .map(|f| f.get_ref().as_str());
        let named: Vec<&str> = entry
            .service
            .iter()
            .map(|s| s.get_ref().as_str())
            .chain(from)
            .collect();
        let mut absent: Vec<&str> = named
            .iter()
            .copied()
            .filter(|s| registry.service(s).is_none())
            .collect();
        absent.dedup();
        if !absent.is_empty() {
            notes.push(format!(
                "custom.toml: the check `{id}` is not run: the registry has no {}",
                absent.join(" and no ")
            ));
            continue;
        }
        let service = entry.service.as_ref().map(|s| s.get_ref().clone());
        let needs_service = || match &service {
            Some(s) => Ok(s.clone()),
            None => Err(at(
                span.clone(),
                format!("an `{kind_name}` check needs `service`"),
            )),
        };
        let duration = |value: &Option<Spanned<String>>, key: &str, default: Duration| {
            let Some(value) = value else {
                return Ok(default);
            };
            match humantime::parse_duration(value.get_ref()) {
                Ok(d) if d.is_zero() => {
                    Err(at(value.span(), format!("`{key}` must be longer than 0s")))
                }
                Ok(d) => Ok(d),
                Err(e) => Err(at(value.span(), format!("`{key}`: {e}"))),
            }
        };
        let timeout = |default: Duration| {
            let timeout = duration(&entry.timeout, "timeout", default)?;
            match &entry.timeout {
                Some(t) if timeout > LONGEST_PROBE => Err(at(
                    t.span(),
                    format!(
                        "`timeout` may be at most {}s: a check has 10s in all",
                        LONGEST_PROBE.as_secs()
                    ),
                )),
                _ => Ok(timeout),
            }
        };
        let probe = match entry.kind {
            Kind::Http => {
                let url = match (&entry.url, &entry.path) {
                    (Some(url), None) => {
                        if !(url.get_ref().starts_with("http://")
                            || url.get_ref().starts_with("https://"))
                        {
                            return Err(at(
                                url.span(),
                                "`url` must start with http:// or https://".into(),
                            ));
                        }
                        url.get_ref().clone()
                    }
                    (None, Some(path)) => {
                        let name = service.as_deref().ok_or_else(|| {
                            at(
                                path.span(),
                                "`path` needs `service`, whose port it is asked on".into(),
                            )
                        })?;
                        if !path.get_ref().starts_with('/') {
                            return Err(at(path.span(), "`path` must start with /".into()));
                        }
                        let target = registry.service(name).expect("present, checked above");
                        match from {
                            None => {
                                let port = target.host_port.ok_or_else(|| {
                                    at(
                                        path.span(),
                                        format!(
                                            "{name} publishes no port on the host: ask from inside, from = \"{name}\""
                                        ),
                                    )
                                })?;
                                format!("http://127.0.0.1:{port}{}", path.get_ref())
                            }
                            Some(inside) if inside == name => {
                                format!("http://localhost:{}{}", target.port, path.get_ref())
                            }
                            Some(_) => format!("http://{name}:{}{}", target.port, path.get_ref()),
                        }
                    }
                    (Some(_), Some(path)) => {
                        return Err(at(path.span(), "give `url` or `path`, not both".into()));
                    }
                    (None, None) => {
                        return Err(at(
                            span,
                            "an `http` check needs `url`, or `path` with `service`".into(),
                        ));
                    }
                };
                Probe::Http(HttpProbe {
                    url,
                    inside: from.map(str::to_owned),
                    status: entry.status.as_ref().map_or(200, |s| *s.get_ref()),
                    contains: entry.contains.map(Spanned::into_inner),
                    timeout: timeout(thresholds.http_timeout)?,
                })
            }
            Kind::Exec => {
                needs_service()?;
                let argv = match &entry.argv {
                    Some(argv) if !argv.get_ref().is_empty() => argv.get_ref().clone(),
                    Some(argv) => return Err(at(argv.span(), "`argv` is empty".into())),
                    None => return Err(at(span, "an `exec` check needs `argv`".into())),
                };
                Probe::Exec(ExecProbe {
                    argv,
                    exit_code: entry.exit_code.as_ref().map_or(0, |c| *c.get_ref()),
                    stdout_contains: entry.stdout_contains.map(Spanned::into_inner),
                    timeout: timeout(EXEC_TIMEOUT)?,
                })
            }
            Kind::Log => {
                needs_service()?;
                let patterns = match &entry.patterns {
                    Some(p) if !p.get_ref().is_empty() => p
                        .get_ref()
                        .iter()
                        .map(|p| {
                            regex::Regex::new(p).map_err(|e| {
                                let why = e.to_string();
                                let last = why.lines().last().unwrap_or_default().to_owned();
                                at(
                                    entry.patterns.as_ref().expect("matched").span(),
                                    format!("pattern `{}`: {last}", p.escape_debug()),
                                )
                            })
                        })
                        .collect::<Result<Vec<_>>>()?,
                    Some(p) => return Err(at(p.span(), "`patterns` is empty".into())),
                    None => return Err(at(span, "a `log` check needs `patterns`".into())),
                };
                Probe::Log(LogProbe {
                    patterns,
                    since: duration(&entry.since, "since", Duration::from_secs(15 * 60))?,
                })
            }
        };
        checks.push(Custom {
            id: id.clone(),
            description: entry.description,
            severity: entry.severity,
            remediation: entry.remediation,
            service: service.or_else(|| from.map(str::to_owned)),
            probe,
        });
    }
    Ok(checks)
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

    fn overlay(name: &str, text: &str) -> Vec<Overlay> {
        vec![Overlay {
            name: name.into(),
            origin: format!("/ops/checks/{name}"),
            text: text.into(),
        }]
    }

    #[test]
    fn an_overlay_replaces_scalars_and_entries_by_key_and_adds_new_entries() {
        let registry = Registry::load(None).unwrap();
        let over =
            |name, text| Catalogue::from_files(BUILT_IN, &overlay(name, text), &registry).unwrap();
        let catalogue = over("thresholds.toml", "restart_count_warn_above = 9\n");
        assert_eq!(catalogue.thresholds.restart_count_warn_above, 9);
        assert_eq!(catalogue.thresholds.http_timeout, Duration::from_secs(5));
        let catalogue = over(
            "routes.toml",
            "[[route]]\nfrom = \"gaia-core\"\nto = \"gaia-mcp\"\nurl = \"http://gaia-mcp:1/\"\n\n\
             [[route]]\nfrom = \"gaia-web\"\nto = \"gaia-mcp\"\nurl = \"http://gaia-mcp:8765/\"\n",
        );
        assert_eq!(catalogue.routes.len(), 6);
        assert_eq!(catalogue.routes[1].url, "http://gaia-mcp:1/");
        assert_eq!(catalogue.routes[5].from, "gaia-web");
        let catalogue = over(
            "custom.toml",
            "[[check]]\nid = \"prime-gpu-errors\"\nkind = \"log\"\nservice = \"gaia-prime\"\n\
             patterns = [\"Xid\"]\nseverity = \"warn\"\ndescription = \"d\"\n",
        );
        let ids: Vec<&str> = catalogue.custom.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["prime-gpu-errors", "core-gpu-errors"]);
        assert_eq!(catalogue.custom[0].severity, Level::Warn);
    }

    #[test]
    fn an_entry_naming_an_absent_service_is_skipped_with_a_note() {
        let registry = Registry::load(None).unwrap();
        let without_wiki = Registry {
            services: registry
                .services
                .into_iter()
                .filter(|s| s.name != "gaia-wiki")
                .collect(),
            ..registry
        };
        let catalogue = Catalogue::load(&without_wiki).unwrap();
        assert_eq!(catalogue.routes.len(), 4);
        assert_eq!(
            catalogue.notes,
            [
                "routes.toml: the route gaia-web → gaia-wiki is not checked: the registry has no gaia-wiki"
            ]
        );
        let catalogue = Catalogue::from_files(
            BUILT_IN,
            &overlay(
                "custom.toml",
                "[[check]]\nid = \"wiki\"\nkind = \"http\"\nservice = \"gaia-wiki\"\n\
                 path = \"/\"\nfrom = \"gaia-wiki\"\nseverity = \"warn\"\ndescription = \"d\"\n",
            ),
            &without_wiki,
        )
        .unwrap();
        assert_eq!(catalogue.custom.len(), 2);
        assert!(
            catalogue.notes.contains(
                &"custom.toml: the check `wiki` is not run: the registry has no gaia-wiki"
                    .to_owned()
            ),
            "{:?}",
            catalogue.notes
        );
    }

    #[test]
    fn a_bad_custom_check_is_refused_at_its_file_line_and_column() {
        let registry = Registry::load(None).unwrap();
        let head = "[[check]]\nid = \"x\"\nseverity = \"fail\"\ndescription = \"d\"\n";
        for (rest, at, says) in [
            ("kind = \"ping\"\n", "5:8", "unknown variant `ping`"),
            (
                "kind = \"log\"\nservice = \"gaia-core\"\npatterns = [\"a\"]\nargv = [\"ls\"]\n",
                "8:8",
                "`argv` is not a key of a `log` check",
            ),
            (
                "kind = \"log\"\nservice = \"gaia-core\"\npatterns = [\"(\"]\n",
                "7:12",
                "pattern `(`",
            ),
            (
                "kind = \"exec\"\nservice = \"gaia-core\"\nargv = [\"ls\"]\ntimeout = \"1m\"\n",
                "8:11",
                "at most 9s",
            ),
            (
                "kind = \"http\"\nservice = \"gaia-wiki\"\npath = \"/\"\n",
                "7:8",
                "gaia-wiki publishes no port on the host",
            ),
            (
                "kind = \"http\"\nurl = \"http://x/\"\ncolour = 1\n",
                "7:1",
                "unknown field `colour`",
            ),
        ] {
            let text = format!("{head}{rest}");
            let err = Catalogue::from_files(BUILT_IN, &overlay("custom.toml", &text), &registry)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("/ops/checks/custom.toml:{at}: ")),
                "{rest}: {err}"
            );
            assert!(err.contains(says), "{rest}: {err}");
        }
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let registry = Registry::load(None).unwrap();
        let mut files = BUILT_IN.to_vec();
        files[6].1 = "file = \"/shared/sessions.json\"\nlive = gaia-core\n";
        let err = Catalogue::from_files(&files, &[], &registry).unwrap_err();
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
            let err = Catalogue::from_files(&files, &[], &registry)
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
            match Catalogue::from_files(&files, &[], &registry) {
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

//! High availability as gaia sees it: live ↔ standby pairs, the fallback
//! wiring in the live containers, the maintenance flag in the live shared
//! volume, and the orchestrator's `ha_status`. Shared by `gaia ha`, `gaia
//! failover-test` and `gaia doctor --fix`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use futures_util::future::join_all;

use serde::Serialize;

use crate::archive;
use crate::catalogue::Catalogue;
use crate::docker::{Container, Docker};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::output::{Printer, Render, Tone};
use crate::registry::{Registry, Role, Service};

/// A container's state in one phrase, and whether it is running and healthy.
pub(crate) fn state_of(container: Option<&Container>) -> (String, bool) {
    match container {
        None => ("missing".into(), false),
        Some(c) => (c.describe(), c.is_ready()),
    }
}

/// The host of a URL such as `http://gaia-core-candidate:6415/x`.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', ':', '?']).next()?;
    (!host.is_empty()).then_some(host)
}

/// One fallback route: a live service reaching a standby through an env var.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Wiring {
    pub(crate) from: String,
    pub(crate) env: String,
    pub(crate) value: Option<String>,
    pub(crate) standby: String,
    pub(crate) ok: bool,
    /// What is wrong, when not ok.
    pub(crate) problem: Option<String>,
}

/// A live service, its standby, and the routes through which others reach the standby.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pair {
    pub(crate) primary: String,
    pub(crate) primary_state: String,
    pub(crate) primary_healthy: bool,
    pub(crate) standby: String,
    pub(crate) standby_state: String,
    pub(crate) standby_healthy: bool,
    pub(crate) wiring: Vec<Wiring>,
}

/// The maintenance flag's contents: `key=value` lines. GAIA's own services
/// only look at whether the file exists, so new keys are only ever added.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Flag {
    pub(crate) reason: Option<String>,
    pub(crate) set_by: Option<String>,
    pub(crate) set_at: Option<String>,
    /// When the operator meant maintenance to end (RFC 3339), as written:
    /// `None` for a flag that stays until turned off.
    pub(crate) expires_at: Option<String>,
}

/// When a flag ends, as far as its `expires_at` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expiry {
    Never,
    At(SystemTime),
    /// Not an RFC 3339 time: treated as no expiry, and reported.
    Garbled(String),
}

impl Flag {
    /// A flag set by this operator at `now`, in force for `window` if given.
    pub(crate) fn new(reason: Option<String>, window: Option<Duration>, now: SystemTime) -> Flag {
        let stamp = |t: SystemTime| humantime::format_rfc3339_seconds(t).to_string();
        Flag {
            reason,
            set_by: Some(crate::process::operator()),
            set_at: Some(stamp(now)),
            expires_at: window.map(|w| stamp(now + w)),
        }
    }

    pub(crate) fn parse(text: &str) -> Flag {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Flag {
            reason: field("reason"),
            set_by: field("set_by"),
            set_at: field("set_at"),
            expires_at: field("expires_at"),
        }
    }

    fn render(&self) -> String {
        let mut text = format!(
            "reason={}\nset_by={}\nset_at={}\n",
            self.reason.as_deref().unwrap_or(""),
            self.set_by.as_deref().unwrap_or(""),
            self.set_at.as_deref().unwrap_or("")
        );
        if let Some(at) = &self.expires_at {
            text.push_str(&format!("expires_at={at}\n"));
        }
        text
    }

    pub(crate) fn expiry(&self) -> Expiry {
        match &self.expires_at {
            None => Expiry::Never,
            Some(at) => match humantime::parse_rfc3339_weak(at) {
                Ok(time) => Expiry::At(time),
                Err(_) => Expiry::Garbled(at.clone()),
            },
        }
    }

    /// When the flag expired, if it has by `now`.
    pub(crate) fn expired_at(&self, now: SystemTime) -> Option<SystemTime> {
        match self.expiry() {
            Expiry::At(at) if at <= now => Some(at),
            _ => None,
        }
    }

    /// Whether the operator still means failover to be off at `now`.
    pub(crate) fn in_force(&self, now: SystemTime) -> bool {
        self.expired_at(now).is_none()
    }

    /// How long ago the flag was set, if `set_at` says (to the second).
    pub(crate) fn on_for(&self, now: SystemTime) -> Option<Duration> {
        let set_at = humantime::parse_rfc3339_weak(self.set_at.as_deref()?).ok()?;
        // A clock behind the one that set the flag: it was just set.
        let on = now.duration_since(set_at).unwrap_or_default();
        Some(Duration::from_secs(on.as_secs()))
    }

    /// "set by X at T (reason)".
    pub(crate) fn describe(&self) -> String {
        format!(
            "set by {} at {}{}",
            self.set_by.as_deref().unwrap_or("someone"),
            self.set_at.as_deref().unwrap_or("an unknown time"),
            self.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )
    }

    /// "on for 3h" (or for an unknown time), and when it ends: "until T",
    /// "no expiry", "expired at T", or why `expires_at` counts for nothing.
    pub(crate) fn timing(&self, now: SystemTime) -> String {
        let on = self
            .on_for(now)
            .map(|d| format!("on for {}", roughly(d)))
            .unwrap_or_else(|| "on for an unknown time".into());
        let at = self.expires_at.as_deref().unwrap_or_default();
        let until = match self.expiry() {
            Expiry::Never => "no expiry".to_owned(),
            Expiry::At(when) if when <= now => format!("expired at {at}"),
            Expiry::At(_) => format!("until {at}"),
            Expiry::Garbled(text) => {
                format!("expires_at {text:?} is not an RFC 3339 time, so no expiry")
            }
        };
        format!("{on}, {until}")
    }

    /// The flag in a sentence, as the doctor, `ha status` and `ha
    /// maintenance status` say it.
    pub(crate) fn summary(&self, now: SystemTime) -> String {
        let about = format!("{}; {}", self.describe(), self.timing(now));
        if self.in_force(now) {
            format!("maintenance mode ON: failover is disabled ({about})")
        } else {
            format!(
                "{EXPIRED} {} ({about}); treated as off, but the file is still there and web \
                 does not fail over while it exists",
                self.expires_at.as_deref().unwrap_or_default()
            )
        }
    }
}

/// How an expired flag's summary starts: the watch tells it from one in
/// force by this, as the doctor's finding is all it sees.
pub(crate) const EXPIRED: &str = "maintenance flag expired at";

/// A duration to the minute once it is a minute or more: "3h 12m", "45s".
pub(crate) fn roughly(d: Duration) -> String {
    let secs = if d.as_secs() >= 60 {
        d.as_secs() / 60 * 60
    } else {
        d.as_secs()
    };
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

pub(crate) struct Ha<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) docker: &'a Docker,
}

impl<'a> Ha<'a> {
    /// Every registry container that exists, inspected at once.
    async fn containers(&self) -> Result<HashMap<String, Container>> {
        let inspected = join_all(
            self.registry
                .services
                .iter()
                .map(|s| self.docker.container(&s.container)),
        )
        .await;
        let mut found = HashMap::new();
        for container in inspected {
            if let Some(c) = container? {
                found.insert(c.name.clone(), c);
            }
        }
        Ok(found)
    }

    /// Every standby with the live service it stands in for, and the wiring to it.
    pub(crate) async fn pairs(&self) -> Result<Vec<Pair>> {
        let containers = self.containers().await?;
        let wiring = self.wiring_among(&containers);
        let mut pairs = Vec::new();
        for standby in self.registry.standbys() {
            let Some(primary) = standby
                .stands_in_for
                .as_deref()
                .and_then(|p| self.registry.service(p))
            else {
                continue;
            };
            let (primary_state, primary_healthy) = state_of(containers.get(&primary.container));
            let (standby_state, standby_healthy) = state_of(containers.get(&standby.container));
            pairs.push(Pair {
                primary: primary.name.clone(),
                primary_state,
                primary_healthy,
                standby: standby.name.clone(),
                standby_state,
                standby_healthy,
                wiring: wiring
                    .iter()
                    .filter(|w| w.standby == standby.name)
                    .cloned()
                    .collect(),
            });
        }
        Ok(pairs)
    }

    /// The fallback env of every live service, checked against the running standbys.
    pub(crate) async fn wiring(&self) -> Result<Vec<Wiring>> {
        Ok(self.wiring_among(&self.containers().await?))
    }

    fn wiring_among(&self, containers: &HashMap<String, Container>) -> Vec<Wiring> {
        let mut routes = Vec::new();
        for service in self
            .registry
            .services
            .iter()
            .filter(|s| s.role == Role::Live)
        {
            for fallback in &service.fallbacks {
                let Some(standby) = self.registry.service(&fallback.standby) else {
                    continue;
                };
                let live = containers.get(&service.container);
                let standby_running = containers
                    .get(&standby.container)
                    .is_some_and(|c| c.is_running());
                let value = live
                    .and_then(|c| c.env_var(&fallback.env))
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned);
                let host = value.as_deref().and_then(url_host);
                let problem = match (live, &value, host) {
                    (None, _, _) => Some(format!("{} does not exist", service.container)),
                    (Some(_), None, _) => Some(format!("{} is not set", fallback.env)),
                    (_, Some(v), Some(h)) if h != standby.name && h != standby.container => {
                        Some(format!("{v} is not {}", standby.name))
                    }
                    (_, Some(v), None) => Some(format!("{v} is not a URL")),
                    _ if !standby_running => Some(format!("{} is not running", standby.name)),
                    _ => None,
                };
                routes.push(Wiring {
                    from: service.name.clone(),
                    env: fallback.env.clone(),
                    value,
                    standby: standby.name.clone(),
                    ok: problem.is_none(),
                    problem,
                });
            }
        }
        routes
    }

    /// The running live containers that mount the volume holding the flag,
    /// in registry order.
    async fn flag_holders(&self) -> Result<Vec<&'a Service>> {
        let flag = &self.catalogue.ha.maintenance_flag;
        let mut holders = Vec::new();
        for service in self.registry.services.iter().filter(|s| {
            s.role == Role::Live
                && s.volumes
                    .iter()
                    .filter_map(|v| self.registry.volume(v))
                    .any(|v| flag.starts_with(&format!("{}/", v.mount)))
        }) {
            if self
                .docker
                .container(&service.container)
                .await?
                .is_some_and(|c| c.is_running())
            {
                holders.push(service);
            }
        }
        if holders.is_empty() {
            return Err(Error::PreFlight(format!(
                "no running live container mounts {flag}: start the live stack first"
            )));
        }
        Ok(holders)
    }

    pub(crate) async fn maintenance(&self) -> Result<Option<Flag>> {
        let holder = self.flag_holders().await?[0];
        let flag = &self.catalogue.ha.maintenance_flag;
        Ok(self
            .docker
            .read_file(&holder.container, flag)
            .await?
            .map(|bytes| Flag::parse(&String::from_utf8_lossy(&bytes))))
    }

    /// Writes the flag into the live shared volume through a container that
    /// mounts it writable (some mount it read-only).
    /// `window`: how long the flag is in force; `None` until turned off.
    pub(crate) async fn set_maintenance(
        &self,
        reason: Option<String>,
        window: Option<Duration>,
    ) -> Result<Flag> {
        let flag = &self.catalogue.ha.maintenance_flag;
        let (dir, name) = flag
            .rsplit_once('/')
            .ok_or_else(|| Error::Config(format!("maintenance_flag {flag} is not a path")))?;
        let note = Flag::new(reason, window, SystemTime::now());
        let mut refused = Vec::new();
        for holder in self.flag_holders().await? {
            let archive =
                archive::file_archive(name, note.render().as_bytes(), 1000, SystemTime::now())?;
            match self.docker.upload(&holder.container, dir, archive).await {
                Ok(()) => return Ok(note),
                Err(err) => refused.push(format!("{}: {err:#}", holder.container)),
            }
        }
        Err(Error::Failed(format!(
            "could not write {flag}:\n  {}",
            refused.join("\n  ")
        )))
    }

    /// Removes the flag; returns what it said, if it was there.
    pub(crate) async fn clear_maintenance(&self) -> Result<Option<Flag>> {
        let before = self.maintenance().await?;
        if before.is_none() {
            return Ok(None);
        }
        let flag = &self.catalogue.ha.maintenance_flag;
        let mut refused = Vec::new();
        for holder in self.flag_holders().await? {
            let out = self
                .docker
                .exec(&holder.container, &["rm", "-f", "--", flag], Some("0"))
                .await?;
            if out.exit_code == 0 {
                return Ok(before);
            }
            refused.push(format!("{}: {}", holder.container, out.stderr.trim()));
        }
        Err(Error::Failed(format!(
            "could not remove {flag}:\n  {}",
            refused.join("\n  ")
        )))
    }

    /// The orchestrator's `health_watchdog.ha_status`, or why it is unknown.
    pub(crate) async fn orchestrator_status(&self, http: &Http) -> Result<String, String> {
        let orchestrator = self
            .registry
            .service(&self.catalogue.ha.orchestrator)
            .ok_or("no orchestrator in the registry")?;
        let port = orchestrator
            .host_port
            .ok_or_else(|| format!("{} publishes no port", orchestrator.name))?;
        let url = format!("http://127.0.0.1:{port}{}", self.catalogue.ha.status_path);
        let response = http.get(&url).await.map_err(|e| format!("{url}: {e}"))?;
        if !response.is_success() {
            return Err(format!("{url} answered {}", response.status));
        }
        response
            .json()
            .and_then(|v| {
                v["health_watchdog"]["ha_status"]
                    .as_str()
                    .map(str::to_owned)
            })
            .ok_or_else(|| format!("{url} has no health_watchdog.ha_status"))
    }
}

/// What `gaia ha status` (and `ha start`) shows.
#[derive(Debug, Serialize)]
pub(crate) struct Status {
    pub(crate) pairs: Vec<Pair>,
    pub(crate) maintenance: Option<Flag>,
    pub(crate) orchestrator: Result<String, String>,
}

impl Status {
    pub(crate) async fn gather(ha: &Ha<'_>, http: &Http) -> Result<Status> {
        let (pairs, maintenance, orchestrator) =
            tokio::join!(ha.pairs(), ha.maintenance(), ha.orchestrator_status(http));
        Ok(Status {
            pairs: pairs?,
            maintenance: maintenance?,
            orchestrator,
        })
    }

    /// Every standby healthy and every route to it wired.
    pub(crate) fn ready(&self) -> bool {
        self.pairs
            .iter()
            .all(|p| p.standby_healthy && p.wiring.iter().all(|w| w.ok))
    }
}

impl Render for Status {
    fn human(&self, printer: &Printer) -> String {
        let mut table = printer.table(&["PRIMARY", "STATE", "STANDBY", "STATE", "WIRING"]);
        let tone = |healthy: bool| if healthy { Tone::Good } else { Tone::Bad };
        for pair in &self.pairs {
            let wiring = pair
                .wiring
                .iter()
                .map(|w| match &w.problem {
                    None => printer.paint(&format!("✓ {} {}", w.from, w.env), Tone::Good),
                    Some(p) => printer.paint(&format!("✗ {} {}: {p}", w.from, w.env), Tone::Bad),
                })
                .collect::<Vec<_>>()
                .join("\n");
            table.add_row(vec![
                pair.primary.clone(),
                printer.paint(&pair.primary_state, tone(pair.primary_healthy)),
                pair.standby.clone(),
                printer.paint(&pair.standby_state, tone(pair.standby_healthy)),
                if wiring.is_empty() {
                    "-".into()
                } else {
                    wiring
                },
            ]);
        }
        let now = SystemTime::now();
        let maintenance = match &self.maintenance {
            None => printer.paint("off", Tone::Good),
            Some(flag) if flag.in_force(now) => printer.paint(
                &format!(
                    "ON, failover disabled: {}; {}",
                    flag.describe(),
                    flag.timing(now)
                ),
                Tone::Warn,
            ),
            Some(flag) => printer.paint(
                &format!(
                    "off, the flag expired ({}; {}); the file is still there and web does \
                     not fail over while it exists: gaia ha maintenance off",
                    flag.describe(),
                    flag.timing(now)
                ),
                Tone::Warn,
            ),
        };
        let orchestrator = match &self.orchestrator {
            Ok(status) => status.clone(),
            Err(err) => format!("unknown ({err})"),
        };
        format!(
            "{table}\n\nMaintenance mode: {maintenance}\nOrchestrator ha_status: {orchestrator}\n"
        )
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "gaia.ha/1",
            "ready": self.ready(),
            "pairs": self.pairs,
            "maintenance": maintenance_json(self.maintenance.as_ref(), SystemTime::now()),
            "orchestrator": match &self.orchestrator {
                Ok(status) => serde_json::json!({ "ha_status": status, "error": null }),
                Err(err) => serde_json::json!({ "ha_status": null, "error": err }),
            },
        })
    }
}

/// `on` (in force), `expired` (the file still there past its expiry) and
/// the flag itself, for `ha status` and `ha maintenance status`.
pub(crate) fn maintenance_json(flag: Option<&Flag>, now: SystemTime) -> serde_json::Value {
    serde_json::json!({
        "on": flag.is_some_and(|f| f.in_force(now)),
        "expired": flag.is_some_and(|f| !f.in_force(now)),
        "flag": flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_its_host() {
        assert_eq!(
            url_host("http://gaia-core-candidate:6415"),
            Some("gaia-core-candidate")
        );
        assert_eq!(
            url_host("http://gaia-mcp-candidate:8765/jsonrpc"),
            Some("gaia-mcp-candidate")
        );
        assert_eq!(url_host("gaia-core"), Some("gaia-core"));
        assert_eq!(url_host("http://"), None);
    }

    #[test]
    fn the_flag_says_who_when_and_why() {
        let flag = Flag {
            reason: Some("kernel upgrade".into()),
            set_by: Some("ops@gaia".into()),
            set_at: Some("2026-11-23T01:00:00Z".into()),
            expires_at: None,
        };
        assert_eq!(Flag::parse(&flag.render()), flag);
        assert_eq!(
            flag.describe(),
            "set by ops@gaia at 2026-11-23T01:00:00Z (kernel upgrade)"
        );
        assert_eq!(
            Flag::parse("").describe(),
            "set by someone at an unknown time"
        );
    }

    fn at(text: &str) -> SystemTime {
        humantime::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn a_flag_with_a_window_expires_and_is_then_no_longer_in_force() {
        let set = at("2026-11-23T01:00:00Z");
        let flag = Flag::new(
            Some("kernel upgrade".into()),
            Some(Duration::from_secs(2 * 3600)),
            set,
        );
        assert_eq!(flag.expires_at.as_deref(), Some("2026-11-23T03:00:00Z"));
        // Only a line is added: what the services and older gaia read is unchanged.
        assert!(
            flag.render()
                .ends_with("\nexpires_at=2026-11-23T03:00:00Z\n")
        );
        assert_eq!(Flag::parse(&flag.render()), flag);

        let during = at("2026-11-23T02:30:00Z");
        assert!(flag.in_force(during));
        assert_eq!(flag.expired_at(during), None);
        assert_eq!(flag.on_for(during), Some(Duration::from_secs(90 * 60)));
        assert!(
            flag.summary(during)
                .starts_with("maintenance mode ON: failover is disabled (set by "),
            "{}",
            flag.summary(during)
        );
        assert!(
            flag.summary(during)
                .ends_with("(kernel upgrade); on for 1h 30m, until 2026-11-23T03:00:00Z)")
        );

        let after = at("2026-11-23T03:00:00Z");
        assert!(!flag.in_force(after));
        assert_eq!(flag.expired_at(after), Some(after));
        let said = flag.summary(after);
        assert!(
            said.starts_with("maintenance flag expired at 2026-11-23T03:00:00Z (set by "),
            "{said}"
        );
        assert!(said.contains("on for 2h, expired at 2026-11-23T03:00:00Z); treated as off"));
    }

    #[test]
    fn a_flag_without_expiry_stays_in_force() {
        let flag = Flag::parse("reason=x\nset_by=ops@gaia\nset_at=2026-11-23T01:00:00Z\n");
        assert_eq!(flag.expiry(), Expiry::Never);
        let much_later = at("2036-11-23T01:00:00Z");
        assert!(flag.in_force(much_later));
        assert!(flag.timing(much_later).ends_with(", no expiry"));
        assert!(!flag.render().contains("expires_at"));
    }

    #[test]
    fn a_garbled_expiry_counts_as_none_and_is_reported() {
        let flag = Flag::parse("set_at=yesterday\nexpires_at=tomorrow-ish\n");
        assert_eq!(flag.expiry(), Expiry::Garbled("tomorrow-ish".into()));
        let now = at("2026-11-23T01:00:00Z");
        assert!(flag.in_force(now));
        assert_eq!(flag.on_for(now), None);
        assert_eq!(
            flag.timing(now),
            "on for an unknown time, expires_at \"tomorrow-ish\" is not an RFC 3339 time, \
             so no expiry"
        );
    }

    #[test]
    fn a_flag_set_by_a_clock_ahead_has_just_been_set() {
        let flag = Flag::new(None, None, at("2026-11-23T01:00:10Z"));
        assert_eq!(
            flag.on_for(at("2026-11-23T01:00:00Z")),
            Some(Duration::ZERO)
        );
        assert_eq!(
            flag.timing(at("2026-11-23T01:00:00Z")),
            "on for 0s, no expiry"
        );
    }

    #[test]
    fn the_json_says_on_only_while_in_force() {
        let flag = Flag::new(
            None,
            Some(Duration::from_secs(60)),
            at("2026-11-23T01:00:00Z"),
        );
        let during = maintenance_json(Some(&flag), at("2026-11-23T01:00:30Z"));
        assert_eq!(during["on"], true);
        assert_eq!(during["expired"], false);
        assert_eq!(during["flag"]["expires_at"], "2026-11-23T01:01:00Z");
        let after = maintenance_json(Some(&flag), at("2026-11-23T01:01:30Z"));
        assert_eq!(after["on"], false);
        assert_eq!(after["expired"], true);
        let off = maintenance_json(None, at("2026-11-23T01:01:30Z"));
        assert_eq!(
            (off["on"].clone(), off["expired"].clone()),
            (false.into(), false.into())
        );
    }
}

//! What a drill saw and did: a timeline built from gaia's own steps and the
//! front's Docker logs, the latencies, and the verdict.

use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::catalogue::Drill;
use crate::output::{Printer, Render, Tone};

/// One moment of the drill.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Event {
    #[serde(serialize_with = "rfc3339")]
    pub(crate) at: SystemTime,
    pub(crate) event: String,
}

fn rfc3339<S: serde::Serializer>(at: &SystemTime, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_rfc3339_millis(*at).to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// The standby served while the target was down, and the target serves again.
    FailoverWorked,
    /// The request failed, or the target served it: failover did not happen.
    NoFailover,
    /// The target could not be put back.
    RestoreFailed,
    /// Interrupted; the target was put back.
    Interrupted,
    /// `--recover`: the target was put back from a journal.
    Recovered,
}

/// What the drill saw and did, rendered as a timeline.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub(crate) target: String,
    pub(crate) standby: String,
    pub(crate) front: String,
    pub(crate) verdict: Verdict,
    /// Who the response during the outage names.
    pub(crate) served_by: Option<String>,
    /// Request sent → answer received, while the target was down.
    #[serde(rename = "failover_latency_ms", serialize_with = "millis")]
    pub(crate) failover_latency: Option<Duration>,
    /// Target start issued → first request it served.
    #[serde(rename = "recovery_ms", serialize_with = "millis")]
    pub(crate) recovery: Option<Duration>,
    pub(crate) timeline: Vec<Event>,
    /// What went wrong, and what to do about it.
    pub(crate) problems: Vec<String>,
}

fn millis<S: serde::Serializer>(
    d: &Option<Duration>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_u64(d.as_millis() as u64),
        None => s.serialize_none(),
    }
}

impl Report {
    pub(crate) fn new(target: &str, standby: &str, front: &str) -> Report {
        Report {
            target: target.to_owned(),
            standby: standby.to_owned(),
            front: front.to_owned(),
            verdict: Verdict::NoFailover,
            served_by: None,
            failover_latency: None,
            recovery: None,
            timeline: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn event(&mut self, printer: &Printer, event: impl Into<String>) {
        let event = event.into();
        printer.step(&event);
        self.timeline.push(Event {
            at: SystemTime::now(),
            event,
        });
    }

    /// Adds what the front logged about failed attempts and the fallback,
    /// in time order with the rest.
    pub(crate) fn add_front_logs(&mut self, drill: &Drill, lines: &[(SystemTime, String)]) {
        for (at, line) in lines {
            let event = if line.contains(&drill.failed_attempt) && line.contains("failed") {
                "failed attempt"
            } else if line.contains(&drill.fallback_served) && line.contains("succeeded") {
                "fallback served"
            } else {
                continue;
            };
            self.timeline.push(Event {
                at: *at,
                event: format!("{event} ({} log): {}", self.front, strip_stamp(line)),
            });
        }
        self.timeline.sort_by_key(|e| e.at);
    }
}

/// A log line without the timestamp and level the service put in front.
fn strip_stamp(line: &str) -> &str {
    let mut rest = line.trim();
    for _ in 0..2 {
        if let Some((first, tail)) = rest.split_once(' ')
            && (humantime::parse_rfc3339_weak(first).is_ok()
                || ["DEBUG", "INFO", "WARNING", "ERROR"].contains(&first))
        {
            rest = tail.trim_start();
        }
    }
    rest
}

impl Render for Report {
    fn json(&self) -> serde_json::Value {
        let mut doc = serde_json::to_value(self).expect("a drill report always serializes");
        doc["schema"] = "gaia.failover/1".into();
        doc
    }

    fn human(&self, printer: &Printer) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Failover drill: {} (standby {}, through {})\n",
            self.target, self.standby, self.front
        );
        let first = self.timeline.first().map(|e| e.at);
        let mut table = printer.table(&["T+", "EVENT"]);
        for event in &self.timeline {
            let offset = first
                .and_then(|f| event.at.duration_since(f).ok())
                .unwrap_or_default();
            table.add_row(vec![
                format!("{:.2}s", offset.as_secs_f64()),
                event.event.clone(),
            ]);
        }
        let _ = writeln!(out, "{table}\n");
        let seconds = |d: Option<Duration>| {
            d.map(|d| format!("{:.2} s", d.as_secs_f64()))
                .unwrap_or_else(|| "-".into())
        };
        let _ = writeln!(
            out,
            "Failover latency: {}   Recovery time: {}",
            seconds(self.failover_latency),
            seconds(self.recovery)
        );
        let (tone, verdict) = match self.verdict {
            Verdict::FailoverWorked => (
                Tone::Good,
                format!(
                    "failover worked: {} served while {} was down, and {} serves again",
                    self.served_by.as_deref().unwrap_or(&self.standby),
                    self.target,
                    self.target
                ),
            ),
            Verdict::NoFailover => (Tone::Bad, "NO FAILOVER".to_owned()),
            Verdict::RestoreFailed => (
                Tone::Bad,
                format!("RESTORE FAILED: {} is not serving", self.target),
            ),
            Verdict::Interrupted => (
                Tone::Warn,
                format!("interrupted; {} was put back", self.target),
            ),
            Verdict::Recovered => (Tone::Good, format!("{} was put back", self.target)),
        };
        let _ = writeln!(out, "{}", printer.paint(&verdict, tone));
        for problem in &self.problems {
            let _ = writeln!(out, "  - {problem}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drill() -> Drill {
        Drill {
            target: "gaia-core".into(),
            front: "gaia-web".into(),
            path: "/process_user_input".into(),
            payload: "{}".into(),
            served_by: "/served_by".into(),
            failed_attempt: "core attempt".into(),
            fallback_served: "HA fallback to".into(),
        }
    }

    #[test]
    fn the_fronts_log_lines_become_events_in_time_order() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut report = Report::new("gaia-core", "gaia-core-candidate", "gaia-web");
        report.timeline.push(Event {
            at: t,
            event: "stop issued".into(),
        });
        let lines = vec![
            (t + Duration::from_millis(300), "2026-11-23T01:00:00.300Z WARNING core attempt 1/3 to http://gaia-core:6415 failed: connect; retrying in 0.2s".to_owned()),
            (t + Duration::from_millis(100), "2026-11-23T01:00:00.100Z INFO  request received".to_owned()),
            (t + Duration::from_millis(900), "2026-11-23T01:00:00.900Z INFO  HA fallback to http://gaia-core-candidate:6415 succeeded (served by gaia-core-candidate)".to_owned()),
        ];
        report.add_front_logs(&drill(), &lines);
        let events: Vec<&str> = report.timeline.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0], "stop issued");
        assert!(events[1].starts_with("failed attempt (gaia-web log): core attempt 1/3"));
        assert!(events[2].starts_with("fallback served (gaia-web log): HA fallback to"));
    }
}

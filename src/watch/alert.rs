//! Alerts on transitions: one summary per run whose checks changed state,
//! posted to every `--notify` URL by a sender of its own, with retries and
//! backoff, so that a slow or dead webhook never delays a run.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::http::{Http, Target};
use crate::output::Printer;
use crate::watch::heal::Circuit;
use crate::watch::state::{Healed, Transition};

/// Alerts waiting for one webhook; past this, the oldest wait is dropped
/// with a warning rather than memory growing behind a dead webhook.
const QUEUE: usize = 64;
/// Tries per alert, waiting 1 s, 2 s, 4 s, 8 s between them.
const TRIES: u32 = 5;
/// Discord refuses a message over 2,000 characters.
const DISCORD_LIMIT: usize = 2000;

/// One run's changes, as every webhook is told of them.
#[derive(Debug, Clone)]
pub(crate) struct Alert {
    pub(crate) host: String,
    pub(crate) root: String,
    pub(crate) run: u64,
    pub(crate) at: String,
    pub(crate) failures: usize,
    pub(crate) warnings: usize,
    pub(crate) transitions: Vec<Transition>,
    /// With --heal: the repairs of this run.
    pub(crate) repairs: Vec<Healed>,
    /// With --heal: circuits that opened or closed this run.
    pub(crate) circuits: Vec<Circuit>,
    /// The maintenance flag has been there longer than the limit (told once).
    pub(crate) maintenance_stuck: Option<String>,
}

impl Alert {
    /// The JSON every plain webhook receives (schema gaia.watch.alert/1).
    pub(crate) fn json(&self) -> Value {
        json!({
            "schema": "gaia.watch.alert/1",
            "host": self.host,
            "root": self.root,
            "run": self.run,
            "at": self.at,
            "healthy": self.failures == 0,
            "failures": self.failures,
            "warnings": self.warnings,
            "transitions": self.transitions,
            "repairs": self.repairs,
            "circuits_opened": self.circuits.iter().filter_map(|c| match c {
                Circuit::Opened(service) => Some(service),
                Circuit::Closed(_) => None,
            }).collect::<Vec<_>>(),
            "circuits_closed": self.circuits.iter().filter_map(|c| match c {
                Circuit::Closed(service) => Some(service),
                Circuit::Opened(_) => None,
            }).collect::<Vec<_>>(),
            "maintenance_stuck": self.maintenance_stuck,
        })
    }

    /// Discord's webhook message: a few lines of text.
    pub(crate) fn discord(&self) -> Value {
        let state = if self.failures == 0 {
            "healthy".to_owned()
        } else {
            format!("{} failing", self.failures)
        };
        let mut text = format!(
            "**GAIA on {}**: {state}, {} warnings",
            self.host, self.warnings
        );
        for t in &self.transitions {
            let icon = match t.to {
                crate::doctor::finding::Severity::Pass => "✅",
                crate::doctor::finding::Severity::Warn => "⚠️",
                _ => "❌",
            };
            let line = format!("\n{icon} `{}` {}", t.id, t.message);
            if text.chars().count() + line.chars().count() > DISCORD_LIMIT - 20 {
                text.push_str("\n… (more in /report.json)");
                break;
            }
            text.push_str(&line);
        }
        for healed in &self.repairs {
            text.push_str(&format!(
                "\n🔧 {} {}: {}",
                healed.action, healed.service, healed.outcome
            ));
        }
        for circuit in &self.circuits {
            text.push_str(&match circuit {
                Circuit::Opened(service) => {
                    format!("\n⛔ {service}: repaired too often, left alone")
                }
                Circuit::Closed(service) => format!("\n🔁 {service}: healing again"),
            });
        }
        if let Some(stuck) = &self.maintenance_stuck {
            text.push_str(&format!("\n🚧 {stuck}"));
        }
        json!({ "username": "gaia", "content": text })
    }
}

/// The senders, one per webhook.
pub(crate) struct Alerts {
    queues: Vec<(Target, mpsc::Sender<Value>)>,
    senders: JoinSet<()>,
    printer: Printer,
}

impl Alerts {
    pub(crate) fn start(targets: &[Target], printer: &Printer) -> Alerts {
        let mut senders = JoinSet::new();
        let queues = targets
            .iter()
            .map(|target| {
                let (queue, waiting) = mpsc::channel(QUEUE);
                senders.spawn(send_each(target.clone(), waiting, printer.clone()));
                (target.clone(), queue)
            })
            .collect();
        Alerts {
            queues,
            senders,
            printer: printer.clone(),
        }
    }

    /// Queues `alert` for every webhook; never waits.
    pub(crate) fn send(&self, alert: &Alert) {
        for (target, queue) in &self.queues {
            let mut body = if target.is_discord() {
                alert.discord()
            } else {
                alert.json()
            };
            crate::secrets::scrub_json(&mut body);
            if queue.try_send(body).is_err() {
                self.printer.warn(format!(
                    "alert for run {} to {} dropped: {QUEUE} alerts already wait for it",
                    alert.run,
                    target.shown()
                ));
            }
        }
    }

    /// Lets the alerts in flight go out, for at most `grace`.
    pub(crate) async fn finish(mut self, grace: Duration) {
        self.queues.clear();
        let drained = async { while self.senders.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, drained).await.is_err() {
            self.printer.warn(format!(
                "alerts still unsent after {}: given up",
                humantime::format_duration(grace)
            ));
        }
    }
}

/// Posts each alert for `target` in turn, retrying with backoff.
async fn send_each(target: Target, mut waiting: mpsc::Receiver<Value>, printer: Printer) {
    let http = Http::new(Duration::from_secs(5), Duration::from_secs(10));
    while let Some(body) = waiting.recv().await {
        let mut pause = Duration::from_secs(1);
        for attempt in 1..=TRIES {
            let why = match http.post_json(target.url(), &body).await {
                Ok(response) if response.is_success() => break,
                Ok(response) => format!("HTTP {} {}", response.status, response.reason()),
                Err(err) => err.to_string(),
            };
            if attempt == TRIES {
                printer.warn(format!(
                    "an alert to {} was lost after {TRIES} tries: {why}",
                    target.shown()
                ));
                break;
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::finding::{Category, Severity};

    fn alert(transitions: usize) -> Alert {
        Alert {
            host: "gaia-host".into(),
            root: "/gaia".into(),
            run: 3,
            at: "2026-12-04T18:00:00Z".into(),
            failures: 1,
            warnings: 0,
            repairs: Vec::new(),
            circuits: Vec::new(),
            maintenance_stuck: None,
            transitions: (0..transitions)
                .map(|n| Transition {
                    at: std::time::SystemTime::UNIX_EPOCH,
                    id: format!("http.gaia-web.{n}"),
                    category: Category::Http,
                    service: Some("gaia-web".into()),
                    from: Some(Severity::Pass),
                    to: Severity::Fail,
                    message: "gaia-web does not answer /health: connection refused".into(),
                    remediation: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_discord_message_names_the_change_and_stays_within_discords_limit() {
        let one = alert(1).discord();
        let content = one["content"].as_str().unwrap();
        assert!(content.contains("1 failing"), "{content}");
        assert!(content.contains("❌ `http.gaia-web.0`"), "{content}");
        let many = alert(200).discord();
        let content = many["content"].as_str().unwrap();
        assert!(
            content.chars().count() <= DISCORD_LIMIT,
            "{}",
            content.len()
        );
        assert!(content.ends_with("(more in /report.json)"));
    }

    #[test]
    fn a_plain_alert_carries_every_transition() {
        let json = alert(2).json();
        assert_eq!(json["schema"], "gaia.watch.alert/1");
        assert_eq!(json["healthy"], false);
        assert_eq!(json["transitions"].as_array().unwrap().len(), 2);
        assert_eq!(json["transitions"][0]["from"], "pass");
        assert_eq!(json["transitions"][0]["to"], "fail");
    }
}

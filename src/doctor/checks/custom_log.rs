//! A custom `log` check: no line matching its patterns in a service's log
//! within its window. The window never reaches before the container last
//! started: what an earlier run of it wrote was answered by that restart.

use std::time::{Duration, SystemTime};

use crate::catalogue::{Custom, Level, LogProbe};
use crate::doctor::check::check;
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

/// Matching lines shown as evidence; the count says how many there were.
const SHOWN: usize = 5;

pub(crate) struct Log(pub(crate) Custom, pub(crate) LogProbe);
check!(Log, Custom, |self| subject: self.0.service.clone().map_or(Subject::Stack, Subject::Service), id: format!("custom.{}", self.0.id),
    service: self.0.service.as_deref(), description: self.0.description.clone());

impl Log {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let (spec, probe) = (&self.0, &self.1);
        let Some(name) = &spec.service else {
            return Finding::skip("a log check names no service");
        };
        let container = match ctx.running(ctx.service(name)) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let now = SystemTime::now();
        let window = now
            .checked_sub(probe.since)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let (from, since) = match container.started_at {
            Some(started) if started > window => (
                started,
                format!(
                    "since it started {} ago",
                    humantime::format_duration(Duration::from_secs(
                        now.duration_since(started).unwrap_or_default().as_secs()
                    ))
                ),
            ),
            _ => (
                window,
                format!("in the last {}", humantime::format_duration(probe.since)),
            ),
        };
        let lines = match ctx.docker.logs_since(&container.name, from).await {
            Ok(lines) => lines,
            Err(err) => {
                return self.bad(format!(
                    "cannot read the log of {}: {err:#}",
                    container.name
                ));
            }
        };
        let matching: Vec<&str> = lines
            .iter()
            .map(|(_, line)| line.trim_end())
            .filter(|line| probe.patterns.iter().any(|p| p.is_match(line)))
            .collect();
        let patterns: Vec<String> = probe
            .patterns
            .iter()
            .map(|p| format!("{:?}", p.as_str()))
            .collect();
        let Some(first) = matching.first() else {
            return Finding::pass(format!(
                "no line matching {} in {name}'s log {since}",
                patterns.join(" or ")
            ));
        };
        let shown: String = first.chars().take(300).collect();
        let mut finding = self.bad(format!(
            "{name}'s log {since} has {} line{} matching {}: {shown}",
            matching.len(),
            if matching.len() == 1 { "" } else { "s" },
            patterns.join(" or ")
        ));
        for line in matching.iter().rev().take(SHOWN).rev() {
            finding = finding.saw(line.chars().take(300).collect::<String>());
        }
        finding
    }

    fn bad(&self, message: String) -> Finding {
        let finding = Finding::bad(self.0.severity == Level::Fail, message);
        match &self.0.remediation {
            Some(fix) => finding.fix(fix.clone()),
            None => finding,
        }
    }
}

//! `/`: the status page. Server-rendered HTML with its style inline: it
//! works on a host with no internet, and refreshes itself with no script.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use maud::{DOCTYPE, Markup, html};

use crate::doctor::finding::{Category, CheckResult, Severity};
use crate::watch::state::{State, Transition};

const STYLE: &str = "
body{font:15px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.meta{color:#666}.banner{padding:.6em 1em;border-radius:6px;font-weight:600;margin:1em 0}
.ok{background:#dff3e0;color:#1b5e20}.bad{background:#fde0e0;color:#b71c1c}
.warnb{background:#fff3d6;color:#7a4f00}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:center}
th{background:#f0f0f0;font-weight:600}td.name{text-align:left;font-family:monospace;white-space:nowrap}
.pass{color:#2e7d32}.warn{color:#b26a00}.fail{color:#c62828;font-weight:700}.skip{color:#999}
li{margin:.3em 0}code{background:#f0f0f0;padding:0 .3em;border-radius:3px}
";

/// The page for `state`, refreshing every `refresh`.
pub(crate) fn render(state: &State, refresh: Duration) -> String {
    let root = state
        .latest
        .as_ref()
        .map_or("-", |run| run.report.root.as_str());
    let seconds = refresh.as_secs().max(2);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="refresh" content=(seconds);
                title { (title(state)) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { "GAIA — gaia watch" }
                p.meta { "root " code { (root) } " · gaia " (env!("CARGO_PKG_VERSION")) " · refreshes every " (seconds) " s" }
                (body(state))
            }
        }
    };
    page.into_string()
}

fn title(state: &State) -> String {
    match &state.latest {
        None => "GAIA: starting".into(),
        Some(run) => {
            let s = run.report.summary();
            if s.failures > 0 {
                format!("GAIA: {} failing", s.failures)
            } else {
                "GAIA: healthy".into()
            }
        }
    }
}

fn body(state: &State) -> Markup {
    let Some(run) = &state.latest else {
        return html! { p.banner.warnb { "No run has finished yet." } };
    };
    let summary = run.report.summary();
    let at = humantime::format_rfc3339_seconds(run.finished_at).to_string();
    let banner = if summary.failures > 0 {
        (
            "bad",
            format!(
                "{} failing, {} warnings",
                summary.failures, summary.warnings
            ),
        )
    } else if summary.warnings > 0 {
        ("warnb", format!("healthy, {} warnings", summary.warnings))
    } else {
        ("ok", "healthy".to_owned())
    };
    let results = &run.report.results;
    html! {
        p class={ "banner " (banner.0) } { (banner.1) }
        p.meta {
            "run " (run.number) " finished " (at) " in " (format!("{:.2}", run.report.elapsed.as_secs_f64())) " s: "
            (summary.passed) " passed, " (summary.warnings) " warnings, " (summary.failures) " failures, " (summary.skipped) " skipped"
        }
        p { "Maintenance: " @if run.maintenance() { strong.warn { "ON — failover is disabled" } } @else if let Some(expired) = run.maintenance_expired() { "off — " strong.warn { (expired) } } @else { "off" } }
        h2 { "At a glance" }
        (grid(results))
        h2 { "Failures and warnings" }
        (problems(results))
        h2 { "Last changes" }
        (changes(state.transitions.iter().rev().take(20)))
        @if !state.open_circuits.is_empty() {
            h2 { "Open circuits" }
            p { "Repaired too often, left alone until the repair window passes: "
                @for (n, service) in state.open_circuits.iter().enumerate() {
                    @if n > 0 { ", " } strong.fail { (service) }
                }
            }
        }
        @if !state.repairs.is_empty() {
            h2 { "Repairs" }
            ul {
                @for healed in state.repairs.iter().rev().take(20) {
                    li { (time(healed.at)) " " (healed.action) " " code { (healed.service) } ": " (healed.outcome) }
                }
            }
        }
    }
}

/// Services down, categories across: the worst state of each cell.
fn grid(results: &[CheckResult]) -> Markup {
    let categories: BTreeSet<Category> = results.iter().map(|r| r.category).collect();
    let mut rows: Vec<Option<&str>> = Vec::new();
    for result in results {
        let service = result.service.as_deref();
        if !rows.contains(&service) {
            rows.push(service);
        }
    }
    rows.sort_by_key(|s| s.is_some());
    html! {
        table {
            tr { th { "service" } @for c in &categories { th { (c.name()) } } }
            @for row in &rows {
                tr {
                    td.name { (row.unwrap_or("(stack)")) }
                    @for c in &categories {
                        @let cell: Vec<&CheckResult> = results.iter().filter(|r| r.service.as_deref() == *row && r.category == *c).collect();
                        @match worst(&cell) {
                            None => td {},
                            Some(worst) => td class=(class(worst)) title=(cell.iter().map(|r| format!("{}: {}", r.id, r.message)).collect::<Vec<_>>().join("\n")) { (mark(worst)) },
                        }
                    }
                }
            }
        }
    }
}

/// A cell's state: the worst of its checks that ran, skipped if none ran.
fn worst(cell: &[&CheckResult]) -> Option<Severity> {
    let ran = cell
        .iter()
        .map(|r| r.severity)
        .filter(|s| *s != Severity::Skip)
        .max();
    ran.or_else(|| cell.first().map(|_| Severity::Skip))
}

fn problems(results: &[CheckResult]) -> Markup {
    let mut listed: Vec<&CheckResult> = results
        .iter()
        .filter(|r| matches!(r.severity, Severity::Fail | Severity::Warn))
        .collect();
    listed.sort_by_key(|r| std::cmp::Reverse(r.severity));
    html! {
        @if listed.is_empty() { p { "None." } }
        ul {
            @for r in &listed {
                li {
                    span class=(class(r.severity)) { (mark(r.severity)) " " }
                    code { (r.id) } " " (r.message)
                    @if let Some(fix) = &r.remediation { br; "fix: " code { (fix) } }
                }
            }
        }
    }
}

fn changes<'a>(transitions: impl Iterator<Item = &'a Transition>) -> Markup {
    let transitions: Vec<&Transition> = transitions.collect();
    html! {
        @if transitions.is_empty() { p { "None since gaia watch started." } }
        ul {
            @for t in &transitions {
                li {
                    (time(t.at)) " "
                    code { (t.id) } " "
                    (t.from.map_or("—", word)) " → " span class=(class(t.to)) { (word(t.to)) }
                    ": " (t.message)
                }
            }
        }
    }
}

fn time(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

fn class(severity: Severity) -> &'static str {
    word(severity)
}

fn word(severity: Severity) -> &'static str {
    match severity {
        Severity::Pass => "pass",
        Severity::Warn => "warn",
        Severity::Fail => "fail",
        Severity::Skip => "skip",
    }
}

fn mark(severity: Severity) -> &'static str {
    match severity {
        Severity::Pass => "✓",
        Severity::Warn => "!",
        Severity::Fail => "✗",
        Severity::Skip => "–",
    }
}

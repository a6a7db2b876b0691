//! The watch's HTTP endpoints, served from the latest run.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::State as Extract;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::watch::metrics::Metrics;
use crate::watch::page;
use crate::watch::state::State;

/// What the endpoints read: the watch's state and metrics.
pub(crate) struct Shared {
    pub(crate) state: RwLock<State>,
    pub(crate) metrics: Metrics,
    pub(crate) interval: Duration,
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A poisoned lock means a panic mid-update: the state is still the
        // last whole one written, as every update replaces it at once.
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(status_page))
        .route("/healthz", get(healthz))
        .route("/report.json", get(report))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

async fn healthz(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let state = shared.read();
    let (code, line) = match &state.latest {
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: no run has finished yet".to_owned(),
        ),
        Some(run) => {
            let s = run.report.summary();
            let failing: Vec<&str> = run
                .report
                .results
                .iter()
                .filter(|r| r.severity == crate::doctor::finding::Severity::Fail)
                .map(|r| r.id.as_str())
                .collect();
            if failing.is_empty() {
                (
                    StatusCode::OK,
                    format!(
                        "ok: {} passed, {} warnings (run {})",
                        s.passed, s.warnings, run.number
                    ),
                )
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("failing: {} (run {})", failing.join(", "), run.number),
                )
            }
        }
    };
    (code, format!("{line}\n")).into_response()
}

async fn report(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let state = shared.read();
    let Some(run) = &state.latest else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "error": "no run has finished yet" })),
        )
            .into_response();
    };
    let mut doc = run.report.to_json();
    doc["watch"] = serde_json::json!({
        "run": run.number,
        "finished_at": humantime::format_rfc3339_millis(run.finished_at).to_string(),
        "interval_ms": shared.interval.as_millis() as u64,
        "looked_inside": run.looked_inside,
        "transitions": state.transitions,
    });
    crate::secrets::scrub_json(&mut doc);
    Json(doc).into_response()
}

async fn metrics(Extract(shared): Extract<Arc<Shared>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.encode(),
    )
        .into_response()
}

async fn status_page(Extract(shared): Extract<Arc<Shared>>) -> Html<String> {
    let html = page::render(&shared.read(), shared.interval);
    Html(crate::secrets::scrub(&html))
}

//! The simulated GAIA services: one HTTP server whose routes depend on the
//! role the container was started as. Each answers what the real service
//! answers where gaia, its checks and an operator's drill look.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::faults;
use crate::http::{Http, HttpError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    Orchestrator,
    Prime { model: String },
    Core,
    Web,
    Mcp,
    Study,
    Audio,
    Wiki,
}

impl Role {
    /// The role behind a uvicorn app module such as `gaia_core`.
    pub(crate) fn from_module(module: &str) -> Option<Role> {
        Some(match module {
            "gaia_orchestrator" => Role::Orchestrator,
            "gaia_core" => Role::Core,
            "gaia_web" => Role::Web,
            "gaia_mcp" => Role::Mcp,
            "gaia_study" => Role::Study,
            "gaia_audio" => Role::Audio,
            _ => return None,
        })
    }

    fn service(&self) -> &'static str {
        match self {
            Role::Orchestrator => "orchestrator",
            Role::Prime { .. } => "prime",
            Role::Core => "core",
            Role::Web => "web",
            Role::Mcp => "mcp",
            Role::Study => "study",
            Role::Audio => "audio",
            Role::Wiki => "wiki",
        }
    }
}

struct App {
    role: Role,
    instance: String,
    upstream: Http,
}

type Shared = Arc<App>;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn log(level: &str, message: impl std::fmt::Display) {
    let now = humantime::format_rfc3339_millis(SystemTime::now());
    println!("{now} {level:<7} {message}");
}

/// Source that cannot start: a rehearsal plants this file in a candidate to
/// see a promotion fail its health gate and be rolled back.
pub(crate) const BROKEN_SOURCE: &str = "/app/.gaia-sim-broken";

/// Starts the service; returns only if it cannot start.
pub(crate) fn serve(role: Role, port: &str) -> ExitCode {
    faults::crash_if_looping();
    faults::forget_process_state();
    if std::path::Path::new(BROKEN_SOURCE).exists() {
        eprintln!(
            "Traceback (most recent call last):\n  File \"/app/main.py\", line 1\n\
             ImportError: cannot import name 'CognitionPacket' ({BROKEN_SOURCE} is present)"
        );
        return ExitCode::FAILURE;
    }
    if let Err(message) = check_required_dirs() {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the service runtime builds");
    runtime.block_on(run(role, port))
}

/// Real candidates crash at start when their shared directories are missing
/// or not writable; so do the simulated ones.
fn check_required_dirs() -> Result<(), String> {
    let Some(dirs) = env("GAIA_SIM_REQUIRED_DIRS") else {
        return Ok(());
    };
    for dir in dirs.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !std::path::Path::new(dir).is_dir() {
            return Err(format!(
                "FileNotFoundError: [Errno 2] No such file or directory: '{dir}'"
            ));
        }
        let probe = std::path::Path::new(dir).join(".gaia-write-probe");
        if std::fs::write(&probe, b"")
            .and_then(|_| std::fs::remove_file(&probe))
            .is_err()
        {
            return Err(format!(
                "PermissionError: [Errno 13] Permission denied: '{dir}'"
            ));
        }
    }
    Ok(())
}

async fn run(role: Role, port: &str) -> ExitCode {
    let instance = env("HOSTNAME").unwrap_or_else(|| format!("gaia-{}", role.service()));
    let upstream_timeout = env("GAIA_SIM_UPSTREAM_TIMEOUT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(120.0);
    let app = Arc::new(App {
        role: role.clone(),
        instance,
        upstream: Http::new(
            Duration::from_secs(3),
            Duration::from_secs_f64(upstream_timeout),
        ),
    });

    let mut router = Router::new()
        .route("/health", get(health))
        .route("/version", get(version))
        .route("/", get(index));
    router = match role {
        Role::Prime { .. } => router
            .route("/v1/models", get(models))
            .route("/v1/chat/completions", post(completion))
            .route("/v1/completions", post(completion)),
        Role::Core => router.route("/process_packet", post(process_packet)),
        Role::Web => router.route("/process_user_input", post(process_user_input)),
        Role::Mcp => router.route("/jsonrpc", post(jsonrpc)),
        Role::Orchestrator => router.route("/status", get(status)),
        Role::Study | Role::Audio | Role::Wiki => router,
    };
    let router = router.with_state(app.clone());

    let listener = match tokio::net::TcpListener::bind(format!("0.0.0.0:{port}")).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("ERROR cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    tokio::spawn(exit_on_signal());
    tokio::spawn(async {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            faults::crash_if_looping();
        }
    });
    if role == Role::Core {
        tokio::spawn(save_sessions(app.clone()));
    }
    log(
        "INFO",
        format!(
            "{} ({}) listening on port {port}",
            app.instance,
            role.service()
        ),
    );
    if let Err(err) = axum::serve(listener, router).await {
        eprintln!("ERROR server stopped: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// PID 1 gets no default signal handling: without this, `docker stop` would
/// wait out its grace period and kill.
async fn exit_on_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
    log("INFO", "shutting down");
    std::process::exit(0);
}

/// gaia-core keeps its sessions in `/shared/sessions.json`; the doctor
/// judges freshness by its age.
async fn save_sessions(app: Shared) {
    let every = env("GAIA_SIM_SESSION_INTERVAL")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let Some(shared) = env("SHARED_DIR") else {
        return;
    };
    let file = std::path::Path::new(&shared).join("sessions.json");
    loop {
        if !faults::active(faults::SESSIONS_FROZEN) {
            let body = json!({
                "saved_by": app.instance,
                "saved_at": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                "sessions": { "web:rehearsal": { "turns": 1 } },
            });
            if let Err(err) = std::fs::write(&file, body.to_string()) {
                log("ERROR", format!("cannot save {}: {err}", file.display()));
            }
        }
        tokio::time::sleep(Duration::from_secs_f64(every)).await;
    }
}

fn error(status: StatusCode, detail: impl Into<String>) -> Response {
    (status, Json(json!({ "detail": detail.into() }))).into_response()
}

async fn health(State(app): State<Shared>) -> Response {
    if faults::active(faults::HEALTH_HANG) {
        std::future::pending::<()>().await;
    }
    if faults::active(faults::HEALTH_500) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulated internal error",
        );
    }
    Json(json!({ "status": "healthy", "service": app.role.service(), "instance": app.instance }))
        .into_response()
}

async fn index(State(app): State<Shared>) -> Response {
    format!("{} ({})\n", app.instance, app.role.service()).into_response()
}

async fn version(State(app): State<Shared>) -> Response {
    let source = std::fs::read_to_string("/app/VERSION")
        .map(|v| v.trim().to_owned())
        .ok();
    Json(json!({
        "service": app.role.service(),
        "instance": app.instance,
        "image": env("GAIA_SIM_IMAGE"),
        "image_build": env("GAIA_SIM_BUILD"),
        "source_version": source,
    }))
    .into_response()
}

// ── prime: a vLLM OpenAI-compatible server ─────────────────────────────────

fn served_model(app: &App) -> Option<&str> {
    match &app.role {
        Role::Prime { model } if !faults::active(faults::NO_MODEL) => Some(model),
        _ => None,
    }
}

async fn models(State(app): State<Shared>) -> Response {
    let data: Vec<Value> = served_model(&app)
        .map(|m| json!({ "id": m, "object": "model", "owned_by": "vllm", "root": m }))
        .into_iter()
        .collect();
    Json(json!({ "object": "list", "data": data })).into_response()
}

async fn completion(State(app): State<Shared>, Json(body): Json<Value>) -> Response {
    let asked = body["model"].as_str().unwrap_or_default();
    if served_model(&app) != Some(asked) {
        let message = format!("The model `{asked}` does not exist.");
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": { "message": message, "type": "NotFoundError", "code": 404 } })),
        )
            .into_response();
    }
    Json(json!({
        "id": "chatcmpl-gaia-sim",
        "object": "chat.completion",
        "model": asked,
        "system_fingerprint": app.instance,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": "A simulated answer." },
            "text": "A simulated answer.",
            "finish_reason": "stop",
        }],
    }))
    .into_response()
}

// ── mcp: JSON-RPC tools ─────────────────────────────────────────────────────

async fn jsonrpc(State(app): State<Shared>, body: String) -> Response {
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return Json(json!({
            "jsonrpc": "2.0", "id": null,
            "error": { "code": -32700, "message": "Parse error" },
        }))
        .into_response();
    };
    let id = request["id"].clone();
    let result = match request["method"].as_str() {
        Some("ping") => json!({ "served_by": app.instance }),
        Some("tools/list") | Some("list_tools") => json!({
            "served_by": app.instance,
            "tools": [{ "name": "read_file" }, { "name": "web_search" }],
        }),
        _ => {
            return Json(json!({
                "jsonrpc": "2.0", "id": id,
                "error": { "code": -32601, "message": "Method not found" },
            }))
            .into_response();
        }
    };
    Json(json!({ "jsonrpc": "2.0", "id": id, "result": result })).into_response()
}

// ── core: the cognition loop ────────────────────────────────────────────────

async fn process_packet(State(app): State<Shared>, body: String) -> Response {
    let packet: Value = match serde_json::from_str(&body) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body must be a cognition packet (a JSON object)",
            );
        }
    };
    if packet.get("version").is_none() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid cognition packet: field `version` is required",
        );
    }
    let prime = env("PRIME_ENDPOINT").unwrap_or_else(|| "http://gaia-prime:7777".into());
    let model = env("PRIME_MODEL").unwrap_or_default();
    let ask = json!({
        "model": model,
        "messages": [{ "role": "user", "content": packet["content"].as_str().unwrap_or_default() }],
    });
    let prime_said = match app
        .upstream
        .post_json(&format!("{prime}/v1/chat/completions"), &ask)
        .await
    {
        Ok(r) if r.is_success() => r.json().unwrap_or_default(),
        Ok(r) => {
            log(
                "ERROR",
                format!("prime at {prime} answered {}: {}", r.status, r.body),
            );
            return error(
                StatusCode::BAD_GATEWAY,
                format!("prime answered {}: {}", r.status, r.body),
            );
        }
        Err(err) => {
            log("ERROR", format!("prime at {prime} unreachable: {err}"));
            return error(StatusCode::BAD_GATEWAY, format!("prime unreachable: {err}"));
        }
    };
    let (mcp_served_by, mcp_fallback) = call_mcp(&app).await;
    Json(json!({
        "served_by": app.instance,
        "response": prime_said["choices"][0]["message"]["content"],
        "prime": { "served_by": prime_said["system_fingerprint"], "model": model },
        "mcp_served_by": mcp_served_by,
        "mcp_fallback": mcp_fallback,
        "source_version": std::fs::read_to_string("/app/VERSION").ok().map(|v| v.trim().to_owned()),
    }))
    .into_response()
}

/// Core's MCP client: falls back on connection errors and timeouts.
async fn call_mcp(app: &App) -> (Option<String>, bool) {
    let ping = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" });
    let primary = env("MCP_ENDPOINT").unwrap_or_else(|| "http://gaia-mcp:8765/jsonrpc".into());
    let served_by = |r: crate::http::Response| {
        r.json()
            .and_then(|v| v["result"]["served_by"].as_str().map(str::to_owned))
    };
    match app.upstream.post_json(&primary, &ping).await {
        Ok(r) => return (served_by(r), false),
        Err(err @ (HttpError::Connect(_) | HttpError::Timeout(_))) => {
            log("WARNING", format!("MCP call to {primary} failed: {err}"));
        }
        Err(err) => {
            log("ERROR", format!("MCP call to {primary} failed: {err}"));
            return (None, false);
        }
    }
    let Some(fallback) = env("MCP_FALLBACK_ENDPOINT") else {
        log(
            "ERROR",
            "MCP unavailable and no MCP_FALLBACK_ENDPOINT configured",
        );
        return (None, false);
    };
    match app.upstream.post_json(&fallback, &ping).await {
        Ok(r) => {
            log("INFO", format!("MCP fallback to {fallback} succeeded"));
            (served_by(r), true)
        }
        Err(err) => {
            log("ERROR", format!("MCP fallback to {fallback} failed: {err}"));
            (None, true)
        }
    }
}

// ── web: the gateway, with GAIA's retry and HA fallback rule ───────────────

const CORE_ATTEMPTS: u32 = 3;
const MAINTENANCE_FLAG: &str = "/shared/ha_maintenance";

enum Attempt {
    Served(crate::http::Response),
    Retryable(String),
    Final(Response),
}

async fn post_to_core(app: &App, endpoint: &str, packet: &Value) -> Attempt {
    match app
        .upstream
        .post_json(&format!("{endpoint}/process_packet"), packet)
        .await
    {
        Ok(r) if matches!(r.status, 502..=504) => Attempt::Retryable(format!("HTTP {}", r.status)),
        Ok(r) => Attempt::Served(r),
        Err(err @ HttpError::Connect(_)) => Attempt::Retryable(err.to_string()),
        Err(err @ HttpError::Timeout(_)) => {
            log(
                "ERROR",
                format!("core at {endpoint} {err}; not retrying: slow is not down"),
            );
            Attempt::Final(error(StatusCode::GATEWAY_TIMEOUT, format!("core {err}")))
        }
        Err(err) => Attempt::Final(error(
            StatusCode::BAD_GATEWAY,
            format!("core failed: {err}"),
        )),
    }
}

fn relay(response: crate::http::Response, attempts: u32, fallback: bool) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let core = response.json().unwrap_or(Value::String(response.body));
    let body = json!({
        "response": core["response"],
        "served_by": core["served_by"],
        "attempts": attempts,
        "fallback": fallback,
        "core": core,
    });
    (status, Json(body)).into_response()
}

async fn process_user_input(State(app): State<Shared>, Json(body): Json<Value>) -> Response {
    let text = body["user_input"]
        .as_str()
        .or(body["message"].as_str())
        .unwrap_or_default();
    let packet = json!({
        "version": "0.3",
        "header": { "source": "gaia-web", "session_id": "web:rehearsal" },
        "content": text,
    });
    let endpoint = env("CORE_ENDPOINT").unwrap_or_else(|| "http://gaia-core:6415".into());
    let base_delay = env("CORE_RETRY_BASE_DELAY")
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(2.0);
    for attempt in 1..=CORE_ATTEMPTS {
        let reason = match post_to_core(&app, &endpoint, &packet).await {
            Attempt::Served(r) => return relay(r, attempt, false),
            Attempt::Final(response) => return response,
            Attempt::Retryable(reason) => reason,
        };
        if attempt < CORE_ATTEMPTS {
            let delay = base_delay * f64::from(2u32.pow(attempt - 1));
            log(
                "WARNING",
                format!(
                    "core attempt {attempt}/{CORE_ATTEMPTS} to {endpoint} failed: {reason}; retrying in {delay:.1}s"
                ),
            );
            tokio::time::sleep(Duration::from_secs_f64(delay)).await;
        } else {
            log(
                "ERROR",
                format!(
                    "core attempt {attempt}/{CORE_ATTEMPTS} to {endpoint} failed: {reason}; exhausted {CORE_ATTEMPTS} attempts"
                ),
            );
        }
    }
    if std::path::Path::new(MAINTENANCE_FLAG).exists() {
        log(
            "WARNING",
            format!("HA maintenance mode is on ({MAINTENANCE_FLAG}): not failing over"),
        );
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "core unavailable; HA maintenance mode is on, no failover",
        );
    }
    let Some(fallback) = env("CORE_FALLBACK_ENDPOINT") else {
        log(
            "ERROR",
            "core unavailable and no CORE_FALLBACK_ENDPOINT configured",
        );
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "core unavailable and no fallback configured",
        );
    };
    match post_to_core(&app, &fallback, &packet).await {
        Attempt::Served(r) if r.is_success() => {
            let served_by = r
                .json()
                .and_then(|v| v["served_by"].as_str().map(str::to_owned));
            log(
                "INFO",
                format!(
                    "HA fallback to {fallback} succeeded (served by {})",
                    served_by.as_deref().unwrap_or("?")
                ),
            );
            relay(r, CORE_ATTEMPTS + 1, true)
        }
        Attempt::Served(r) => {
            log(
                "ERROR",
                format!("HA fallback to {fallback} failed: HTTP {}", r.status),
            );
            relay(r, CORE_ATTEMPTS + 1, true)
        }
        Attempt::Retryable(reason) => {
            log(
                "ERROR",
                format!("HA fallback to {fallback} failed: {reason}"),
            );
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("core and its fallback are unavailable: {reason}"),
            )
        }
        Attempt::Final(response) => response,
    }
}

// ── orchestrator: the HA watchdog ───────────────────────────────────────────

async fn probe(http: &Http, url: Option<String>) -> Option<bool> {
    let url = url?;
    Some(matches!(http.get(&format!("{url}/health")).await, Ok(r) if r.is_success()))
}

async fn status(State(app): State<Shared>) -> Response {
    let http = Http::new(Duration::from_millis(500), Duration::from_secs(2));
    let mut pairs = serde_json::Map::new();
    let (mut any_failed, mut any_failover, mut any_degraded) = (false, false, false);
    for (name, primary, standby) in [
        (
            "gaia-core",
            "ORCHESTRATOR_CORE_URL",
            "ORCHESTRATOR_CORE_STANDBY_URL",
        ),
        (
            "gaia-mcp",
            "ORCHESTRATOR_MCP_URL",
            "ORCHESTRATOR_MCP_STANDBY_URL",
        ),
    ] {
        let (primary_up, standby_up) =
            tokio::join!(probe(&http, env(primary)), probe(&http, env(standby)));
        let (primary_up, standby_up) = (primary_up.unwrap_or(false), standby_up.unwrap_or(false));
        match (primary_up, standby_up) {
            (true, true) => {}
            (true, false) => any_degraded = true,
            (false, true) => any_failover = true,
            (false, false) => any_failed = true,
        }
        let word = |up: bool| if up { "healthy" } else { "down" };
        pairs.insert(
            name.into(),
            json!({ "primary": word(primary_up), "standby": word(standby_up) }),
        );
    }
    let ha_status = if any_failed {
        "failed"
    } else if any_failover {
        "failover_active"
    } else if any_degraded {
        "degraded"
    } else {
        "active"
    };
    Json(json!({
        "status": "ok",
        "instance": app.instance,
        "health_watchdog": { "ha_status": ha_status, "services": pairs },
    }))
    .into_response()
}

//! `gaia watch` as an operator runs it beside the simulated stack: its
//! endpoints follow a fault and its healing, alerts reach a webhook once per
//! change, and SIGTERM ends it cleanly.

mod common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{gaia, stack};
use serde_json::Value;

/// A free loopback port (free when asked; gaia binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What a receiver got: (path, JSON body), in order.
type Posts = Arc<Mutex<Vec<(String, Value)>>>;

/// A webhook receiver on loopback: every POST body, by path, in order.
struct Receiver {
    port: u16,
    received: Posts,
}

impl Receiver {
    fn start() -> Receiver {
        use axum::extract::State;
        let received: Posts = Arc::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let kept = received.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let app = axum::Router::new()
                    .fallback(
                        |State(kept): State<Posts>, uri: axum::http::Uri, body: String| async move {
                            let json = serde_json::from_str(&body).unwrap_or(Value::Null);
                            kept.lock().unwrap().push((uri.path().to_owned(), json));
                            "ok"
                        },
                    )
                    .with_state(kept);
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Receiver { port, received }
    }

    fn bodies(&self, path: &str) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, body)| body.clone())
            .collect()
    }
}

/// `GET url` from the host: (status, body), or None when nothing answers.
fn get(url: &str) -> Option<(u16, String)> {
    common::http("GET", url, None, Duration::from_secs(5)).ok()
}

/// Polls `probe` until it gives a value, or fails the story saying `what`.
fn within<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The status page as a real browser renders it: headless Chromium (Debian's
/// `chromium`, which `.ci/run` installs) saves a screenshot to `png` and
/// gives back the DOM after rendering.
fn browse(url: &str, png: &std::path::Path) -> String {
    let chromium = |extra: &[&str]| {
        let profile = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("timeout")
            .args([
                "60",
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(url)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run chromium (the status page story needs it): {e}")
            });
        assert!(
            out.status.success(),
            "chromium failed on {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    chromium(&[
        "--window-size=1280,1000",
        "--hide-scrollbars",
        &format!("--screenshot={}", png.display()),
    ]);
    let shot =
        std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()));
    assert!(
        shot.starts_with(b"\x89PNG") && shot.len() > 10_000,
        "{} is no picture of a page",
        png.display()
    );
    chromium(&["--dump-dom"])
}

/// Where the stories leave the status page's screenshots.
fn screenshots() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every sample line of a Prometheus text exposition, checked for form.
fn samples(exposition: &str) -> Vec<String> {
    let sample = regex::Regex::new(
        r#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$"#,
    )
    .unwrap();
    assert!(exposition.ends_with("# EOF\n"), "{exposition}");
    exposition
        .lines()
        .filter(|line| !line.starts_with('#'))
        .inspect(|line| assert!(sample.is_match(line), "not a Prometheus sample: {line}"))
        .map(str::to_owned)
        .collect()
}

/// The transitions of `check` across the alerts, in order: (from, to).
fn changes_of(alerts: &[Value], check: &str) -> Vec<(String, String)> {
    alerts
        .iter()
        .flat_map(|alert| alert["transitions"].as_array().cloned().unwrap_or_default())
        .filter(|t| t["id"] == check)
        .map(|t| {
            (
                t["from"].as_str().unwrap_or("(start)").to_owned(),
                t["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn watch_serves_the_stacks_state_alerts_once_per_change_and_stops_cleanly() {
    let stack = stack();
    let receiver = Receiver::start();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let plain = format!("http://127.0.0.1:{}/hook", receiver.port);
    let discord = format!("http://127.0.0.1:{}/api/webhooks/1/tok3n", receiver.port);
    let interval = Duration::from_secs(1);
    let mut watch = stack
        .gaia([
            "watch",
            "--interval",
            "1s",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--notify",
            &format!("{plain},{discord}"),
        ])
        .start();
    watch.waits_for("watching every 1s", Duration::from_secs(30));

    // Healthy: 200, and the metrics say each check passes.
    let (_, said) = within(Duration::from_secs(60), "/healthz turns 200", || {
        get(&format!("{base}/healthz")).filter(|(status, _)| *status == 200)
    });
    assert!(said.starts_with("ok: "), "{said}");
    let (status, metrics) = get(&format!("{base}/metrics")).unwrap();
    assert_eq!(status, 200);
    let healthy = samples(&metrics);
    let web =
        r#"gaia_check_status{id="containers.gaia-web",category="containers",service="gaia-web"}"#;
    assert!(healthy.contains(&format!("{web} 0")), "{metrics}");
    assert!(
        healthy.iter().any(|s| s.starts_with("gaia_runs_total ")),
        "{metrics}"
    );
    let (_, report) = get(&format!("{base}/report.json")).unwrap();
    let report: Value = serde_json::from_str(&report).unwrap();
    common::assert_doctor_schema(&report);
    let healthy_page = browse(
        &format!("{base}/"),
        &screenshots().join("watch-healthy.png"),
    );
    assert!(
        healthy_page.contains("class=\"banner ok\""),
        "{healthy_page}"
    );
    let longest_run = Duration::from_millis(report["duration_ms"].as_u64().unwrap()) * 2;

    // The operator's story: gaia-web exits.
    stack.fault(&["exited", "--service", "gaia-web"]);
    let broken = Instant::now();
    let (_, said) = within(
        interval * 2 + longest_run + Duration::from_secs(2),
        "/healthz turns 503 within two intervals of the fault",
        || get(&format!("{base}/healthz")).filter(|(status, _)| *status == 503),
    );
    eprintln!("503 after {:?}: {said}", broken.elapsed());
    // The first failing run may catch gaia-web on its way down (its HTTP
    // gone, the container not yet exited); the next one sees it exited.
    within(
        interval * 2 + longest_run + Duration::from_secs(2),
        "/healthz names the exited container",
        || {
            get(&format!("{base}/healthz"))
                .filter(|(status, said)| *status == 503 && said.contains("containers.gaia-web"))
        },
    );
    let (_, metrics) = get(&format!("{base}/metrics")).unwrap();
    assert!(samples(&metrics).contains(&format!("{web} 2")), "{metrics}");
    // What the operator sees in a browser: the banner says failing, and the
    // exited container is listed with the command that fixes it.
    let page = browse(
        &format!("{base}/"),
        &screenshots().join("watch-faulted.png"),
    );
    assert!(page.contains("class=\"banner bad\""), "{page}");
    let problems = page
        .split("Failures and warnings")
        .nth(1)
        .and_then(|rest| rest.split("Last changes").next())
        .expect("the page lists failures");
    assert!(problems.contains("containers.gaia-web"), "{problems}");
    assert!(problems.contains("fix: "), "the fix is shown: {problems}");

    stack.heal();
    within(
        Duration::from_secs(60),
        "/healthz turns 200 after the heal",
        || get(&format!("{base}/healthz")).filter(|(status, _)| *status == 200),
    );
    // The alert of the last change is on its way; give it a moment.
    within(Duration::from_secs(10), "the recovery is alerted", || {
        let alerts = receiver.bodies("/hook");
        changes_of(&alerts, "containers.gaia-web")
            .last()
            .filter(|(_, to)| to == "pass")
            .map(|_| ())
    });

    watch.signal(nix::sys::signal::Signal::SIGTERM);
    let ran = watch.finish();
    ran.exits(143).says("SIGTERM: stopping");
    assert!(
        get(&format!("{base}/healthz")).is_none(),
        "the port is closed"
    );

    // One alert per run that changed something, one entry per change: the
    // states of gaia-web's container chain from pass through failing back
    // to pass, with no change told twice.
    let alerts = receiver.bodies("/hook");
    let web_changes = changes_of(&alerts, "containers.gaia-web");
    assert_eq!(
        web_changes.first().map(|c| c.0.as_str()),
        Some("pass"),
        "{web_changes:?}"
    );
    assert_eq!(
        web_changes.last().map(|c| c.1.as_str()),
        Some("pass"),
        "{web_changes:?}"
    );
    for pair in web_changes.windows(2) {
        assert_eq!(
            pair[0].1, pair[1].0,
            "a change told twice or lost: {web_changes:?}"
        );
    }
    let runs_with_changes = ran
        .stderr
        .lines()
        .filter(|l| l.contains(": ") && l.contains("==> run "))
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        alerts.len(),
        runs_with_changes.len(),
        "one alert per run with changes:\n{}",
        ran.stderr
    );
    for alert in &alerts {
        assert_eq!(alert["schema"], "gaia.watch.alert/1");
    }
    // Discord's webhook got Discord's format, the same number of times; its
    // URL (its token) is said nowhere.
    let discord_alerts = receiver.bodies("/api/webhooks/1/tok3n");
    assert_eq!(discord_alerts.len(), alerts.len());
    assert!(
        discord_alerts
            .iter()
            .all(|a| a["content"].as_str().is_some_and(|c| c.contains("GAIA on")))
    );
    assert!(!ran.stderr.contains("tok3n"), "{}", ran.stderr);
}

#[test]
fn a_bad_interval_url_or_address_is_a_configuration_error_before_anything_runs() {
    gaia(["watch", "--interval", "10ms"])
        .run()
        .exits(64)
        .says("shorter than the shortest interval");
    let refused = gaia(["watch", "--notify", "ftp://hooks.example/s3cr3t"]).run();
    refused.exits(64).says("must be http or https");
    assert!(!refused.stderr.contains("s3cr3t"), "{}", refused.stderr);
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    gaia(["watch", "--listen", &address])
        .run()
        .exits(64)
        .says(&format!("cannot listen on {address}"));
}

/// The value of the sample `name` (with its labels) in /metrics.
fn metric(base: &str, name: &str) -> Option<f64> {
    let (_, exposition) = get(&format!("{base}/metrics"))?;
    samples(&exposition)
        .iter()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The repairs across the alerts: (run, service, action, outcome).
fn repairs(alerts: &[Value]) -> Vec<(u64, String, String, String)> {
    alerts
        .iter()
        .flat_map(|alert| {
            let run = alert["run"].as_u64().unwrap_or_default();
            alert["repairs"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |r| {
                    let field = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
                    (run, field("service"), field("action"), field("outcome"))
                })
        })
        .collect()
}

#[test]
fn heal_starts_an_exited_service_opens_the_circuit_of_one_that_keeps_dying_and_never_acts_in_maintenance_which_is_alerted_when_stuck()
 {
    let stack = stack();
    let receiver = Receiver::start();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut watch = stack
        .gaia([
            "watch",
            "--heal",
            "--interval",
            "1s",
            "--heal-after",
            "2",
            "--grace",
            "0s",
            "--cooldown",
            "1s",
            "--max-repairs",
            "2",
            "--repair-window",
            "10m",
            "--maintenance-limit",
            "2s",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--notify",
            &format!("http://127.0.0.1:{}/hook", receiver.port),
        ])
        .start();
    watch.waits_for("watching every 1s", Duration::from_secs(30));
    within(Duration::from_secs(60), "/healthz turns 200", || {
        get(&format!("{base}/healthz")).filter(|(status, _)| *status == 200)
    });

    // An exited gaia-web is started again, after two failing runs.
    stack.fault(&["exited", "--service", "gaia-web"]);
    within(Duration::from_secs(60), "gaia-web is healed", || {
        let healed = repairs(&receiver.bodies("/hook"));
        healed
            .iter()
            .find(|(_, service, _, _)| service == "gaia-web")
            .cloned()
    });
    within(
        Duration::from_secs(60),
        "/healthz is 200 after the repair",
        || get(&format!("{base}/healthz")).filter(|(status, _)| *status == 200),
    );
    let alerts = receiver.bodies("/hook");
    let (repaired_in, _, action, outcome) = repairs(&alerts)
        .into_iter()
        .find(|(_, service, _, _)| service == "gaia-web")
        .unwrap();
    assert_eq!((action.as_str(), outcome.as_str()), ("start", "done"));
    let failed_in = alerts
        .iter()
        .find(|a| {
            changes_of(std::slice::from_ref(a), "containers.gaia-web")
                .iter()
                .any(|(_, to)| to == "fail")
        })
        .and_then(|a| a["run"].as_u64())
        .expect("the exit was alerted");
    assert!(
        repaired_in > failed_in,
        "repaired in run {repaired_in}, first seen failing in run {failed_in}: not before two failing runs"
    );
    let audit = std::fs::read_to_string(stack.root.join(".gaia/audit.jsonl")).unwrap();
    assert!(audit.contains("watch --heal gaia-web"), "{audit}");
    assert_eq!(
        metric(
            &base,
            r#"gaia_repairs_total{service="gaia-web",action="start",outcome="done"}"#
        ),
        Some(1.0)
    );

    // gaia-web keeps dying (as a service killed again and again would):
    // a second repair, then its circuit opens, once, and it is left alone.
    let web_repairs = || {
        repairs(&receiver.bodies("/hook"))
            .iter()
            .filter(|(_, service, _, _)| service == "gaia-web")
            .count()
    };
    stack.fault(&["exited", "--service", "gaia-web"]);
    within(
        Duration::from_secs(60),
        "gaia-web is healed a second time",
        || (web_repairs() == 2).then_some(()),
    );
    let circuit = r#"gaia_circuit_open{service="gaia-web"}"#;
    within(Duration::from_secs(30), "gaia-web's circuit opens", || {
        metric(&base, circuit).filter(|open| *open == 1.0)
    });
    stack.fault(&["exited", "--service", "gaia-web"]);
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(web_repairs(), 2, "left alone once its circuit is open");
    assert_eq!(common::inspect("gaia-web", "{{.State.Status}}"), "exited");
    let opened = receiver
        .bodies("/hook")
        .iter()
        .filter(|a| {
            a["circuits_opened"]
                .as_array()
                .is_some_and(|c| c.contains(&"gaia-web".into()))
        })
        .count();
    assert_eq!(opened, 1, "the circuit's opening is alerted once");
    let (_, page) = get(&format!("{base}/")).unwrap();
    assert!(page.contains("Open circuits"), "{page}");

    // In maintenance nothing is healed, however long gaia-web is down.
    stack.fault(&["maintenance-on"]);
    within(
        Duration::from_secs(30),
        "the maintenance flag is seen",
        || metric(&base, "gaia_maintenance").filter(|on| *on == 1.0),
    );
    let before = repairs(&receiver.bodies("/hook")).len();
    stack.fault(&["exited", "--service", "gaia-core"]);
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(
        repairs(&receiver.bodies("/hook")).len(),
        before,
        "nothing healed in maintenance"
    );
    let (status, _) = get(&format!("{base}/healthz")).unwrap();
    assert_eq!(status, 503);
    // A flag there past --maintenance-limit is told, once.
    let stuck = |alerts: &[Value]| -> Vec<String> {
        alerts
            .iter()
            .filter_map(|a| a["maintenance_stuck"].as_str().map(str::to_owned))
            .collect()
    };
    within(
        Duration::from_secs(30),
        "the stuck maintenance flag is alerted",
        || (!stuck(&receiver.bodies("/hook")).is_empty()).then_some(()),
    );
    std::thread::sleep(Duration::from_secs(3));
    let told = stuck(&receiver.bodies("/hook"));
    assert_eq!(told.len(), 1, "told once: {told:?}");
    assert!(
        told[0].starts_with("maintenance has been on for"),
        "{}",
        told[0]
    );

    watch.signal(nix::sys::signal::Signal::SIGTERM);
    watch.finish().exits(143);
}

/// The overlay's compose project, taken down and its image removed however
/// the story ends.
struct Overlay {
    project: &'static str,
    image: &'static str,
}

impl Overlay {
    fn file() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/gaia-watch.yml")
    }

    /// `docker compose -f deploy/gaia-watch.yml up -d`, as the README says,
    /// with the watch tuned by GAIA_WATCH_* as an operator would.
    fn up(root: &std::path::Path, image: &'static str, env: &[(&str, String)]) -> Overlay {
        let overlay = Overlay {
            project: "gaia-watch-story",
            image,
        };
        let out = std::process::Command::new("timeout")
            .args(["120", "docker", "compose", "-p", overlay.project, "-f"])
            .arg(Overlay::file())
            .args(["up", "-d"])
            .env("GAIA_ROOT", root)
            .env("GAIA_IMAGE", image)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the overlay did not come up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        overlay
    }

    fn logs(&self) -> String {
        let out = std::process::Command::new("timeout")
            .args(["30", "docker", "compose", "-p", self.project, "logs"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = std::process::Command::new("timeout")
            .args(["120", "docker", "compose", "-p", self.project, "down"])
            .output();
        let _ = std::process::Command::new("docker")
            .args(["image", "rm", self.image])
            .output();
    }
}

#[test]
fn the_readme_gives_the_overlay_as_it_is_in_deploy() {
    let overlay = std::fs::read_to_string(Overlay::file()).unwrap();
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    assert!(
        readme.contains(&format!("```yaml\n{overlay}```")),
        "README.md must show deploy/gaia-watch.yml as it is"
    );
}

#[test]
fn watch_runs_in_the_stack_from_gaias_own_image_and_heals_an_exited_service() {
    let stack = stack();
    let image = "gaia-watch-story:latest";
    gaia(["image", "--tag", image])
        .run()
        .succeeds()
        .says(&format!("built {image}"));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let overlay = Overlay::up(
        &stack.root,
        image,
        &[
            ("GAIA_WATCH_LISTEN", format!("127.0.0.1:{port}")),
            ("GAIA_WATCH_INTERVAL", "1s".into()),
            ("GAIA_WATCH_HEAL_AFTER", "2".into()),
            ("GAIA_WATCH_GRACE", "0s".into()),
        ],
    );
    let healthy = || get(&format!("{base}/healthz")).filter(|(status, _)| *status == 200);
    if std::panic::catch_unwind(|| within(Duration::from_secs(60), "/healthz turns 200", healthy))
        .is_err()
    {
        panic!(
            "the watch in the stack never turned healthy:\n{}",
            overlay.logs()
        );
    }

    stack.fault(&["exited", "--service", "gaia-web"]);
    let (_, said) = within(Duration::from_secs(5), "/healthz turns 503", || {
        get(&format!("{base}/healthz")).filter(|(status, _)| *status == 503)
    });
    assert!(said.contains("containers.gaia-web"), "{said}");
    within(
        Duration::from_secs(60),
        "/healthz is 200 again after the watch healed gaia-web",
        healthy,
    );
    assert_eq!(common::inspect("gaia-web", "{{.State.Status}}"), "running");
    let logs = overlay.logs();
    assert!(logs.contains("start gaia-web"), "{logs}");
    let audit = std::fs::read_to_string(stack.root.join(".gaia/audit.jsonl")).unwrap();
    assert!(audit.contains("watch --heal gaia-web"), "{audit}");
}

#[test]
fn between_looks_inside_a_steady_watch_carries_what_passed_and_still_catches_a_fault_inside() {
    let stack = stack();
    let port = free_port();
    let report = || -> Option<Value> {
        let (status, body) = get(&format!("http://127.0.0.1:{port}/report.json"))?;
        (status == 200).then(|| serde_json::from_str(&body).unwrap())
    };
    let check = |doc: &Value, prefix: &str| -> Option<Value> {
        doc["checks"]
            .as_array()?
            .iter()
            .find(|c| c["id"].as_str().is_some_and(|id| id.starts_with(prefix)))
            .cloned()
    };
    let mut watch = stack
        .gaia([
            "watch",
            "--interval",
            "500ms",
            "--deep-every",
            "4",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .start();
    watch.waits_for("watching every", Duration::from_secs(30));

    // A steady run gives what the last look inside saw, and says so.
    let steady = within(Duration::from_secs(30), "a run that carries", || {
        report().filter(|doc| doc["watch"]["looked_inside"] == false)
    });
    let mounts = check(&steady, "mounts.gaia-core").expect("mounts.gaia-core");
    assert_eq!(mounts["severity"], "pass", "{mounts:#}");
    assert!(
        mounts["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().starts_with("as seen in run")),
        "{mounts:#}"
    );
    assert_eq!(
        check(&steady, "containers.gaia-core").unwrap()["evidence"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "checks through the API look every run"
    );
    within(Duration::from_secs(30), "a run that looks inside", || {
        report().filter(|doc| doc["watch"]["looked_inside"] == true)
    });

    // A fault only a look inside sees, with no container changed, is caught
    // within --deep-every runs.
    stack.fault(&["shared-dir-missing"]);
    let failed = within(Duration::from_secs(15), "shared-dirs fails", || {
        report()
            .and_then(|doc| check(&doc, "shared-dirs.gaia-candidate-shared"))
            .filter(|c| c["severity"] == "fail")
    });
    assert!(
        failed["message"].as_str().unwrap().contains("missing"),
        "{failed:#}"
    );

    watch.signal(nix::sys::signal::Signal::SIGTERM);
    watch.finish().exits(143);
}

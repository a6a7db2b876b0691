//! The simulated GAIA stack on the real Docker engine: what an operator
//! rehearsing on it sees. These tests share one stack (its names and ports
//! are fixed), so each holds `common::stack()` for its whole story.

mod common;

use std::time::Duration;

use common::{docker, gaia, http, inspect, stack};

const LIVE: [&str; 7] = [
    "gaia-orchestrator",
    "gaia-prime",
    "gaia-core",
    "gaia-web",
    "gaia-mcp",
    "gaia-study",
    "gaia-wiki",
];
const STANDBYS: [&str; 2] = ["gaia-core-candidate", "gaia-mcp-candidate"];
const MODEL: &str = "/models/Qwen3-4B-Instruct-2507-heretic";

fn assert_all_healthy() {
    for name in LIVE.iter().chain(&STANDBYS) {
        assert_eq!(
            inspect(name, "{{.State.Health.Status}}"),
            "healthy",
            "{name}"
        );
    }
}

#[test]
fn sim_up_runs_the_whole_stack_healthy_with_published_ports_on_loopback_only() {
    let _stack = stack();
    assert_all_healthy();
    for (name, port) in [
        ("gaia-core", "6415"),
        ("gaia-web", "6414"),
        ("gaia-mcp-candidate", "8767"),
    ] {
        let bindings = inspect(name, "{{json .NetworkSettings.Ports}}");
        assert!(
            bindings.contains(&format!("\"HostIp\":\"127.0.0.1\",\"HostPort\":\"{port}\"")),
            "{name}: {bindings}"
        );
        assert!(
            !bindings.contains("0.0.0.0"),
            "{name} published beyond loopback: {bindings}"
        );
    }
    assert_eq!(
        inspect("gaia-wiki", "{{json .NetworkSettings.Ports}}"),
        "{}"
    );
    assert_eq!(inspect("gaia-core", "{{.Config.User}}"), "1000:1000");
    // --health-interval (2s unless told): how often Docker runs healthchecks.
    assert_eq!(
        inspect("gaia-core", "{{.Config.Healthcheck.Interval}}"),
        "2s"
    );
    assert_eq!(
        inspect("gaia-core", "{{.Config.Image}}"),
        "localhost:5000/gaia-core:local"
    );
    assert_eq!(
        inspect("gaia-orchestrator", "{{.Config.Image}}"),
        "gaia-orchestrator:latest"
    );
    assert!(inspect("gaia-network", "{{.Labels}}").contains("io.gaia.sim"));
    let (_, passwd) = docker(&["cp", "gaia-core:/etc/passwd", "-"]);
    assert!(passwd.contains(":1000:1000:"), "{passwd}");
}

#[test]
fn sim_status_reports_every_container_as_json() {
    let stack = stack();
    let ran = stack.gaia(["sim", "status", "--format", "json"]).run();
    ran.succeeds();
    let rows = ran.json();
    for name in LIVE.iter().chain(&STANDBYS) {
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["container"] == *name)
            .unwrap();
        assert_eq!(row["state"], "running", "{name}");
        assert_eq!(row["health"], "healthy", "{name}");
        assert_eq!(row["owner"], "gaia sim", "{name}");
    }
}

#[test]
fn the_simulated_services_answer_like_the_real_ones() {
    let _stack = stack();
    let t = Duration::from_secs(5);
    let (status, body) = http("GET", "http://127.0.0.1:7777/v1/models", None, t).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains(MODEL), "{body}");

    let (status, body) = http(
        "POST",
        "http://127.0.0.1:6415/process_packet",
        Some(r#"{"content":"hi"}"#),
        t,
    )
    .unwrap();
    assert_eq!(status, 422, "a packet without version is refused: {body}");
    assert!(body.contains("`version` is required"));
    let (status, body) = http(
        "POST",
        "http://127.0.0.1:6415/process_packet",
        Some(r#"{"version":"0.3","content":"hi"}"#),
        t,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["served_by"], "gaia-core");
    assert_eq!(answer["prime"]["served_by"], "gaia-prime");
    assert_eq!(answer["mcp_served_by"], "gaia-mcp");

    let (_, body) = http(
        "POST",
        "http://127.0.0.1:8765/jsonrpc",
        Some(r#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#),
        t,
    )
    .unwrap();
    let rpc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(rpc["id"], 7);
    assert!(
        rpc["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{body}"
    );

    let (_, body) = http("GET", "http://127.0.0.1:6410/status", None, t).unwrap();
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status["health_watchdog"]["ha_status"], "active", "{body}");

    // The tools the doctor calls inside production images answer too.
    assert_eq!(
        docker(&["exec", "gaia-web", "python", "-c", "import gaia_common"]).0,
        0
    );
    assert_eq!(
        docker(&["exec", "gaia-web", "python", "-c", "import not_installed"]).0,
        1
    );
    let (code, gpus) = docker(&["exec", "gaia-prime", "nvidia-smi", "-L"]);
    assert_eq!(code, 0);
    assert!(gpus.starts_with("GPU 0:"), "{gpus}");
    assert_ne!(
        docker(&["exec", "gaia-core", "nvidia-smi", "-L"]).0,
        0,
        "core sees no GPU"
    );
    assert_eq!(
        docker(&[
            "exec",
            "gaia-core",
            "curl",
            "-sf",
            "http://gaia-mcp:8765/health"
        ])
        .0,
        0
    );
    assert_eq!(
        docker(&[
            "exec",
            "gaia-core",
            "curl",
            "-sf",
            "http://gaia-nowhere:1/health"
        ])
        .0,
        6
    );
}

/// `docker exec gaia-core ARGS…`: the exit code, and stdout then stderr.
fn in_core(args: &[&str]) -> (i32, String) {
    docker(&[&["exec", "gaia-core"][..], args].concat())
}

#[test]
fn the_everyday_tools_answer_inside_the_containers_as_coreutils_and_wget_do() {
    let _stack = stack();
    // The container's environment may hold secrets: only single lines are
    // shown when an assertion fails, never the whole environment.
    assert_eq!(
        in_core(&["printenv", "GAIA_SIM_IMAGE"]),
        (0, "localhost:5000/gaia-core:local".to_owned())
    );
    assert_eq!(in_core(&["printenv", "GAIA_NOT_SET"]), (1, String::new()));
    let (code, all) = in_core(&["printenv"]);
    assert_eq!(code, 0);
    assert!(
        all.lines()
            .any(|l| l == "PATH=/usr/local/bin:/usr/bin:/bin"),
        "printenv lists no PATH=…"
    );
    let (code, all) = in_core(&["env"]);
    assert_eq!(code, 0);
    assert!(
        all.lines()
            .any(|l| l == "GAIA_SIM_IMAGE=localhost:5000/gaia-core:local"),
        "env lists no GAIA_SIM_IMAGE=…"
    );
    assert_eq!(
        in_core(&["env", "GREETING=hi", "printenv", "GREETING"]),
        (0, "hi".to_owned())
    );
    assert_eq!(
        in_core(&["env", "no-such-tool"]),
        (
            127,
            "env: 'no-such-tool': No such file or directory\n".to_owned()
        )
    );

    for (args, code) in [
        (&["test", "-f", "/etc/passwd"][..], 0),
        (&["test", "-d", "/etc/passwd"], 1),
        (&["test", "-e", "/nonexistent"], 1),
        (&["test", "-s", "/etc/group"], 0),
        (&["test", "-w", "/tmp"], 0),
        (&["test", "-w", "/etc/passwd"], 1),
        (&["test", "-n", ""], 1),
        (&["[", "-d", "/app", "]"], 0),
    ] {
        assert_eq!(in_core(args), (code, String::new()), "{args:?}");
    }
    assert_eq!(
        in_core(&["test", "a", "-gt", "1"]),
        (2, "test: invalid integer 'a'\n".to_owned())
    );

    let (code, group) = in_core(&["cat", "/etc/group"]);
    assert_eq!(code, 0);
    assert!(group.lines().any(|l| l == "gaia:x:1000:"), "{group}");
    assert_eq!(
        in_core(&["cat", "/nonexistent"]),
        (
            1,
            "cat: /nonexistent: No such file or directory\n".to_owned()
        )
    );

    let (code, names) = in_core(&["ls", "/etc"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = names.lines().collect();
    assert!(names.is_sorted(), "{names:?}");
    for name in ["group", "hostname", "passwd"] {
        assert!(names.contains(&name), "ls /etc lacks {name}: {names:?}");
    }
    let (code, long) = in_core(&["ls", "-l", "/etc/passwd"]);
    assert_eq!(code, 0);
    assert!(long.starts_with("-rw-r--r-- 1 root root "), "{long}");
    assert!(long.ends_with(" /etc/passwd"), "{long}");
    assert_eq!(
        in_core(&["ls", "/nonexistent"]),
        (
            2,
            "ls: cannot access '/nonexistent': No such file or directory\n".to_owned()
        )
    );

    assert_eq!(
        in_core(&["id"]),
        (
            0,
            "uid=1000(gaia) gid=1000(gaia) groups=1000(gaia)".to_owned()
        )
    );
    assert_eq!(in_core(&["id", "-un"]), (0, "gaia".to_owned()));
    assert_eq!(in_core(&["id", "-g"]), (0, "1000".to_owned()));

    let (code, health) = in_core(&["wget", "-q", "-O", "-", "http://gaia-mcp:8765/health"]);
    assert_eq!(code, 0, "{health}");
    assert!(health.contains("\"instance\":\"gaia-mcp\""), "{health}");
    let saved = ["-q", "-O", "/tmp/health", "http://gaia-mcp:8765/health"];
    assert_eq!(
        in_core(&[&["wget"][..], &saved].concat()),
        (0, String::new())
    );
    assert_eq!(in_core(&["cat", "/tmp/health"]), (0, health));
    assert_eq!(
        in_core(&["wget", "-q", "-O", "-", "http://gaia-mcp:8765/no-such-page"]),
        (8, String::new()),
        "a 404 is wget's server error"
    );
    assert_eq!(
        in_core(&["wget", "-qO-", "http://gaia-nowhere:1/"]),
        (4, String::new()),
        "an unknown host is wget's network failure"
    );
}

#[test]
fn web_fails_over_to_the_core_standby_after_the_retry_schedule() {
    let stack = stack();
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    docker(&["stop", "gaia-core"]);
    let started = std::time::Instant::now();
    let (status, body) = http(
        "POST",
        "http://127.0.0.1:6414/process_user_input",
        Some(r#"{"user_input":"are you there?"}"#),
        Duration::from_secs(30),
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["served_by"], "gaia-core-candidate", "{body}");
    assert_eq!(answer["fallback"], true);
    // Base delay 200 ms: waits of 0.2 s and 0.4 s between the three attempts.
    assert!(
        took >= Duration::from_millis(600),
        "failed over too early: {took:?}"
    );
    assert!(
        took < Duration::from_secs(5),
        "failed over too late: {took:?}"
    );
    let (_, logs) = docker(&["logs", "--since", &since, "gaia-web"]);
    for line in [
        "core attempt 1/3 to http://gaia-core:6415 failed",
        "retrying in 0.2s",
        "core attempt 2/3",
        "retrying in 0.4s",
        "exhausted 3 attempts",
        "HA fallback to http://gaia-core-candidate:6415 succeeded (served by gaia-core-candidate)",
    ] {
        assert!(logs.contains(line), "web's log lacks {line:?}:\n{logs}");
    }
    let (_, body) = http(
        "GET",
        "http://127.0.0.1:6410/status",
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(body.contains("failover_active"), "{body}");

    // In maintenance mode web does not fail over.
    stack.fault(&["maintenance-on"]);
    let (status, body) = http(
        "POST",
        "http://127.0.0.1:6414/process_user_input",
        Some(r#"{"user_input":"x"}"#),
        Duration::from_secs(30),
    )
    .unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("maintenance"), "{body}");
    stack.heal();
    assert_all_healthy();
}

#[test]
fn faults_on_switches_and_files_show_and_heal_undoes_them() {
    let stack = stack();
    stack.fault(&["health-500"]);
    stack.fault(&["no-model"]);
    stack.fault(&["sessions-stale"]);
    stack.fault(&["library-drift"]);
    stack.fault(&["shared-dir-root-owned"]);
    stack.fault(&["health-hang", "--service", "gaia-orchestrator"]);

    let t = Duration::from_secs(3);
    assert_eq!(
        http("GET", "http://127.0.0.1:8766/health", None, t)
            .unwrap()
            .0,
        500
    );
    let (_, models) = http("GET", "http://127.0.0.1:7777/v1/models", None, t).unwrap();
    assert!(!models.contains(MODEL), "{models}");
    assert_eq!(
        http("GET", "http://127.0.0.1:7777/health", None, t)
            .unwrap()
            .0,
        200,
        "vLLM answers /health without a model"
    );
    let hung = http(
        "GET",
        "http://127.0.0.1:6410/health",
        None,
        Duration::from_secs(1),
    );
    assert!(
        hung.as_ref().is_err_and(|e| e.contains("timed out")),
        "{hung:?}"
    );
    let entry = archived("gaia-core", "/shared/sessions.json");
    assert!(
        entry.age() > Duration::from_secs(3000),
        "sessions.json is {:?} old",
        entry.age()
    );
    assert_eq!(archived("gaia-core-candidate", "/shared/council").uid, 0);
    let live = resilience(&stack, "gaia-common");
    let candidate = resilience(&stack, "candidates/gaia-common");
    assert_ne!(live, candidate);

    stack.heal();
    assert_all_healthy();
    assert_eq!(
        http("GET", "http://127.0.0.1:8766/health", None, t)
            .unwrap()
            .0,
        200
    );
    assert!(
        http("GET", "http://127.0.0.1:7777/v1/models", None, t)
            .unwrap()
            .1
            .contains(MODEL)
    );
    assert!(archived("gaia-core", "/shared/sessions.json").age() < Duration::from_secs(60));
    assert_eq!(archived("gaia-core-candidate", "/shared/council").uid, 1000);
    let candidate = resilience(&stack, "candidates/gaia-common");
    assert_eq!(live, candidate);
}

#[test]
fn faults_that_recreate_containers_show_and_heal_undoes_them() {
    let stack = stack();
    stack.fault(&["core-gpu"]);
    stack.fault(&["no-fallback-env"]);
    stack.fault(&["no-gaia-common"]);
    stack.fault(&["stale-candidate-image"]);
    stack.fault(&["image-without-user", "--service", "gaia-mcp-candidate"]);

    assert!(inspect("gaia-core", "{{json .HostConfig.Devices}}").contains("/dev/nvidia0"));
    assert_eq!(docker(&["exec", "gaia-core", "nvidia-smi", "-L"]).0, 0);
    let env = inspect("gaia-web", "{{json .Config.Env}}");
    assert!(env.contains("\"CORE_FALLBACK_ENDPOINT=\""), "{env}");
    assert!(env.contains("\"PYTHONPATH=/app\""), "{env}");
    assert_eq!(
        docker(&["exec", "gaia-web", "python", "-c", "import gaia_common"]).0,
        1
    );
    let created = inspect("localhost:5000/gaia-core-candidate:local", "{{.Created}}");
    let created = humantime::parse_rfc3339_weak(&created).unwrap();
    assert!(
        created.elapsed().unwrap() > Duration::from_secs(20 * 24 * 3600),
        "candidate image is recent"
    );
    let (_, passwd) = docker(&["cp", "gaia-mcp-candidate:/etc/passwd", "-"]);
    assert!(!passwd.contains(":1000:"), "{passwd}");

    stack.heal();
    assert_all_healthy();
    assert!(!inspect("gaia-core", "{{json .HostConfig.Devices}}").contains("nvidia"));
    let env = inspect("gaia-web", "{{json .Config.Env}}");
    assert!(
        env.contains("CORE_FALLBACK_ENDPOINT=http://gaia-core-candidate:6415"),
        "{env}"
    );
    assert_eq!(
        docker(&["exec", "gaia-web", "python", "-c", "import gaia_common"]).0,
        0
    );
    let (_, passwd) = docker(&["cp", "gaia-mcp-candidate:/etc/passwd", "-"]);
    assert!(passwd.contains(":1000:"), "{passwd}");
}

#[test]
fn faults_on_containers_and_networks_show_and_heal_undoes_them() {
    let stack = stack();
    stack.fault(&["exited"]);
    stack.fault(&["unhealthy"]);
    stack.fault(&["restart-loop"]);
    stack.fault(&["standby-down"]);
    stack.fault(&["mangled-name"]);
    stack.fault(&["shared-dir-missing"]);
    stack.fault(&["network-detached", "--service", "gaia-wiki"]);

    assert_eq!(inspect("gaia-web", "{{.State.Status}}"), "exited");
    assert_eq!(inspect("gaia-mcp", "{{.State.Health.Status}}"), "unhealthy");
    assert!(
        inspect("gaia-study", "{{.RestartCount}}")
            .parse::<u32>()
            .unwrap()
            > 5
    );
    assert_eq!(inspect("gaia-mcp-candidate", "{{.State.Status}}"), "exited");
    assert_eq!(
        inspect("gaia-core", "{{.Name}}"),
        "",
        "gaia-core is gone under its own name"
    );
    let (_, names) = docker(&[
        "ps",
        "--filter",
        "label=com.docker.compose.service=gaia-core",
        "--format",
        "{{.Names}}",
    ]);
    assert!(
        names.trim().ends_with("_gaia-core") && names.trim().len() == 12 + 1 + 9,
        "{names}"
    );
    assert_ne!(
        docker(&["cp", "gaia-core-candidate:/shared/council", "-"]).0,
        0
    );
    assert!(!inspect("gaia-wiki", "{{json .NetworkSettings.Networks}}").contains("gaia-network"));

    stack.heal();
    assert_all_healthy();
    assert_eq!(inspect("gaia-study", "{{.RestartCount}}"), "0");
    assert!(inspect("gaia-wiki", "{{json .NetworkSettings.Networks}}").contains("gaia-network"));
    assert_eq!(
        docker(&["exec", "gaia-web", "curl", "-sf", "http://gaia-wiki:8080/"]).0,
        0
    );

    stack.fault(&["standbys-down"]);
    assert_eq!(
        inspect("gaia-core-candidate", "{{.State.Status}}"),
        "exited"
    );
    assert_eq!(inspect("gaia-mcp-candidate", "{{.State.Status}}"), "exited");
    stack.fault(&["network-missing"]);
    assert_ne!(docker(&["network", "inspect", "gaia-network"]).0, 0);
    stack.heal();
    assert_all_healthy();
    assert_eq!(
        docker(&[
            "exec",
            "gaia-core",
            "curl",
            "-sf",
            "http://gaia-mcp:8765/health"
        ])
        .0,
        0
    );
}

#[test]
fn sim_down_removes_everything_it_made_and_nothing_else() {
    let stack = stack();
    stack.gaia(["sim", "down"]).run().succeeds();
    let (_, left) = docker(&[
        "ps",
        "-a",
        "--filter",
        "label=io.gaia.sim",
        "--format",
        "{{.Names}}",
    ]);
    assert_eq!(left.trim(), "", "containers left: {left}");
    assert_ne!(docker(&["network", "inspect", "gaia-network"]).0, 0);
    for volume in [
        "gaia-shared",
        "gaia-sandbox",
        "gaia-candidate-shared",
        "gaia-candidate-sandbox",
    ] {
        assert_ne!(docker(&["volume", "inspect", volume]).0, 0, "{volume} left");
    }

    // A look-alike the simulation did not create is never touched.
    let look_alike = LookAlike::create("gaia-core");
    stack
        .gaia(["sim", "down"])
        .run()
        .succeeds()
        .says("left alone, not created by gaia sim: container gaia-core");
    stack
        .gaia(["sim", "up"])
        .run()
        .exits(5)
        .says("refusing to touch what gaia sim did not create")
        .says("container gaia-core");
    stack
        .gaia(["sim", "fault", "exited", "--service", "gaia-core"])
        .run()
        .exits(5)
        .says("gaia-core was not created by gaia sim");
    assert_eq!(inspect("gaia-core", "{{.State.Status}}"), "created");
    drop(look_alike);

    // With --images the images go too, and the tags promotions kept for
    // rollback, those of the versions they kept (`rollback --to`) too.
    let rollback = "localhost:5000/gaia-prime:gaia-rollback";
    let kept = "localhost:5000/gaia-prime:gaia-0123456789ab";
    for tag in [rollback, kept] {
        assert_eq!(
            docker(&["tag", "localhost:5000/gaia-prime:local", tag]).0,
            0
        );
    }
    let store = stack.root.join(".gaia/versions/gaia-prime/0123456789ab");
    std::fs::create_dir_all(&store).unwrap();
    let version = serde_json::json!({
        "id": "0123456789ab",
        "service": "gaia-prime",
        "image_id": null,
        "digest": null,
        "kept_at": "2026-12-01T08:00:00.000Z",
        "run": "1-1",
        "files": false,
        "image_tag": kept,
    });
    std::fs::write(store.join("version.json"), version.to_string()).unwrap();
    stack
        .gaia(["sim", "down", "--images"])
        .run()
        .succeeds()
        .says(&format!("image {rollback}"))
        .says(&format!("image {kept}"));
    std::fs::remove_dir_all(&store).unwrap();
    for image in ["localhost:5000/gaia-prime:local", rollback, kept] {
        assert_eq!(inspect(image, "{{.Id}}"), "", "{image} left");
    }
    // The next story finds the stack up again.
    stack.up();
}

/// A container with a GAIA name that gaia sim did not create; removed on drop,
/// whatever the test's outcome, so it cannot block later runs.
struct LookAlike(&'static str);

impl LookAlike {
    fn create(name: &'static str) -> LookAlike {
        let (code, out) = docker(&["create", "--name", name, "localhost:5000/gaia-core:local"]);
        assert_eq!(code, 0, "{out}");
        LookAlike(name)
    }
}

impl Drop for LookAlike {
    fn drop(&mut self) {
        docker(&["rm", "-f", self.0]);
    }
}

/// The shared-library file the library-drift fault changes, in one copy.
fn resilience(stack: &common::Stack, package: &str) -> String {
    let file = stack
        .root
        .join(package)
        .join("gaia_common/utils/resilience.py");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

struct Archived {
    uid: u64,
    mtime: u64,
}

impl Archived {
    fn age(&self) -> Duration {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Duration::from_secs(now.saturating_sub(self.mtime))
    }
}

/// Owner and modification time of a path in a container, via `docker cp`.
fn archived(container: &str, path: &str) -> Archived {
    let output = std::process::Command::new("docker")
        .args(["cp", &format!("{container}:{path}"), "-"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "docker cp {container}:{path}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut archive = tar::Archive::new(&output.stdout[..]);
    let entry = archive.entries().unwrap().next().unwrap().unwrap();
    let header = entry.header();
    Archived {
        uid: header.uid().unwrap(),
        mtime: header.mtime().unwrap(),
    }
}

#[test]
fn gaia_doctor_sees_the_container_state_of_the_simulated_stack() {
    let stack = stack();
    let ran = stack.gaia(["doctor", "--format", "json"]).run();
    ran.succeeds();
    let report = ran.json();
    assert_eq!(report["summary"]["failures"], 0, "{report}");
    assert_eq!(report["summary"]["warnings"], 0, "{report}");
    stack.fault(&["exited", "--service", "gaia-study"]);
    let ran = gaia(["doctor", "--service", "gaia-study"]).run();
    ran.exits(2).says("gaia-study exited");
    stack.heal();
}

#[test]
fn sim_fault_and_heal_find_the_running_stack_from_anywhere() {
    let _stack = stack();
    // No --root, and a directory that is not the root: the stack's
    // containers say where it was started from, as they do for the doctor.
    let elsewhere = tempfile::tempdir().unwrap();
    common::gaia(["sim", "fault", "exited", "--service", "gaia-web"])
        .in_dir(elsewhere.path())
        .run()
        .succeeds()
        .says("stopped gaia-web");
    assert_eq!(inspect("gaia-web", "{{.State.Status}}"), "exited");
    common::gaia(["sim", "heal", "--health-timeout", "120s"])
        .in_dir(elsewhere.path())
        .run()
        .succeeds();
    assert_eq!(inspect("gaia-web", "{{.State.Status}}"), "running");
}

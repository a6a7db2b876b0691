//! `gaia ha` and `gaia failover-test` against the simulated stack on the
//! real engine (web's retry base delay shortened to 200 ms): the operator
//! takes the standbys down and up, drills a failover, interrupts it, kills
//! it, and always finds the live service back.

mod common;

use std::time::{Duration, Instant};

use common::{Stack, docker, inspect, stack};
use serde_json::Value;

const HA_SCHEMA: &str = include_str!("../docs/ha.schema.json");
const FAILOVER_SCHEMA: &str = include_str!("../docs/failover.schema.json");

fn running(container: &str) -> bool {
    inspect(container, "{{.State.Running}}") == "true"
}

/// Who answers a request through web right now.
fn web_served_by() -> String {
    let (status, body) = common::http(
        "POST",
        "http://127.0.0.1:6414/process_user_input",
        Some(r#"{"user_input": "who answers?"}"#),
        Duration::from_secs(30),
    )
    .expect("web answers");
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    body["served_by"].as_str().unwrap().to_owned()
}

fn ha_status(stack: &Stack) -> (i32, Value) {
    let ran = stack.gaia(["ha", "status", "--format", "json"]).run();
    let status = ran.json();
    common::assert_schema(HA_SCHEMA, &status);
    (ran.code, status)
}

fn drill(stack: &Stack, args: &[&str]) -> (i32, Value) {
    let ran = stack
        .gaia([&["failover-test", "--yes", "--format", "json"][..], args].concat())
        .run();
    let report = ran.json();
    common::assert_schema(FAILOVER_SCHEMA, &report);
    (ran.code, report)
}

fn journal(stack: &Stack) -> std::path::PathBuf {
    stack.root.join(".gaia/failover-journal.json")
}

#[test]
fn ha_start_brings_the_standbys_up_with_their_directories_and_stop_takes_only_them_down() {
    let stack = stack();
    let live = [
        "gaia-orchestrator",
        "gaia-prime",
        "gaia-core",
        "gaia-web",
        "gaia-mcp",
    ];
    let ids: Vec<String> = live.iter().map(|c| inspect(c, "{{.Id}}")).collect();

    stack.gaia(["ha", "stop", "--yes"]).run().succeeds();
    assert_eq!(inspect("gaia-core-candidate", "{{.Id}}"), "");
    assert_eq!(inspect("gaia-mcp-candidate", "{{.Id}}"), "");
    for (container, id) in live.iter().zip(&ids) {
        assert_eq!(
            &inspect(container, "{{.Id}}"),
            id,
            "{container} was touched"
        );
        assert!(running(container), "{container} stopped");
    }
    // A host where the standbys never ran: no candidate volume, no directories.
    let (code, out) = docker(&["volume", "rm", "gaia-candidate-shared"]);
    assert_eq!(code, 0, "{out}");
    let (code, status) = ha_status(&stack);
    assert_eq!(code, 1);
    assert_eq!(status["ready"], false);
    assert_eq!(status["pairs"][0]["standby_state"], "missing");

    stack
        .gaia(["ha", "start"])
        .run()
        .succeeds()
        .says("✓ gaia-web CORE_FALLBACK_ENDPOINT")
        .says("✓ gaia-core MCP_FALLBACK_ENDPOINT");
    for dir in ["council", "lite_journal", "temporal_states", "timeline"] {
        let (code, owner) = docker(&[
            "exec",
            "gaia-core-candidate",
            "stat",
            "-c",
            "%u",
            &format!("/shared/{dir}"),
        ]);
        assert_eq!((code, owner.trim()), (0, "1000"), "/shared/{dir}");
    }
    let (code, status) = ha_status(&stack);
    assert_eq!(code, 0, "{status:#}");
    assert_eq!(status["ready"], true);
    assert_eq!(status["maintenance"]["on"], false);
    assert_eq!(status["orchestrator"]["ha_status"], "active");
    let pairs: Vec<(&str, &str, bool)> = status["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["primary"].as_str().unwrap(),
                p["standby"].as_str().unwrap(),
                p["standby_healthy"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("gaia-core", "gaia-core-candidate", true),
            ("gaia-mcp", "gaia-mcp-candidate", true)
        ]
    );
}

#[test]
fn maintenance_mode_is_set_with_who_when_and_why_and_blocks_the_drill() {
    let stack = stack();
    let core_started = inspect("gaia-core", "{{.State.StartedAt}}");
    stack
        .gaia(["ha", "maintenance", "on", "--reason", "kernel upgrade"])
        .run()
        .succeeds()
        .says("maintenance mode ON");
    let ran = stack
        .gaia(["ha", "maintenance", "status", "--format", "json"])
        .run();
    ran.exits(1);
    let flag = ran.json();
    assert_eq!(flag["on"], true);
    assert_eq!(flag["flag"]["reason"], "kernel upgrade");
    assert!(flag["flag"]["set_by"].as_str().unwrap().contains('@'));
    assert!(humantime::parse_rfc3339(flag["flag"]["set_at"].as_str().unwrap()).is_ok());
    let (_, status) = ha_status(&stack);
    assert_eq!(status["maintenance"]["flag"]["reason"], "kernel upgrade");

    stack
        .gaia(["failover-test", "--yes"])
        .run()
        .exits(5)
        .says("maintenance mode is on")
        .says("nothing was changed");
    assert_eq!(inspect("gaia-core", "{{.State.StartedAt}}"), core_started);
    assert!(!journal(&stack).exists());

    stack
        .gaia(["ha", "maintenance", "off"])
        .run()
        .succeeds()
        .says("it was set by");
    stack
        .gaia(["ha", "maintenance", "status"])
        .run()
        .succeeds()
        .says("maintenance mode off");
}

/// The doctor's ha.maintenance finding.
fn maintenance_check(stack: &Stack) -> Value {
    let ran = stack
        .gaia(["doctor", "--category", "ha", "--format", "json"])
        .run();
    ran.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ha.maintenance")
        .expect("the doctor looks at the maintenance flag")
        .clone()
}

#[test]
fn a_maintenance_window_expires_is_said_to_be_off_and_still_blocks_the_drill() {
    let stack = stack();
    // Long enough for the doctor and a status to see it in force first.
    stack
        .gaia(["ha", "maintenance", "on", "--for", "10s", "--reason", "x"])
        .run()
        .succeeds()
        .says("maintenance mode ON")
        .says("expires at");
    let check = maintenance_check(&stack);
    assert_eq!(check["severity"], "warn", "{check:#}");
    let message = check["message"].as_str().unwrap();
    assert!(message.starts_with("maintenance mode ON"), "{message}");
    assert!(
        message.contains("on for ") && message.contains(", until "),
        "{message}"
    );
    let ran = stack
        .gaia(["ha", "maintenance", "status", "--format", "json"])
        .run();
    ran.exits(1);
    let status = ran.json();
    assert_eq!(
        (status["on"].clone(), status["expired"].clone()),
        (true.into(), false.into())
    );
    let expires_at = status["flag"]["expires_at"].as_str().unwrap().to_owned();
    let expires = humantime::parse_rfc3339(&expires_at).unwrap();
    let set = humantime::parse_rfc3339(status["flag"]["set_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires.duration_since(set).unwrap(),
        Duration::from_secs(10)
    );

    // The flag records its expiry to the second: a second more is past it.
    if let Ok(left) = expires.duration_since(std::time::SystemTime::now()) {
        std::thread::sleep(left + Duration::from_secs(1));
    }
    let check = maintenance_check(&stack);
    assert_eq!(check["severity"], "warn", "{check:#}");
    assert_eq!(check["remediation"], "gaia ha maintenance off");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("maintenance flag expired at {expires_at}")),
        "{message}"
    );
    assert!(
        message.contains("(x)") && message.contains("treated as off"),
        "{message}"
    );
    stack
        .gaia(["ha", "maintenance", "status"])
        .run()
        .exits(1)
        .says(&format!("expired at {expires_at}"));
    let ran = stack
        .gaia(["ha", "maintenance", "status", "--format", "json"])
        .run();
    let status = ran.json();
    assert_eq!(
        (status["on"].clone(), status["expired"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(status["flag"]["expires_at"], expires_at.as_str());
    let (code, status) = ha_status(&stack);
    assert_eq!(code, 1);
    assert_eq!(status["maintenance"]["on"], false);
    assert_eq!(status["maintenance"]["expired"], true);

    // Web still reads the file: a drill now would stop core for nothing.
    stack
        .gaia(["failover-test", "--yes"])
        .run()
        .exits(5)
        .says("the maintenance flag expired")
        .says("nothing was changed");
    stack.gaia(["ha", "maintenance", "off"]).run().succeeds();
    assert_eq!(maintenance_check(&stack)["severity"], "pass");
}

#[test]
fn a_core_failover_is_served_by_the_standby_and_core_serves_again() {
    let stack = stack();
    let (code, report) = drill(&stack, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "failover-worked");
    assert_eq!(report["served_by"], "gaia-core-candidate");
    let events: Vec<&str> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let failed = events
        .iter()
        .filter(|e| e.starts_with("failed attempt"))
        .count();
    assert_eq!(failed, 3, "{events:#?}");
    assert!(events.iter().any(|e| e.starts_with("fallback served")));
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("first request served by gaia-core"))
    );
    // Three attempts with 200 ms then 400 ms between them, then the fallback.
    let latency = report["failover_latency_ms"].as_u64().unwrap();
    assert!((600..5_000).contains(&latency), "latency {latency} ms");
    assert!(report["recovery_ms"].as_u64().is_some());

    assert!(running("gaia-core"));
    assert_eq!(web_served_by(), "gaia-core");
    assert!(!journal(&stack).exists());

    // The same drill, as an operator reads it.
    stack
        .gaia(["failover-test", "--yes"])
        .run()
        .succeeds()
        .says("T+")
        .says("failed attempt (gaia-web log): core attempt 1/3")
        .says("Failover latency:")
        .says("failover worked");
}

#[test]
fn an_mcp_failover_goes_through_core() {
    let stack = stack();
    let (code, report) = drill(&stack, &["--service", "gaia-mcp"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["front"], "gaia-core");
    assert_eq!(report["served_by"], "gaia-mcp-candidate");
    assert!(report["timeline"].as_array().unwrap().iter().any(|e| {
        e["event"]
            .as_str()
            .unwrap()
            .starts_with("fallback served (gaia-core log)")
    }));
    assert!(running("gaia-mcp"));
}

/// Starts a drill that holds core down, and waits until core is down.
fn drill_holding_core_down(stack: &Stack) -> std::process::Child {
    let child = stack
        .gaia(["failover-test", "--yes", "--hold", "120s"])
        .spawn();
    let started = Instant::now();
    while running("gaia-core") || !journal(stack).exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the drill never stopped gaia-core"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

fn signal(child: &std::process::Child, signal: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, signal).expect("the drill is running");
}

#[test]
fn ctrl_c_during_the_outage_puts_core_back_and_a_second_is_told_it_still_does() {
    let stack = stack();
    let child = drill_holding_core_down(&stack);
    signal(&child, nix::sys::signal::Signal::SIGINT);
    // Pressed again while core is being put back.
    let started = Instant::now();
    while !running("gaia-core") && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&child, nix::sys::signal::Signal::SIGINT);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("putting gaia-core back"), "{stderr}");
    assert!(stderr.contains("still putting gaia-core back"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("interrupted; gaia-core was put back"));
    assert!(running("gaia-core"));
    assert_eq!(web_served_by(), "gaia-core");
    assert!(!journal(&stack).exists());
}

#[test]
fn a_killed_drill_is_reported_by_the_doctor_and_recovered_from_its_journal() {
    let stack = stack();
    let mut child = drill_holding_core_down(&stack);
    signal(&child, nix::sys::signal::Signal::SIGKILL);
    child.wait().unwrap();
    assert!(!running("gaia-core"), "nothing put core back");

    let ran = stack.gaia(["doctor", "--format", "json"]).run();
    ran.exits(2);
    let report = ran.json();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ha.failover-journal")
        .expect("the doctor looks for a leftover journal");
    assert_eq!(check["severity"], "fail", "{check:#}");
    assert_eq!(check["remediation"], "gaia failover-test --recover");

    // A new drill will not start on top of the unfinished one.
    stack
        .gaia(["failover-test", "--yes"])
        .run()
        .exits(5)
        .says("--recover");

    let (code, recovered) = drill(&stack, &["--recover"]);
    assert_eq!(code, 0, "{recovered:#}");
    assert_eq!(recovered["verdict"], "recovered");
    assert!(running("gaia-core"));
    assert!(!journal(&stack).exists());
    assert_eq!(web_served_by(), "gaia-core");
    stack
        .gaia(["failover-test", "--recover"])
        .run()
        .succeeds()
        .says("nothing to recover");
}

#[test]
fn a_drill_whose_standby_cannot_be_reached_exits_2_and_core_serves_again() {
    let stack = stack();
    // The standby runs and is healthy, but web cannot reach it.
    stack.fault(&["network-detached", "--service", "gaia-core-candidate"]);
    let (code, report) = drill(&stack, &["--serve-timeout", "30s"]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(report["verdict"], "no-failover");
    assert!(
        !report["problems"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert!(running("gaia-core"));
    assert_eq!(web_served_by(), "gaia-core");
    assert!(!journal(&stack).exists());
}

#[test]
fn a_drill_that_cannot_put_core_back_exits_3_keeps_its_journal_and_recover_finishes_it() {
    let stack = stack();
    // core's live source now fails at start: the drill cannot bring it back.
    let broken = common::Removed(stack.root.join("gaia-core/.gaia-sim-broken"));
    std::fs::write(&broken.0, "").unwrap();
    let (code, report) = drill(&stack, &["--serve-timeout", "20s"]);
    drop(broken);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["verdict"], "restore-failed");
    assert_eq!(report["served_by"], "gaia-core-candidate");
    assert!(
        journal(&stack).exists(),
        "the journal stays until core serves"
    );

    let (code, recovered) = drill(&stack, &["--recover"]);
    assert_eq!(code, 0, "{recovered:#}");
    assert!(!journal(&stack).exists());
    assert_eq!(web_served_by(), "gaia-core");
}

#[test]
fn ha_start_exits_2_when_a_standby_does_not_become_healthy() {
    let stack = stack();
    stack.gaia(["ha", "stop", "--yes"]).run().succeeds();
    let _broken = {
        let marker = common::Removed(stack.root.join("candidates/gaia-mcp/.gaia-sim-broken"));
        std::fs::write(&marker.0, "").unwrap();
        marker
    };
    stack
        .gaia(["ha", "start", "--health-timeout", "20s"])
        .run()
        .exits(2)
        .says("gaia-mcp-candidate");
}

#[test]
fn sigterm_while_core_is_down_and_sighup_while_it_is_put_back_both_end_with_core_serving() {
    use nix::sys::signal::Signal::{SIGHUP, SIGTERM};
    let stack = stack();

    let mut held_down = stack
        .gaia(["failover-test", "--yes", "--hold", "120s"])
        .start();
    held_down
        .waits_for("gaia-core stopped", Duration::from_secs(60))
        .signal(SIGTERM);
    let ran = held_down.finish();
    ran.exits(143).says("SIGTERM: putting gaia-core back");
    assert!(
        ran.stdout.contains("interrupted; gaia-core was put back"),
        "{}",
        ran.stdout
    );
    assert!(running("gaia-core"));
    assert_eq!(web_served_by(), "gaia-core");
    assert!(!journal(&stack).exists());

    let mut restoring = stack.gaia(["failover-test", "--yes"]).start();
    restoring
        .waits_for("start issued: gaia-core", Duration::from_secs(60))
        .signal(SIGHUP);
    restoring
        .finish()
        .exits(129)
        .says("SIGHUP: gaia is putting gaia-core back");
    assert!(running("gaia-core"));
    assert_eq!(web_served_by(), "gaia-core");
    assert!(!journal(&stack).exists());
}

#[test]
fn every_command_that_changes_live_is_refused_while_another_holds_the_lock() {
    let stack = stack();
    let held = stack.hold_lock("promote gaia-core");
    let standbys = [
        inspect("gaia-core-candidate", "{{.Id}} {{.State.StartedAt}}"),
        inspect("gaia-mcp-candidate", "{{.Id}} {{.State.StartedAt}}"),
    ];
    for command in [
        &["ha", "stop"][..],
        &["ha", "start"],
        &["ha", "maintenance", "on", "--reason", "test"],
        &["failover-test"],
        &["failover-test", "--recover"],
        &["doctor", "--fix"],
        &["rollback", "gaia-core"],
    ] {
        stack
            .gaia(command)
            .run()
            .exits(4)
            .says("`gaia promote gaia-core` by tester@test-host")
            .says("nothing was changed");
    }
    assert_eq!(
        standbys,
        [
            inspect("gaia-core-candidate", "{{.Id}} {{.State.StartedAt}}"),
            inspect("gaia-mcp-candidate", "{{.Id}} {{.State.StartedAt}}"),
        ],
        "the standbys were not touched"
    );
    stack
        .gaia(["ha", "maintenance", "status"])
        .run()
        .succeeds()
        .says("maintenance mode off");
    // Commands that only look need no lock.
    stack.gaia(["ha", "status"]).run().succeeds();
    stack
        .gaia(["doctor", "--fix", "--dry-run"])
        .run()
        .succeeds();

    // A drill waiting for the lock is stopped by a signal before it starts.
    let mut waiting = stack.gaia(["failover-test", "--wait", "60s"]).start();
    std::thread::sleep(Duration::from_millis(500));
    waiting.signal(nix::sys::signal::Signal::SIGTERM);
    waiting
        .finish()
        .exits(143)
        .says("stopped by SIGTERM before anything was changed");
    assert!(running("gaia-core"));
    drop(held);
}

/// The lines of the root's audit log.
fn audit_log(stack: &Stack) -> Vec<Value> {
    std::fs::read_to_string(stack.root.join(".gaia/audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn dry_runs_change_nothing_and_every_change_is_audited() {
    use std::os::unix::fs::PermissionsExt as _;
    let stack = stack();
    let watched = ["gaia-core", "gaia-core-candidate", "gaia-mcp-candidate"];
    let state = || {
        watched
            .map(|c| inspect(c, "{{.Id}} {{.State.StartedAt}} {{.State.Running}}"))
            .to_vec()
    };
    let before = state();
    let audited = audit_log(&stack).len();

    for (command, says) in [
        (
            &["ha", "stop", "--dry-run"][..],
            "stop and remove gaia-core-candidate",
        ),
        (&["ha", "start", "--dry-run"], "up -d"),
        (
            &["ha", "maintenance", "on", "--reason", "x", "--dry-run"],
            "write /shared/ha_maintenance",
        ),
        (
            &["ha", "maintenance", "on", "--for", "30m", "--dry-run"],
            "it expires at",
        ),
        (
            &["failover-test", "--dry-run"],
            "stop gaia-core (never removed)",
        ),
        (
            &["failover-test", "--recover", "--dry-run"],
            "nothing: no unfinished failover drill",
        ),
        (&["rollback", "gaia-core", "--dry-run"], "lock "),
    ] {
        let ran = stack.gaia(command).run();
        // 5: a rollback with nothing to go back to says so, dry run or not.
        assert!([0, 1, 5].contains(&ran.code), "{ran:?}");
        ran.says("would (dry run: nothing is changed)").says(says);
    }
    let plan = stack
        .gaia(["ha", "stop", "--dry-run", "--format", "json"])
        .run();
    plan.succeeds();
    assert_eq!(plan.json()["schema"], "gaia.plan/1");
    assert_eq!(state(), before, "a dry run changed a container");
    stack
        .gaia(["ha", "maintenance", "status"])
        .run()
        .succeeds()
        .says("maintenance mode off");
    assert_eq!(audit_log(&stack).len(), audited, "a dry run was audited");

    stack
        .gaia(["ha", "maintenance", "on", "--reason", "audit story"])
        .run()
        .succeeds();
    stack.gaia(["ha", "maintenance", "off"]).run().succeeds();
    let log = audit_log(&stack);
    let new: Vec<(String, u64)> = log[audited..]
        .iter()
        .map(|e| {
            assert_eq!(e["schema"], "gaia.audit/1", "{e:#}");
            (
                e["command"].as_str().unwrap().to_owned(),
                e["exit_code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        new,
        [
            ("ha maintenance on".to_owned(), 0),
            ("ha maintenance off".to_owned(), 0)
        ]
    );
    let mode = std::fs::metadata(stack.root.join(".gaia/audit.jsonl"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the audit log is its owner's alone");
}

/// What the live stack is, container by container: a refused or declined
/// command must leave every one of them as it was (same container, same
/// state, not restarted).
fn containers_now() -> Vec<String> {
    [
        "gaia-orchestrator",
        "gaia-prime",
        "gaia-core",
        "gaia-web",
        "gaia-mcp",
        "gaia-core-candidate",
        "gaia-mcp-candidate",
    ]
    .iter()
    .map(|c| {
        inspect(
            c,
            "{{.Name}} {{.Id}} {{.State.Status}} {{.State.StartedAt}}",
        )
    })
    .collect()
}

/// The lines of a log in the root, none when it is not there.
fn log_lines(stack: &Stack, log: &str) -> Vec<Value> {
    std::fs::read_to_string(stack.root.join(log))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn off_a_terminal_what_stops_or_replaces_live_is_refused_without_yes() {
    let stack = stack();
    // Something to roll back to, so that rollback gets as far as asking.
    let backup = stack.root.join("gaia-common.bak");
    let made_backup = !backup.exists();
    if made_backup {
        std::fs::create_dir_all(&backup).unwrap();
    }
    let before = containers_now();
    let promotions = log_lines(&stack, ".gaia/promotions.jsonl").len();
    let audited = log_lines(&stack, ".gaia/audit.jsonl").len();
    let commands: [&[&str]; 5] = [
        &["ha", "stop"],
        &["failover-test"],
        &["rollback", "gaia-common"],
        &["promote", "gaia-core", "--no-backup"],
        &["promote", "gaia-web", "--force"],
    ];
    for command in commands {
        stack
            .gaia(command)
            .run()
            .exits(5)
            .says("there is no terminal to confirm it on, so nothing was changed: add --yes");
    }
    assert_eq!(containers_now(), before, "a refused command changed live");
    assert!(
        !journal(&stack).exists(),
        "a refused drill wrote its journal"
    );
    assert_eq!(
        log_lines(&stack, ".gaia/promotions.jsonl").len(),
        promotions,
        "a refused promote or rollback recorded a change"
    );
    let runs = log_lines(&stack, ".gaia/audit.jsonl");
    assert_eq!(runs.len(), audited + commands.len());
    for run in &runs[audited..] {
        assert_eq!(run["exit_code"], 5, "{run}");
        assert!(
            run["result"].as_str().unwrap().contains("add --yes"),
            "{run}"
        );
    }
    // --dry-run changes nothing, so it never asks.
    for command in commands {
        stack
            .gaia([command, &["--dry-run"]].concat())
            .run()
            .succeeds();
    }
    if made_backup {
        std::fs::remove_dir_all(&backup).unwrap();
    }
}

/// Runs `gaia ARGS` on a terminal (script gives it one) and, once it asks,
/// types `typed`: what it said, and its exit code.
fn at_terminal(stack: &Stack, args: &str, typed: &[u8]) -> (i32, String) {
    use std::io::{Read as _, Write as _};
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_gaia"));
    let mut script = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("GAIA_ROOT", &stack.root)
        .env("TERM", "dumb")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (bsdutils) runs gaia on a terminal");
    let mut stdout = script.stdout.take().unwrap();
    let (said, heard) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut chunk) {
            all.extend_from_slice(&chunk[..n]);
            let _ = said.send(String::from_utf8_lossy(&all).into_owned());
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match heard.recv_timeout(left) {
            Ok(so_far) if so_far.contains("Continue? [y/N]") => break,
            Ok(_) => {}
            Err(_) => panic!("`gaia {args}` did not ask within a minute"),
        }
    }
    let mut stdin = script.stdin.take().unwrap();
    stdin.write_all(typed).unwrap();
    stdin.flush().unwrap();
    let status = script.wait().unwrap();
    drop(stdin);
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

#[test]
fn at_a_terminal_ha_stop_asks_first_and_only_yes_takes_the_standbys_down() {
    let stack = stack();
    let before = containers_now();

    let (code, said) = at_terminal(&stack, "ha stop", b"n\n");
    assert_eq!(code, 5, "{said}");
    assert!(
        said.contains("this stops and removes gaia-core-candidate, gaia-mcp-candidate"),
        "{said}"
    );
    assert!(
        said.contains("not confirmed: nothing was changed"),
        "{said}"
    );
    assert_eq!(containers_now(), before, "`n` took the standbys down");

    // Ctrl-C at the question: the documented exit of SIGINT, nothing changed.
    let (code, said) = at_terminal(&stack, "ha stop", b"\x03");
    assert_eq!(code, 130, "{said}");
    assert!(
        said.contains("stopped by SIGINT before anything was changed"),
        "{said}"
    );
    assert_eq!(containers_now(), before, "Ctrl-C took the standbys down");

    let (code, said) = at_terminal(&stack, "ha stop", b"y\n");
    assert_eq!(code, 0, "{said}");
    assert_eq!(inspect("gaia-core-candidate", "{{.Id}}"), "");
    assert_eq!(inspect("gaia-mcp-candidate", "{{.Id}}"), "");
    stack.gaia(["ha", "start"]).run().succeeds();
}

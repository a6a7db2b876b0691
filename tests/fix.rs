//! `gaia doctor --fix` against the simulated stack on the real engine: the
//! operator breaks the stack, asks gaia to repair it, and finds it green;
//! what gaia must not repair is left exactly as it was, with the command.

mod common;

use common::{Stack, docker, stack};
use serde_json::Value;

/// `doctor --fix --format json`: (exit code, the report's `fix` part, the report).
fn fix(stack: &Stack, extra: &[&str]) -> (i32, Value, Value) {
    let ran = stack
        .gaia([&["doctor", "--fix", "--format", "json"][..], extra].concat())
        .run();
    let report = ran.json();
    common::assert_doctor_schema(&report);
    (ran.code, report["fix"].clone(), report)
}

fn repairs(fix: &Value) -> Vec<&Value> {
    fix["repairs"].as_array().unwrap().iter().collect()
}

/// What a dry run or a declined repair must leave alone: every simulated
/// container (id, name, state, restarts), the volumes and the networks.
fn engine_state() -> String {
    let (_, containers) = docker(&[
        "ps",
        "-a",
        "--filter",
        "label=io.gaia.sim",
        "--format",
        "{{.ID}} {{.Names}} {{.State}}",
    ]);
    let mut containers: Vec<String> = containers.lines().map(str::to_owned).collect();
    for line in containers.iter_mut() {
        let name = line.split(' ').nth(1).unwrap().to_owned();
        line.push_str(&format!(
            " restarts={}",
            common::inspect(&name, "{{.RestartCount}}")
        ));
    }
    containers.sort();
    let (_, volumes) = docker(&["volume", "ls", "-q", "--filter", "label=io.gaia.sim"]);
    let (_, networks) = docker(&["network", "ls", "-q", "--filter", "label=io.gaia.sim"]);
    format!(
        "{}\nvolumes: {volumes}\nnetworks: {networks}",
        containers.join("\n")
    )
}

/// After a repair the stack is as healthy as before the fault, and a second
/// `--fix` finds nothing to do.
fn assert_green_and_settled(stack: &Stack, fault: &str) {
    let ran = stack.gaia(["doctor", "--format", "json"]).run();
    let report = ran.json();
    assert_eq!(
        (
            ran.code,
            &report["summary"]["failures"],
            &report["summary"]["warnings"]
        ),
        (0, &Value::from(0), &Value::from(0)),
        "after repairing {fault}, the doctor still sees problems:\n{report:#}"
    );
    let (code, again, _) = fix(stack, &[]);
    assert_eq!(code, 0, "second --fix after {fault}: {again:#}");
    assert!(
        repairs(&again).is_empty(),
        "second --fix after {fault} planned {again:#}"
    );
}

#[test]
fn every_fixable_fault_is_repaired_and_stays_repaired() {
    let stack = stack();
    // (fault, its target, the check whose finding the repair must answer, action)
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        ("exited", Some("gaia-web"), "containers.gaia-web", "start"),
        (
            "unhealthy",
            Some("gaia-mcp"),
            "containers.gaia-mcp",
            "restart",
        ),
        ("standby-down", None, "ha.standbys", "start-standbys"),
        ("standbys-down", None, "ha.standbys", "start-standbys"),
        (
            "shared-dir-missing",
            Some("gaia-core-candidate"),
            "shared-dirs.gaia-candidate-shared",
            "create-shared-dirs",
        ),
        (
            "shared-dir-root-owned",
            Some("gaia-mcp-candidate"),
            "shared-dirs.gaia-candidate-shared",
            "create-shared-dirs",
        ),
        (
            "network-detached",
            Some("gaia-core"),
            "connectivity.gaia-core.gaia-mcp",
            "reconnect",
        ),
        (
            "network-missing",
            None,
            "preflight.network",
            "create-network",
        ),
        (
            "mangled-name",
            Some("gaia-core"),
            "containers.gaia-core",
            "recreate",
        ),
    ];
    for (fault, target, check, action) in cases {
        match target {
            Some(target) => stack.fault(&[fault, "--service", target]),
            None => stack.fault(&[fault]),
        }
        let (code, fix, report) = fix(&stack, &[]);
        let answering: Vec<&Value> = repairs(&fix)
            .into_iter()
            .filter(|r| r["answers"].as_array().unwrap().iter().any(|a| a == check))
            .collect();
        assert_eq!(
            answering.len(),
            1,
            "{fault}: no single repair answers {check}:\n{fix:#}"
        );
        assert_eq!(answering[0]["action"], *action, "{fault}: {fix:#}");
        for repair in repairs(&fix) {
            assert_eq!(repair["outcome"], "repaired", "{fault}: {fix:#}");
            assert!(repair["duration_ms"].as_u64().is_some());
        }
        assert_eq!(code, 0, "{fault}: exit code after repair\n{report:#}");
        assert_green_and_settled(&stack, fault);
    }
    // The mangled container was removed once its replacement was healthy.
    let (_, names) = docker(&["ps", "-a", "--format", "{{.Names}}"]);
    assert!(
        !names.lines().any(|n| n.ends_with("_gaia-core")),
        "leftover container: {names}"
    );
}

#[test]
fn two_faults_are_repaired_in_dependency_order() {
    let stack = stack();
    stack.fault(&["exited", "--service", "gaia-web"]);
    stack.fault(&["unhealthy", "--service", "gaia-core"]);
    let (code, fix, report) = fix(&stack, &[]);
    let done: Vec<(String, String)> = repairs(&fix)
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        done,
        [
            ("restart".to_owned(), "gaia-core".to_owned()),
            ("start".to_owned(), "gaia-web".to_owned()),
        ],
        "{fix:#}"
    );
    assert_eq!(code, 0, "{report:#}");
    // web depends on a healthy core: it was started after core came back.
    let core = common::inspect("gaia-core", "{{.State.StartedAt}}");
    let web = common::inspect("gaia-web", "{{.State.StartedAt}}");
    assert!(core < web, "core started {core}, web {web}");
    assert_green_and_settled(&stack, "web exited + core unhealthy");
}

#[test]
fn what_gaia_must_not_repair_is_left_alone_with_the_command() {
    let stack = stack();
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("maintenance-on", None, "ha.maintenance"),
        ("no-model", None, "model.gaia-prime"),
        ("library-drift", None, "library.utils/resilience.py"),
        (
            "stale-candidate-image",
            Some("gaia-core-candidate"),
            "images.age.gaia-core-candidate",
        ),
        ("core-gpu", None, "gpu.gaia-core"),
    ];
    for (fault, target, check) in cases {
        match target {
            Some(target) => stack.fault(&[fault, "--service", target]),
            None => stack.fault(&[fault]),
        }
        let before = engine_state();
        let (code, fix, report) = fix(&stack, &[]);
        assert_ne!(code, 0, "{fault}: {report:#}");
        assert!(repairs(&fix).is_empty(), "{fault}: {fix:#}");
        let declined = fix["not_repaired"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["check"] == *check)
            .unwrap_or_else(|| panic!("{fault}: {check} not among the declined: {fix:#}"));
        let command = declined["command"].as_str().expect("a command to run");
        assert!(!declined["reason"].as_str().unwrap().is_empty());
        assert_eq!(engine_state(), before, "{fault}: --fix changed the engine");

        stack
            .gaia(["doctor", "--fix"])
            .run()
            .says("Not repaired")
            .says(&format!("[{check}]"))
            .says(&format!("run: {command}"));
        stack.heal();
    }
}

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let stack = stack();
    stack.fault(&["exited", "--service", "gaia-web"]);
    stack.fault(&["standby-down"]);
    stack.fault(&["shared-dir-missing", "--service", "gaia-core-candidate"]);
    let before = engine_state();

    let (code, fix, _) = fix(&stack, &["--dry-run"]);
    assert_eq!(code, 2);
    assert_eq!(fix["dry_run"], true);
    let mut planned: Vec<&str> = repairs(&fix)
        .iter()
        .inspect(|r| assert_eq!(r["outcome"], "planned"))
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    // The standbys need their directories before they start.
    assert_eq!(planned[0], "create-shared-dirs", "{fix:#}");
    planned.sort_unstable();
    assert_eq!(
        planned,
        ["create-shared-dirs", "start", "start-standbys"],
        "{fix:#}"
    );
    stack
        .gaia(["doctor", "--fix", "--dry-run"])
        .run()
        .exits(2)
        .says("Repair plan (dry run: nothing was changed)")
        .says("start gaia-web")
        .says("for [containers.gaia-web");
    assert_eq!(engine_state(), before, "--dry-run changed the engine");
    let ran = stack
        .gaia(["doctor", "--category", "volumes", "--format", "json"])
        .run();
    assert_ne!(
        ran.json()["summary"]["failures"],
        0,
        "the shared dir came back"
    );
    stack.heal();
}

#[test]
fn dry_run_needs_fix() {
    common::gaia(["doctor", "--dry-run"])
        .run()
        .exits(3)
        .says("--fix");
}

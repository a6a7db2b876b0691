//! `gaia doctor --fix` against the simulated stack on the real engine: the
//! operator breaks the stack, asks gaia to repair it, and finds it green;
//! what gaia must not repair is left exactly as it was, with the command.

mod common;

use std::collections::BTreeMap;

use common::{Stack, docker, inspect, stack};
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

/// What `--fix` promises never to lose: a sentinel file written into every
/// named volume of the stack. A volume removed and created again comes back
/// empty, without it. (The engine's `CreatedAt` of a local volume cannot tell:
/// it is the ctime of the volume's directory, which moves whenever an entry is
/// created or removed at its top, as the shared-directory repairs do.)
struct Data {
    /// (volume, sentinel content)
    volumes: Vec<(String, String)>,
}

/// A container that mounts `volume` writable, and where.
fn holder_of(volume: &str) -> (String, String) {
    let (_, names) = docker(&[
        "ps",
        "-a",
        "--filter",
        &format!("volume={volume}"),
        "--format",
        "{{.Names}}",
    ]);
    let format = format!(
        "{{{{range .Mounts}}}}{{{{if eq .Name \"{volume}\"}}}}{{{{.Destination}}}} {{{{.RW}}}}{{{{end}}}}{{{{end}}}}"
    );
    names
        .lines()
        .find_map(|name| {
            let mount = inspect(name, &format);
            let (destination, rw) = mount.split_once(' ')?;
            (rw == "true").then(|| (name.to_owned(), destination.to_owned()))
        })
        .unwrap_or_else(|| panic!("no container mounts {volume} writable: {names}"))
}

const SENTINEL: &str = ".gaia-test-sentinel";

impl Data {
    fn plant() -> Data {
        let (_, names) = docker(&["volume", "ls", "-q", "--filter", "label=io.gaia.sim"]);
        let mut volumes = Vec::new();
        for volume in names.lines().filter(|v| !v.is_empty()) {
            let content = format!(
                "data of {volume}, planted {:?}",
                std::time::SystemTime::now()
            );
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &content).unwrap();
            let (holder, mount) = holder_of(volume);
            let (code, out) = docker(&[
                "cp",
                file.path().to_str().unwrap(),
                &format!("{holder}:{mount}/{SENTINEL}"),
            ]);
            assert_eq!(code, 0, "planting the sentinel in {volume}: {out}");
            volumes.push((volume.to_owned(), content));
        }
        assert!(volumes.len() >= 4, "the stack's named volumes: {volumes:?}");
        Data { volumes }
    }

    /// Every volume still holds its sentinel.
    fn assert_kept(&self, after: &str) {
        for (volume, content) in &self.volumes {
            let (holder, mount) = holder_of(volume);
            let (code, archived) = docker(&["cp", &format!("{holder}:{mount}/{SENTINEL}"), "-"]);
            assert!(
                code == 0 && archived.contains(content.as_str()),
                "{after}: the data in {volume} is gone (the volume was emptied or made anew)"
            );
        }
    }
}

/// Every simulated container by name, with its id.
fn container_ids() -> BTreeMap<String, String> {
    let (_, out) = docker(&[
        "ps",
        "-a",
        "--filter",
        "label=io.gaia.sim",
        "--format",
        "{{.Names}} {{.ID}}",
    ]);
    out.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(name, id)| (name.to_owned(), id.to_owned()))
        .collect()
}

/// After a repair the stack is as healthy as before the fault, a second
/// `--fix` finds nothing to do, and compose itself accepts the stack.
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
    stack.assert_compose_accepts(&format!("after --fix of {fault}"));
    stack.assert_green(&format!(
        "after compose's own `up` following --fix of {fault}"
    ));
}

#[test]
fn every_fixable_fault_is_repaired_keeping_every_volume_and_untouched_container() {
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
            "network-mislabelled",
            None,
            "compose-labels.gaia-network",
            "relabel-network",
        ),
        (
            "mangled-name",
            Some("gaia-core"),
            "containers.gaia-core",
            "recreate",
        ),
    ];
    for (fault, target, check, action) in cases {
        stack.assert_green(&format!("before {fault}"));
        let data = Data::plant();
        match target {
            Some(target) => stack.fault(&[fault, "--service", target]),
            None => stack.fault(&[fault]),
        }
        let ids = container_ids();
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
        data.assert_kept(&format!("--fix of {fault}"));
        // Only a container the plan recreates may be a new one.
        let recreated: Vec<&str> = repairs(&fix)
            .iter()
            .filter(|r| r["action"] == "recreate")
            .map(|r| r["target"].as_str().unwrap())
            .collect();
        let now = container_ids();
        for (name, id) in &ids {
            if recreated.iter().any(|r| name.ends_with(r)) {
                continue;
            }
            assert_eq!(
                now.get(name),
                Some(id),
                "{fault}: --fix replaced {name}, which its plan does not recreate\n{fix:#}"
            );
        }
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
    let started = |name: &str| {
        let at = inspect(name, "{{.State.StartedAt}}");
        humantime::parse_rfc3339_weak(&at).unwrap_or_else(|e| panic!("{name} started {at}: {e}"))
    };
    assert!(
        started("gaia-core") < started("gaia-web"),
        "web started before core"
    );
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
        // A crash loop needs its cause found; restarting would hide it.
        ("restart-loop", None, "containers.gaia-study"),
        (
            "image-without-user",
            Some("gaia-core-candidate"),
            "images.user.gaia-core-candidate",
        ),
    ];
    for (fault, target, check) in cases {
        match target {
            Some(target) => stack.fault(&[fault, "--service", target]),
            None => stack.fault(&[fault]),
        }
        let data = Data::plant();
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
        data.assert_kept(&format!("--fix declining {fault}"));

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
        .exits(64)
        .says("--fix");
}

#[test]
fn a_repair_that_cannot_work_is_reported_failed_and_the_run_exits_2() {
    let stack = stack();
    // web's live source now fails at start, as a bad deploy would.
    let broken = stack.root.join("gaia-web/.gaia-sim-broken");
    let _unbreak = common::Removed(broken.clone());
    std::fs::write(&broken, "").unwrap();
    stack.fault(&["exited", "--service", "gaia-web"]);

    let (code, fix, report) = fix(&stack, &[]);
    let start = repairs(&fix)
        .into_iter()
        .find(|r| r["action"] == "start")
        .unwrap_or_else(|| panic!("no start planned: {fix:#}"));
    assert_eq!(start["target"], "gaia-web");
    assert_eq!(start["outcome"], "failed", "{fix:#}");
    assert!(
        start["details"][0]
            .as_str()
            .unwrap()
            .contains("not healthy"),
        "{fix:#}"
    );
    assert_eq!(code, 2, "the exit code is the state after: {report:#}");
    stack.gaia(["doctor", "--format", "json"]).run().exits(2);
}

#[test]
fn a_removed_container_is_recreated_through_compose() {
    let stack = stack();
    let data = Data::plant();
    assert_eq!(docker(&["rm", "-f", "gaia-web"]).0, 0);
    let (code, fix, report) = fix(&stack, &[]);
    let recreate = repairs(&fix)
        .into_iter()
        .find(|r| {
            r["answers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "containers.gaia-web")
        })
        .unwrap_or_else(|| panic!("nothing answers containers.gaia-web: {fix:#}"));
    assert_eq!(recreate["action"], "recreate");
    assert_eq!(recreate["outcome"], "repaired", "{fix:#}");
    assert_eq!(code, 0, "{report:#}");
    data.assert_kept("--fix recreating gaia-web");
    assert_green_and_settled(&stack, "gaia-web removed");
}

#[test]
fn a_service_stopped_on_purpose_passes_and_is_never_started() {
    let stack = stack();
    stack.fault(&["exited", "--service", "gaia-wiki"]);
    // As the built-in registry has it, a stopped wiki is worth a warning and a start.
    let (_, fix_plan, report) = fix(&stack, &["--dry-run"]);
    let wiki = |report: &Value| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "containers.gaia-wiki")
            .cloned()
            .unwrap()
    };
    assert_eq!(wiki(&report)["severity"], "warn", "{report:#}");
    assert!(
        repairs(&fix_plan)
            .iter()
            .any(|r| r["action"] == "start" && r["target"] == "gaia-wiki"),
        "{fix_plan:#}"
    );

    // The operator says it is stopped on purpose.
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("services.toml");
    let builtin =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/services.toml")).unwrap();
    let stopped = builtin.replacen(
        "name = \"gaia-wiki\"\n",
        "name = \"gaia-wiki\"\nexpected = \"stopped\"\n",
        1,
    );
    assert_ne!(stopped, builtin);
    std::fs::write(&registry, stopped).unwrap();
    let config = registry.to_str().unwrap();
    let before = engine_state();
    let ran = stack
        .gaia(["--config", config, "doctor", "--fix", "--format", "json"])
        .run();
    let report = ran.json();
    assert_eq!(ran.code, 0, "{report:#}");
    let wiki = wiki(&report);
    assert_eq!(wiki["severity"], "pass");
    assert!(
        wiki["message"]
            .as_str()
            .unwrap()
            .contains("stopped, as the registry expects"),
        "{wiki:#}"
    );
    assert!(repairs(&report["fix"]).is_empty(), "{:#}", report["fix"]);
    assert_eq!(
        engine_state(),
        before,
        "--fix started what is stopped on purpose"
    );
    assert_eq!(inspect("gaia-wiki", "{{.State.Status}}"), "exited");
}

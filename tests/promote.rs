//! `gaia promote`, `gaia rollback` and `gaia history` against the simulated
//! stack on the real engine. The simulated root holds live and candidate
//! sources as the real one does, and every service reports its version
//! (image and source), so the operator can tell old from new.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Stack, assert_lock_free, docker, inspect, stack};
use serde_json::Value;

/// What a live service says it runs: (image, source version).
fn version(port: u16) -> (String, String) {
    let (status, body) = common::http(
        "GET",
        &format!("http://127.0.0.1:{port}/version"),
        None,
        Duration::from_secs(5),
    )
    .expect("the service answers /version");
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    (
        body["image"].as_str().unwrap_or_default().to_owned(),
        body["source_version"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn promote(stack: &Stack, args: &[&str]) -> (i32, Value) {
    let ran = stack
        .gaia([&["promote", "--format", "json"][..], args].concat())
        .run();
    (ran.code, ran.json())
}

/// Puts `saved` (from `tree`) back as the whole content of `root`, keeping
/// the directory itself: it is bind-mounted into the container.
fn put_back(root: &Path, saved: &[(String, Vec<u8>)]) {
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    for (relative, content) in saved {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
    }
}

/// Puts a live tree back when the story ends, pass or fail, before the
/// stack is healed.
struct Restore<'a> {
    root: &'a Path,
    saved: Vec<(String, Vec<u8>)>,
    also_remove: Vec<std::path::PathBuf>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        for path in &self.also_remove {
            let _ = std::fs::remove_file(path).or_else(|_| std::fs::remove_dir_all(path));
        }
        put_back(self.root, &self.saved);
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `root` (minus .git, __pycache__, *.pyc) and its contents.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".git" || name == "__pycache__" || name.ends_with(".pyc") {
                continue;
            }
            if entry.path().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string();
                found.push((relative, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    found.sort();
    found
}

fn step<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {record:#}"))
}

fn history(stack: &Stack, service: &str) -> Vec<Value> {
    let ran = stack.gaia(["history", service, "--format", "json"]).run();
    ran.succeeds();
    ran.json().as_array().unwrap().clone()
}

#[test]
fn prime_is_promoted_by_image_and_rolled_back_by_tag() {
    let stack = stack();
    let live_image = inspect("localhost:5000/gaia-prime:local", "{{.Id}}");
    let candidate_image = inspect("localhost:5000/gaia-prime-candidate:local", "{{.Id}}");
    let before = history(&stack, "gaia-prime").len();

    let (code, record) = promote(&stack, &["gaia-prime", "--validate", "--test"]);
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(record["outcome"], "done");
    let validate = step(&record, "validate");
    assert_eq!(validate["outcome"], "skipped");
    assert!(
        validate["detail"]
            .as_str()
            .unwrap()
            .contains("not configured for Python validation")
    );
    // Its candidate cannot run beside it on a one-GPU host: --test says so.
    assert_eq!(step(&record, "test")["outcome"], "skipped");
    assert_eq!(step(&record, "health gate")["outcome"], "ok");
    assert_eq!(
        inspect("gaia-prime", "{{.Image}}"),
        candidate_image,
        "live prime runs the candidate image"
    );
    assert_eq!(version(7777).0, "localhost:5000/gaia-prime-candidate:local");
    assert_eq!(record["from"]["image_id"], live_image.as_str());
    assert_eq!(record["to"]["image_id"], candidate_image.as_str());
    let entries = history(&stack, "gaia-prime");
    assert_eq!(entries.len(), before + 1);
    assert_eq!(entries.last().unwrap()["outcome"], "done");
    // The image it replaced is kept for `rollback --to`, by its version id.
    assert_eq!(step(&record, "keep")["outcome"], "ok", "{record:#}");
    let id = record["from"]["id"].as_str().unwrap();
    let kept = format!("localhost:5000/gaia-prime:gaia-{id}");
    assert_eq!(inspect(&kept, "{{.Id}}"), live_image);
    stack
        .gaia(["rollback", "gaia-prime", "--to", &id[..6], "--dry-run"])
        .run()
        .succeeds()
        .says(&format!(
            "tag {kept} as localhost:5000/gaia-prime:local again"
        ));

    let ran = stack
        .gaia(["rollback", "gaia-prime", "--yes", "--format", "json"])
        .run();
    ran.succeeds();
    assert_eq!(inspect("gaia-prime", "{{.Image}}"), live_image);
    assert_eq!(version(7777).0, "localhost:5000/gaia-prime:local");
    stack
        .gaia(["history", "gaia-prime"])
        .run()
        .succeeds()
        .says("rollback")
        .says("gaia-prime");
}

#[test]
fn core_is_promoted_by_files_with_a_backup_mypy_only_informing_and_rolled_back() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let old = read(&live.join("VERSION"));
    std::fs::create_dir_all(candidate.join("__pycache__")).unwrap();
    std::fs::write(
        candidate.join("__pycache__/main.cpython-311.pyc"),
        "bytecode",
    )
    .unwrap();
    std::fs::write(candidate.join("extra.pyc"), "bytecode").unwrap();
    // mypy finds a left-over reveal_type(: it informs, it does not block.
    let leftover = common::Removed(candidate.join("leftover.py"));
    std::fs::write(&leftover.0, "reveal_type(1)\n").unwrap();

    // --validate: no tests collected is not a failure.
    let (code, record) = promote(&stack, &["gaia-core", "--validate", "--test"]);
    assert_eq!(code, 0, "{record:#}");
    let mypy = record["validators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "mypy")
        .unwrap();
    assert_eq!(
        (mypy["passed"].as_bool(), mypy["blocking"].as_bool()),
        (Some(false), Some(false)),
        "{mypy:#}"
    );
    let (_, throwaway) = docker(&["images", "-q", "--filter", "reference=gaia-validate-*"]);
    assert_eq!(
        throwaway.trim(),
        "",
        "the throwaway validation image was left"
    );
    let pytest = record["validators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "pytest")
        .unwrap();
    assert_eq!(
        (pytest["exit_code"].as_i64(), pytest["passed"].as_bool()),
        (Some(5), Some(true))
    );
    assert_eq!(
        tree(&live),
        tree(&candidate),
        "live equals candidate, minus excludes"
    );
    assert!(!live.join("__pycache__/main.cpython-311.pyc").exists());
    assert!(!live.join("extra.pyc").exists());
    assert_eq!(read(&stack.root.join("gaia-core.bak/VERSION")), old);
    assert_eq!(version(6415).1, read(&candidate.join("VERSION")).trim());

    stack
        .gaia(["rollback", "gaia-core", "--yes"])
        .run()
        .succeeds();
    assert_eq!(read(&live.join("VERSION")), old);
    assert_eq!(version(6415).1, old.trim());
}

#[test]
fn a_candidate_that_fails_its_gate_is_rolled_back() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let old = read(&live.join("VERSION"));
    let broken = candidate.join(".gaia-sim-broken");
    std::fs::write(&broken, "").unwrap();

    let (code, record) = promote(&stack, &["gaia-core"]);
    std::fs::remove_file(&broken).unwrap();
    assert_eq!(code, 2, "{record:#}");
    assert_eq!(record["outcome"], "rolled-back");
    assert_eq!(step(&record, "health gate")["outcome"], "failed");
    assert_eq!(step(&record, "rollback")["outcome"], "ok");
    assert_eq!(read(&live.join("VERSION")), old, "files restored");
    assert!(!live.join(".gaia-sim-broken").exists());
    assert_eq!(inspect("gaia-core", "{{.State.Health.Status}}"), "healthy");
    assert_eq!(version(6415).1, old.trim(), "the old version serves");
    assert_eq!(
        history(&stack, "gaia-core").last().unwrap()["outcome"],
        "rolled-back"
    );
}

#[test]
fn a_failing_validator_refuses_and_changes_nothing() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let before = tree(&live);
    let planted = candidate.join("sloppy.py");
    std::fs::write(&planted, "from os import *\n").unwrap();
    let ran = stack.gaia(["promote", "gaia-core", "--validate"]).run();
    std::fs::remove_file(&planted).unwrap();
    ran.exits(5)
        .says("F403")
        .says("refused, nothing was changed");
    assert_eq!(tree(&live), before);
    assert_eq!(
        history(&stack, "gaia-core").last().unwrap()["outcome"],
        "refused"
    );
}

#[test]
fn the_sync_gate_blocks_a_protocol_change_unless_forced_and_warns_on_constants() {
    let stack = stack();
    let packet = stack
        .root
        .join("candidates/gaia-common/gaia_common/protocols/cognition_packet.py");
    let original = read(&packet);
    std::fs::write(&packet, format!("{original}\nNEW_FIELD = 'v0.4'\n")).unwrap();
    let live = stack.root.join("gaia-web");
    let before = tree(&live);

    stack
        .gaia(["promote", "gaia-web"])
        .run()
        .exits(5)
        .says("protocols/cognition_packet.py differs");
    assert_eq!(tree(&live), before);

    let (code, record) = promote(&stack, &["gaia-web", "--force", "--yes"]);
    std::fs::write(&packet, original).unwrap();
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(record["forced"], true);
    assert_eq!(step(&record, "sync gate")["outcome"], "warning");
    stack
        .gaia(["rollback", "gaia-web", "--yes"])
        .run()
        .succeeds();

    // The constants file differing only warns, with no --force needed.
    let constants = stack
        .root
        .join("candidates/gaia-common/gaia_common/constants/gaia_constants.json");
    let original = read(&constants);
    let _put_back = PutBack(constants.clone(), original.clone());
    std::fs::write(
        &constants,
        format!(
            "{}\n",
            original.trim_end().trim_end_matches('}').to_owned() + ", \"NEW\": 1}"
        ),
    )
    .unwrap();
    let (code, record) = promote(&stack, &["gaia-web"]);
    assert_eq!(code, 0, "{record:#}");
    let gate = step(&record, "sync gate");
    assert_eq!(gate["outcome"], "warning", "{record:#}");
    assert!(
        gate["detail"]
            .as_str()
            .unwrap()
            .contains("gaia_constants.json"),
        "{gate:#}"
    );
    stack
        .gaia(["rollback", "gaia-web", "--yes"])
        .run()
        .succeeds();
}

/// A file's content put back when the story ends, pass or fail.
struct PutBack(std::path::PathBuf, String);

impl Drop for PutBack {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, &self.1);
    }
}

#[test]
fn one_promotion_at_a_time_and_ctrl_c_in_the_gate_rolls_back_to_the_old_version() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let old = read(&live.join("VERSION"));
    let candidate_version = read(&stack.root.join("candidates/gaia-core/VERSION"));
    let mut first = stack.gaia(["promote", "gaia-core"]).spawn();
    // Once the files are copied, the promotion is in its restart and gate.
    let started = Instant::now();
    while read(&live.join("VERSION")) != candidate_version {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the promotion never copied"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    stack
        .gaia(["promote", "gaia-mcp"])
        .run()
        .exits(4)
        .says(&format!("pid {}", first.id()))
        .says("`gaia promote gaia-core`");

    let pid = nix::unistd::Pid::from_raw(first.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = first.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C's exit code, after the rollback"
    );
    assert_lock_free(&stack);
    assert_eq!(read(&live.join("VERSION")), old);
    assert_eq!(version(6415).1, old.trim(), "the old version serves");
    let last = history(&stack, "gaia-core").pop().unwrap();
    assert_eq!(last["outcome"], "rolled-back");
    let rollback = step(&last, "rollback");
    assert!(
        rollback["detail"]
            .as_str()
            .unwrap()
            .contains("SIGINT received"),
        "{last:#}"
    );
}

#[test]
fn a_dry_run_changes_nothing_and_no_restart_leaves_the_container_running() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let before = tree(&live);
    let recorded = history(&stack, "gaia-core").len();

    stack
        .gaia(["promote", "gaia-core", "--dry-run", "--validate"])
        .run()
        .succeeds()
        .says("would (dry run: nothing is changed)")
        .says("validate: ruff, mypy (informational), pytest")
        .says("restart gaia-core")
        .says("keep: once it stands, the version it replaces")
        .says(".gaia/versions/gaia-core");
    assert_eq!(tree(&live), before);
    assert_eq!(
        history(&stack, "gaia-core").len(),
        recorded,
        "a dry run is not a run"
    );

    let started = inspect("gaia-core", "{{.State.StartedAt}}");
    let (code, record) = promote(&stack, &["gaia-core", "--no-restart"]);
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(step(&record, "restart")["outcome"], "skipped");
    assert_eq!(tree(&live), tree(&candidate));
    assert_eq!(
        inspect("gaia-core", "{{.State.StartedAt}}"),
        started,
        "restarted"
    );
    stack
        .gaia(["rollback", "gaia-core", "--yes"])
        .run()
        .succeeds();
    assert_eq!(tree(&live), before);
}

#[test]
fn history_run_from_any_directory_shows_what_promote_recorded_for_the_running_stack() {
    let stack = stack();
    let (_, record) = promote(&stack, &["gaia-common"]);
    let at_root = history(&stack, "gaia-common");
    assert_eq!(
        at_root.last().unwrap()["started_at"],
        record["started_at"],
        "the promotion is in the stack's audit log"
    );

    // The operator on the GAIA host, in some other directory, names no root.
    let elsewhere = tempfile::tempdir().unwrap();
    let ran = common::gaia(["history", "gaia-common", "--format", "json"])
        .in_dir(elsewhere.path())
        .run();
    ran.succeeds();
    assert_eq!(ran.json().as_array().unwrap(), &at_root);
}

#[test]
fn a_failed_gate_with_no_backup_to_restore_leaves_live_degraded_and_exits_3() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let broken = candidate.join(".gaia-sim-broken");
    let _restore = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: vec![broken.clone()],
    };
    std::fs::write(&broken, "").unwrap();

    let (code, record) = promote(
        &stack,
        &["gaia-core", "--no-backup", "--yes", "--gate-timeout", "20s"],
    );
    assert_eq!(code, 3, "{record:#}");
    assert_eq!(record["outcome"], "degraded");
    assert_eq!(step(&record, "backup")["outcome"], "skipped");
    assert_eq!(step(&record, "health gate")["outcome"], "failed");
    assert_eq!(step(&record, "rollback")["outcome"], "failed");
    assert_eq!(
        history(&stack, "gaia-core").last().unwrap()["outcome"],
        "degraded"
    );
}

#[test]
fn rollback_exits_5_with_nothing_to_go_back_to_and_3_when_what_it_restores_is_unhealthy() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let backup = stack.root.join("gaia-core.bak");
    let _ = std::fs::remove_dir_all(&backup);
    let _restore = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: vec![backup.clone()],
    };

    stack
        .gaia(["rollback", "gaia-core"])
        .run()
        .exits(5)
        .says("nothing to roll back to");
    assert_eq!(
        history(&stack, "gaia-core").last().unwrap()["outcome"],
        "refused"
    );

    // A backup that cannot start: restored, but not healthy. A promotion
    // that took a backup comes first: after one that took none (another
    // story's `--no-backup`), rollback refuses whatever backup there is.
    let (code, record) = promote(&stack, &["gaia-core", "--no-restart"]);
    assert_eq!(code, 0, "{record:#}");
    put_back(&backup, &tree(&live));
    std::fs::write(backup.join(".gaia-sim-broken"), "").unwrap();
    let ran = stack
        .gaia([
            "rollback",
            "gaia-core",
            "--yes",
            "--gate-timeout",
            "20s",
            "--format",
            "json",
        ])
        .run();
    ran.exits(3);
    assert_eq!(ran.json()["outcome"], "degraded");
    assert!(
        live.join(".gaia-sim-broken").exists(),
        "the backup was restored"
    );
}

#[test]
fn a_crash_during_the_watch_window_rolls_back_to_the_old_version() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let old = read(&live.join("VERSION"));
    let mut child = stack.gaia(["promote", "gaia-core"]).spawn();
    // Once the gate has seen it healthy, it watches: crash it then.
    let stderr = child.stderr.take().unwrap();
    let mut said = Vec::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
        let line = line.unwrap();
        let watching = line.contains("watching for");
        said.push(line);
        if watching {
            assert_eq!(docker(&["kill", "gaia-core"]).0, 0);
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{}", said.join("\n"));
    // The gate had passed once; what failed it came after the window.
    let watching = said
        .iter()
        .position(|l| l.contains("watching for"))
        .unwrap();
    assert!(
        said[watching + 1].starts_with("==> health gate: gaia-core")
            && !said[watching + 1].contains("healthy, its checks pass"),
        "{}",
        said.join("\n")
    );
    let last = history(&stack, "gaia-core").pop().unwrap();
    assert_eq!(last["outcome"], "rolled-back");
    assert_eq!(read(&live.join("VERSION")), old);
    assert_eq!(version(6415).1, old.trim(), "the old version serves");
}

#[test]
fn ten_promotions_at_once_one_changes_live_and_the_others_are_refused_changing_nothing() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let old = read(&live.join("VERSION"));
    let candidate_version = read(&stack.root.join("candidates/gaia-core/VERSION"));
    let recorded = history(&stack, "gaia-core").len();
    let runs: Vec<common::Running> = (0..10)
        .map(|_| stack.gaia(["promote", "gaia-core"]).start())
        .collect();
    let ended: Vec<common::Ran> = runs.into_iter().map(common::Running::finish).collect();

    let promoted: Vec<&common::Ran> = ended.iter().filter(|r| r.code == 0).collect();
    assert_eq!(
        promoted.len(),
        1,
        "exactly one promotion may run; exit codes: {:?}",
        ended.iter().map(|r| r.code).collect::<Vec<_>>()
    );
    for refused in ended.iter().filter(|r| r.code != 0) {
        refused
            .exits(4)
            .says("`gaia promote gaia-core`")
            .says("holds");
    }
    let records = history(&stack, "gaia-core");
    let new: Vec<&Value> = records[recorded..]
        .iter()
        .filter(|r| r["outcome"] != "started")
        .collect();
    assert_eq!(new.len(), 1, "one run recorded: {new:#?}");
    assert_eq!(new[0]["outcome"], "done");
    assert_eq!(read(&live.join("VERSION")), candidate_version);
    assert_lock_free(&stack);

    // A rollback is a restore: a signal once it is under way is told so,
    // and the restore finishes.
    let mut rollback = stack.gaia(["rollback", "gaia-core", "--yes"]).start();
    rollback
        .waits_for("==> rollback:", Duration::from_secs(120))
        .signal(nix::sys::signal::Signal::SIGTERM);
    rollback
        .finish()
        .exits(143)
        .says("SIGTERM: gaia is putting back the previous gaia-core");
    assert_eq!(read(&live.join("VERSION")), old);
    assert_eq!(version(6415).1, old.trim(), "the old version serves");
    assert_lock_free(&stack);
}

#[test]
fn a_promotion_waiting_for_the_lock_stops_on_sigterm_and_gets_it_once_free() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let old = read(&live.join("VERSION"));
    let held = stack.hold_lock("ha start");

    stack
        .gaia(["promote", "gaia-core"])
        .run()
        .exits(4)
        .says("`gaia ha start` by tester@test-host")
        .says("--wait");

    let mut waiting = stack
        .gaia(["promote", "gaia-core", "--wait", "60s"])
        .start();
    std::thread::sleep(Duration::from_millis(500));
    waiting.signal(nix::sys::signal::Signal::SIGTERM);
    waiting
        .finish()
        .exits(143)
        .says("stopped by SIGTERM before anything was changed");
    assert_eq!(read(&live.join("VERSION")), old, "nothing was changed");

    let waiting = stack
        .gaia(["promote", "gaia-core", "--wait", "60s"])
        .start();
    std::thread::sleep(Duration::from_millis(500));
    drop(held);
    waiting.finish().succeeds();
    stack
        .gaia(["rollback", "gaia-core", "--yes"])
        .run()
        .succeeds();
}

#[test]
fn a_signal_at_any_step_of_promote_finishes_or_undoes_it_and_the_old_version_serves() {
    use nix::sys::signal::Signal::{SIGHUP, SIGTERM};
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let old = read(&live.join("VERSION"));
    // (signal, the line after which it is sent, the exit code it gives)
    let moments = [
        (SIGTERM, "validate: building a throwaway image", 143),
        (SIGTERM, "==> backup:", 143),
        (SIGHUP, "==> promote:", 129),
        (SIGTERM, "==> restart:", 143),
    ];
    for (signal, moment, code) in moments {
        let mut run = stack.gaia(["promote", "gaia-core", "--validate"]).start();
        run.waits_for(moment, Duration::from_secs(120))
            .signal(signal);
        let gate = moment == "==> restart:";
        if gate {
            // Pressed again while the rollback runs: told, not obeyed.
            run.waits_for("rolling back gaia-core", Duration::from_secs(60))
                .signal(signal);
        }
        let ran = run.finish();
        if gate {
            ran.says("SIGTERM again: gaia is still rolling back gaia-core");
        }
        ran.exits(code);
        assert_eq!(
            read(&live.join("VERSION")),
            old,
            "{signal} after {moment:?}: the old files are live\n{}",
            ran.stderr
        );
        assert_eq!(
            version(6415).1,
            old.trim(),
            "{signal} after {moment:?}: the old version serves"
        );
        assert_lock_free(&stack);
        let last = history(&stack, "gaia-core").pop().unwrap();
        assert!(
            ["interrupted", "rolled-back"].contains(&last["outcome"].as_str().unwrap()),
            "{signal} after {moment:?}: {last:#}"
        );
        assert_eq!(last["exit_code"], code, "{last:#}");
        let (_, images) = docker(&["images", "-q", "--filter", "reference=gaia-validate-*"]);
        assert!(
            images.trim().is_empty(),
            "the throwaway image was left: {images}"
        );
        let (_, left) = docker(&["ps", "-aq", "--filter", "label=io.gaia.throwaway"]);
        assert!(
            left.trim().is_empty(),
            "a validator's container was left: {left}"
        );
    }
}

#[test]
fn a_candidate_link_to_a_host_file_is_refused_and_live_is_unchanged() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let host = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(host.path(), "a host file's contents").unwrap();
    let leak = candidate.join("leak.py");
    let _restore = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: vec![leak.clone()],
    };
    std::os::unix::fs::symlink(host.path(), &leak).unwrap();
    let before = tree(&live);

    let ran = stack
        .gaia(["promote", "gaia-core", "--format", "json"])
        .run();
    ran.exits(5).says("leak.py").says("must stay inside");
    assert_eq!(ran.json()["outcome"], "refused");
    assert_eq!(tree(&live), before, "live is unchanged");
    assert!(std::fs::symlink_metadata(live.join("leak.py")).is_err());
}

#[test]
fn after_a_promotion_with_no_backup_rollback_refuses_and_the_log_has_started_and_final_records() {
    use std::os::unix::fs::PermissionsExt as _;
    let stack = stack();
    let (live, candidate, backup) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
        stack.root.join("gaia-core.bak"),
    );
    let log = stack.root.join(".gaia/promotions.jsonl");
    let _restore = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: vec![backup.clone()],
    };
    // An older run's backup, which must not come back.
    let _ = std::fs::remove_dir_all(&backup);
    std::fs::create_dir_all(&backup).unwrap();
    put_back(&backup, &tree(&live));
    std::fs::write(backup.join("OLDER"), "an older run's").unwrap();
    // A log someone made readable to all is narrowed by the next record.
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();

    let (code, record) = promote(
        &stack,
        &["gaia-core", "--no-backup", "--yes", "--no-restart"],
    );
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(step(&record, "backup")["outcome"], "skipped");
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let lines: Vec<Value> = read(&log)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let [.., started, last] = &lines[..] else {
        panic!("fewer than two records: {lines:?}")
    };
    assert_eq!(started["outcome"], "started");
    assert_eq!(last["outcome"], "done");
    assert_eq!(started["run"], last["run"]);
    assert_eq!(started["run"], record["run"]);
    assert_eq!(
        started["steps"].as_array().unwrap().last().unwrap()["step"],
        "backup",
        "started before the copy: {started:#}"
    );
    let shown: Vec<Value> = history(&stack, "gaia-core")
        .into_iter()
        .filter(|r| r["run"] == record["run"])
        .collect();
    assert_eq!(shown.len(), 1, "history shows a finished run once");
    assert_eq!(shown[0]["outcome"], "done");

    let promoted = tree(&live);
    assert_eq!(promoted, tree(&candidate));
    stack
        .gaia(["rollback", "gaia-core"])
        .run()
        .exits(5)
        .says("nothing recorded to go back to")
        .says("--no-backup");
    assert_eq!(tree(&live), promoted, "the older backup was not restored");
    assert!(!live.join("OLDER").exists());
}

/// Puts the audit log back in place of the link a story stood there.
struct PutLogBack {
    log: std::path::PathBuf,
    real: std::path::PathBuf,
}

impl Drop for PutLogBack {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::rename(&self.real, &self.log);
    }
}

#[test]
fn a_promotion_whose_terminal_went_away_still_finishes_whole() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let candidate_version = read(&stack.root.join("candidates/gaia-core/VERSION"));
    let mut orphan = stack.gaia(["promote", "gaia-core"]).spawn();
    // Both ends closed before gaia writes a word: every write it makes fails
    // (EPIPE), as it does once an ssh session is gone.
    drop(orphan.stdout.take());
    drop(orphan.stderr.take());
    let status = orphan.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{status:?}: killed by SIGPIPE or a panic"
    );
    assert_eq!(read(&live.join("VERSION")), candidate_version);
    assert_eq!(version(6415).1, candidate_version.trim());
    let last = history(&stack, "gaia-core").pop().unwrap();
    assert_eq!(last["outcome"], "done", "{last:#}");
    assert_lock_free(&stack);
    stack
        .gaia(["rollback", "gaia-core", "--yes"])
        .run()
        .succeeds();
}

#[test]
fn a_final_record_that_cannot_be_written_is_said_and_a_success_exits_2_with_its_report() {
    let stack = stack();
    let live = stack.root.join("gaia-core");
    let _restore = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: vec![],
    };
    let (code, record) = promote(&stack, &["gaia-core", "--no-restart"]);
    assert_eq!(code, 0, "{record:#}");
    // The audit log is never written through a link: one in its place
    // makes every append fail, whoever runs the test.
    let log = stack.root.join(".gaia/promotions.jsonl");
    let real = log.with_extension("jsonl.real");
    std::fs::rename(&log, &real).unwrap();
    let _put_back = PutLogBack {
        log: log.clone(),
        real: real.clone(),
    };
    std::os::unix::fs::symlink(&real, &log).unwrap();
    let before = read(&real);

    let ran = stack
        .gaia(["rollback", "gaia-core", "--yes", "--format", "json"])
        .run();
    ran.exits(2)
        .says("the audit record could not be written")
        .says(&log.display().to_string());
    let report = ran.json();
    assert_eq!(
        report["outcome"], "done",
        "the report is printed: {report:#}"
    );
    assert_eq!(report["exit_code"], 2);
    assert_eq!(read(&real), before, "nothing was written through the link");
}

#[test]
fn each_promotion_keeps_what_it_replaced_and_rollback_to_puts_an_older_version_back() {
    let stack = stack();
    let (live, candidate) = (
        stack.root.join("gaia-core"),
        stack.root.join("candidates/gaia-core"),
    );
    let _live_back = Restore {
        root: &live,
        saved: tree(&live),
        also_remove: Vec::new(),
    };
    let _candidate_back = Restore {
        root: &candidate,
        saved: tree(&candidate),
        also_remove: Vec::new(),
    };
    // Three promotions on a shared stack: a short watch window.
    let checks = tempfile::tempdir().unwrap();
    std::fs::write(
        checks.path().join("promote.toml"),
        "watch_window = \"1s\"\n",
    )
    .unwrap();
    let checks = checks.path().to_str().unwrap().to_owned();
    let original = read(&live.join("VERSION"));

    let mut replaced = Vec::new();
    for n in 1..=3 {
        std::fs::write(candidate.join("VERSION"), format!("kept-{n}\n")).unwrap();
        let (code, record) = promote(&stack, &["gaia-core", "--checks", &checks]);
        assert_eq!(code, 0, "{record:#}");
        assert_eq!(step(&record, "keep")["outcome"], "ok", "{record:#}");
        replaced.push(record["from"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(version(6415).1, "kept-3");
    // History names the versions by the ids rollback takes.
    let entries = history(&stack, "gaia-core");
    let ids: Vec<&str> = entries[entries.len() - 3..]
        .iter()
        .map(|r| r["from"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, replaced);
    stack
        .gaia(["history", "gaia-core"])
        .run()
        .succeeds()
        .says("VERSION")
        .says(&replaced[0]);
    let listed = stack
        .gaia(["rollback", "gaia-core", "--list", "--format", "json"])
        .run();
    listed.succeeds();
    let kept: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept.len(), 3, "the store holds keep = 3: {kept:?}");
    assert_eq!(kept, replaced.iter().rev().cloned().collect::<Vec<_>>());

    // An id that is not kept: a usage error naming the kept ones; nothing changes.
    let before = history(&stack, "gaia-core").len();
    stack
        .gaia(["rollback", "gaia-core", "--to", "not-an-id", "--yes"])
        .run()
        .exits(64)
        .says(&replaced[0]);
    assert_eq!(read(&live.join("VERSION")), "kept-3\n");
    assert_eq!(history(&stack, "gaia-core").len(), before);

    let first = &replaced[0][..6];
    stack
        .gaia(["rollback", "gaia-core", "--to", first, "--dry-run"])
        .run()
        .succeeds()
        .says(&format!(".gaia/versions/gaia-core/{}/files", replaced[0]));
    let ran = stack
        .gaia([
            "rollback",
            "gaia-core",
            "--to",
            first,
            "--yes",
            "--format",
            "json",
        ])
        .run();
    ran.succeeds();
    assert_eq!(ran.json()["to"]["id"], replaced[0].as_str());
    assert_eq!(read(&live.join("VERSION")), original);
    assert_eq!(version(6415).1, original.trim());
}

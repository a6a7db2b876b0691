//! A CI job's view of gaia: the report always lands where the job looks for
//! it, and the exit code says which of the documented cases it was (README,
//! "Exit codes"). Nothing here needs a Docker engine.

mod common;

use std::path::Path;

use common::gaia;

const NOWHERE: &str = "unix:///nonexistent.sock";

/// A registry that does not parse: the error names line 2.
fn broken_registry(dir: &Path) -> String {
    let path = dir.join("services.toml");
    std::fs::write(&path, "# mine\n[[service]\nname = \"gaia-core\"\n").unwrap();
    path.display().to_string()
}

/// The one failed test case of a JUnit report whose checks could not run,
/// with its suite's attributes checked on the way.
fn the_failure(xml: &str) -> (String, String, String) {
    let doc = roxmltree::Document::parse(xml).expect("the report is XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1, "{xml}");
    let suite = suites[0];
    assert_eq!(suite.attribute("name"), Some("preflight"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert!(!suite.attribute("hostname").unwrap_or_default().is_empty());
    let stamp = suite.attribute("timestamp").expect("a timestamp");
    assert!(humantime::parse_rfc3339(stamp).is_ok(), "{stamp}");
    let case = suite
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .expect("one test case");
    let failure = case
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("the case failed");
    let out = case
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    (
        case.attribute("name").unwrap_or_default().to_owned(),
        failure.attribute("message").unwrap_or_default().to_owned(),
        out.to_owned(),
    )
}

#[test]
fn with_no_engine_the_junit_report_still_lands_in_output() {
    let dir = tempfile::tempdir().unwrap();
    let ran = gaia(["doctor", "--format", "junit", "--output", "r.xml"])
        .in_dir(dir.path())
        .env("DOCKER_HOST", NOWHERE)
        .run();
    ran.exits(69).says("cannot reach the Docker engine");
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).expect("r.xml was written");
    let (id, message, out) = the_failure(&xml);
    assert_eq!(id, "preflight.docker");
    assert!(message.contains("cannot reach the Docker engine at unix:///nonexistent.sock"));
    assert!(out.contains("fix: Start the daemon"), "{out}");
}

#[test]
fn with_a_broken_registry_the_junit_report_still_lands_in_output() {
    let dir = tempfile::tempdir().unwrap();
    let registry = broken_registry(dir.path());
    let ran = gaia([
        "--config", &registry, "doctor", "--format", "junit", "--output", "r.xml",
    ])
    .in_dir(dir.path())
    .run();
    ran.exits(64).says("services.toml:2:");
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).expect("r.xml was written");
    let (id, message, out) = the_failure(&xml);
    assert_eq!(id, "preflight.config");
    assert!(message.contains("services.toml:2:"), "{message}");
    assert!(out.contains("fix: "), "{out}");
}

#[test]
fn a_json_report_that_could_not_run_its_checks_follows_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let registry = broken_registry(dir.path());
    let cases: [(Vec<&str>, i32, &str); 3] = [
        (vec!["doctor", "--format", "json"], 69, "preflight.docker"),
        (
            vec!["--config", &registry, "doctor", "--format", "json"],
            64,
            "preflight.config",
        ),
        (
            vec!["doctor", "--format", "json", "--service", "gaia-nope"],
            64,
            "preflight.config",
        ),
    ];
    for (args, code, id) in cases {
        let ran = gaia(&args).env("DOCKER_HOST", NOWHERE).run();
        ran.exits(code);
        let report = ran.json();
        common::assert_doctor_schema(&report);
        assert_eq!(report["checks"][0]["id"], id, "{report:#}");
        assert_eq!(report["summary"]["failures"], 1, "{report:#}");
        assert!(report["checks"][0]["remediation"].is_string(), "{report:#}");
    }
    // Written to --output too, and in any format.
    let ran = gaia(["doctor", "--output", "r.txt"])
        .in_dir(dir.path())
        .env("DOCKER_HOST", NOWHERE)
        .run();
    ran.exits(69);
    let text = std::fs::read_to_string(dir.path().join("r.txt")).unwrap();
    assert!(text.contains("cannot reach the Docker engine"), "{text}");
}

#[test]
fn a_json_report_says_which_gaia_made_it_where_and_when() {
    let ran = gaia(["doctor", "--format", "json"])
        .env("DOCKER_HOST", NOWHERE)
        .run();
    let report = ran.json();
    assert_eq!(report["schema"], "gaia.doctor/2");
    assert_eq!(report["gaia"]["version"], env!("CARGO_PKG_VERSION"));
    let commit = report["gaia"]["commit"].as_str().unwrap();
    let version = gaia(["--version"]).run();
    assert!(version.stdout.contains(commit), "{}", version.stdout);
    assert!(!report["host"].as_str().unwrap().is_empty());
    let started = report["started_at"].as_str().unwrap();
    let started = humantime::parse_rfc3339(started).expect("RFC 3339");
    let age = std::time::SystemTime::now()
        .duration_since(started)
        .unwrap();
    assert!(age.as_secs() < 60, "started {age:?} ago");
}

/// Every command and subcommand, as a user would type it.
const COMMANDS: &[&[&str]] = &[
    &["doctor"],
    &["promote", "gaia-core"],
    &["rollback", "gaia-core"],
    &["history"],
    &["ha", "start"],
    &["ha", "stop"],
    &["ha", "status"],
    &["ha", "maintenance", "status"],
    &["failover-test"],
    &["init"],
    &["sim", "up"],
    &["sim", "down"],
    &["sim", "status"],
    &["sim", "fault", "exited"],
    &["sim", "heal"],
    &["completions", "bash"],
    &["man"],
];

#[test]
fn a_usage_error_exits_64_for_every_command() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--no-such-flag");
        gaia(&args)
            .env("DOCKER_HOST", NOWHERE)
            .run()
            .exits(64)
            .says("--no-such-flag");
    }
    gaia(["no-such-command"]).run().exits(64);
    gaia(["promote"]).run().exits(64).says("<SERVICE>");
}

#[test]
fn a_bad_registry_exits_64_for_every_command_that_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let registry = broken_registry(dir.path());
    for command in COMMANDS {
        if matches!(command[0], "completions" | "man") {
            continue;
        }
        let mut args = vec!["--config", registry.as_str()];
        args.extend_from_slice(command);
        gaia(&args)
            .env("DOCKER_HOST", NOWHERE)
            .run()
            .exits(64)
            .says("services.toml:2:");
    }
}

#[test]
fn with_no_engine_every_command_that_needs_it_exits_69() {
    let root = tempfile::tempdir().unwrap();
    for command in COMMANDS {
        if matches!(
            command[0],
            "history" | "init" | "completions" | "man" | "sim"
        ) {
            continue;
        }
        gaia(*command)
            .root(root.path())
            .env("DOCKER_HOST", NOWHERE)
            .run()
            .exits(69)
            .says("cannot reach the Docker engine");
    }
    // What else gaia needs: the root's compose files, a simulated stack.
    for command in [&["init"][..], &["sim", "status"], &["sim", "heal"]] {
        gaia(command)
            .root(root.path())
            .env("DOCKER_HOST", NOWHERE)
            .run()
            .exits(69);
    }
}

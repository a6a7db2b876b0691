//! `gaia doctor` against the simulated stack on the real engine: a healthy
//! stack is green, and each incident the doctor exists for turns exactly the
//! check meant to catch it.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Stack, stack};
use serde_json::Value;

const SECRET: &str = "gsk_rehearsal_0000000000000000";

fn doctor_json(stack: &Stack) -> (Value, Duration, i32) {
    let ran = stack.gaia(["doctor", "--format", "json"]).run();
    (ran.json(), ran.elapsed, ran.code)
}

fn not_passing(report: &Value, severity: &str) -> BTreeSet<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == severity)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_healthy_stack_passes_every_category() {
    let stack = stack();
    let (report, _, code) = doctor_json(&stack);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["failures"],
        0,
        "{:?}",
        not_passing(&report, "fail")
    );
    assert_eq!(
        report["summary"]["warnings"],
        0,
        "{:?}",
        not_passing(&report, "warn")
    );
    let categories: BTreeSet<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    for category in [
        "preflight",
        "containers",
        "http",
        "ha",
        "connectivity",
        "volumes",
        "library",
        "sessions",
        "resources",
        "gpu",
        "model",
        "images",
        "consistency",
    ] {
        assert!(categories.contains(category), "{category} missing");
    }
    // Every category has at least one check that really looked.
    for category in &categories {
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["category"] == *category && c["severity"] == "pass"),
            "{category} only skipped"
        );
    }
}

#[test]
fn reports_follow_the_documented_formats_and_never_show_secrets() {
    let stack = stack();
    let json = stack.gaia(["doctor", "--format", "json"]).run();
    let report = json.json();
    common::assert_doctor_schema(&report);

    let junit = stack.gaia(["doctor", "--format", "junit"]).run();
    let xml = roxmltree::Document::parse(&junit.stdout).expect("JUnit output is XML");
    let suites: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(suites.len(), 13, "one test suite per category: {suites:?}");
    let cases = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, report["checks"].as_array().unwrap().len());

    let human = stack.gaia(["doctor", "-v"]).run();
    assert!(
        human.stdout.contains("GROQ_API_KEY=***"),
        "the verbose report shows env evidence"
    );
    for (format, out) in [
        ("json", &json.stdout),
        ("junit", &junit.stdout),
        ("human -v", &human.stdout),
    ] {
        assert!(
            !out.contains(SECRET),
            "{format} output shows the GROQ_API_KEY value"
        );
    }

    let file = tempfile::NamedTempFile::new().unwrap();
    let path = file.path().to_str().unwrap();
    let ran = stack
        .gaia(["doctor", "--format", "junit", "--output", path])
        .run();
    ran.succeeds();
    assert_eq!(ran.stdout, "");
    assert!(
        std::fs::read_to_string(path)
            .unwrap()
            .contains("<testsuites")
    );
}

#[test]
fn filters_and_the_check_list() {
    let stack = stack();
    let ran = stack
        .gaia([
            "doctor",
            "--service",
            "gaia-core",
            "--category",
            "http",
            "--format",
            "json",
        ])
        .run();
    ran.succeeds();
    let ids: Vec<String> = ran.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["http.gaia-core"]);
    let listed = common::gaia(["doctor", "--list-checks", "--format", "json"]).run();
    listed.succeeds();
    assert!(listed.json().as_array().unwrap().len() > 80);
    common::gaia(["doctor", "--service", "gaia-nope"])
        .run()
        .exits(3)
        .says("`gaia-nope` is not a service");

    // Run from anywhere, the doctor finds the root compose ran the stack from.
    let elsewhere = tempfile::tempdir().unwrap();
    let ran = common::gaia(["doctor", "--category", "preflight", "--format", "json"])
        .in_dir(elsewhere.path())
        .run();
    ran.succeeds();
    let root = stack.root.canonicalize().unwrap();
    assert_eq!(ran.json()["root"], root.to_str().unwrap());
}

struct Case {
    fault: &'static [&'static str],
    /// Checks that must turn warn or fail.
    expect: &'static [&'static str],
    /// Checks that may turn warn or fail as a consequence.
    may: &'static [&'static str],
}

const CONNECTIVITY_OF_CORE: &[&str] = &[
    "http.gaia-core",
    "ha.orchestrator",
    "connectivity.gaia-web.gaia-core",
    "connectivity.gaia-core.gaia-mcp",
    "connectivity.gaia-core.gaia-prime",
    "connectivity.gaia-core.gaia-study",
];

const MATRIX: &[Case] = &[
    Case {
        fault: &["exited"],
        expect: &["containers.gaia-web"],
        may: &[],
    },
    Case {
        fault: &["unhealthy"],
        expect: &["containers.gaia-mcp"],
        may: &[],
    },
    Case {
        fault: &["restart-loop"],
        expect: &["containers.gaia-study"],
        may: &[],
    },
    Case {
        fault: &["health-500"],
        expect: &["http.gaia-study"],
        may: &["connectivity.gaia-core.gaia-study", "containers.gaia-study"],
    },
    Case {
        fault: &["health-hang"],
        expect: &["http.gaia-study"],
        may: &["connectivity.gaia-core.gaia-study", "containers.gaia-study"],
    },
    Case {
        fault: &["no-model"],
        expect: &["model.gaia-prime"],
        may: &[],
    },
    Case {
        fault: &["core-gpu"],
        expect: &["gpu.gaia-core"],
        may: &[],
    },
    Case {
        fault: &["standby-down"],
        expect: &["ha.standbys"],
        may: &["containers.gaia-mcp-candidate", "ha.orchestrator"],
    },
    Case {
        fault: &["standbys-down"],
        expect: &["ha.standbys"],
        may: &[
            "containers.gaia-core-candidate",
            "containers.gaia-mcp-candidate",
            "ha.orchestrator",
        ],
    },
    Case {
        fault: &["no-fallback-env"],
        expect: &["ha.fallback.gaia-web"],
        may: &[],
    },
    Case {
        fault: &["maintenance-on"],
        expect: &["ha.maintenance"],
        may: &[],
    },
    Case {
        fault: &["network-detached"],
        expect: &["connectivity.gaia-core.gaia-mcp"],
        may: CONNECTIVITY_OF_CORE,
    },
    Case {
        fault: &["shared-dir-missing"],
        expect: &["shared-dirs.gaia-candidate-shared"],
        may: &[],
    },
    Case {
        fault: &["shared-dir-root-owned"],
        expect: &["shared-dirs.gaia-candidate-shared"],
        may: &[],
    },
    Case {
        fault: &["library-drift"],
        expect: &["library.utils/resilience.py"],
        may: &[],
    },
    Case {
        fault: &["sessions-stale"],
        expect: &["sessions.age"],
        may: &["sessions.drift"],
    },
    Case {
        fault: &["stale-candidate-image"],
        expect: &["images.age.gaia-core-candidate"],
        may: &[],
    },
    Case {
        fault: &["image-without-user"],
        expect: &["images.user.gaia-core-candidate"],
        may: &[],
    },
    Case {
        fault: &["no-gaia-common"],
        expect: &["images.import.gaia-web.gaia_common"],
        may: &[],
    },
    Case {
        fault: &["mangled-name"],
        expect: &["containers.gaia-core"],
        may: &["ha.orchestrator"],
    },
];

#[test]
fn each_fault_turns_the_check_meant_to_catch_it() {
    let stack = stack();
    let mut wrong = Vec::new();
    for case in MATRIX {
        stack.fault(case.fault);
        let (report, elapsed, code) = doctor_json(&stack);
        let flagged: BTreeSet<String> = not_passing(&report, "warn")
            .union(&not_passing(&report, "fail"))
            .cloned()
            .collect();
        let failed = not_passing(&report, "fail");
        for id in case.expect {
            if !flagged.contains(*id) {
                wrong.push(format!(
                    "{:?}: {id} did not turn warn or fail (flagged: {flagged:?})",
                    case.fault
                ));
            }
        }
        for id in &failed {
            if !case.expect.contains(&id.as_str()) && !case.may.contains(&id.as_str()) {
                wrong.push(format!("{:?}: {id} failed too", case.fault));
            }
        }
        let expected_code = if failed.is_empty() { 1 } else { 2 };
        if code != expected_code {
            wrong.push(format!(
                "{:?}: exit {code}, expected {expected_code}",
                case.fault
            ));
        }
        if case.fault == ["health-hang"] && elapsed > Duration::from_secs(6) {
            wrong.push(format!(
                "health-hang: doctor took {elapsed:?}, more than the probe timeout + 1 s"
            ));
        }
        stack.heal();
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn warnings_exit_1_unless_they_are_made_to_fail() {
    let stack = stack();
    stack.fault(&["maintenance-on"]);
    let human = stack
        .gaia(["doctor", "--category", "ha", "--color", "never"])
        .run();
    human.exits(1);
    stack
        .gaia(["doctor", "--category", "ha", "--fail-on", "warn"])
        .run()
        .exits(2);
    stack.heal();
    let report = human
        .stdout
        .replace(stack.root.to_str().unwrap(), "[root]")
        .lines()
        .map(|l| {
            l.split(" in ")
                .next()
                .unwrap_or(l)
                .split(" (reason=")
                .next()
                .unwrap_or(l)
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("doctor_ha_in_maintenance", report);
}

#[test]
fn a_missing_network_stops_nothing_but_is_reported() {
    let stack = stack();
    stack.fault(&["network-missing"]);
    let (report, _, code) = doctor_json(&stack);
    assert_eq!(code, 2);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "preflight.network")
        .unwrap();
    assert_eq!(check["severity"], "fail");
    assert_eq!(check["message"], "network gaia-network does not exist");
    stack.heal();
}

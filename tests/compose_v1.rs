//! The simulated stack on Compose v1 (`docker-compose` 1.29), which some
//! GAIA hosts still run: gaia brings the stack up with it, repairs what the
//! operator breaks through it, and v1 accepts what gaia made. (Every other
//! story runs on v2, the compose gaia prefers.)

mod common;

use serde_json::Value;

#[test]
fn on_compose_v1_the_stack_is_repaired_and_v1_accepts_what_gaia_made() {
    let stack = common::stack_on(Some("docker-compose"));
    stack
        .gaia(["doctor", "--category", "preflight"])
        .run()
        .says("(docker-compose, v1)");
    // (fault, its target, the check it turns, with what severity, the repair)
    let cases: &[(&str, Option<&str>, &str, &str, &str)] = &[
        (
            "network-missing",
            None,
            "preflight.network",
            "fail",
            "create-network",
        ),
        // v1 lets a network labelled for another compose key pass; v2 would not.
        (
            "network-mislabelled",
            None,
            "compose-labels.gaia-network",
            "warn",
            "relabel-network",
        ),
        (
            "exited",
            Some("gaia-web"),
            "containers.gaia-web",
            "fail",
            "start",
        ),
        (
            "mangled-name",
            Some("gaia-core"),
            "containers.gaia-core",
            "fail",
            "recreate",
        ),
    ];
    for (fault, target, check, severity, action) in cases {
        match target {
            Some(target) => stack.fault(&[fault, "--service", target]),
            None => stack.fault(&[fault]),
        }
        let before = stack.gaia(["doctor", "--format", "json"]).run().json();
        let found = before["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == *check)
            .unwrap_or_else(|| panic!("{fault}: no {check} in {before:#}"));
        assert_eq!(found["severity"], *severity, "{fault}: {found:#}");

        let ran = stack.gaia(["doctor", "--fix", "--format", "json"]).run();
        let report = ran.json();
        let repairs = report["fix"]["repairs"].as_array().unwrap();
        assert!(
            repairs
                .iter()
                .any(|r| r["action"] == *action && r["outcome"] == "repaired"),
            "{fault}: no {action} repaired on v1:\n{:#}",
            report["fix"]
        );
        assert_eq!(ran.code, 0, "{fault}: {:#}", report["fix"]);
        stack.assert_green(&format!("after --fix of {fault} on v1"));
        stack.assert_compose_accepts(&format!("after --fix of {fault}"));
    }
    let status = stack.gaia(["sim", "status", "--format", "json"]).run();
    status.succeeds();
    for service in status.json().as_array().unwrap() {
        assert_eq!(
            (&service["state"], &service["health"]),
            (&Value::from("running"), &Value::from("healthy")),
            "sim status on v1: {service:#}"
        );
    }
}

//! Checks the operator owns: custom `http`, `exec` and `log` checks written
//! in TOML, from the root's `.gaia/checks/` or `--checks DIR`, each failing
//! and passing against the simulated stack.

mod common;

use common::stack;
use serde_json::Value;

/// Each kind, once holding and once not, on the healthy simulated stack.
const CHECKS: &str = r#"
[[check]]
id = "core-health"
kind = "http"
service = "gaia-core"
path = "/health"
contains = "healthy"
severity = "fail"
description = "core says it is healthy"
remediation = "docker restart gaia-core"

[[check]]
id = "core-admin"
kind = "http"
service = "gaia-core"
path = "/admin"
severity = "warn"
description = "core serves /admin"

[[check]]
id = "core-from-web"
kind = "http"
url = "http://gaia-core:6415/health"
from = "gaia-web"
contains = "healthy"
severity = "fail"
description = "web reaches core's health"

[[check]]
id = "shared-owned"
kind = "exec"
service = "gaia-core"
argv = ["stat", "-c", "%U", "/shared"]
stdout_contains = "gaia"
severity = "fail"
description = "core's /shared belongs to the service user"

[[check]]
id = "backups"
kind = "exec"
service = "gaia-core"
argv = ["stat", "-c", "%U", "/backups"]
severity = "warn"
description = "core has a /backups directory"
remediation = "mkdir /backups in gaia-core's image"

[[check]]
id = "core-started"
kind = "log"
service = "gaia-core"
patterns = ["listening on port"]
since = "1h"
severity = "fail"
description = "(inverted on purpose) core never said it listens"

[[check]]
id = "core-tracebacks"
kind = "log"
service = "gaia-core"
patterns = ["Traceback \\(most recent call last\\)"]
severity = "fail"
description = "no Python traceback in core's log"
"#;

fn custom(report: &Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["category"] == "custom")
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["severity"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn severity<'a>(found: &'a [(String, String, String)], id: &str) -> (&'a str, &'a str) {
    found
        .iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, s, m)| (s.as_str(), m.as_str()))
        .unwrap_or_else(|| panic!("{id} not in the report: {found:?}"))
}

#[test]
fn custom_checks_in_the_root_fail_and_pass_against_the_simulated_stack() {
    let stack = stack();
    let dir = stack.root.join(".gaia/checks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("custom.toml"), CHECKS).unwrap();
    let ran = stack
        .gaia(["doctor", "--category", "custom", "--format", "json"])
        .run();
    std::fs::remove_file(dir.join("custom.toml")).unwrap();
    ran.exits(2);
    let report = ran.json();
    common::assert_doctor_schema(&report);
    let found = custom(&report);
    let expect = [
        (
            "custom.prime-gpu-errors",
            "pass",
            "no line matching \"CUDA out of memory\" or \"EngineDeadError\" in gaia-prime's log",
        ),
        (
            "custom.core-health",
            "pass",
            "GET http://127.0.0.1:6415/health answered 200 and contained \"healthy\"",
        ),
        (
            "custom.core-admin",
            "warn",
            "GET http://127.0.0.1:6415/admin answered 404, expected 200",
        ),
        (
            "custom.core-from-web",
            "pass",
            "GET http://gaia-core:6415/health from inside gaia-web answered 200 and contained \"healthy\"",
        ),
        (
            "custom.shared-owned",
            "pass",
            "`stat -c %U /shared` in gaia-core exited 0 and printed \"gaia\"",
        ),
        (
            "custom.backups",
            "warn",
            "`stat -c %U /backups` in gaia-core exited 1, expected 0",
        ),
        (
            "custom.core-started",
            "fail",
            "gaia-core's log since it started",
        ),
        (
            "custom.core-tracebacks",
            "pass",
            "no line matching \"Traceback \\\\(most recent call last\\\\)\" in gaia-core's log",
        ),
    ];
    for (id, want, says) in expect {
        let (seen, message) = severity(&found, id);
        assert_eq!(seen, want, "{id}: {message}");
        assert!(
            message.starts_with(says),
            "{id}: {message:?} does not start {says:?}"
        );
    }
    let backups = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "custom.backups")
        .unwrap();
    assert_eq!(
        backups["remediation"],
        "mkdir /backups in gaia-core's image"
    );
    assert_eq!(backups["service"], "gaia-core");

    // The other formats carry them too.
    std::fs::write(dir.join("custom.toml"), CHECKS).unwrap();
    let human = stack
        .gaia(["doctor", "--category", "custom", "--color", "never"])
        .run();
    let junit = stack
        .gaia(["doctor", "--category", "custom", "--format", "junit"])
        .run();
    std::fs::remove_file(dir.join("custom.toml")).unwrap();
    human
        .exits(2)
        .says("Your checks")
        .says("[custom.backups] `stat -c %U /backups` in gaia-core exited 1, expected 0")
        .says("fix: mkdir /backups in gaia-core's image");
    junit.exits(2).says("<testcase name=\"custom.core-admin\"");
}

#[test]
fn checks_given_with_the_checks_option_replace_the_root_s_by_id() {
    let stack = stack();
    let mine = tempfile::tempdir().unwrap();
    // prime-gpu-errors replaced: its pattern now matches what prime says as it starts.
    std::fs::write(
        mine.path().join("custom.toml"),
        "[[check]]\nid = \"prime-gpu-errors\"\nkind = \"log\"\nservice = \"gaia-prime\"\n\
         patterns = [\"listening on port\"]\nseverity = \"warn\"\ndescription = \"d\"\n",
    )
    .unwrap();
    let ran = stack
        .gaia([
            "doctor",
            "--category",
            "custom",
            "--format",
            "json",
            "--checks",
            mine.path().to_str().unwrap(),
        ])
        .run();
    ran.exits(1);
    let found = custom(&ran.json());
    let (seen, message) = severity(&found, "custom.prime-gpu-errors");
    assert_eq!(seen, "warn");
    assert!(
        message.contains("has 1 line matching \"listening on port\"")
            && message.contains("gaia-prime"),
        "{message}"
    );
    assert_eq!(severity(&found, "custom.core-gpu-errors").0, "pass");
}

//! `gaia doctor` against the simulated stack on the real engine: a healthy
//! stack is green, and each incident the doctor exists for turns exactly the
//! check meant to catch it.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Stack, stack};
use serde_json::Value;

/// The doctor's categories, in the order they run and print.
const CATEGORIES: [&str; 14] = [
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
    "custom",
];

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
    for category in CATEGORIES {
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
fn reports_follow_the_documented_formats() {
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
    assert_eq!(suites.len(), 14, "one test suite per category: {suites:?}");
    let cases = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, report["checks"].as_array().unwrap().len());

    let human = stack.gaia(["doctor", "-v"]).run();
    assert!(
        human
            .stdout
            .contains("env of gaia-web: CORE_FALLBACK_ENDPOINT=http://gaia-core-candidate:6415")
            && !human.stdout.contains("GROQ_API_KEY"),
        "the verbose report shows the variable a check is about, not the whole environment"
    );

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
        .exits(64)
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

/// One incident of the matrix: what the doctor must say about it, exactly.
struct Case {
    fault: &'static [&'static str],
    /// Every check that must turn, with the severity it must turn to.
    turns: &'static [(&'static str, &'static str)],
    /// Checks that may also turn (at any severity) as the fault settles;
    /// any other warning or failure is a false alarm.
    may: &'static [&'static str],
    /// `gaia doctor`'s exit code.
    exit: i32,
}

const FAIL: &str = "fail";
const WARN: &str = "warn";

const MATRIX: &[Case] = &[
    Case {
        fault: &["exited"],
        turns: &[("containers.gaia-web", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["unhealthy"],
        turns: &[("containers.gaia-mcp", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["restart-loop"],
        turns: &[("containers.gaia-study", WARN)],
        may: &[],
        exit: 1,
    },
    Case {
        fault: &["health-500"],
        turns: &[
            ("http.gaia-study", FAIL),
            ("connectivity.gaia-core.gaia-study", FAIL),
        ],
        // Docker's own healthcheck catches up within its retries.
        may: &["containers.gaia-study"],
        exit: 2,
    },
    Case {
        fault: &["health-hang"],
        turns: &[
            ("http.gaia-study", FAIL),
            ("connectivity.gaia-core.gaia-study", FAIL),
        ],
        may: &["containers.gaia-study"],
        exit: 2,
    },
    Case {
        fault: &["no-model"],
        turns: &[("model.gaia-prime", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["core-gpu"],
        turns: &[("gpu.gaia-core", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["standby-down"],
        turns: &[
            ("ha.standbys", WARN),
            ("containers.gaia-mcp-candidate", WARN),
        ],
        // The orchestrator notices on its next poll.
        may: &["ha.orchestrator"],
        exit: 1,
    },
    Case {
        fault: &["standbys-down"],
        turns: &[
            ("ha.standbys", WARN),
            ("containers.gaia-core-candidate", WARN),
            ("containers.gaia-mcp-candidate", WARN),
        ],
        may: &["ha.orchestrator"],
        exit: 1,
    },
    Case {
        fault: &["no-fallback-env"],
        turns: &[("ha.fallback.gaia-web", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["maintenance-on"],
        turns: &[("ha.maintenance", WARN)],
        may: &[],
        exit: 1,
    },
    Case {
        fault: &["network-detached"],
        turns: &[
            ("http.gaia-core", FAIL),
            ("connectivity.gaia-web.gaia-core", FAIL),
            ("connectivity.gaia-core.gaia-mcp", FAIL),
            ("connectivity.gaia-core.gaia-prime", FAIL),
            ("connectivity.gaia-core.gaia-study", FAIL),
        ],
        may: &["ha.orchestrator"],
        exit: 2,
    },
    Case {
        fault: &["shared-dir-missing"],
        turns: &[("shared-dirs.gaia-candidate-shared", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["shared-dir-root-owned"],
        turns: &[("shared-dirs.gaia-candidate-shared", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["library-drift"],
        turns: &[("library.utils/resilience.py", WARN)],
        may: &[],
        exit: 1,
    },
    Case {
        fault: &["sessions-stale"],
        turns: &[("sessions.age", WARN), ("sessions.drift", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["stale-candidate-image"],
        turns: &[("images.age.gaia-core-candidate", WARN)],
        may: &[],
        exit: 1,
    },
    Case {
        fault: &["image-without-user"],
        turns: &[("images.user.gaia-core-candidate", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["no-gaia-common"],
        turns: &[("images.import.gaia-web.gaia_common", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["cuda-oom"],
        turns: &[("custom.prime-gpu-errors", FAIL)],
        may: &[],
        exit: 2,
    },
    Case {
        fault: &["mangled-name"],
        turns: &[("containers.gaia-core", FAIL)],
        may: &["ha.orchestrator"],
        exit: 2,
    },
    Case {
        fault: &["network-mislabelled"],
        turns: &[("compose-labels.gaia-network", FAIL)],
        may: &[],
        exit: 2,
    },
];

/// What is wrong with the doctor's word on `case`, if anything.
fn judge(case: &Case, report: &Value, code: i32) -> Vec<String> {
    let mut wrong = Vec::new();
    let severity_of = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["severity"].as_str().unwrap().to_owned())
    };
    for (id, severity) in case.turns {
        let seen = severity_of(id);
        if seen.as_deref() != Some(*severity) {
            wrong.push(format!(
                "{:?}: {id} is {seen:?}, expected {severity}",
                case.fault
            ));
        }
    }
    for severity in [FAIL, WARN] {
        for id in not_passing(report, severity) {
            let expected =
                case.turns.iter().any(|(t, _)| *t == id) || case.may.contains(&id.as_str());
            if !expected {
                wrong.push(format!("{:?}: false alarm, {id} is {severity}", case.fault));
            }
        }
    }
    if code != case.exit {
        wrong.push(format!(
            "{:?}: exit {code}, expected {}",
            case.fault, case.exit
        ));
    }
    wrong
}

/// A configured duration from checks/thresholds.toml (`name = "5s"`).
fn threshold(name: &str) -> Duration {
    let text = include_str!("../checks/thresholds.toml");
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().strip_prefix('='))
        .unwrap_or_else(|| panic!("{name} is not in checks/thresholds.toml"));
    let seconds = value.trim().trim_matches('"').trim_end_matches('s');
    Duration::from_secs(seconds.parse().expect("a duration in seconds"))
}

#[test]
fn each_fault_turns_exactly_its_checks_at_their_severity_and_exit_code() {
    let stack = stack();
    // What a run costs on this machine now, under whatever load it has.
    let (_, baseline, _) = doctor_json(&stack);
    let mut wrong = Vec::new();
    for case in MATRIX {
        stack.assert_green(&format!("before {:?}", case.fault));
        stack.fault(case.fault);
        let (report, elapsed, code) = doctor_json(&stack);
        wrong.extend(judge(case, &report, code));
        // A probe that never answers costs its timeout, not the run.
        let bound = threshold("http_timeout") + baseline * 2 + Duration::from_secs(1);
        if case.fault == ["health-hang"] && elapsed > bound {
            wrong.push(format!(
                "health-hang: doctor took {elapsed:?}, more than the probe timeout plus a \
                 healthy run twice over ({bound:?})"
            ));
        }
        stack.heal();
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_matrix_judge_rejects_a_lowered_severity_a_false_alarm_and_a_wrong_exit() {
    let case = &MATRIX[0];
    let report = |checks: Value| serde_json::json!({ "checks": checks });
    let right = report(serde_json::json!([
        { "id": "containers.gaia-web", "severity": "fail" },
        { "id": "http.gaia-web", "severity": "pass" },
    ]));
    assert!(judge(case, &right, 2).is_empty());
    let lowered = report(serde_json::json!([{ "id": "containers.gaia-web", "severity": "warn" }]));
    assert!(!judge(case, &lowered, 2).is_empty());
    let alarm = report(serde_json::json!([
        { "id": "containers.gaia-web", "severity": "fail" },
        { "id": "http.gaia-web", "severity": "warn" },
    ]));
    assert!(!judge(case, &alarm, 2).is_empty());
    assert!(!judge(case, &right, 1).is_empty());
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
                .split(" (set by ")
                .next()
                .unwrap_or(l)
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("doctor_ha_in_maintenance", report);
}

#[test]
fn a_missing_network_is_reported_and_every_other_check_still_runs() {
    let stack = stack();
    stack.fault(&["network-missing"]);
    let before = containers();
    let (report, _, code) = doctor_json(&stack);
    assert_eq!(code, 2);
    // Nothing stopped at the first failure: what does not need the network
    // was looked at and passes.
    for category in ["containers", "volumes", "library", "images", "consistency"] {
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["category"] == category && c["severity"] == "pass"),
            "{category} did not run: {report:#}"
        );
    }
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "preflight.network")
        .unwrap();
    assert_eq!(check["severity"], "fail");
    assert_eq!(check["message"], "network gaia-network does not exist");
    assert_eq!(containers(), before, "the doctor changed a container");
}

/// Every simulated container: (id, state).
fn containers() -> Vec<(String, String)> {
    let (_, out) = common::docker(&[
        "ps",
        "-a",
        "--filter",
        "label=io.gaia.sim",
        "--format",
        "{{.ID}} {{.State}}",
    ]);
    let mut rows: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, state)| (id.to_owned(), state.to_owned()))
        .collect();
    rows.sort();
    rows
}

#[test]
fn checks_come_in_category_order_with_the_ids_the_list_shows() {
    let stack = stack();
    let ids = |report: &Value| -> Vec<String> {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (first, _, _) = doctor_json(&stack);
    let (second, _, _) = doctor_json(&stack);
    assert_eq!(ids(&first), ids(&second), "two runs, two orders");
    let mut categories: Vec<&str> = first["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    categories.dedup();
    assert_eq!(
        categories, CATEGORIES,
        "each category once, in the documented order"
    );
    let listed = common::gaia(["doctor", "--list-checks", "--format", "json"]).run();
    assert_eq!(
        ids(&first),
        ids(&serde_json::json!({ "checks": listed.json() }))
    );
}

#[test]
fn the_run_deadline_ends_a_probe_that_never_answers() {
    let stack = stack();
    let (_, baseline, _) = doctor_json(&stack);
    stack.fault(&["health-hang"]);
    let deadline = Duration::from_secs(2);
    let ran = stack
        .gaia(["doctor", "--format", "json", "--deadline", "2s"])
        .run();
    ran.exits(2);
    let hung = ran.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "http.gaia-study")
        .cloned()
        .unwrap();
    assert_eq!(hung["severity"], "fail");
    assert!(
        hung["message"]
            .as_str()
            .unwrap()
            .starts_with("no result within"),
        "{hung:#}"
    );
    // Below the probe's own timeout: the deadline, not the probe, ended it.
    assert!(deadline < threshold("http_timeout"));
    assert!(
        ran.elapsed < deadline + baseline * 2 + Duration::from_secs(1),
        "the run took {:?} with a {deadline:?} deadline",
        ran.elapsed
    );
}

#[test]
fn colour_only_on_a_terminal_or_when_asked_and_quiet_and_logs_do_as_they_say() {
    let stack = stack();
    let args = ["doctor", "--category", "preflight"];
    assert!(!coloured(&stack.gaia(args).run().stdout), "piped: plain");
    let always = stack
        .gaia([&args[..], &["--color", "always"]].concat())
        .run();
    assert!(coloured(&always.stdout), "--color always colours");

    let forced = stack.gaia(args).env("CLICOLOR_FORCE", "1").run();
    assert!(coloured(&forced.stdout), "CLICOLOR_FORCE colours a pipe");

    // On a terminal (script gives gaia one) colour is on, unless the
    // environment says otherwise; each stream decides for itself.
    let on_terminal = |command: &str, env: &[(&str, &str)]| {
        let command = format!("{} {command}", env!("CARGO_BIN_EXE_gaia"));
        let mut script = std::process::Command::new("script");
        script
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .env("GAIA_ROOT", &stack.root)
            .env("TERM", "xterm")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            // An operator's terminal, not a CI runner's (anstream lets CI
            // colour a terminal whatever TERM says).
            .env_remove("CI")
            .stdin(std::process::Stdio::null());
        for (key, value) in env {
            script.env(key, value);
        }
        let out = script
            .output()
            .expect("script (bsdutils) runs gaia on a terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let doctor = args.join(" ");
    assert!(
        coloured(&on_terminal(&doctor, &[])),
        "a terminal gets colour"
    );
    for plain in [("NO_COLOR", "1"), ("CLICOLOR", "0"), ("TERM", "dumb")] {
        assert!(
            !coloured(&on_terminal(&doctor, &[plain])),
            "{plain:?} turns it off"
        );
    }
    let steps_only = on_terminal("sim heal >/dev/null", &[]);
    assert!(
        steps_only.contains("==>") && coloured(&steps_only),
        "stderr on a terminal is coloured while stdout goes to a file: {steps_only}"
    );

    let steps = stack.gaia(["sim", "heal"]).run();
    assert!(steps.stderr.contains("==>"), "{}", steps.stderr);
    let quiet = stack.gaia(["-q", "sim", "heal"]).run();
    quiet.succeeds();
    assert!(!quiet.stderr.contains("==>"), "-q: {}", quiet.stderr);
    for ran in [
        stack.gaia(["-vv", "sim", "heal"]).run(),
        stack
            .gaia(["sim", "heal"])
            .env("GAIA_LOG", "gaia=debug")
            .run(),
    ] {
        assert!(
            ran.stderr.contains("DEBUG"),
            "{}: {}",
            ran.shown,
            ran.stderr
        );
    }
    assert!(!steps.stderr.contains("DEBUG"));
}

/// Whether `text` holds a colour (an SGR sequence, `ESC [ <digits;…> m`);
/// a spinner's cursor movements on the terminal are not colour.
fn coloured(text: &str) -> bool {
    text.split("\x1b[").skip(1).any(|rest| {
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .collect();
        !code.is_empty() && code != "0" && rest[code.len()..].starts_with('m')
    })
}

/// Throwaway containers, made until two container IDs on the engine share
/// a two-character prefix: inspecting that prefix is then an engine error
/// (500, "Multiple IDs found"), not a 404. Removed when dropped.
struct AmbiguousPrefix {
    prefix: String,
    made: Vec<String>,
}

impl AmbiguousPrefix {
    fn make() -> AmbiguousPrefix {
        let image = common::inspect("gaia-wiki", "{{.Config.Image}}");
        let mut made = AmbiguousPrefix {
            prefix: String::new(),
            made: Vec::new(),
        };
        // 256 prefixes: a shared one comes within a few dozen containers.
        for _ in 0..300 {
            let (_, ids) = common::docker(&["ps", "-aq", "--no-trunc"]);
            let mut seen = BTreeSet::new();
            if let Some(shared) = ids.lines().map(|id| &id[..2]).find(|p| !seen.insert(*p)) {
                made.prefix = shared.to_owned();
                return made;
            }
            let (code, id) = common::docker(&[
                "create",
                "--label",
                "io.gaia.test-throwaway=1",
                &image,
                "true",
            ]);
            assert_eq!(code, 0, "docker create failed: {id}");
            made.made.push(id.trim().to_owned());
        }
        panic!("no two of 300 container IDs share a prefix");
    }
}

impl Drop for AmbiguousPrefix {
    fn drop(&mut self) {
        if !self.made.is_empty() {
            let _ = common::docker(
                &[
                    &["rm", "-f"][..],
                    &self.made.iter().map(String::as_str).collect::<Vec<_>>(),
                ]
                .concat(),
            );
        }
    }
}

#[test]
fn a_container_the_engine_cannot_inspect_fails_its_own_checks_not_the_run() {
    let stack = stack();
    let ambiguous = AmbiguousPrefix::make();
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("services.toml");
    std::fs::write(
        &registry,
        format!(
            "{}\n[[service]]\nname = \"gaia-ghost\"\ncontainer = \"{}\"\nrole = \"live\"\n\
             required = true\nport = 8080\nhealth_path = \"/health\"\n\
             compose_files = [\"docker-compose.yml\"]\nimage = \"gaia-ghost:latest\"\n\
             gpu = \"none\"\nsource = \"gaia-ghost\"\n",
            gaia::registry::DEFAULT_REGISTRY,
            ambiguous.prefix
        ),
    )
    .unwrap();
    let ran = stack
        .gaia([
            "--config",
            registry.to_str().unwrap(),
            "doctor",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let report = ran.json();
    let checks = report["checks"].as_array().unwrap();
    let check = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {report:#}"))
    };
    for id in ["containers.gaia-ghost", "http.gaia-ghost"] {
        assert_eq!(check(id)["severity"], "fail", "{id}");
        let message = check(id)["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!(
                "the engine could not inspect {}: ",
                ambiguous.prefix
            )) && message.contains("Multiple IDs found"),
            "{id}: {message}"
        );
    }
    // The others were looked at as on any run.
    for service in ["gaia-core", "gaia-web", "gaia-mcp"] {
        assert_eq!(check(&format!("containers.{service}"))["severity"], "pass");
        assert_eq!(check(&format!("http.{service}"))["severity"], "pass");
    }
}

#[test]
fn the_report_reaches_its_file_whole_and_a_full_stdout_is_an_error() {
    let stack = stack();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gaia"))
        .arg("doctor")
        .env("GAIA_ROOT", &stack.root)
        .env_remove("GAIA_CONFIG")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.ends_with(
            "error: cannot write to standard output: No space left on device (os error 28)\n"
        ),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, "an older report").unwrap();
    let ran = stack
        .gaia([
            "doctor",
            "--format",
            "json",
            "--output",
            path.to_str().unwrap(),
        ])
        .run();
    ran.succeeds();
    assert_eq!(ran.stdout, "");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    common::assert_doctor_schema(&report);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.json"], "the temporary file is gone");

    // A device is written in place, never replaced; when the report cannot
    // be written there, it comes on stdout instead.
    let ran = stack
        .gaia(["doctor", "--format", "json", "--output", "/dev/full"])
        .run();
    ran.exits(2);
    assert!(
        ran.stderr.ends_with(
            "error: cannot write the report to /dev/full: No space left on device (os error 28); \
             the report is on standard output instead\n"
        ),
        "{}",
        ran.stderr
    );
    common::assert_doctor_schema(&ran.json());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let ran = stack
        .gaia(["doctor", "--format", "json", "--output", "/dev/stdout"])
        .run();
    ran.succeeds();
    common::assert_doctor_schema(&ran.json());
}

//! The command line itself: help, completions, registry errors, and what
//! happens without a Docker engine.

mod common;

use std::time::Duration;

use common::gaia;

#[test]
fn help_teaches_the_commands() {
    for args in [
        vec!["--help"],
        vec!["sim", "--help"],
        vec!["doctor", "--help"],
        vec!["sim", "fault", "--help"],
        vec!["ha", "--help"],
        vec!["ha", "maintenance", "--help"],
        vec!["ha", "maintenance", "on", "--help"],
        vec!["history", "--help"],
        vec!["completions", "--help"],
        vec!["failover-test", "--help"],
        vec!["promote", "--help"],
        vec!["rollback", "--help"],
        vec!["man", "--help"],
        vec!["init", "--help"],
        vec!["watch", "--help"],
        vec!["image", "--help"],
    ] {
        let ran = gaia(&args).run();
        ran.succeeds();
        let name = format!(
            "help_{}",
            args.join("_").replace("--help", "").trim_end_matches('_')
        );
        insta::assert_snapshot!(name, ran.stdout);
    }
}

#[test]
fn every_command_shows_examples() {
    for command in [
        "",
        "doctor",
        "promote",
        "rollback",
        "history",
        "ha",
        "ha start",
        "ha stop",
        "ha status",
        "ha maintenance",
        "ha maintenance on",
        "ha maintenance off",
        "ha maintenance status",
        "failover-test",
        "init",
        "watch",
        "image",
        "sim",
        "sim up",
        "sim down",
        "sim status",
        "sim fault",
        "sim heal",
        "completions",
        "man",
    ] {
        let ran = gaia(command.split_whitespace().chain(["--help"])).run();
        ran.succeeds();
        assert!(
            ran.stdout.contains("\nExamples:\n  gaia "),
            "`gaia {command} --help` shows no example:\n{}",
            ran.stdout
        );
    }
}

#[test]
fn manual_pages_in_the_repository_match_the_cli() {
    let fresh = tempfile::tempdir().unwrap();
    gaia(["man", "--dir", fresh.path().to_str().unwrap()])
        .run()
        .succeeds();
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let regenerate = "regenerate them with\n  rm -rf man && cargo run -q -- man --dir man";
    assert_eq!(
        names(&kept),
        names(fresh.path()),
        "man/ lists other pages; {regenerate}"
    );
    assert!(names(&kept).contains(&"gaia-doctor.1".to_owned()));
    for name in names(&kept) {
        let page = |dir: &std::path::Path| std::fs::read_to_string(dir.join(&name)).unwrap();
        assert!(
            page(&kept) == page(fresh.path()),
            "man/{name} is out of date with the CLI; {regenerate}"
        );
    }
    let single = gaia(["man"]).run();
    single.succeeds();
    assert!(single.stdout.contains(".TH gaia 1") && single.stdout.contains("doctor"));
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let ran = gaia(["--version"]).run();
    ran.succeeds();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    assert!(
        ran.stdout.starts_with(&format!(
            "gaia {} ({commit}, built ",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        ran.stdout
    );
}

#[test]
fn completions_in_the_repository_match_the_cli() {
    for (shell, file) in [
        ("bash", "gaia.bash"),
        ("zsh", "_gaia"),
        ("fish", "gaia.fish"),
    ] {
        let ran = gaia(["completions", shell]).run();
        ran.succeeds();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == ran.stdout,
            "{} is out of date with the CLI; regenerate it with\n  cargo run -q -- completions {shell} > completions/{file}",
            path.display()
        );
    }
}

#[test]
fn image_checks_its_tag_first_and_dry_run_only_says_what_it_would_hold() {
    gaia(["image", "--tag", "Gaia:Latest"])
        .run()
        .exits(64)
        .says("is not an image tag");
    // No engine is asked: an unreachable one does not matter.
    let ran = gaia(["image", "--dry-run", "--format", "json"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .run();
    ran.succeeds();
    let said: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(said["schema"], "gaia.image/1");
    assert_eq!(said["built"], false);
    let inside: Vec<&str> = said["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        inside,
        [
            "/usr/local/bin/gaia",
            "/usr/bin/docker",
            "/usr/libexec/docker/cli-plugins/docker-compose"
        ]
    );
}

#[test]
fn usage_errors_exit_64() {
    gaia(["doctor", "--format", "yaml"])
        .run()
        .exits(64)
        .says("invalid value 'yaml'");
    gaia(["no-such-command"]).run().exits(64);
    // Only the doctor has a JUnit report, and only its --format offers one.
    gaia(["history", "--format", "junit"])
        .run()
        .exits(64)
        .says("[possible values: human, json]");
    // A deadline no clock can hold is a typo, said as one (not a panic).
    for args in [
        &["doctor", "--deadline", "400000000000y"][..],
        // The name it had before it said what it bounds still works.
        &["doctor", "--timeout", "400000000000y"],
        &["--wait", "400000000000y", "ha", "stop"],
    ] {
        gaia(args).run().exits(64).says("longer than a year");
    }
}

#[test]
fn an_unreachable_engine_is_a_fast_preflight_failure() {
    let ran = gaia(["doctor"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .run();
    ran.exits(69)
        .says("cannot reach the Docker engine at unix:///nonexistent/docker.sock")
        .says("DOCKER_HOST");
    assert!(
        ran.elapsed < Duration::from_secs(2),
        "took {:?}",
        ran.elapsed
    );
}

/// Runs `gaia doctor` with a registry made from the built-in one by `edit`.
fn with_registry(edit: impl FnOnce(String) -> String) -> common::Ran {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(gaia::registry::DEFAULT_REGISTRY.to_owned());
    std::fs::write(dir.path().join("services.toml"), text).unwrap();
    gaia(["--config", "services.toml", "doctor"])
        .in_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .run()
}

fn only_error_line(ran: &common::Ran) -> String {
    ran.exits(64);
    assert_eq!(ran.stdout, "", "nothing on stdout");
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line of error, got:\n{}", ran.stderr);
    lines[0].to_owned()
}

#[test]
fn registry_typo_in_a_key_is_rejected_with_its_position() {
    let ran =
        with_registry(|t| t.replacen("health_path = \"/health\"", "helth_path = \"/health\"", 1));
    let line = only_error_line(&ran);
    assert!(line.starts_with("error: services.toml:"), "{line}");
    assert!(line.contains("unknown field `helth_path`"), "{line}");
    assert!(line.contains("expected one of"), "{line}");
}

#[test]
fn registry_duplicate_service_is_rejected() {
    let ran = with_registry(|t| t.replacen("name = \"gaia-wiki\"", "name = \"gaia-core\"", 1));
    let line = only_error_line(&ran);
    let expected_line = gaia::registry::DEFAULT_REGISTRY
        .lines()
        .position(|l| l == "name = \"gaia-wiki\"")
        .unwrap()
        + 1;
    assert_eq!(
        line,
        format!("error: services.toml:{expected_line}:8: duplicate service `gaia-core`")
    );
}

#[test]
fn registry_candidate_for_an_unknown_service_is_rejected() {
    let ran = with_registry(|t| {
        t.replacen(
            "stands_in_for = \"gaia-web\"",
            "stands_in_for = \"gaia-webb\"",
            1,
        )
    });
    let line = only_error_line(&ran);
    assert!(
        line.ends_with("candidate `gaia-web-candidate` stands in for `gaia-webb`, which is not a service in this registry"),
        "{line}"
    );
}

#[test]
fn registry_port_out_of_range_is_rejected() {
    for bad in ["70000", "0", "-1"] {
        let ran =
            with_registry(|t| t.replacen("host_port = 6415", &format!("host_port = {bad}"), 1));
        let line = only_error_line(&ran);
        assert!(
            line.ends_with(&format!("port {bad} is out of range, expected 1-65535")),
            "{line}"
        );
        assert!(line.starts_with("error: services.toml:"), "{line}");
    }
}

#[test]
fn registry_bad_values_and_syntax_are_rejected() {
    let ran = with_registry(|t| t.replacen("gpu = \"one\"", "gpu = \"two\"", 1));
    assert!(
        only_error_line(&ran)
            .contains("unknown variant `two`, expected one of `none`, `one`, `all`")
    );
    let ran = with_registry(|t| t.replacen("\n[stack]\n", "\n[stack\n", 1));
    assert!(only_error_line(&ran).starts_with("error: services.toml:"));
    let ran = with_registry(|t| t.replacen("required = true\n", "", 1));
    assert!(only_error_line(&ran).contains("missing field `required`"));
}

#[test]
fn a_missing_registry_file_is_a_configuration_error() {
    gaia(["--config", "/nonexistent/services.toml", "doctor"])
        .run()
        .exits(64)
        .says("cannot read registry /nonexistent/services.toml");
}

#[test]
fn sim_refuses_to_write_into_a_directory_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), "services: {}\n").unwrap();
    gaia(["sim", "up"])
        .root(dir.path())
        .run()
        .exits(5)
        .says("was not made by `gaia sim up`");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docker-compose.yml")).unwrap(),
        "services: {}\n"
    );
}

#[test]
fn global_options_go_before_or_after_the_command_and_only_where_they_mean_something() {
    for args in [
        ["--root", "/nonexistent-root", "init"],
        ["init", "--root", "/nonexistent-root"],
    ] {
        gaia(args)
            .run()
            .exits(69)
            .says("no docker-compose.yml in /nonexistent-root");
    }
    // A subcommand's own --root wins over the environment, as the global one does.
    gaia(["sim", "heal", "--root", "/nonexistent-root"])
        .env("GAIA_ROOT", "/elsewhere")
        .run()
        .exits(69)
        .says("/nonexistent-root holds no simulated stack");
    for args in [
        ["completions", "bash", "--root", "/tmp"],
        ["man", "--format", "json", "--quiet"],
    ] {
        gaia(args).run().exits(64).says("unexpected argument");
    }
}

#[test]
fn list_checks_says_what_each_check_holds() {
    let ran = gaia([
        "doctor",
        "--list-checks",
        "--service",
        "gaia-core,gaia-web",
        "--category",
        "containers,http,ha",
    ])
    .run();
    ran.succeeds();
    insta::assert_snapshot!("list_checks", ran.stdout);
    let listed = gaia(["doctor", "--list-checks", "--format", "json"]).run();
    listed.succeeds();
    for check in listed.json().as_array().unwrap() {
        assert!(
            check["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{check}"
        );
    }
}

#[test]
fn unknown_faults_are_named() {
    gaia(["sim", "fault", "no-such-fault"])
        .run()
        .exits(64)
        .says("invalid value 'no-such-fault'")
        .says("shared-dir-root-owned");
    let listed = gaia(["sim", "fault", "--list", "--format", "json"]).run();
    listed.succeeds();
    assert!(listed.json().as_array().unwrap().len() >= 20);
}

#[test]
fn bad_input_to_ha_and_failover_test_is_refused_before_docker_is_asked() {
    // An engine that cannot answer proves nothing was contacted.
    let nowhere = "unix:///nonexistent/docker.sock";
    gaia(["--format", "junit", "ha", "status"])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("--format junit is for `gaia doctor`");
    gaia(["failover-test", "--service", "gaia-study"])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("no failover drill for `gaia-study`; targets: gaia-core, gaia-mcp");
    let payload = std::env::temp_dir().join(format!("gaia-payload-{}", std::process::id()));
    std::fs::write(&payload, "{not json").unwrap();
    gaia(["failover-test", "--payload", payload.to_str().unwrap()])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("is not JSON");
    gaia(["ha", "maintenance", "off", "--reason", "x"])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("unexpected argument '--reason'");
    // The flag records its expiry to the second.
    gaia(["ha", "maintenance", "on", "--for", "500ms"])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("500ms is shorter than a second");
    gaia(["ha", "maintenance", "on", "--for", "soon"])
        .env("DOCKER_HOST", nowhere)
        .run()
        .exits(64)
        .says("invalid value 'soon' for '--for <DURATION>'");
    // --target, the name --service had, still works.
    gaia(["failover-test", "--recover", "--target", "gaia-mcp"])
        .run()
        .exits(64)
        .says("cannot be used with");
}

#[test]
fn promote_lists_what_it_can_promote_and_refuses_what_it_cannot() {
    let nowhere = "unix:///nonexistent/docker.sock";
    let ran = gaia(["promote", "--list", "--format", "json"]).run();
    ran.succeeds();
    let rows = ran.json();
    let how: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["service"].as_str().unwrap(),
                r["promoted_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(how.contains(&("gaia-prime", "image")), "{how:?}");
    assert!(how.contains(&("gaia-core", "files")), "{how:?}");
    assert!(
        how.contains(&("gaia-common", "files (no container)")),
        "{how:?}"
    );
    assert!(!how.iter().any(|(s, _)| *s == "gaia-wiki"), "{how:?}");

    for (args, says) in [
        (vec!["promote", "gaia-wiki"], "gaia-wiki is not promotable"),
        (
            vec!["promote", "gaia-core-candidate"],
            "promote the live service it stands in for (gaia-core)",
        ),
        (vec!["promote", "nothing"], "`gaia promote --list` shows"),
        (vec!["rollback", "nothing"], "not a service in the registry"),
        (vec!["history", "nothing"], "not a service in the registry"),
    ] {
        gaia(&args)
            .env("DOCKER_HOST", nowhere)
            .run()
            .exits(64)
            .says(says);
    }
}

#[test]
fn registry_paths_that_leave_the_root_are_refused() {
    for bad in ["", ".", "/", "/etc", "../../etc"] {
        let ran = with_registry(|t| {
            t.replacen("source = \"gaia-core\"", &format!("source = \"{bad}\""), 1)
        });
        let line = only_error_line(&ran);
        assert!(line.starts_with("error: services.toml:"), "{line}");
        assert!(
            line.ends_with("it must be a relative path inside the GAIA root"),
            "{bad:?}: {line}"
        );
    }
}

#[test]
fn registry_names_a_tool_would_read_as_a_flag_are_refused() {
    let ran = with_registry(|t| t.replacen("name = \"gaia-wiki\"", "name = \"--all\"", 1));
    let line = only_error_line(&ran);
    assert!(line.contains("service name `--all` is not valid"), "{line}");
    let ran = with_registry(|t| t.replacen("name = \"gaia-shared\"", "name = \"-v\"", 1));
    assert!(only_error_line(&ran).contains("volume name `-v` is not valid for Docker"));
}

#[test]
fn registry_service_without_compose_files_is_refused() {
    let ran = with_registry(|t| {
        t.replacen(
            "compose_files = [\"docker-compose.yml\"]",
            "compose_files = []",
            1,
        )
    });
    let line = only_error_line(&ran);
    assert!(line.starts_with("error: services.toml:"), "{line}");
    assert!(
        line.ends_with(
            "service `gaia-orchestrator` needs at least one compose file in `compose_files`"
        ),
        "{line}"
    );
}

/// `gaia ARGS > /dev/full`: (exit code, stderr).
fn to_a_full_disk(args: &[&str], root: &std::path::Path) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gaia"))
        .args(args)
        .env("GAIA_ROOT", root)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env_remove("GAIA_CONFIG")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_full_stdout_is_a_clear_error_not_a_panic() {
    let root = tempfile::tempdir().unwrap();
    for args in [
        &["completions", "bash"][..],
        &["--help"],
        &["doctor", "--list-checks"],
        &["promote", "--list"],
        &["history"],
    ] {
        let (code, stderr) = to_a_full_disk(args, root.path());
        assert_eq!(code, 2, "gaia {args:?} exited {code}:\n{stderr}");
        assert_eq!(
            stderr,
            "error: cannot write to standard output: No space left on device (os error 28)\n",
            "gaia {args:?}"
        );
    }
}

#[test]
fn a_report_path_that_cannot_be_written_is_refused_before_any_check() {
    // The engine is unreachable: had gaia looked at the stack first, it
    // would say so instead.
    let nowhere = "unix:///nonexistent/docker.sock";
    let ran = gaia(["doctor", "--output", "/nonexistent/dir/report.json"])
        .env("DOCKER_HOST", nowhere)
        .run();
    ran.exits(64);
    assert_eq!(
        ran.stderr,
        "error: cannot write the report to /nonexistent/dir/report.json: /nonexistent/dir is not a directory\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let ran = gaia(["doctor", "--output", dir.path().to_str().unwrap()])
        .env("DOCKER_HOST", nowhere)
        .run();
    ran.exits(64).says("it is a directory");
    assert!(
        ran.elapsed < Duration::from_secs(2),
        "took {:?}",
        ran.elapsed
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a refused report leaves nothing behind"
    );
}

/// `gaia doctor --list-checks` with `files` written into a checks directory
/// given with --checks.
fn with_checks(files: &[(&str, &str)]) -> common::Ran {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("mine").join(name), text).unwrap();
    }
    gaia(["doctor", "--list-checks", "--checks", "mine"])
        .in_dir(dir.path())
        .run()
}

#[test]
fn a_bad_checks_file_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    let run = |name: &str, text: &str| {
        std::fs::write(dir.path().join("mine").join(name), text).unwrap();
        let ran = gaia(["doctor", "--list-checks", "--checks", "mine"])
            .in_dir(dir.path())
            .run();
        std::fs::remove_file(dir.path().join("mine").join(name)).unwrap();
        ran
    };
    let head = "[[check]]\nid = \"x\"\nseverity = \"fail\"\ndescription = \"d\"\n";
    for (name, text, says) in [
        (
            "custom.toml",
            format!("{head}kind = \"ping\"\n"),
            "mine/custom.toml:5:8: unknown variant `ping`",
        ),
        (
            "custom.toml",
            format!(
                "{head}kind = \"exec\"\nservice = \"gaia-core\"\nargv = [\"ls\"]\nsince = \"5m\"\n"
            ),
            "mine/custom.toml:8:9: `since` is not a key of a `exec` check",
        ),
        (
            "thresholds.toml",
            "http_timeout = \"5s\"\nhttp_timeuot = \"5s\"\n".to_owned(),
            "mine/thresholds.toml:2:1: unknown field `http_timeuot`",
        ),
        (
            "routes.toml",
            "[[route]]\nfrom = \"gaia-web\"\nto = gaia-core\n".to_owned(),
            "mine/routes.toml:3:6: ",
        ),
        (
            "notes.toml",
            String::new(),
            "mine/notes.toml: not a checks file; overlays are named like the built-in ones",
        ),
    ] {
        let ran = run(name, &text);
        ran.exits(64);
        assert!(
            ran.stderr.lines().any(|l| l.contains(says)),
            "{name}: expected {says:?} in:\n{}",
            ran.stderr
        );
    }
    gaia(["doctor", "--list-checks", "--checks", "/nonexistent/checks"])
        .run()
        .exits(64)
        .says("cannot read the checks directory /nonexistent/checks");
}

#[test]
fn custom_checks_are_listed_and_entries_about_absent_services_are_noted() {
    let ran = with_checks(&[(
        "custom.toml",
        "[[check]]\nid = \"web-home\"\nkind = \"http\"\nservice = \"gaia-web\"\npath = \"/\"\n\
         severity = \"warn\"\ndescription = \"the web UI answers\"\n\n\
         [[check]]\nid = \"lab\"\nkind = \"exec\"\nservice = \"gaia-lab\"\nargv = [\"true\"]\n\
         severity = \"fail\"\ndescription = \"the lab answers\"\n",
    )]);
    ran.succeeds();
    for id in [
        "custom.prime-gpu-errors",
        "custom.core-gpu-errors",
        "custom.web-home",
    ] {
        assert!(ran.stdout.contains(id), "{id} not listed:\n{}", ran.stdout);
    }
    assert!(!ran.stdout.contains("custom.lab"));
    ran.says("note: custom.toml: the check `lab` is not run: the registry has no gaia-lab");

    // A registry without gaia-wiki loads; the route to it is not checked, and said so.
    let dir = tempfile::tempdir().unwrap();
    let text = gaia::registry::DEFAULT_REGISTRY.to_owned();
    let start = text.find("[[service]]\nname = \"gaia-wiki\"").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    std::fs::write(
        dir.path().join("services.toml"),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let ran = gaia(["--config", "services.toml", "doctor", "--list-checks"])
        .in_dir(dir.path())
        .run();
    ran.succeeds()
        .says("note: routes.toml: the route gaia-web → gaia-wiki is not checked: the registry has no gaia-wiki");
    assert!(!ran.stdout.contains("gaia-wiki"));
}

#[test]
fn history_shows_what_the_audit_log_says_without_obeying_its_escape_sequences() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join(".gaia")).unwrap();
    // A record shaped by someone who could write the log: a screen clear,
    // a title change and a carriage return that would hide the real who.
    let record = serde_json::json!({
        "schema": "gaia.promote/1",
        "run": "1-1",
        "command": "promote\u{1b}[2J",
        "service": "gaia-core\u{1b}]0;owned\u{7}",
        "who": "mallory@host\rinnocent@host",
        "started_at": "2026-12-03T08:00:00Z\u{9b}31m",
        "finished_at": "2026-12-03T08:01:00Z",
        "outcome": "done",
        "exit_code": 0,
        "forced": false,
        "from": {"image_id": "sha256:aaaa\u{1b}[1m", "digest": null},
        "to": {"image_id": "sha256:bbbb", "digest": null},
        "validators": [],
        "steps": [],
    });
    std::fs::write(
        root.path().join(".gaia/promotions.jsonl"),
        format!("{record}\n"),
    )
    .unwrap();
    let root_arg = root.path().to_str().unwrap();

    let table = gaia(["--root", root_arg, "history"]).run();
    table.succeeds();
    for raw in ['\u{1b}', '\r', '\u{7}', '\u{9b}'] {
        assert!(
            !table.stdout.contains(raw),
            "history printed a raw {raw:?}:\n{}",
            table.stdout
        );
    }
    table
        .says("promote\\x1b[2J")
        .says("mallory@host\\x0dinnocent@host")
        .says("\\x1b]0;owned\\x07");

    // JSON is data: the record as it was written, escaped by JSON alone.
    let json = gaia(["--root", root_arg, "history", "--format", "json"]).run();
    json.succeeds();
    assert_eq!(json.json()[0]["who"], "mallory@host\rinnocent@host");
    assert_eq!(json.json()[0]["command"], "promote\u{1b}[2J");
}

#[test]
fn rollback_list_shows_the_kept_versions_newest_first_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let root_arg = root.path().to_str().unwrap();
    gaia(["--root", root_arg, "rollback", "gaia-core", "--list"])
        .run()
        .succeeds()
        .says("no versions kept in");
    for (id, kept_at) in [
        ("aaaa11112222", "2026-12-01T08:00:00.000Z"),
        ("bbbb11112222", "2026-12-02T08:00:00.000Z"),
    ] {
        let dir = root.path().join(".gaia/versions/gaia-core").join(id);
        std::fs::create_dir_all(dir.join("files")).unwrap();
        let version = serde_json::json!({
            "id": id,
            "service": "gaia-core",
            "image_id": "sha256:cccc22223333",
            "digest": "d1d1d1d1",
            "kept_at": kept_at,
            "run": "1-1",
            "files": true,
            "image_tag": null,
        });
        std::fs::write(dir.join("version.json"), version.to_string()).unwrap();
    }
    let table = gaia(["--root", root_arg, "rollback", "gaia-core", "--list"]).run();
    table.succeeds().says("ID").says("KEPT").says("d1d1d1d1");
    let (newer, older) = (
        table.stdout.find("bbbb11112222").unwrap(),
        table.stdout.find("aaaa11112222").unwrap(),
    );
    assert!(newer < older, "newest first:\n{}", table.stdout);
    let json = gaia([
        "--root",
        root_arg,
        "rollback",
        "gaia-core",
        "--list",
        "--format",
        "json",
    ])
    .run();
    json.succeeds();
    let ids: Vec<String> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["bbbb11112222", "aaaa11112222"]);
    gaia([
        "--root",
        root_arg,
        "rollback",
        "gaia-core",
        "--list",
        "--to",
        "aaaa",
    ])
    .run()
    .exits(64);
}

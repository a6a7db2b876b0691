//! Secrets never leak. The simulated live containers carry secrets of every
//! shape gaia must hide (src/sim/compose/docker-compose.yml: a database URL
//! with a password, `*_PASS` with a quote and a backslash, `*_PASSWD`,
//! `*_CREDENTIALS` holding JSON, `AUTH_HEADER` with a blank, `*_PRIVATE_KEY`),
//! read back from the engine by tests/common. Every run of gaia in every
//! story is searched for them; this story makes each output path carry them
//! where it can, and searches the files gaia writes too (the audit log, the
//! promotion log, the failover journal, the compose cache).

mod common;

use std::time::{Duration, Instant};

use common::{Stack, assert_no_secret, secrets, stack};

/// Every planted shape is among the secrets the stories search for.
fn planted_secrets_are_searched_for() {
    let names: Vec<&str> = secrets().iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "GROQ_API_KEY",
        "DISCORD_BOT_TOKEN",
        "DATABASE_URL password",
        "SMTP_PASS",
        "LDAP_PASSWD",
        "GCP_CREDENTIALS",
        "AUTH_HEADER",
        "SSH_PRIVATE_KEY",
    ] {
        assert!(names.contains(&name), "{name} not among {names:?}");
    }
}

fn file_shows_no_secret(stack: &Stack, relative: &str) {
    let path = stack.root.join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    assert_no_secret(&path.display().to_string(), &text);
}

#[test]
fn no_output_of_any_command_shows_a_secret_of_the_running_stack() {
    let stack = stack();
    planted_secrets_are_searched_for();
    let out = tempfile::tempdir().unwrap();

    // A healthy stack: the checks pass and show their evidence.
    for args in [
        &["doctor"][..],
        &["doctor", "-vv"],
        &["doctor", "--format", "json", "-v"],
        &["doctor", "--format", "junit"],
        &["ha", "status", "-vv"],
        &["ha", "status", "--format", "json"],
        &["ha", "maintenance", "status", "-vv"],
    ] {
        stack.gaia(args).run().shows_no_secret();
    }
    stack
        .gaia(["doctor", "-vv"])
        .env("GAIA_LOG", "debug")
        .run()
        .shows_no_secret();
    // What compose made of the files, kept for the next run.
    file_shows_no_secret(&stack, ".gaia/cache/compose-config.json");
    for format in ["human", "json", "junit"] {
        let file = out.path().join(format!("report.{format}"));
        stack
            .gaia([
                "doctor",
                "-v",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ])
            .run()
            .shows_no_secret();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.is_empty(), "{format} report is empty");
        assert_no_secret(&file.display().to_string(), &text);
    }

    // A validator that quotes a line holding every secret: promote's
    // report, its log and the audit record all carry that output.
    let quoted: Vec<&str> = secrets().iter().map(|(_, v)| v.as_str()).collect();
    let planted = stack.root.join("candidates/gaia-core/leaky.py");
    let _planted = common::Removed(planted.clone());
    std::fs::write(
        &planted,
        format!("from os import *  # {}\n", quoted.join(" ")),
    )
    .unwrap();
    for format in ["human", "json"] {
        stack
            .gaia([
                "promote",
                "gaia-core",
                "--validate",
                "-vv",
                "--format",
                format,
            ])
            .env("GAIA_LOG", "debug")
            .run()
            .exits(5)
            .says("F403")
            .shows_no_secret();
    }
    std::fs::remove_file(&planted).unwrap();
    file_shows_no_secret(&stack, ".gaia/promotions.jsonl");
    stack.gaia(["history", "-vv"]).run().shows_no_secret();
    stack
        .gaia(["history", "--format", "json"])
        .run()
        .shows_no_secret();

    // A drill: its journal while it runs, its report when it ends.
    let mut drill = stack
        .gaia(["failover-test", "--yes", "-vv"])
        .env("GAIA_LOG", "debug")
        .spawn();
    let journal = ".gaia/failover-journal.json";
    let until = Instant::now() + Duration::from_secs(120);
    let mut journal_seen = false;
    while drill.try_wait().unwrap().is_none() && Instant::now() < until {
        if let Ok(text) = std::fs::read_to_string(stack.root.join(journal)) {
            assert_no_secret(journal, &text);
            journal_seen = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let ended = drill.wait_with_output().unwrap();
    assert_no_secret(
        "failover-test's stdout",
        &String::from_utf8_lossy(&ended.stdout),
    );
    assert_no_secret(
        "failover-test's stderr",
        &String::from_utf8_lossy(&ended.stderr),
    );
    assert_eq!(ended.status.code(), Some(0), "the drill failed");
    assert!(journal_seen, "the drill wrote no journal");
    stack
        .gaia(["failover-test", "--yes", "--format", "json"])
        .run()
        .succeeds()
        .shows_no_secret();

    // Warnings and failures, so that every part of every report is shown.
    stack.fault(&["maintenance-on"]);
    stack.fault(&["standby-down"]);
    stack.fault(&["no-fallback-env"]);
    for args in [
        &["doctor", "-vv"][..],
        &["doctor", "--format", "json", "-v"],
        &["doctor", "--fix", "--dry-run", "-vv"],
        &["ha", "status", "-vv"],
        &["ha", "status", "--format", "json"],
        &["ha", "maintenance", "status", "-vv"],
    ] {
        stack.gaia(args).run().shows_no_secret();
    }
    stack
        .gaia(["doctor", "--fix", "-vv", "--format", "json"])
        .env("GAIA_LOG", "debug")
        .run()
        .shows_no_secret();
    stack.heal();
    stack
        .gaia(["promote", "gaia-common", "-vv"])
        .run()
        .shows_no_secret();
    file_shows_no_secret(&stack, ".gaia/promotions.jsonl");
}

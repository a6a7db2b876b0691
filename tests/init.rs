//! `gaia init` against the simulated stack's root: the draft it writes is a
//! registry the doctor runs on, green, and drafting again changes nothing.

mod common;

use common::{Removed, stack};

#[test]
fn the_draft_of_a_running_stack_passes_the_doctor() {
    let stack = stack();
    let written = stack.root.join("services.toml");
    let _planted = Removed(written.clone());
    let config = written.to_str().unwrap();

    stack
        .gaia(["init", "--write"])
        .run()
        .succeeds()
        .says("wrote ")
        .shows_no_secret();
    let first = std::fs::read(&written).unwrap();
    // Drafting again, with the draft in use, gives the same bytes.
    stack.gaia(["init", "--write"]).run().succeeds();
    assert_eq!(std::fs::read(&written).unwrap(), first);
    stack
        .gaia(["--config", config, "init", "--diff"])
        .run()
        .succeeds()
        .says("the draft is the registry in use, line for line");

    stack
        .gaia(["--config", config, "doctor", "--category", "consistency"])
        .run()
        .succeeds()
        .says("registry and compose files agree on");
    let full = stack
        .gaia(["--config", config, "doctor", "--format", "json"])
        .run();
    let report = full.json();
    let failed = common::failed_checks(&report);
    assert!(
        failed.is_empty(),
        "the doctor fails on the draft:\n{}",
        failed.join("\n")
    );
}

#[test]
fn write_never_replaces_a_different_registry_without_force() {
    let stack = stack();
    let written = stack.root.join("services.toml");
    let _planted = Removed(written.clone());
    let edited = "# the operator's own\n";
    std::fs::write(&written, edited).unwrap();

    stack
        .gaia(["init", "--write"])
        .run()
        .exits(5)
        .says("exists and differs from the draft")
        .says("--force");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), edited);

    stack.gaia(["init", "--write", "--force"]).run().succeeds();
    let drafted = std::fs::read_to_string(&written).unwrap();
    assert!(drafted.contains("[[service]]"), "{drafted}");
    // The built-in registry is what the draft is compared with by default.
    stack
        .gaia(["init", "--diff"])
        .run()
        .succeeds()
        .says("--- built-in services.toml")
        .says("+++ draft");
}

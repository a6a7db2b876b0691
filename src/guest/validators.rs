//! The Python validators `gaia promote --validate` runs in a candidate's
//! throwaway image, simulated over the source tree: each keeps the real
//! tool's output shape and exit codes, and finds one kind of problem a test
//! can plant.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every `.py` file below `root`, sorted.
fn python_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `ruff check PATH`: reports star imports (F403), exit 1 when there are any.
pub(crate) fn ruff(path: &str) -> ExitCode {
    let mut findings = 0;
    for file in python_files(Path::new(path)) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("from ") && line.contains(" import *") {
                findings += 1;
                println!(
                    "{}:{}:1: F403 `{}` used; unable to detect undefined names",
                    file.display(),
                    n + 1,
                    line.trim()
                );
            }
        }
    }
    if findings == 0 {
        println!("All checks passed!");
        ExitCode::SUCCESS
    } else {
        println!(
            "Found {findings} error{}.",
            if findings == 1 { "" } else { "s" }
        );
        ExitCode::FAILURE
    }
}

/// `mypy PATH`: flags `reveal_type(` left in the code, exit 1 when found.
pub(crate) fn mypy(path: &str) -> ExitCode {
    let files = python_files(Path::new(path));
    let mut errors = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.contains("reveal_type(") {
                errors += 1;
                println!(
                    "{}:{}: error: reveal_type left in the code",
                    file.display(),
                    n + 1
                );
            }
        }
    }
    if errors == 0 {
        println!("Success: no issues found in {} source files", files.len());
        ExitCode::SUCCESS
    } else {
        println!("Found {errors} errors in {} files", files.len());
        ExitCode::FAILURE
    }
}

/// `pytest PATH`: collects `test_*.py`; a test file holding `assert False`
/// fails. Exit 5 when nothing is collected, as pytest does.
pub(crate) fn pytest(path: &str) -> ExitCode {
    let tests: Vec<PathBuf> = python_files(Path::new(path))
        .into_iter()
        .filter(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("test_"))
        })
        .collect();
    if tests.is_empty() {
        println!("collected 0 items\n\n============ no tests ran in 0.01s ============");
        return ExitCode::from(5);
    }
    let failing: Vec<&PathBuf> = tests
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .contains("assert False")
        })
        .collect();
    println!("collected {} items", tests.len());
    for file in &failing {
        println!("FAILED {}", file.display());
    }
    if failing.is_empty() {
        println!("============ {} passed in 0.02s ============", tests.len());
        ExitCode::SUCCESS
    } else {
        println!(
            "============ {} failed, {} passed in 0.02s ============",
            failing.len(),
            tests.len() - failing.len()
        );
        ExitCode::FAILURE
    }
}

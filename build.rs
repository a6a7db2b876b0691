//! Stamps the binary with the commit it was built from and the day it was
//! built, for `gaia --version`: an operator reporting a problem can say
//! exactly which gaia they ran.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // SOURCE_DATE_EPOCH, where a packager sets it, makes the build reproducible.
    let built = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap_or_else(SystemTime::now);
    let day = humantime::format_rfc3339(built).to_string()[..10].to_owned();
    println!("cargo:rustc-env=GAIA_COMMIT={commit}");
    println!("cargo:rustc-env=GAIA_BUILD_DATE={day}");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // A new commit is a new version string; a path that does not exist
    // would make cargo rerun this on every build, so only existing ones.
    let head_ref = git(&["symbolic-ref", "-q", "HEAD"]);
    let watched = [
        Some("HEAD".to_owned()),
        head_ref,
        Some("packed-refs".to_owned()),
    ];
    for path in watched.iter().flatten() {
        if let Some(file) = git(&["rev-parse", "--git-path", path])
            && Path::new(&file).exists()
        {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

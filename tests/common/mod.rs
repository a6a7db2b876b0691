//! A small fluent helper so tests read like an operator's session:
//! `gaia(["sim", "up"]).run().succeeds()`.
#![allow(dead_code)] // each test binary uses its own part of the helper

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Gaia {
    command: Command,
    shown: String,
}

/// `gaia ARGS`, with a clean environment for gaia's own variables.
pub fn gaia<I, S>(args: I) -> Gaia
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut command = Command::new(env!("CARGO_BIN_EXE_gaia"));
    command
        .args(&args)
        .env_remove("GAIA_ROOT")
        .env_remove("GAIA_CONFIG")
        .env_remove("NO_COLOR")
        .env_remove("GAIA_LOG");
    Gaia {
        command,
        shown: format!("gaia {}", args.join(" ")),
    }
}

impl Gaia {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn root(mut self, root: &Path) -> Self {
        self.command.env("GAIA_ROOT", root);
        self
    }

    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Starts gaia without waiting, for stories that signal it mid-way.
    pub fn spawn(mut self) -> std::process::Child {
        self.command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.shown))
    }

    pub fn run(mut self) -> Ran {
        let started = Instant::now();
        let output = self
            .command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.shown));
        Ran {
            shown: self.shown,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }
}

#[derive(Debug)]
pub struct Ran {
    pub shown: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Ran {
    pub fn exits(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "`{}` exited {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.shown, self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn succeeds(&self) -> &Self {
        self.exits(0)
    }

    pub fn says(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text) || self.stderr.contains(text),
            "`{}` did not say {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.shown,
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}` printed no JSON ({e}):\n{}", self.shown, self.stdout))
    }
}

/// Fails unless `report` follows docs/doctor.schema.json.
pub fn assert_doctor_schema(report: &serde_json::Value) {
    assert_schema(include_str!("../../docs/doctor.schema.json"), report);
}

/// Fails unless `document` follows the JSON schema `schema`.
pub fn assert_schema(schema: &str, document: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match its documented schema: {errors:?}\n{document:#}"
    );
}

/// Runs a docker CLI command for the test's own setup and observation.
pub fn docker(args: &[&str]) -> (i32, String) {
    let output = Command::new("docker")
        .args(args)
        .output()
        .expect("the docker CLI is installed (tests need a Docker engine)");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// `docker inspect -f FORMAT NAME`, trimmed; empty when it does not exist.
pub fn inspect(name: &str, format: &str) -> String {
    let (code, out) = docker(&["inspect", "-f", format, name]);
    if code == 0 {
        out.trim().to_owned()
    } else {
        String::new()
    }
}

/// The simulated stack is one per engine (fixed names and ports): tests that
/// use it hold this lock, and find it up and healthy.
pub struct Stack {
    _guard: MutexGuard<'static, Option<PathBuf>>,
    pub root: PathBuf,
}

static STACK: Mutex<Option<PathBuf>> = Mutex::new(None);

pub fn stack() -> Stack {
    let mut guard = STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = match guard.as_ref() {
        Some(root) => root.clone(),
        None => {
            let root = std::env::temp_dir().join(format!("gaia-sim-test-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            root
        }
    };
    let ran = gaia(["sim", "up", "--ha", "--retry-base-delay", "200ms"])
        .root(&root)
        .run();
    assert_eq!(
        ran.code, 0,
        "these tests need the Docker engine and compose: `gaia sim up` failed\n{}\n{}",
        ran.stdout, ran.stderr
    );
    *guard = Some(root.clone());
    Stack {
        _guard: guard,
        root,
    }
}

impl Stack {
    pub fn gaia<I, S>(&self, args: I) -> Gaia
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        gaia(args).root(&self.root)
    }

    /// `gaia sim fault ARGS…`, which must succeed.
    pub fn fault(&self, args: &[&str]) {
        self.gaia([&["sim", "fault"][..], args].concat())
            .run()
            .succeeds();
    }

    pub fn heal(&self) {
        self.gaia(["sim", "heal"]).run().succeeds();
    }
}

/// An HTTP call from the host, as an operator's curl would make it.
pub fn http(
    method: &str,
    url: &str,
    body: Option<&str>,
    timeout: Duration,
) -> Result<(u16, String), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = gaia::http::Http::new(Duration::from_secs(3), timeout);
    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    runtime
        .block_on(client.request(method, url, &headers, body.map(str::to_owned)))
        .map(|r| (r.status, r.body))
        .map_err(|e| e.to_string())
}

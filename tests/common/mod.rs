//! A small fluent helper so tests read like an operator's session:
//! `gaia(["sim", "up"]).run().succeeds()`.
#![allow(dead_code)] // each test binary uses its own part of the helper

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub struct Gaia {
    command: Command,
    shown: String,
    /// The root's lock, for commands that take it: free again once they end.
    lock: Option<PathBuf>,
}

/// The lock of every command that changes live, relative to the GAIA root.
pub const LOCK: &str = ".gaia/gaia.lock";

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
        lock: None,
    }
}

impl Gaia {
    /// Whether the command changes live, and so takes the root's lock.
    fn takes_the_lock(&self) -> bool {
        let words: Vec<&str> = self.shown.split_whitespace().collect();
        let has = |word: &str| words.contains(&word);
        match words.get(1) {
            Some(&"promote") => !has("--list") && !has("--dry-run"),
            Some(&"rollback" | &"failover-test") => true,
            Some(&"doctor") => has("--fix") && !has("--dry-run"),
            Some(&"ha") => has("start") || has("stop") || has("on") || has("off"),
            _ => false,
        }
    }

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

    /// Starts gaia and follows what it says as it goes, for stories that
    /// act on it mid-way (a signal once it reaches a step).
    pub fn start(mut self) -> Running {
        let started = Instant::now();
        let mut child = self
            .command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.shown));
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let (lines, said) = std::sync::mpsc::channel();
        let stderr = std::thread::spawn(move || {
            use std::io::BufRead as _;
            let mut all = String::new();
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                all.push_str(&line);
                all.push('\n');
                let _ = lines.send(line);
            }
            all
        });
        let stdout = std::thread::spawn(move || {
            use std::io::Read as _;
            let mut all = String::new();
            let _ = std::io::BufReader::new(stdout).read_to_string(&mut all);
            all
        });
        Running {
            child,
            shown: self.shown,
            lock: self.lock,
            said,
            seen: String::new(),
            stdout,
            stderr,
            started,
        }
    }

    pub fn run(mut self) -> Ran {
        let started = Instant::now();
        let child = self
            .command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.shown));
        let pid = child.id();
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.shown));
        let ran = Ran {
            shown: self.shown,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: started.elapsed(),
        };
        ran.shows_no_secret();
        if let Some(lock) = &self.lock {
            ran.left_no_lock(lock, pid);
        }
        ran
    }
}

/// A gaia run under way (`Gaia::start`).
pub struct Running {
    child: std::process::Child,
    shown: String,
    lock: Option<PathBuf>,
    said: std::sync::mpsc::Receiver<String>,
    /// stderr lines read so far, for a failure to show.
    seen: String,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
    started: Instant,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until gaia writes a line containing `text` on stderr.
    pub fn waits_for(&mut self, text: &str, within: Duration) -> &mut Self {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.said.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if line.contains(text) {
                        return self;
                    }
                }
                Err(_) => panic!(
                    "`{}` did not say {text:?} within {within:?}; it said:\n{}",
                    self.shown, self.seen
                ),
            }
        }
    }

    /// Sends `signal` to gaia.
    pub fn signal(&mut self, signal: nix::sys::signal::Signal) -> &mut Self {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal)
            .unwrap_or_else(|e| panic!("cannot send {signal} to `{}`: {e}", self.shown));
        self
    }

    /// Waits for gaia to end: what it said, checked like every run.
    pub fn finish(mut self) -> Ran {
        let pid = self.child.id();
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("cannot wait for {}: {e}", self.shown));
        let ran = Ran {
            shown: self.shown,
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.join().unwrap_or_default(),
            stderr: self.stderr.join().unwrap_or_default(),
            elapsed: self.started.elapsed(),
        };
        ran.shows_no_secret();
        if let Some(lock) = &self.lock {
            ran.left_no_lock(lock, pid);
        }
        ran
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
    /// The root's lock is not held in the name of the run that ended (by a
    /// child it left running with the lock's descriptor, say); another run
    /// may hold it.
    fn left_no_lock(&self, lock: &Path, pid: u32) {
        let Ok(file) = std::fs::File::open(lock) else {
            return;
        };
        if file.try_lock().is_ok() {
            return;
        }
        let holder = std::fs::read_to_string(lock)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        if let Some(holder) = holder {
            assert_ne!(
                holder["pid"].as_u64(),
                Some(u64::from(pid)),
                "`{}` exited {} and its lock {} is still held",
                self.shown,
                self.code,
                lock.display()
            );
        }
    }

    /// No secret of the running stack in what gaia printed, on any stream.
    pub fn shows_no_secret(&self) {
        assert_no_secret(&format!("the stdout of `{}`", self.shown), &self.stdout);
        assert_no_secret(&format!("the stderr of `{}`", self.shown), &self.stderr);
    }

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
/// Any other failure of docker fails the test: "gone" must mean gone.
pub fn inspect(name: &str, format: &str) -> String {
    let (code, out) = docker(&["inspect", "-f", format, name]);
    if code == 0 {
        return out.trim().to_owned();
    }
    assert!(
        out.contains("No such object")
            || out.contains("No such container")
            || out.contains("No such image"),
        "`docker inspect {name}` failed: {out}"
    );
    String::new()
}

/// The simulated stack is one per engine (fixed names and ports): tests that
/// use it hold this lock. Every story starts on a healed stack the doctor
/// calls green, and the stack is healed again when the story ends, pass or
/// fail, so one story's faults never become the next one's.
pub struct Stack {
    _guard: MutexGuard<'static, Option<PathBuf>>,
    /// The same, across test processes: the engine is shared by every test
    /// binary (and every developer's run) on this machine.
    _engine: std::fs::File,
    pub root: PathBuf,
    /// The compose every gaia command of the story runs (GAIA_COMPOSE);
    /// None: gaia's own choice, v2 where it is installed.
    compose: Option<&'static str>,
}

/// Held by the story that owns the simulated stack, in whichever process.
fn engine_lock() -> std::fs::File {
    let path = std::env::temp_dir().join("gaia-sim-stack.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
    file
}

static STACK: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Values of the secret env vars of the running stack's containers, by
/// variable: no output of any gaia command may show one.
static SECRETS: OnceLock<Vec<(String, String)>> = OnceLock::new();

/// Where this test process keeps its simulated GAIA root.
const ROOT_PREFIX: &str = "gaia-sim-test-";

pub fn stack() -> Stack {
    stack_on(None)
}

/// The stack, with every gaia command of the story running `compose`
/// (`docker-compose` for v1), which must be installed: a story written for
/// it never passes by running the other one.
pub fn stack_on(compose: Option<&'static str>) -> Stack {
    if let Some(program) = compose {
        let mut argv = program.split(' ');
        let installed = std::process::Command::new(argv.next().unwrap())
            .args(argv)
            .arg("version")
            .output()
            .is_ok_and(|out| out.status.success());
        assert!(
            installed,
            "this story runs on `{program}`, which is not installed"
        );
    }
    let mut guard = STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = match guard.as_ref() {
        Some(root) => root.clone(),
        None => {
            let root = std::env::temp_dir().join(format!("{ROOT_PREFIX}{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            root
        }
    };
    require_engine();
    let engine = engine_lock();
    let first = guard.is_none();
    *guard = Some(root.clone());
    let stack = Stack {
        _guard: guard,
        _engine: engine,
        root,
        compose,
    };
    stack.up();
    if first {
        remove_stale_roots(&stack.root);
    }
    stack.heal();
    stack.assert_green("at the start of the story, after `gaia sim heal`");
    SECRETS.get_or_init(live_secrets);
    stack
}

/// Whether `docker compose` (v2) runs here.
pub fn compose_v2_installed() -> bool {
    std::process::Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Fails with the engine's own words when there is no engine to test on:
/// the one failure that is not gaia's.
fn require_engine() {
    let (code, out) = docker(&["version", "--format", "{{.Server.Version}}"]);
    assert_eq!(
        code, 0,
        "these tests need the Docker engine and compose, and the engine does not answer:\n{out}"
    );
}

/// Roots earlier test processes left: the stack now runs from this
/// process's root, so theirs are unused.
fn remove_stale_roots(current: &Path) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(ROOT_PREFIX) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid).exists();
        if path != current && !alive {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Env var names whose values are secrets, as gaia's README defines them: a
/// part of the name (between `_`, `-` and `.`) that is, or ends with, one of
/// the words (`DB_PASS`, `APIKEY`, `GCP_CREDENTIALS`; not `KEYBOARD`, nor
/// `MAX_TOKENS`).
pub fn is_secret(name: &str) -> bool {
    let words = [
        "KEY",
        "KEYS",
        "TOKEN",
        "SECRET",
        "SECRETS",
        "PASS",
        "PASSWD",
        "PASSWORD",
        "PASSWORDS",
        "PASSPHRASE",
        "CREDENTIAL",
        "CREDENTIALS",
        "AUTH",
        "PRIVATE",
    ];
    name.to_ascii_uppercase()
        .split(['_', '-', '.'])
        .any(|part| words.iter().any(|word| part.ends_with(word)))
}

/// The password of every `scheme://user:password@host` in `value`.
pub fn url_passwords(value: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(at) = rest.find("://") {
        rest = &rest[at + 3..];
        let authority = rest
            .split(|c: char| c == '/' || c.is_whitespace())
            .next()
            .unwrap_or_default();
        if let Some((userinfo, _host)) = authority.rsplit_once('@')
            && let Some((_user, password)) = userinfo.split_once(':')
        {
            found.push(password.to_owned());
        }
    }
    found
}

/// Whether gaia promises to hide `value` wherever it appears (not `true`, `8080`).
fn worth_hiding(value: &str) -> bool {
    value.len() >= 4
        && !["true", "false", "yes", "no", "on", "off", "none", "null"]
            .contains(&value.to_ascii_lowercase().as_str())
        && !value.chars().all(|c| c.is_ascii_digit())
}

/// Every secret of the simulated containers, read from the engine (not
/// copied from the simulation's files): the values of secret-named env vars,
/// and the password of a URL in any env var (named after its variable, with
/// ` password` appended).
pub fn live_secrets() -> Vec<(String, String)> {
    let (_, ids) = docker(&["ps", "-q", "--filter", "label=io.gaia.sim"]);
    let mut secrets: Vec<(String, String)> = Vec::new();
    for id in ids.lines().filter(|l| !l.trim().is_empty()) {
        let env = inspect(id.trim(), "{{range .Config.Env}}{{println .}}{{end}}");
        for line in env.lines() {
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            let mut found: Vec<(String, String)> = url_passwords(value)
                .into_iter()
                .map(|p| (format!("{name} password"), p))
                .collect();
            if is_secret(name) {
                found.push((name.to_owned(), value.to_owned()));
            }
            for (name, value) in found {
                if worth_hiding(&value) && !secrets.iter().any(|(_, v)| *v == value) {
                    secrets.push((name, value));
                }
            }
        }
    }
    secrets.sort();
    secrets
}

/// How `value` may show in an output: as it is, escaped in JSON or XML, and
/// each long word of it (a leaked token of `Bearer <token>`).
fn shapes(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap();
    let mut shapes = vec![
        value.to_owned(),
        json[1..json.len() - 1].to_owned(),
        value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;"),
    ];
    let words = value.split_whitespace().filter(|w| w.len() >= 8);
    if value.split_whitespace().count() > 1 {
        shapes.extend(words.map(str::to_owned));
    }
    shapes.dedup();
    shapes
}

/// Fails if `text` (what `what` printed or wrote) shows a secret of the
/// running stack in any shape.
pub fn assert_no_secret(what: &str, text: &str) {
    for (name, value) in secrets() {
        for shape in shapes(value) {
            assert!(
                !text.contains(shape.as_str()),
                "{what} shows the value of {name} ({shape:?})\n{}",
                text.replace(shape.as_str(), "<the secret>")
            );
        }
    }
}

/// The secrets of the running stack (read when the first story started).
pub fn secrets() -> &'static [(String, String)] {
    SECRETS.get().map(Vec::as_slice).unwrap_or_default()
}

impl Drop for Stack {
    fn drop(&mut self) {
        let healed = self.gaia(["sim", "heal"]).run();
        if healed.code != 0 && !std::thread::panicking() {
            panic!(
                "`gaia sim heal` failed at the end of the story:\n{}\n{}",
                healed.stdout, healed.stderr
            );
        }
    }
}

impl Stack {
    pub fn gaia<I, S>(&self, args: I) -> Gaia
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut gaia = gaia(args).root(&self.root);
        if let Some(compose) = self.compose {
            gaia = gaia.env("GAIA_COMPOSE", compose);
        }
        if gaia.takes_the_lock() {
            gaia.lock = Some(self.root.join(LOCK));
        }
        gaia
    }

    /// Holds the root's lock as another gaia command would, naming it
    /// `command`, until the returned file is dropped.
    pub fn hold_lock(&self, command: &str) -> std::fs::File {
        use std::io::Write as _;
        let path = self.root.join(LOCK);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .unwrap();
        file.try_lock()
            .unwrap_or_else(|e| panic!("the lock {} is not free: {e}", path.display()));
        file.set_len(0).unwrap();
        let holder = serde_json::json!({
            "pid": std::process::id(),
            "host": "test-host",
            "user": "tester@test-host",
            "command": command,
            "since": "2026-12-01T08:00:00Z",
        });
        file.write_all(holder.to_string().as_bytes()).unwrap();
        file
    }

    /// `gaia sim up` as every story has it: with the standbys, and web's
    /// retries towards core 200 ms apart.
    pub fn up(&self) {
        let up = self
            .gaia(["sim", "up", "--ha", "--retry-base-delay", "200ms"])
            .run();
        assert_eq!(
            up.code, 0,
            "`gaia sim up` failed (the engine answers, so gaia is to blame)\n{}\n{}",
            up.stdout, up.stderr
        );
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

    /// Compose itself, the one the story's gaia runs, accepts the stack:
    /// `up` of a live service goes through without refusing or warning
    /// about the network or volumes.
    pub fn assert_compose_accepts(&self, when: &str) {
        let program = self.compose.unwrap_or(if compose_v2_installed() {
            "docker compose"
        } else {
            "docker-compose"
        });
        let before = inspect("gaia-web", "{{.Id}} {{.State.StartedAt}}");
        let mut argv = program.split(' ');
        // --no-start --no-recreate: compose still adopts or refuses the
        // network and volumes, and leaves the container as the story had it.
        let out = std::process::Command::new(argv.next().unwrap())
            .args(argv)
            .args([
                "-f",
                "docker-compose.yml",
                "up",
                "--no-start",
                "--no-recreate",
                "--no-deps",
                "gaia-web",
            ])
            .current_dir(&self.root)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "`{program} up --no-start gaia-web` {when} failed:\n{stderr}"
        );
        assert_eq!(
            inspect("gaia-web", "{{.Id}} {{.State.StartedAt}}"),
            before,
            "`{program} up --no-start gaia-web` {when} replaced or restarted gaia-web:\n{stderr}"
        );
        for objection in ["incorrect label", "was not created", "already exists but"] {
            assert!(
                !stderr.contains(objection),
                "`{program} up --no-start gaia-web` {when} objected:\n{stderr}"
            );
        }
    }

    /// The doctor finds no failure and no warning; if it does, they are
    /// named with what the doctor said.
    pub fn assert_green(&self, when: &str) {
        let ran = self.gaia(["doctor", "--format", "json"]).run();
        let report = ran.json();
        let problems: Vec<String> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["severity"] == "fail" || c["severity"] == "warn")
            .map(|c| format!("  {} {}: {}", c["severity"], c["id"], c["message"]))
            .collect();
        assert!(
            ran.code == 0 && problems.is_empty(),
            "the doctor is not green {when} (exit {}):\n{}",
            ran.code,
            problems.join("\n")
        );
    }
}

/// The failed checks of a doctor's JSON report, as `id: message` lines.
pub fn failed_checks(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "fail")
        .map(|c| format!("{}: {}", c["id"], c["message"]))
        .collect()
}

/// No process holds the root's lock.
pub fn assert_lock_free(stack: &Stack) {
    let path = stack.root.join(LOCK);
    if let Ok(file) = std::fs::File::open(&path) {
        assert!(
            file.try_lock().is_ok(),
            "{} is still held by: {}",
            path.display(),
            std::fs::read_to_string(&path).unwrap_or_default()
        );
    }
}

/// A file removed when the story ends, pass or fail, before the stack is
/// healed: what a story planted to break the stack.
pub struct Removed(pub PathBuf);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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

//! Fault switches inside a simulated container: one file per active fault,
//! set by `gaia sim fault` through `gaia-simctl` and read by the service on
//! every request, so a fault takes effect without a restart.

use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) const FAULT_DIR: &str = "/var/lib/gaia-sim/faults";

/// The healthcheck's `curl` to localhost fails: Docker marks the container unhealthy.
pub(crate) const HEALTHCHECK_FAILS: &str = "healthcheck-fails";
/// `/health` answers 500.
pub(crate) const HEALTH_500: &str = "health-500";
/// `/health` accepts the connection and never answers.
pub(crate) const HEALTH_HANG: &str = "health-hang";
/// prime answers `/health` but serves no model.
pub(crate) const NO_MODEL: &str = "no-model";
/// core stops saving `/shared/sessions.json`.
pub(crate) const SESSIONS_FROZEN: &str = "sessions-frozen";
/// The service exits with an error this many more times.
pub(crate) const CRASH_LOOP: &str = "crash-loop";
/// An error was written to the service's log: its marker tells `gaia sim
/// heal` to restart the container, so that the log it is judged by starts clean.
pub(crate) const LOGGED_ERROR: &str = "logged-error";

fn path(name: &str) -> PathBuf {
    PathBuf::from(FAULT_DIR).join(name)
}

pub(crate) fn active(name: &str) -> bool {
    path(name).exists()
}

pub(crate) fn value(name: &str) -> Option<String> {
    std::fs::read_to_string(path(name))
        .ok()
        .map(|v| v.trim().to_owned())
}

/// Faults of the running process (a wedged event loop, a handler stuck
/// answering errors) which, as with the real services, a restart clears.
const PROCESS_STATE: &[&str] = &[HEALTHCHECK_FAILS, HEALTH_500, HEALTH_HANG];

/// Called as the service starts: a fresh process has none of PROCESS_STATE.
pub(crate) fn forget_process_state() {
    for name in PROCESS_STATE {
        let _ = std::fs::remove_file(path(name));
    }
}

/// Crashes the process when a crash-loop fault still has crashes left.
pub(crate) fn crash_if_looping() {
    let Some(left) = value(CRASH_LOOP).and_then(|v| v.parse::<u32>().ok()) else {
        return;
    };
    if left == 0 {
        return;
    }
    let _ = std::fs::write(path(CRASH_LOOP), (left - 1).to_string());
    eprintln!("ERROR simulated crash ({} left)", left - 1);
    std::process::exit(1);
}

/// `gaia-simctl set NAME [VALUE]`, `gaia-simctl clear` (printing the names
/// it cleared), `gaia-simctl list`, `gaia-simctl log LINE` (LINE in the
/// service's own log, as if the service wrote it).
pub(crate) fn simctl(args: &[String]) -> ExitCode {
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["set", name] => set(name, ""),
        ["set", name, value] => set(name, value),
        ["clear"] => list().and_then(|()| {
            std::fs::remove_dir_all(FAULT_DIR).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
        }),
        // The container's log is what its first process writes.
        ["log", line] => std::fs::OpenOptions::new()
            .append(true)
            .open("/proc/1/fd/2")
            .and_then(|mut log| {
                std::io::Write::write_all(&mut log, format!("{line}\n").as_bytes())
            }),
        ["list"] => list(),
        _ => {
            eprintln!("usage: gaia-simctl set NAME [VALUE] | clear | list | log LINE");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gaia-simctl: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the name of each switch set.
fn list() -> std::io::Result<()> {
    std::fs::read_dir(FAULT_DIR)
        .map(|entries| {
            for entry in entries.flatten() {
                println!("{}", entry.file_name().to_string_lossy());
            }
        })
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(e),
        })
}

fn set(name: &str, value: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(FAULT_DIR)?;
    // The service runs as uid 1000 and must be able to count crashes down.
    std::fs::set_permissions(FAULT_DIR, std::fs::Permissions::from_mode(0o777))?;
    let file = path(name);
    std::fs::write(&file, value)?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666))
}

//! Who runs gaia and where, as its records name them (locks, journals, the
//! maintenance flag, the audit log), and whether a recorded gaia process
//! still runs.

/// This host's name.
pub(crate) fn host() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Who is running gaia: user@host.
pub(crate) fn operator() -> String {
    let uid = nix::unistd::getuid();
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .or_else(|| {
            nix::unistd::User::from_uid(uid)
                .ok()
                .flatten()
                .map(|u| u.name)
        })
        .unwrap_or_else(|| uid.to_string());
    format!("{user}@{}", host())
}

/// Whether the gaia process `pid` recorded on `on_host` still runs. One on
/// another host cannot be looked at, so it is taken to be running.
pub(crate) fn gaia_alive(pid: u32, on_host: &str) -> bool {
    on_host != host()
        || std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains("gaia"))
}

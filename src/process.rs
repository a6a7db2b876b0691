//! Who runs gaia and where, as its records name them (locks, journals, the
//! maintenance flag, the audit log).

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

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
    let var = |name: &str| std::env::var(name).ok();
    let user = user(
        uid.is_root(),
        var("SUDO_USER"),
        var("USER").or_else(|| var("LOGNAME")),
    )
    .or_else(|| {
        nix::unistd::User::from_uid(uid)
            .ok()
            .flatten()
            .map(|u| u.name)
    })
    .unwrap_or_else(|| uid.to_string());
    format!("{user}@{}", host())
}

/// The person behind the run: under sudo, the one who ran sudo (SUDO_USER)
/// rather than root, whom every sudo run would otherwise be; else the
/// session's user. SUDO_USER counts only when gaia runs as root: in a
/// process that is not root it was inherited, not set by sudo for this run.
fn user(root: bool, sudo_user: Option<String>, session: Option<String>) -> Option<String> {
    match sudo_user {
        Some(invoker) if root && !invoker.is_empty() && invoker != "root" => Some(invoker),
        _ => session.filter(|s| !s.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(name: &str) -> Option<String> {
        Some(name.to_owned())
    }

    #[test]
    fn under_sudo_the_operator_is_who_ran_sudo() {
        assert_eq!(user(true, some("alice"), some("root")), some("alice"));
        // Root's own shell, or `sudo -i` from root: root it is.
        assert_eq!(user(true, None, some("root")), some("root"));
        assert_eq!(user(true, some("root"), some("root")), some("root"));
        assert_eq!(user(true, some(""), some("root")), some("root"));
        // Not root: a SUDO_USER left in the environment is not this run's.
        assert_eq!(user(false, some("alice"), some("bob")), some("bob"));
        assert_eq!(user(false, None, some("bob")), some("bob"));
        // Nothing in the environment: the caller asks the password database.
        assert_eq!(user(false, None, None), None);
        assert_eq!(user(false, None, some("")), None);
    }
}

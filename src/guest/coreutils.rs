//! The everyday coreutils an operator or a script runs inside the real
//! (Debian slim) images: `printenv`, `env`, `cat` and `id`, with GNU's
//! output, messages and exit codes; and the helpers `ls`, `test` and `stat`
//! share with them.

use std::ffi::OsString;
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::process::CommandExt as _;
use std::process::ExitCode;

/// What GNU tools exit with when `env` itself fails (not the command it runs).
const ENV_FAILURE: u8 = 125;

/// Quotes a name as coreutils' messages do: ‘x’ under a UTF-8 locale, 'x' otherwise.
pub(super) fn quote(name: &str) -> String {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if locale.contains("utf-8") || locale.contains("utf8") {
        format!("‘{name}’")
    } else {
        format!("'{name}'")
    }
}

/// The C library's words for an I/O error, as the real tools print them.
pub(super) fn describe(err: &std::io::Error) -> &'static str {
    err.raw_os_error()
        .map(|code| nix::errno::Errno::from_raw(code).desc())
        .unwrap_or("Input/output error")
}

/// GNU getopt's complaint about an option the tool does not have.
pub(super) fn bad_option(tool: &str, arg: &str, code: u8) -> ExitCode {
    if arg.starts_with("--") {
        eprintln!("{tool}: unrecognized option '{arg}'");
    } else {
        eprintln!("{tool}: invalid option -- '{}'", &arg[1..]);
    }
    eprintln!("Try '{tool} --help' for more information.");
    ExitCode::from(code)
}

/// Splits arguments as GNU getopt does for tools whose options take no
/// value: `-abc` is `-a -b -c`, operands may come before options, and `--`
/// ends the options.
pub(super) fn split_options(args: &[String]) -> (Vec<String>, Vec<&str>) {
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--" => {
                operands.extend(args.by_ref().map(String::as_str));
            }
            long if long.starts_with("--") => options.push(long.to_owned()),
            short if short.starts_with('-') && short.len() > 1 => {
                options.extend(short[1..].chars().map(|c| format!("-{c}")));
            }
            operand => operands.push(operand),
        }
    }
    (options, operands)
}

/// Ends a tool that wrote to stdout: a failed write is its error, as coreutils says it.
pub(super) fn finish(tool: &str, written: std::io::Result<u8>) -> ExitCode {
    match written.and_then(|code| std::io::stdout().flush().map(|()| code)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("{tool}: write error: {}", describe(&err));
            ExitCode::FAILURE
        }
    }
}

// ── /etc/passwd and /etc/group ──────────────────────────────────────────────

/// The entries of a colon-separated database file, split into fields.
fn entries(file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|line| line.split(':').map(str::to_owned).collect())
        .filter(|fields: &Vec<String>| fields.len() >= 3)
        .collect()
}

fn name_of(file: &str, id: u32) -> Option<String> {
    entries(file)
        .into_iter()
        .find(|fields| fields[2] == id.to_string())
        .map(|fields| fields[0].clone())
}

pub(super) fn user_name(uid: u32) -> Option<String> {
    name_of("/etc/passwd", uid)
}

pub(super) fn group_name(gid: u32) -> Option<String> {
    name_of("/etc/group", gid)
}

/// A user by name or uid: its name, uid and primary gid.
fn user(wanted: &str) -> Option<(String, u32, u32)> {
    let found = entries("/etc/passwd").into_iter().find(|f| f[0] == wanted);
    let found = found.or_else(|| {
        entries("/etc/passwd")
            .into_iter()
            .find(|f| f[2] == wanted && f.len() >= 4)
    })?;
    Some((
        found[0].clone(),
        found[2].parse().ok()?,
        found.get(3)?.parse().ok()?,
    ))
}

/// The groups /etc/group lists `name` as a member of.
fn member_of(name: &str) -> Vec<u32> {
    entries("/etc/group")
        .into_iter()
        .filter(|f| f.get(3).is_some_and(|m| m.split(',').any(|m| m == name)))
        .filter_map(|f| f[2].parse().ok())
        .collect()
}

// ── printenv and env ────────────────────────────────────────────────────────

pub(crate) fn printenv(args: &[String]) -> ExitCode {
    let (options, names) = split_options(args);
    let mut end = b'\n';
    for option in &options {
        match option.as_str() {
            "-0" | "--null" => end = 0,
            other => return bad_option("printenv", other, 2),
        }
    }
    let mut out = std::io::stdout().lock();
    let written = (|| {
        if names.is_empty() {
            for (name, value) in std::env::vars_os() {
                write_variable(&mut out, &name, &value, end)?;
            }
            return Ok(0);
        }
        let mut code = 0;
        for name in names {
            match std::env::var_os(name).filter(|_| !name.contains('=')) {
                Some(value) => {
                    out.write_all(value.as_bytes())?;
                    out.write_all(&[end])?;
                }
                None => code = 1,
            }
        }
        Ok(code)
    })();
    finish("printenv", written)
}

fn write_variable(
    out: &mut impl std::io::Write,
    name: &OsString,
    value: &OsString,
    end: u8,
) -> std::io::Result<()> {
    out.write_all(name.as_bytes())?;
    out.write_all(b"=")?;
    out.write_all(value.as_bytes())?;
    out.write_all(&[end])
}

/// `env [-i] [-0] [-u NAME]… [NAME=VALUE]… [COMMAND [ARG]…]`.
pub(crate) fn env(args: &[String]) -> ExitCode {
    let mut vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let mut end = b'\n';
    let mut rest = args.iter().peekable();
    // env stops reading options at its first operand: the command's own
    // options are the command's.
    while let Some(arg) = rest.next_if(|a| a.starts_with('-')) {
        match arg.as_str() {
            "--" => break,
            "-" | "-i" | "--ignore-environment" => vars.clear(),
            "-0" | "--null" => end = 0,
            "-u" | "--unset" => {
                let Some(name) = rest.next() else {
                    if arg == "-u" {
                        eprintln!("env: option requires an argument -- 'u'");
                    } else {
                        eprintln!("env: option '--unset' requires an argument");
                    }
                    eprintln!("Try 'env --help' for more information.");
                    return ExitCode::from(ENV_FAILURE);
                };
                vars.retain(|(n, _)| n.as_bytes() != name.as_bytes());
            }
            other => {
                let name = other
                    .strip_prefix("--unset=")
                    .or_else(|| other.strip_prefix("-u"));
                match name {
                    Some(name) => vars.retain(|(n, _)| n.as_bytes() != name.as_bytes()),
                    None => return bad_option("env", other, ENV_FAILURE),
                }
            }
        }
    }
    while let Some((name, value)) = rest.peek().and_then(|a| a.split_once('=')) {
        vars.retain(|(n, _)| n.as_bytes() != name.as_bytes());
        vars.push((name.into(), value.into()));
        rest.next();
    }
    let Some(command) = rest.next() else {
        let mut out = std::io::stdout().lock();
        let written = vars
            .iter()
            .try_for_each(|(name, value)| write_variable(&mut out, name, value, end))
            .map(|()| 0);
        return finish("env", written);
    };
    if end == 0 {
        eprintln!("env: cannot specify --null (-0) with command");
        eprintln!("Try 'env --help' for more information.");
        return ExitCode::from(ENV_FAILURE);
    }
    let err = std::process::Command::new(command)
        .args(rest)
        .env_clear()
        .envs(vars)
        .exec();
    eprintln!("env: {}: {}", quote(command), describe(&err));
    // 127: no such command; 126: found but could not be run.
    ExitCode::from(if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

// ── cat ─────────────────────────────────────────────────────────────────────

pub(crate) fn cat(args: &[String]) -> ExitCode {
    let (options, mut files) = split_options(args);
    if options.iter().any(|o| o != "-u") {
        eprintln!("cat (gaia sim): only `cat [FILE]...` (and -u) is simulated");
        return ExitCode::FAILURE;
    }
    if files.is_empty() {
        files.push("-");
    }
    let mut out = std::io::stdout().lock();
    let mut code = 0;
    for file in files {
        let copied = if file == "-" {
            std::io::copy(&mut std::io::stdin().lock(), &mut out)
        } else {
            std::fs::File::open(file).and_then(|mut f| std::io::copy(&mut f, &mut out))
        };
        if let Err(err) = copied {
            eprintln!("cat: {file}: {}", describe(&err));
            code = 1;
        }
    }
    finish("cat", Ok(code))
}

// ── id ──────────────────────────────────────────────────────────────────────

pub(crate) fn id(args: &[String]) -> ExitCode {
    let (options, operands) = split_options(args);
    let (mut only, mut names, mut real) = (Vec::new(), false, false);
    for option in &options {
        match option.as_str() {
            "-u" | "--user" => only.push('u'),
            "-g" | "--group" => only.push('g'),
            "-G" | "--groups" => only.push('G'),
            "-n" | "--name" => names = true,
            "-r" | "--real" => real = true,
            other => return bad_option("id", other, 1),
        }
    }
    only.dedup();
    if only.len() > 1 {
        eprintln!("id: cannot print \"only\" of more than one choice");
        return ExitCode::FAILURE;
    }
    if only.is_empty() && (names || real) {
        eprintln!("id: cannot print only names or real IDs in default format");
        return ExitCode::FAILURE;
    }
    let (uid, gid, groups) = match operands.as_slice() {
        [] => {
            let (uid, gid) = if real {
                (nix::unistd::getuid(), nix::unistd::getgid())
            } else {
                (nix::unistd::geteuid(), nix::unistd::getegid())
            };
            let others = nix::unistd::getgroups().unwrap_or_default();
            let others = others.into_iter().map(|g| g.as_raw()).collect();
            (uid.as_raw(), gid.as_raw(), others)
        }
        [wanted] => match user(wanted) {
            Some((name, uid, gid)) => (uid, gid, member_of(&name)),
            None => {
                eprintln!("id: {}: no such user", quote(wanted));
                return ExitCode::FAILURE;
            }
        },
        [_, extra, ..] => {
            eprintln!("id: extra operand {}", quote(extra));
            eprintln!("Try 'id --help' for more information.");
            return ExitCode::FAILURE;
        }
    };
    // The primary group first, then the others once each, as GNU id lists them.
    let mut all = vec![gid];
    all.extend(groups.into_iter().filter(|g| *g != gid));
    all.dedup();
    let mut code = 0;
    let mut shown = |id: u32, name: Option<String>, kind: &str| match name {
        Some(name) => name,
        None => {
            eprintln!("id: cannot find name for {kind} ID {id}");
            code = 1;
            id.to_string()
        }
    };
    let line = match only.first() {
        Some('u') if names => shown(uid, user_name(uid), "user"),
        Some('g') if names => shown(gid, group_name(gid), "group"),
        Some('G') if names => all
            .iter()
            .map(|g| shown(*g, group_name(*g), "group"))
            .collect::<Vec<_>>()
            .join(" "),
        Some('u') => uid.to_string(),
        Some('g') => gid.to_string(),
        Some(_) => all.iter().map(u32::to_string).collect::<Vec<_>>().join(" "),
        None => {
            let named = |id: u32, name: Option<String>| match name {
                Some(name) => format!("{id}({name})"),
                None => id.to_string(),
            };
            let groups: Vec<String> = all.iter().map(|g| named(*g, group_name(*g))).collect();
            format!(
                "uid={} gid={} groups={}",
                named(uid, user_name(uid)),
                named(gid, group_name(gid)),
                groups.join(",")
            )
        }
    };
    finish("id", writeln!(std::io::stdout(), "{line}").map(|()| code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn options_split_as_gnu_getopt_does() {
        let args = strings(&["-la", "/etc", "--all", "--", "-x"]);
        let (options, operands) = split_options(&args);
        assert_eq!(options, ["-l", "-a", "--all"]);
        assert_eq!(operands, ["/etc", "-x"]);
        let args = strings(&["-"]);
        assert_eq!(split_options(&args).1, ["-"]);
    }

    #[test]
    fn errors_are_described_in_the_c_library_words() {
        let missing = std::fs::File::open("/nonexistent/file").unwrap_err();
        assert_eq!(describe(&missing), "No such file or directory");
        let dir = std::io::Error::from_raw_os_error(nix::libc::EISDIR);
        assert_eq!(describe(&dir), "Is a directory");
    }
}

//! The stand-ins for the tools of the real GAIA images, each answering the
//! way the real tool does for what gaia and the compose healthchecks use.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::coreutils::{describe, quote, user_name};
use super::{faults, server};
use crate::http::{Http, HttpError, Response};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime always builds")
        .block_on(future)
}

// ── python ──────────────────────────────────────────────────────────────────

/// Where the simulated interpreter finds modules besides PYTHONPATH.
const SITE_PACKAGES: &str = "/usr/local/lib/python3.11/site-packages";
/// Modules every GAIA image has installed.
const INSTALLED: &[&str] = &[
    "os", "sys", "json", "time", "pathlib", "asyncio", "httpx", "requests", "uvicorn", "fastapi",
    "pydantic", "torch", "numpy",
];

pub(crate) fn python(args: &[String]) -> ExitCode {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["--version"] | ["-V"] => {
            println!("Python 3.11.7");
            ExitCode::SUCCESS
        }
        ["-c", code, ..] => python_code(code),
        ["-m", "uvicorn", app, rest @ ..] => {
            let module = app.split(['.', ':']).next().unwrap_or_default();
            let Some(role) = server::Role::from_module(module) else {
                eprintln!("ModuleNotFoundError: No module named '{module}'");
                return ExitCode::FAILURE;
            };
            server::serve(role, option(rest, "--port").unwrap_or("8000"))
        }
        ["-m", "vllm.entrypoints.openai.api_server", rest @ ..] => {
            let model = option(rest, "--model")
                .unwrap_or("facebook/opt-125m")
                .to_owned();
            server::serve(
                server::Role::Prime { model },
                option(rest, "--port").unwrap_or("8000"),
            )
        }
        ["-m", "ruff", "check", path] => super::validators::ruff(path),
        ["-m", "mypy", path] => super::validators::mypy(path),
        ["-m", "pytest", path] => super::validators::pytest(path),
        ["-m", "mkdocs", "serve", rest @ ..] => {
            let address = option(rest, "-a").unwrap_or("127.0.0.1:8000");
            let port = address.rsplit(':').next().unwrap_or("8000");
            server::serve(server::Role::Wiki, port)
        }
        _ => {
            eprintln!(
                "python (gaia sim): only -c, -m uvicorn, -m vllm…, -m mkdocs serve, \
                 -m ruff check, -m mypy and -m pytest are simulated"
            );
            ExitCode::from(2)
        }
    }
}

fn option<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| *a == name)
        .and_then(|i| args.get(i + 1).copied())
}

/// Runs the statements gaia's checks use: imports, and `httpx.get(url)`.
fn python_code(code: &str) -> ExitCode {
    for statement in code.split([';', '\n']).map(str::trim) {
        let modules: Vec<&str> = if let Some(list) = statement.strip_prefix("import ") {
            list.split(',')
                .map(|m| m.split_whitespace().next().unwrap_or_default())
                .collect()
        } else if let Some(rest) = statement.strip_prefix("from ") {
            rest.split_whitespace().next().into_iter().collect()
        } else {
            Vec::new()
        };
        for module in modules {
            if !importable(module) {
                eprintln!(
                    "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>"
                );
                eprintln!(
                    "ModuleNotFoundError: No module named '{}'",
                    module.split('.').next().unwrap_or(module)
                );
                return ExitCode::FAILURE;
            }
        }
        if let Some(url) = quoted_argument(statement, ".get(") {
            let http = Http::new(Duration::from_secs(5), Duration::from_secs(10));
            match block_on(http.get(url)) {
                Ok(r) if r.is_success() => {}
                Ok(r) => {
                    eprintln!(
                        "httpx.HTTPStatusError: Server error '{}' for url '{url}'",
                        r.status
                    );
                    return ExitCode::FAILURE;
                }
                Err(err) => {
                    eprintln!("httpx.ConnectError: {err}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn quoted_argument<'a>(statement: &'a str, call: &str) -> Option<&'a str> {
    let rest = &statement[statement.find(call)? + call.len()..];
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    rest[1..].split(quote).next()
}

fn importable(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    if INSTALLED.contains(&top) {
        return true;
    }
    let python_path = std::env::var("PYTHONPATH").unwrap_or_default();
    python_path
        .split(':')
        .filter(|p| !p.is_empty())
        .chain([SITE_PACKAGES])
        .any(|dir| {
            let base = Path::new(dir).join(top);
            base.join("__init__.py").is_file() || base.with_extension("py").is_file()
        })
}

// ── curl and wget ───────────────────────────────────────────────────────────

/// One request from inside a container, as curl and wget make it: the
/// healthcheck fault refuses connections to the container's own services.
async fn fetch(
    http: &Http,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<String>,
) -> Result<Response, HttpError> {
    let to_localhost = url.contains("://localhost") || url.contains("://127.0.0.1");
    if to_localhost && faults::active(faults::HEALTHCHECK_FAILS) {
        return Err(HttpError::Connect("Connection refused".to_owned()));
    }
    http.request(method, url, headers, body).await
}

/// The connection failed before it began: the host name did not resolve.
fn unresolved(cause: &str) -> bool {
    cause.contains("lookup") || cause.contains("resolve")
}

struct CurlRequest {
    fail: bool,
    silent: bool,
    show_error: bool,
    method: Option<String>,
    data: Option<String>,
    headers: Vec<(String, String)>,
    outputs: Vec<String>,
    write_out: Option<String>,
    max_time: Option<f64>,
    connect_timeout: Option<f64>,
    urls: Vec<String>,
}

fn parse_curl(args: &[String]) -> Result<CurlRequest, String> {
    let mut req = CurlRequest {
        fail: false,
        silent: false,
        show_error: false,
        method: None,
        data: None,
        headers: Vec::new(),
        outputs: Vec::new(),
        write_out: None,
        max_time: None,
        connect_timeout: None,
        urls: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("option {name}: requires parameter"))
        };
        let seconds = |v: String| v.parse::<f64>().map_err(|_| format!("invalid time {v}"));
        match arg.as_str() {
            "--fail" => req.fail = true,
            "--silent" => req.silent = true,
            "--show-error" => req.show_error = true,
            "--parallel" => {}
            "-X" | "--request" => req.method = Some(value(arg)?),
            "-d" | "--data" | "--data-raw" => req.data = Some(value(arg)?),
            "-H" | "--header" => {
                let header = value(arg)?;
                let (name, val) = header
                    .split_once(':')
                    .ok_or(format!("bad header {header}"))?;
                req.headers
                    .push((name.trim().to_owned(), val.trim().to_owned()));
            }
            "-o" | "--output" => req.outputs.push(value(arg)?),
            "-w" | "--write-out" => req.write_out = Some(value(arg)?),
            "-m" | "--max-time" => req.max_time = Some(seconds(value(arg)?)?),
            "--connect-timeout" => req.connect_timeout = Some(seconds(value(arg)?)?),
            flags if flags.starts_with('-') && !flags.starts_with("--") => {
                for flag in flags[1..].chars() {
                    match flag {
                        'f' => req.fail = true,
                        's' => req.silent = true,
                        'S' => req.show_error = true,
                        // -Z (parallel): transfers always run in parallel here.
                        'L' | 'k' | 'Z' => {}
                        other => return Err(format!("option -{other}: is unknown")),
                    }
                }
            }
            url if !url.starts_with('-') => req.urls.push(url.to_owned()),
            other => return Err(format!("option {other}: is unknown")),
        }
    }
    Ok(req)
}

/// The outcome of one transfer: curl's exit code for it, and the HTTP status.
struct Transfer {
    code: u8,
    status: u16,
    error: Option<String>,
}

async fn transfer(req: &CurlRequest, url: &str, output: Option<&str>) -> Transfer {
    let failed = |code: u8, message: String| Transfer {
        code,
        status: 0,
        error: Some(message),
    };
    let http = Http::new(
        Duration::from_secs_f64(req.connect_timeout.unwrap_or(30.0)),
        Duration::from_secs_f64(req.max_time.unwrap_or(300.0)),
    );
    let method = req
        .method
        .clone()
        .unwrap_or_else(|| if req.data.is_some() { "POST" } else { "GET" }.to_owned());
    let mut headers = req.headers.clone();
    if req.data.is_some()
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    match fetch(&http, &method, url, &headers, req.data.clone()).await {
        Ok(response) => {
            if req.fail && response.status >= 400 {
                return Transfer {
                    code: 22,
                    status: response.status,
                    error: Some(format!(
                        "The requested URL returned error: {}",
                        response.status
                    )),
                };
            }
            match output {
                Some(file) if file != "-" => {
                    if let Err(err) = std::fs::write(file, &response.body) {
                        return failed(23, format!("Failure writing output to destination: {err}"));
                    }
                }
                _ => print!("{}", response.body),
            }
            Transfer {
                code: 0,
                status: response.status,
                error: None,
            }
        }
        Err(HttpError::Timeout(after)) => failed(
            28,
            format!(
                "Operation timed out after {} milliseconds",
                after.as_millis()
            ),
        ),
        Err(HttpError::Connect(cause)) if unresolved(&cause) => {
            failed(6, format!("Could not resolve host: {cause}"))
        }
        Err(HttpError::Connect(cause)) => failed(7, format!("Failed to connect: {cause}")),
        Err(HttpError::Other(cause)) => failed(56, format!("Failure when receiving data: {cause}")),
    }
}

pub(crate) fn curl(args: &[String]) -> ExitCode {
    let req = match parse_curl(args) {
        Ok(req) => req,
        Err(err) => {
            eprintln!("curl: {err}");
            return ExitCode::from(2);
        }
    };
    if req.urls.is_empty() {
        eprintln!("curl: no URL specified");
        return ExitCode::from(2);
    }
    let transfers = block_on(futures_util::future::join_all(
        req.urls
            .iter()
            .enumerate()
            .map(|(i, url)| transfer(&req, url, req.outputs.get(i).map(String::as_str))),
    ));
    let mut code = 0;
    for (url, t) in req.urls.iter().zip(&transfers) {
        if let Some(error) = &t.error
            && (!req.silent || req.show_error)
        {
            eprintln!("curl: ({}) {error}", t.code);
        }
        if let Some(format) = &req.write_out {
            print!(
                "{}",
                format
                    .replace("%{http_code}", &format!("{:03}", t.status))
                    .replace("%{url_effective}", url)
                    .replace("\\n", "\n")
            );
        }
        if t.code != 0 {
            code = t.code;
        }
    }
    ExitCode::from(code)
}

// ── wget ────────────────────────────────────────────────────────────────────

struct WgetRequest {
    quiet: bool,
    spider: bool,
    output: Option<String>,
    timeout: Option<f64>,
    urls: Vec<String>,
}

fn parse_wget(args: &[String]) -> Result<WgetRequest, String> {
    let mut req = WgetRequest {
        quiet: false,
        spider: false,
        output: None,
        timeout: None,
        urls: Vec::new(),
    };
    let seconds = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("--timeout: Invalid time period '{v}'"))
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if arg.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |inline: Option<String>, flag: Option<char>| {
            inline
                .or_else(|| args.next().cloned())
                .ok_or_else(|| match flag {
                    Some(flag) => format!("option requires an argument -- '{flag}'"),
                    None => format!("option '{name}' requires an argument"),
                })
        };
        match name {
            "--quiet" => req.quiet = true,
            "--spider" => req.spider = true,
            "--output-document" => req.output = Some(value(inline, None)?),
            "--timeout" => req.timeout = Some(seconds(&value(inline, None)?)?),
            // Retries change how long a failure takes, not its outcome.
            "--tries" => drop(value(inline, None)?),
            "-nv" | "--no-verbose" => {}
            flags if flags.starts_with('-') && !flags.starts_with("--") && flags.len() > 1 => {
                for (i, flag) in flags.char_indices().skip(1) {
                    let rest = &flags[i + flag.len_utf8()..];
                    let attached = (!rest.is_empty()).then(|| rest.to_owned());
                    match flag {
                        'q' => req.quiet = true,
                        'O' => req.output = Some(value(attached, Some(flag))?),
                        'T' => req.timeout = Some(seconds(&value(attached, Some(flag))?)?),
                        't' => drop(value(attached, Some(flag))?),
                        other => return Err(format!("invalid option -- '{other}'")),
                    }
                    if matches!(flag, 'O' | 'T' | 't') {
                        break;
                    }
                }
            }
            url if !url.starts_with('-') || url == "-" => req.urls.push(url.to_owned()),
            other => return Err(format!("unrecognized option '{other}'")),
        }
    }
    Ok(req)
}

/// `wget [-q] [-O FILE|-] [--spider] [-T SECONDS] URL`, with GNU wget's exit
/// codes: 4 when the network failed, 8 when the server answered an error.
pub(crate) fn wget(args: &[String]) -> ExitCode {
    let req = match parse_wget(args) {
        Ok(req) => req,
        Err(err) => {
            eprintln!(
                "wget: {err}\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options."
            );
            return ExitCode::from(2);
        }
    };
    let url = match req.urls.as_slice() {
        [url] if url.contains("://") => url.clone(),
        [url] => format!("http://{url}"),
        [] => {
            eprintln!(
                "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options."
            );
            return ExitCode::FAILURE;
        }
        _ => {
            eprintln!("wget (gaia sim): only one URL at a time is simulated");
            return ExitCode::from(2);
        }
    };
    let say = |line: String| {
        if !req.quiet {
            eprintln!("{line}");
        }
    };
    let now = || {
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace('T', " ")
            .replace('Z', "")
    };
    // wget opens -O FILE before it connects: a failed download leaves it empty.
    let target = match req.output.as_deref() {
        Some(file) if file != "-" && !req.spider => {
            if let Err(err) = std::fs::File::create(file) {
                eprintln!("{file}: {}", describe(&err));
                return ExitCode::from(3);
            }
            Some(file.to_owned())
        }
        Some(_) => None,
        None if req.spider => None,
        None => Some(free_name(&url)),
    };
    say(format!("--{}--  {url}", now()));
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .unwrap_or_default();
    let timeout = req.timeout.map(Duration::from_secs_f64);
    let http = Http::new(
        timeout.unwrap_or(Duration::from_secs(120)),
        timeout.unwrap_or(Duration::from_secs(900)),
    );
    let method = if req.spider { "HEAD" } else { "GET" };
    let response = match block_on(fetch(&http, method, &url, &[], None)) {
        Ok(response) => response,
        Err(HttpError::Connect(cause)) if unresolved(&cause) => {
            let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
            say(format!(
                "Resolving {name} ({name})... failed: Name or service not known."
            ));
            say(format!(
                "wget: unable to resolve host address {}",
                quote(name)
            ));
            return ExitCode::from(4);
        }
        Err(err) => {
            let cause = match err {
                HttpError::Connect(cause) | HttpError::Other(cause) => cause,
                HttpError::Timeout(_) => "Connection timed out".to_owned(),
            };
            let cause = cause.split(" (os error").next().unwrap_or_default();
            say(format!("Connecting to {host}... failed: {cause}."));
            return ExitCode::from(4);
        }
    };
    say(format!("Connecting to {host}... connected."));
    say(format!(
        "HTTP request sent, awaiting response... {} {}",
        response.status,
        response.reason()
    ));
    if response.status >= 400 {
        if req.spider {
            say("Remote file does not exist -- broken link!!!".to_owned());
        } else {
            say(format!(
                "{} ERROR {}: {}.",
                now(),
                response.status,
                response.reason()
            ));
        }
        return ExitCode::from(8);
    }
    if req.spider {
        say("Remote file exists.".to_owned());
        return ExitCode::SUCCESS;
    }
    let size = response.body.len();
    match target {
        Some(file) => {
            if let Err(err) = std::fs::write(&file, &response.body) {
                eprintln!("{file}: {}", describe(&err));
                return ExitCode::from(3);
            }
            say(format!(
                "{} - {} saved [{size}/{size}]",
                now(),
                quote(&file)
            ));
        }
        None => {
            print!("{}", response.body);
            say(format!("{} - written to stdout [{size}/{size}]", now()));
        }
    }
    ExitCode::SUCCESS
}

/// Where wget saves a URL without -O: its last path segment (index.html
/// for a directory), with `.1`, `.2`… added while the name is taken.
fn free_name(url: &str) -> String {
    let path = url.split("://").nth(1).unwrap_or(url);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let base = match path.split_once('/').map(|(_, p)| p.rsplit('/').next()) {
        Some(Some(name)) if !name.is_empty() => name.to_owned(),
        _ => "index.html".to_owned(),
    };
    (0..)
        .map(|n| {
            if n == 0 {
                base.clone()
            } else {
                format!("{base}.{n}")
            }
        })
        .find(|name| !Path::new(name).exists())
        .unwrap_or(base)
}

// ── nvidia-smi ──────────────────────────────────────────────────────────────

/// Lists the GPUs whose device nodes the container was given, as `nvidia-smi -L` does.
pub(crate) fn nvidia_smi(_args: &[String]) -> ExitCode {
    let mut gpus: Vec<u32> = std::fs::read_dir("/dev")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("nvidia")?.parse().ok())
        .collect();
    gpus.sort_unstable();
    if gpus.is_empty() {
        println!("No devices were found");
        return ExitCode::from(6);
    }
    for gpu in gpus {
        println!("GPU {gpu}: NVIDIA Simulated GPU (UUID: GPU-5e1a0000-0000-4000-8000-{gpu:012})");
    }
    ExitCode::SUCCESS
}

// ── rm ──────────────────────────────────────────────────────────────────────

pub(crate) fn rm(args: &[String]) -> ExitCode {
    let end = args.iter().position(|a| a == "--");
    let (options, operands) = args.split_at(end.unwrap_or(args.len()));
    let (flags, mut paths): (Vec<&String>, Vec<&String>) = options
        .iter()
        .partition(|a| a.starts_with('-') && a.len() > 1);
    paths.extend(operands.iter().skip(1));
    let recursive = flags.iter().any(|f| f.contains('r') || f.contains('R'));
    let force = flags.iter().any(|f| f.contains('f'));
    let mut status = ExitCode::SUCCESS;
    for path in paths {
        let p = Path::new(path);
        let result = if p.is_dir() && !p.is_symlink() {
            if recursive {
                std::fs::remove_dir_all(p)
            } else {
                eprintln!("rm: cannot remove '{path}': Is a directory");
                status = ExitCode::FAILURE;
                continue;
            }
        } else {
            std::fs::remove_file(p)
        };
        match result {
            Ok(()) => {}
            Err(e) if force && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                eprintln!("rm: cannot remove '{path}': {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}

// ── stat ────────────────────────────────────────────────────────────────────

/// `stat -c FORMAT [--] PATH…` with the format sequences gaia's checks use.
pub(crate) fn stat(args: &[String]) -> ExitCode {
    use std::os::unix::fs::MetadataExt;
    let (format, paths) = match args {
        [flag, format, end, paths @ ..] if (flag == "-c" || flag == "--format") && end == "--" => {
            (format.as_str(), paths)
        }
        [flag, format, paths @ ..] if flag == "-c" || flag == "--format" => {
            (format.as_str(), paths)
        }
        _ => {
            eprintln!("stat (gaia sim): only `stat -c FORMAT PATH...` is simulated");
            return ExitCode::from(2);
        }
    };
    let mut status = ExitCode::SUCCESS;
    for path in paths {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(err) => {
                eprintln!("stat: cannot statx '{path}': {}", describe(&err));
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let kind = if meta.is_dir() {
            "directory"
        } else if meta.file_type().is_symlink() {
            "symbolic link"
        } else {
            "regular file"
        };
        let mut line = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                line.push(c);
                continue;
            }
            match chars.next() {
                Some('u') => line.push_str(&meta.uid().to_string()),
                Some('U') => {
                    // UNKNOWN, as coreutils' stat says for a uid /etc/passwd lacks.
                    line.push_str(&user_name(meta.uid()).unwrap_or("UNKNOWN".to_owned()))
                }
                Some('g') => line.push_str(&meta.gid().to_string()),
                Some('a') => line.push_str(&format!("{:o}", meta.mode() & 0o7777)),
                Some('s') => line.push_str(&meta.size().to_string()),
                Some('Y') => line.push_str(&meta.mtime().to_string()),
                Some('F') => line.push_str(kind),
                Some('n') => line.push_str(path),
                Some(other) => {
                    line.push('%');
                    line.push(other);
                }
                None => line.push('%'),
            }
        }
        println!("{line}");
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wget_args(args: &[&str]) -> Result<WgetRequest, String> {
        parse_wget(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn wget_reads_its_options_in_every_spelling() {
        for args in [
            &["-q", "-O", "-", "http://x/"][..],
            &["-qO-", "http://x/"],
            &["-qO", "-", "http://x/"],
            &["--quiet", "--output-document=-", "http://x/"],
        ] {
            let req = wget_args(args).unwrap();
            assert!(req.quiet, "{args:?}");
            assert_eq!(req.output.as_deref(), Some("-"), "{args:?}");
            assert_eq!(req.urls, ["http://x/"], "{args:?}");
        }
        let req = wget_args(&["--spider", "-T", "3", "--tries=2", "u"]).unwrap();
        assert!(req.spider && req.timeout == Some(3.0));
        assert_eq!(wget_args(&["-z"]).err().unwrap(), "invalid option -- 'z'");
        assert_eq!(
            wget_args(&["-O"]).err().unwrap(),
            "option requires an argument -- 'O'"
        );
    }

    #[test]
    fn wget_names_a_download_after_the_url_without_overwriting() {
        assert_eq!(free_name("http://x:1/"), "index.html");
        assert_eq!(free_name("http://x:1"), "index.html");
        assert_eq!(free_name("http://x:1/a/b.txt?x=1"), "b.txt");
        // Tests run in the package root, where Cargo.toml is taken.
        assert_eq!(free_name("http://x:1/Cargo.toml"), "Cargo.toml.1");
    }
}

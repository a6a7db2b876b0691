//! The stand-ins for the tools of the real GAIA images, each answering the
//! way the real tool does for what gaia and the compose healthchecks use.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::{faults, server};
use crate::http::{Http, HttpError};

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

// ── curl ────────────────────────────────────────────────────────────────────

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
    let to_localhost = url.contains("://localhost") || url.contains("://127.0.0.1");
    if to_localhost && faults::active(faults::HEALTHCHECK_FAILS) {
        return failed(7, format!("Failed to connect to {url}: Connection refused"));
    }
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
    match http.request(&method, url, &headers, req.data.clone()).await {
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
        Err(HttpError::Connect(cause)) if cause.contains("lookup") || cause.contains("resolve") => {
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
                Some('U') => line.push_str(&user_name(meta.uid())),
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

/// The name /etc/passwd gives `uid`, or `UNKNOWN`, as coreutils' stat says.
fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .find(|line| line.split(':').nth(2) == Some(uid.to_string().as_str()))
        .and_then(|line| line.split(':').next())
        .unwrap_or("UNKNOWN")
        .to_owned()
}

fn describe(err: &std::io::Error) -> &'static str {
    match err.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory",
        std::io::ErrorKind::PermissionDenied => "Permission denied",
        _ => "Input/output error",
    }
}

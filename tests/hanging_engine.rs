//! An engine that answers its version and then never answers anything
//! else: the real engine cannot hang on demand, so a small server on a unix
//! socket stands in for it. gaia must still end by its deadlines, with its
//! report.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::Duration;

use common::gaia;

/// Serves `/_ping` and `/version` like Docker 20.10; every other request
/// is read and never answered.
fn hanging_engine(socket: &std::path::Path) {
    let listener = UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
}

fn serve(stream: UnixStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
            line.clear();
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("");
        let body = if path.ends_with("/_ping") {
            "OK".to_owned()
        } else if path.ends_with("/version") {
            r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#.to_owned()
        } else {
            // Holds the request, as an engine stuck on a container would.
            std::thread::sleep(Duration::from_secs(600));
            return;
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn a_doctor_run_ends_by_its_timeout_with_a_report_when_the_engine_never_answers() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    hanging_engine(&socket);
    // Run from a directory that is not a GAIA root, so finding the root asks
    // the engine too.
    let elsewhere = tempfile::tempdir().unwrap();
    let ran = gaia(["doctor", "--deadline", "3s", "--format", "json"])
        .env("DOCKER_HOST", &format!("unix://{}", socket.display()))
        .in_dir(elsewhere.path())
        .run();
    assert!(
        ran.elapsed < Duration::from_secs(4),
        "`{}` took {:.1}s with --deadline 3s\n{}",
        ran.shown,
        ran.elapsed.as_secs_f64(),
        ran.stderr
    );
    ran.exits(2);
    let report = ran.json();
    let core = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "containers.gaia-core")
        .unwrap_or_else(|| panic!("no container check for gaia-core:\n{report:#}"));
    assert_eq!(core["severity"], "fail", "{core:#}");
    assert!(
        core["message"].as_str().unwrap().contains("did not answer"),
        "{core:#}"
    );
}

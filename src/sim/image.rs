//! The simulated images, built from scratch without a builder or a registry:
//! gaia writes an image archive in `docker save` format (one layer holding
//! the gaia binary, the shared libraries it needs and an `/etc/passwd` like
//! the real images') and the engine loads it. Writing the config ourselves
//! also lets a fault back-date an image, as an old candidate image would be.

use std::io::Read as _;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::archive::TreeBuilder;
use crate::error::Result;
use crate::guest::{FAULT_DIR, TOOL_NAMES};
use crate::registry::Service;

/// Image label: which gaia binary the image was made from.
pub(crate) const BUILD_LABEL: &str = "io.gaia.sim.build";
/// Image label: the fault variant, or "standard".
pub(crate) const VARIANT_LABEL: &str = "io.gaia.sim.variant";

const SERVICE_USER: &str = "gaia:x:1000:1000:GAIA service:/home/gaia:/bin/sh\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    Standard,
    /// Created weeks before the rest, like a candidate image nobody rebuilt.
    Stale,
    /// Its `/etc/passwd` lacks the uid-1000 service user.
    WithoutServiceUser,
}

impl Variant {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::Stale => "stale",
            Variant::WithoutServiceUser => "without-service-user",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ImageSpec {
    pub(crate) tag: String,
    pub(crate) cmd: Vec<String>,
    pub(crate) variant: Variant,
}

impl ImageSpec {
    /// The image a registry service runs, with the command its real image starts.
    pub(crate) fn for_service(service: &Service, variant: Variant) -> ImageSpec {
        let role = service
            .name
            .trim_start_matches("gaia-")
            .trim_end_matches("-candidate");
        let port = service.port.to_string();
        let cmd: Vec<&str> = match role {
            "prime" => vec![
                "python",
                "-m",
                "vllm.entrypoints.openai.api_server",
                "--model",
                "/models/Qwen3-4B-Instruct-2507-heretic",
                "--host",
                "0.0.0.0",
                "--port",
                &port,
            ],
            "wiki" => vec!["python", "-m", "mkdocs", "serve", "-a", "0.0.0.0:8080"],
            _ => {
                return ImageSpec {
                    tag: service.image.clone(),
                    cmd: [
                        "python",
                        "-m",
                        "uvicorn",
                        &format!("gaia_{role}.main:app"),
                        "--host",
                        "0.0.0.0",
                        "--port",
                        &port,
                    ]
                    .map(str::to_owned)
                    .to_vec(),
                    variant,
                };
            }
        };
        ImageSpec {
            tag: service.image.clone(),
            cmd: cmd.into_iter().map(str::to_owned).collect(),
            variant,
        }
    }
}

/// Identifies the running gaia binary, so images are rebuilt when it changes.
pub(crate) fn build_id() -> Result<String> {
    let exe = std::env::current_exe().context("locating the gaia binary")?;
    let mut file =
        std::fs::File::open(&exe).with_context(|| format!("reading {}", exe.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buffer).context("reading the gaia binary")?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize())[..16].to_owned())
}

struct Layer {
    tar: Vec<u8>,
    diff_id: String,
}

impl Layer {
    fn new(tar: Vec<u8>) -> Layer {
        let diff_id = format!("sha256:{}", hex::encode(Sha256::digest(&tar)));
        Layer { tar, diff_id }
    }

    fn path(&self) -> String {
        format!("{}/layer.tar", self.diff_id.trim_start_matches("sha256:"))
    }
}

fn passwd(with_service_user: bool) -> String {
    let mut text = String::from("root:x:0:0:root:/root:/bin/sh\n");
    if with_service_user {
        text.push_str(SERVICE_USER);
    }
    text.push_str("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    text
}

/// The one layer every simulated image shares.
fn base_layer() -> Result<Layer> {
    let exe = std::env::current_exe().context("locating the gaia binary")?;
    let deps = lddtree::DependencyAnalyzer::new("/".into())
        .analyze(&exe)
        .with_context(|| format!("finding the shared libraries of {}", exe.display()))?;
    let mut tree = TreeBuilder::default();
    for (dir, mode, uid) in [
        ("etc", 0o755, 0),
        ("root", 0o700, 0),
        ("tmp", 0o1777, 0),
        ("usr/local/bin", 0o755, 0),
        ("usr/local/lib/python3.11/site-packages", 0o755, 0),
        ("var/lib/gaia-sim", 0o755, 0),
        (FAULT_DIR.trim_start_matches('/'), 0o777, 0),
        ("home/gaia", 0o755, 1000),
        ("app", 0o755, 1000),
        ("shared", 0o755, 1000),
        ("sandbox", 0o755, 1000),
    ] {
        tree.dir(dir, mode, uid)?;
    }
    let binary = std::fs::read(&exe).with_context(|| format!("reading {}", exe.display()))?;
    tree.file("usr/local/bin/gaia", 0o755, &binary)?;
    for tool in TOOL_NAMES {
        tree.symlink(&format!("usr/local/bin/{tool}"), "gaia")?;
    }
    let mut libraries: Vec<(String, std::path::PathBuf)> = deps
        .libraries
        .values()
        .map(|lib| {
            (
                lib.path.display().to_string(),
                lib.realpath.clone().unwrap_or(lib.path.clone()),
            )
        })
        .collect();
    if let Some(interpreter) = &deps.interpreter {
        let real = std::fs::canonicalize(interpreter).unwrap_or_else(|_| interpreter.into());
        libraries.push((interpreter.clone(), real));
    }
    libraries.sort();
    libraries.dedup_by(|a, b| a.0 == b.0);
    for (path, real) in libraries {
        let contents =
            std::fs::read(&real).with_context(|| format!("reading {}", real.display()))?;
        tree.file(path.trim_start_matches('/'), 0o755, &contents)?;
    }
    tree.file("etc/passwd", 0o644, passwd(true).as_bytes())?;
    tree.file(
        "etc/group",
        0o644,
        b"root:x:0:\ngaia:x:1000:\nnogroup:x:65534:\n",
    )?;
    tree.file("etc/nsswitch.conf", 0o644, b"hosts: files dns\n")?;
    Ok(Layer::new(tree.finish()?))
}

fn passwd_layer() -> Result<Layer> {
    let mut tree = TreeBuilder::default();
    tree.file("etc/passwd", 0o644, passwd(false).as_bytes())?;
    Ok(Layer::new(tree.finish()?))
}

fn docker_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// An archive in `docker save` format holding every image in `specs`.
pub(crate) fn archive(specs: &[ImageSpec], build: &str) -> Result<Vec<u8>> {
    let base = base_layer()?;
    let without_user = passwd_layer()?;
    let mut out = TreeBuilder::default();
    out.file(&base.path(), 0o644, &base.tar)?;
    if specs
        .iter()
        .any(|s| s.variant == Variant::WithoutServiceUser)
    {
        out.file(&without_user.path(), 0o644, &without_user.tar)?;
    }
    let mut manifest = Vec::new();
    for spec in specs {
        let mut layers = vec![&base];
        if spec.variant == Variant::WithoutServiceUser {
            layers.push(&without_user);
        }
        let age = match spec.variant {
            Variant::Stale => Duration::from_secs(30 * 24 * 3600),
            _ => Duration::ZERO,
        };
        let created = humantime::format_rfc3339_seconds(SystemTime::now() - age).to_string();
        let config = json!({
            "architecture": docker_arch(),
            "os": "linux",
            "created": created,
            "config": {
                "Env": [
                    "PATH=/usr/local/bin:/usr/bin:/bin",
                    format!("GAIA_SIM_IMAGE={}", spec.tag),
                    format!("GAIA_SIM_BUILD={build}"),
                ],
                "Cmd": spec.cmd,
                "WorkingDir": "/app",
                "Labels": {
                    BUILD_LABEL: build,
                    VARIANT_LABEL: spec.variant.label(),
                    "org.opencontainers.image.title": spec.tag,
                },
            },
            "rootfs": {
                "type": "layers",
                "diff_ids": layers.iter().map(|l| l.diff_id.as_str()).collect::<Vec<_>>(),
            },
            "history": layers.iter().map(|_| json!({
                "created": created,
                "created_by": "gaia sim: simulated GAIA service",
            })).collect::<Vec<_>>(),
        });
        let config = serde_json::to_vec(&config).context("writing an image config")?;
        let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
        out.file(&config_name, 0o644, &config)?;
        manifest.push(json!({
            "Config": config_name,
            "RepoTags": [spec.tag],
            "Layers": layers.iter().map(|l| l.path()).collect::<Vec<_>>(),
        }));
    }
    let manifest = serde_json::to_vec(&manifest).context("writing the image manifest")?;
    out.file("manifest.json", 0o644, &manifest)?;
    out.finish()
}

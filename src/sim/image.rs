//! The simulated images, built from scratch without a builder or a registry:
//! gaia writes an image archive in `docker save` format (one layer holding
//! the gaia binary, the shared libraries it needs and an `/etc/passwd` like
//! the real images') and the engine loads it. Writing the config ourselves
//! also lets a fault back-date an image, as an old candidate image would be.

use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use serde_json::json;

use crate::archive::TreeBuilder;
use crate::error::Result;
use crate::guest::{FAULT_DIR, TOOL_NAMES};
use crate::image::{Entry, Layer};
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
    crate::image::binary(&mut tree, &mut Vec::new(), &exe, "usr/local/bin/gaia")?;
    for tool in TOOL_NAMES {
        tree.symlink(&format!("usr/local/bin/{tool}"), "gaia")?;
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

/// An archive in `docker save` format holding every image in `specs`.
pub(crate) fn archive(specs: &[ImageSpec], build: &str) -> Result<Vec<u8>> {
    let base = base_layer()?;
    let without_user = passwd_layer()?;
    let images: Vec<Entry> = specs
        .iter()
        .map(|spec| {
            let mut layers = vec![&base];
            if spec.variant == Variant::WithoutServiceUser {
                layers.push(&without_user);
            }
            let age = match spec.variant {
                Variant::Stale => Duration::from_secs(30 * 24 * 3600),
                _ => Duration::ZERO,
            };
            Entry {
                tag: spec.tag.clone(),
                created: humantime::format_rfc3339_seconds(SystemTime::now() - age).to_string(),
                config: json!({
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
                }),
                history: "gaia sim: simulated GAIA service",
                layers,
            }
        })
        .collect();
    crate::image::archive(&images)
}

//! Images built from scratch without a builder or a registry: gaia writes
//! an archive in `docker save` format and the engine loads it. The layers
//! hold binaries of this host with the shared libraries they need, found
//! as the dynamic loader would (lddtree). The simulated GAIA services are
//! made this way, and so is the image that runs `gaia watch` in the stack.

use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::archive::TreeBuilder;
use crate::compose::tool::Compose;
use crate::error::{Error, Result};

/// Where a Docker CLI plugin is looked for inside the image.
const PLUGIN_DIR: &str = "usr/libexec/docker/cli-plugins";

pub(crate) struct Layer {
    pub(crate) tar: Vec<u8>,
    pub(crate) diff_id: String,
}

impl Layer {
    pub(crate) fn new(tar: Vec<u8>) -> Layer {
        let diff_id = format!("sha256:{}", hex::encode(Sha256::digest(&tar)));
        Layer { tar, diff_id }
    }

    fn path(&self) -> String {
        format!("{}/layer.tar", self.diff_id.trim_start_matches("sha256:"))
    }
}

/// Packs `source` as `dest`, with every shared library it loads (each
/// once, however many binaries need it).
pub(crate) fn binary(
    tree: &mut TreeBuilder,
    packed: &mut Vec<String>,
    source: &Path,
    dest: &str,
) -> Result<()> {
    let deps = lddtree::DependencyAnalyzer::new("/".into())
        .analyze(source)
        .with_context(|| format!("finding the shared libraries of {}", source.display()))?;
    let contents =
        std::fs::read(source).with_context(|| format!("reading {}", source.display()))?;
    tree.file(dest, 0o755, &contents)?;
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
        if packed.contains(&path) {
            continue;
        }
        let contents =
            std::fs::read(&real).with_context(|| format!("reading {}", real.display()))?;
        tree.file(path.trim_start_matches('/'), 0o755, &contents)?;
        packed.push(path);
    }
    Ok(())
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

pub(crate) fn docker_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// One image of an archive: its tag, its config's `config` and `created`,
/// and its layers (each written once to the archive, however many images share it).
pub(crate) struct Entry<'a> {
    pub(crate) tag: String,
    pub(crate) created: String,
    pub(crate) config: Value,
    pub(crate) history: &'a str,
    pub(crate) layers: Vec<&'a Layer>,
}

/// An archive in `docker save` format holding `images`.
pub(crate) fn archive(images: &[Entry]) -> Result<Vec<u8>> {
    let mut out = TreeBuilder::default();
    let mut written: Vec<&str> = Vec::new();
    let mut manifest = Vec::new();
    for image in images {
        for layer in &image.layers {
            if !written.contains(&layer.diff_id.as_str()) {
                out.file(&layer.path(), 0o644, &layer.tar)?;
                written.push(&layer.diff_id);
            }
        }
        let config = json!({
            "architecture": docker_arch(),
            "os": "linux",
            "created": image.created,
            "config": image.config,
            "rootfs": {
                "type": "layers",
                "diff_ids": image.layers.iter().map(|l| l.diff_id.as_str()).collect::<Vec<_>>(),
            },
            "history": image.layers.iter().map(|_| json!({
                "created": image.created,
                "created_by": image.history,
            })).collect::<Vec<_>>(),
        });
        let config = serde_json::to_vec(&config).context("writing an image config")?;
        let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
        out.file(&config_name, 0o644, &config)?;
        manifest.push(json!({
            "Config": config_name,
            "RepoTags": [image.tag],
            "Layers": image.layers.iter().map(|l| l.path()).collect::<Vec<_>>(),
        }));
    }
    let manifest = serde_json::to_vec(&manifest).context("writing the image manifest")?;
    out.file("manifest.json", 0o644, &manifest)?;
    out.finish()
}

/// What goes into gaia's own image besides gaia: the Docker CLI and its
/// compose v2 plugin, as installed on this host, for the repairs that go
/// through compose.
pub(crate) struct Tools {
    pub(crate) docker: std::path::PathBuf,
    pub(crate) compose: std::path::PathBuf,
}

impl Tools {
    pub(crate) fn of_this_host() -> Result<Tools> {
        let docker = which::which("docker").map_err(|_| {
            Error::PreFlight(
                "the docker CLI is not on PATH: gaia's image carries it for compose".into(),
            )
        })?;
        let compose = match Compose::locate()? {
            Some(installed) if installed.plugin && installed.v2 => installed.path,
            _ => {
                return Err(Error::PreFlight(
                    "no compose v2 plugin is installed (e.g. Debian's docker-compose-v2): \
                     gaia's image carries it, for the repairs that recreate services"
                        .into(),
                ));
            }
        };
        Ok(Tools { docker, compose })
    }
}

/// The image that runs gaia itself (`gaia watch` in the stack): gaia, the
/// Docker CLI with compose, `/etc/passwd` for root, and nothing else.
pub(crate) fn gaia_archive(tag: &str, tools: &Tools, build: &str) -> Result<Vec<u8>> {
    let exe = std::env::current_exe().context("locating the gaia binary")?;
    let mut tree = TreeBuilder::default();
    for (dir, mode) in [
        ("etc", 0o755),
        ("root", 0o700),
        ("tmp", 0o1777),
        ("usr/local/bin", 0o755),
        ("usr/bin", 0o755),
        (PLUGIN_DIR, 0o755),
    ] {
        tree.dir(dir, mode, 0)?;
    }
    let mut packed = Vec::new();
    binary(&mut tree, &mut packed, &exe, "usr/local/bin/gaia")?;
    binary(&mut tree, &mut packed, &tools.docker, "usr/bin/docker")?;
    binary(
        &mut tree,
        &mut packed,
        &tools.compose,
        &format!("{PLUGIN_DIR}/docker-compose"),
    )?;
    tree.file(
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/usr/local/bin/gaia\n",
    )?;
    tree.file("etc/group", 0o644, b"root:x:0:\n")?;
    tree.file("etc/nsswitch.conf", 0o644, b"hosts: files dns\n")?;
    let layer = Layer::new(tree.finish()?);
    archive(&[Entry {
        tag: tag.to_owned(),
        created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        config: json!({
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "NO_COLOR=1"],
            "Entrypoint": ["/usr/local/bin/gaia"],
            "Cmd": ["watch"],
            "WorkingDir": "/",
            "Labels": {
                "org.opencontainers.image.title": "gaia",
                "org.opencontainers.image.version": env!("CARGO_PKG_VERSION"),
                "io.gaia.build": build,
            },
        }),
        history: "gaia image: gaia with the docker CLI and compose",
        layers: vec![&layer],
    }])
}

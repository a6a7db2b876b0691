//! `gaia init` on a GAIA stack that is not the seed stack: no orchestrator,
//! no audio and no candidates, core holding a GPU as prime does, and a
//! helper with neither a healthcheck nor a published port. Built from the
//! simulated images under its own names (`gaia-variant-*`), beside the
//! simulated stack, so the draft cannot lean on the built-in registry's
//! names.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::stack;

const PROJECT: &str = "gaia-variant";
/// The model prime is started with and core asks for.
const MODEL: &str = "/models/Qwen3-4B-Instruct-2507-heretic";

/// The compose that runs the variant: v2 where it is installed, as gaia picks.
fn compose() -> Command {
    let mut command = if common::compose_v2_installed() {
        let mut docker = Command::new("timeout");
        docker.args(["300", "docker", "compose"]);
        docker
    } else {
        let mut v1 = Command::new("timeout");
        v1.args(["300", "docker-compose"]);
        v1
    };
    command.args(["-p", PROJECT]);
    command
}

/// Takes the variant down, its volumes too, however the story ends: only
/// its own project, never the simulated stack beside it.
struct Variant(PathBuf);

impl Drop for Variant {
    fn drop(&mut self) {
        let _ = compose()
            .args(["down", "-v", "--timeout", "5"])
            .current_dir(&self.0)
            .output();
    }
}

/// The image the simulated stack runs `service` from, as its compose file
/// in `root` says.
fn sim_image(root: &Path, service: &str) -> String {
    let compose = std::fs::read_to_string(root.join("docker-compose.yml")).unwrap();
    let mut lines = compose
        .lines()
        .skip_while(|line| *line != format!("  {service}:"));
    lines
        .find_map(|line| line.trim().strip_prefix("image: ").map(str::to_owned))
        .unwrap_or_else(|| panic!("the simulated compose file has no image for {service}"))
}

fn variant_compose(sim: &Path) -> String {
    let image = |service| sim_image(sim, service);
    format!(
        r#"# A GAIA stack that is not the seed stack.
services:
  gaia-prime:
    image: {prime}
    container_name: gaia-variant-prime
    command: python -m vllm.entrypoints.openai.api_server --model {MODEL} --host 0.0.0.0 --port 7777
    ports:
      - "127.0.0.1:27777:7777"
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:7777/health"]
      interval: 2s
      retries: 5
      start_period: 60s
    networks: [variant-net]
    devices:
      - "/dev/null:/dev/nvidia0"

  gaia-core:
    image: {core}
    container_name: gaia-variant-core
    user: "1000:1000"
    volumes:
      - ./gaia-core:/app:rw
      - ./gaia-common:/gaia-common:ro
      - ./knowledge:/knowledge:rw
      - ./knowledge/vector_store:/vector_store:ro
      - ./gaia-models:/models:ro
      - ./logs:/logs:rw
      - variant-shared:/shared:rw
    environment:
      - PYTHONPATH=/app:/gaia-common
      - GAIA_SERVICE=core
      - SHARED_DIR=/shared
      - KNOWLEDGE_DIR=/knowledge
      - MCP_ENDPOINT=http://gaia-mcp:8765/jsonrpc
      - PRIME_ENDPOINT=http://gaia-prime:7777
      - PRIME_MODEL={MODEL}
    ports:
      - "127.0.0.1:26415:6415"
    networks: [variant-net]
    depends_on:
      gaia-mcp:
        condition: service_healthy
      gaia-prime:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:6415/health"]
      interval: 2s
      retries: 3
      start_period: 60s
    # Core holds a GPU here, as prime does.
    devices:
      - "/dev/null:/dev/nvidia0"

  gaia-mcp:
    image: {mcp}
    container_name: gaia-variant-mcp
    user: "1000:1000"
    volumes:
      - ./gaia-mcp:/app:rw
      - ./gaia-common:/gaia-common:ro
      - ./knowledge:/knowledge:rw
      - variant-sandbox:/sandbox:rw
      - ./logs:/logs:rw
    environment:
      - GAIA_SERVICE=mcp
      - SANDBOX_ROOT=/sandbox
      - KNOWLEDGE_DIR=/knowledge
    ports:
      - "127.0.0.1:28765:8765"
    networks: [variant-net]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8765/health"]
      interval: 2s
      retries: 3
      start_period: 30s

  gaia-web:
    image: {web}
    container_name: gaia-variant-web
    volumes:
      - ./gaia-web:/app:rw
      - ./gaia-common:/gaia-common:ro
      - ./knowledge:/knowledge:ro
      - ./logs:/logs:rw
      - variant-shared:/shared:ro
    environment:
      - PYTHONPATH=/app:/gaia-common
      - GAIA_SERVICE=web
      - CORE_ENDPOINT=http://gaia-core:6415
      - MCP_ENDPOINT=http://gaia-mcp:8765/jsonrpc
      - HOST=0.0.0.0
      - PORT=6414
    ports:
      - "127.0.0.1:26414:6414"
    networks: [variant-net]
    depends_on:
      gaia-core:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:6414/health"]
      interval: 2s
      retries: 3
      start_period: 30s

  # No healthcheck, no published port: nothing to ask over HTTP.
  gaia-indexer:
    image: {study}
    container_name: gaia-variant-indexer
    user: "1000:1000"
    volumes:
      - ./gaia-study:/app:rw
      - ./knowledge:/knowledge:rw
    environment:
      - GAIA_SERVICE=study
    networks: [variant-net]

networks:
  variant-net:
    name: gaia-variant-network

volumes:
  variant-shared:
    name: gaia-variant-shared
  variant-sandbox:
    name: gaia-variant-sandbox
"#,
        prime = image("gaia-prime"),
        core = image("gaia-core"),
        mcp = image("gaia-mcp"),
        web = image("gaia-web"),
        study = image("gaia-study"),
    )
}

#[test]
fn init_drafts_a_registry_the_doctor_passes_on_a_stack_unlike_the_seed() {
    // The simulated stack's images and files, and no other story on the engine.
    let stack = stack();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for tree in [
        "gaia-core",
        "gaia-web",
        "gaia-mcp",
        "gaia-study",
        "gaia-common",
        "knowledge",
        "gaia-models",
        "candidates/gaia-common",
    ] {
        std::fs::create_dir_all(root.join(tree).parent().unwrap()).unwrap();
        let copied = Command::new("cp")
            .arg("-a")
            .arg(stack.root.join(tree))
            .arg(root.join(tree))
            .status()
            .unwrap();
        assert!(
            copied.success(),
            "cannot copy {tree} from the simulated root"
        );
    }
    std::fs::create_dir_all(root.join("logs")).unwrap();
    std::fs::write(
        root.join("docker-compose.yml"),
        variant_compose(&stack.root),
    )
    .unwrap();

    let _down = Variant(root.to_owned());
    let up = compose()
        .args(["up", "-d", "--wait"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "the variant stack did not come up\n{}",
        String::from_utf8_lossy(&up.stderr)
    );

    let at = root.to_str().unwrap();
    common::gaia(["--root", at, "init", "--write"])
        .run()
        .succeeds()
        .says("wrote ");
    let written = root.join("services.toml");
    let draft = std::fs::read_to_string(&written).unwrap();
    for container in ["gaia-variant-core", "gaia-variant-indexer"] {
        assert!(
            draft.contains(&format!("container = \"{container}\"")),
            "{draft}"
        );
    }
    assert!(!draft.contains("gaia-orchestrator") && !draft.contains("gaia-audio"));

    let config = written.to_str().unwrap();
    common::gaia([
        "--root",
        at,
        "--config",
        config,
        "doctor",
        "--category",
        "consistency",
    ])
    .run()
    .succeeds()
    .says("registry and compose files agree on 5 services");

    let full = common::gaia([
        "--root", at, "--config", config, "doctor", "--format", "json",
    ])
    .run();
    let report = full.json();
    let checks = report["checks"].as_array().unwrap();
    let failed = common::failed_checks(&report);
    assert!(
        failed.is_empty(),
        "the doctor fails on the variant's draft:\n{}",
        failed.join("\n")
    );
    let severity = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["severity"].as_str().unwrap().to_owned())
    };
    // Core's GPU is expected of it, not reported as a stray one.
    assert_eq!(severity("gpu.gaia-core").as_deref(), Some("pass"));
    // The helper that serves no HTTP is checked by its Docker state only.
    assert_eq!(severity("containers.gaia-indexer").as_deref(), Some("pass"));
    assert_eq!(severity("http.gaia-indexer"), None);
}

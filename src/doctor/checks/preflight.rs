//! Pre-flight: the engine, compose, the network, the compose files, host GPUs.

use std::collections::BTreeSet;

use crate::compose::tool::Compose;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{Registry, Role};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    let files: BTreeSet<String> = registry
        .services
        .iter()
        .flat_map(|s| s.compose_files.clone())
        .collect();
    vec![
        Box::new(Engine),
        Box::new(ComposeTool),
        Box::new(Network),
        Box::new(ComposeFiles(files.into_iter().collect())),
        Box::new(Gpus),
    ]
}

struct Engine;
check!(Engine, Preflight, |self| subject: Subject::Stack, id: "preflight.docker".into(), service: None,
    description: "The Docker engine answers".into());
impl Engine {
    async fn check(&self, ctx: &Ctx) -> Finding {
        Finding::pass(format!("Docker engine {} reachable", ctx.engine_version))
    }
}

struct ComposeTool;
check!(ComposeTool, Preflight, |self| subject: Subject::Stack, id: "preflight.compose".into(), service: None,
    description: "docker compose (v2) or docker-compose (1.x) is installed".into());
impl ComposeTool {
    async fn check(&self, _ctx: &Ctx) -> Finding {
        match Compose::locate() {
            Ok(Some(tool)) => Finding::pass(format!(
                "compose installed: {} ({}, v{})",
                tool.path.display(),
                tool.command(),
                if tool.v2 { 2 } else { 1 }
            )),
            Err(err) => Finding::fail(format!("{err:#}")),
            Ok(None) => {
                Finding::fail("neither the docker compose plugin nor docker-compose is installed")
                    .fix("install Compose v2: Docker's docker-compose-plugin package, or Debian trixie's docker-compose")
            }
        }
    }
}

struct Network;
check!(Network, Preflight, |self| subject: Subject::Network, id: "preflight.network".into(), service: None,
    description: "The stack's Docker network exists".into());
impl Network {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let name = &ctx.registry.network;
        match ctx.docker.network(name).await {
            Ok(Some(_)) => Finding::pass(format!("network {name} exists")),
            Ok(None) => Finding::fail(format!("network {name} does not exist")).fix(
                ctx.compose_command(
                    &ctx.registry
                        .services
                        .iter()
                        .filter(|s| s.role == Role::Live)
                        .collect::<Vec<_>>(),
                    "up --no-start",
                ),
            ),
            Err(err) => Finding::fail(format!("cannot inspect network {name}: {err:#}")),
        }
    }
}

struct ComposeFiles(Vec<String>);
check!(ComposeFiles, Preflight, |self| subject: Subject::Stack, id: "preflight.compose-files".into(), service: None,
    description: format!("The compose files are in the GAIA root: {}", self.0.join(", ")));
impl ComposeFiles {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let missing: Vec<&str> = self
            .0
            .iter()
            .filter(|f| !ctx.root.join(f).is_file())
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Finding::pass(format!("compose files present in {}", ctx.root.display()))
        } else {
            Finding::fail(format!(
                "missing from {}: {}",
                ctx.root.display(),
                missing.join(", ")
            ))
            .fix("gaia --root /path/to/GAIA_Project doctor")
        }
    }
}

struct Gpus;
check!(Gpus, Preflight, |self| subject: Subject::Stack, id: "preflight.gpu".into(), service: None,
    description: "The NVIDIA driver reports the host's GPUs".into());
impl Gpus {
    async fn check(&self, ctx: &Ctx) -> Finding {
        match &ctx.gpus {
            Ok(gpus) if gpus.is_empty() => Finding::warn("the NVIDIA driver reports no GPU"),
            Ok(gpus) => Finding::pass(
                gpus.iter()
                    .enumerate()
                    .map(|(i, g)| {
                        format!(
                            "GPU {i}: {} ({} / {} MiB used)",
                            g.name,
                            g.memory_used >> 20,
                            g.memory_total >> 20
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(why) => Finding::skip(why.clone()),
        }
    }
}

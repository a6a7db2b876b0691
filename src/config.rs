//! Resolved configuration: what the command line and environment ask for,
//! turned into what the commands run with.

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::docker::Docker;
use crate::error::Result;
use crate::output::Printer;
use crate::registry::Registry;

pub(crate) struct Context {
    pub(crate) registry: Registry,
    /// The GAIA project root (compose files, candidates/, gaia-common/).
    pub(crate) root: PathBuf,
    /// Whether the operator named the root (`--root`, GAIA_ROOT) rather than
    /// leaving it to the current directory.
    pub(crate) root_given: bool,
    pub(crate) printer: Printer,
}

impl Context {
    pub(crate) fn resolve(global: &GlobalArgs) -> Result<Context> {
        let registry = Registry::load(global.config.as_deref())?;
        let root = global.root.clone().unwrap_or_else(|| PathBuf::from("."));
        let printer = Printer::new(global.color, global.format, global.quiet, global.verbose);
        Ok(Context {
            registry,
            root,
            root_given: global.root.is_some(),
            printer,
        })
    }

    /// The GAIA root of the running stack: the one given, the current
    /// directory when it holds the compose files, else the directory compose
    /// started the stack from, as its containers remember it — so an
    /// operator can run gaia from anywhere on the GAIA host.
    pub(crate) async fn stack_root(&self, docker: &Docker) -> PathBuf {
        if self.root_given || self.root.join("docker-compose.yml").is_file() {
            return self
                .root
                .canonicalize()
                .unwrap_or_else(|_| self.root.clone());
        }
        for service in &self.registry.services {
            if let Ok(Some(container)) = docker.container(&service.container).await
                && let Some(dir) = container
                    .labels
                    .get("com.docker.compose.project.working_dir")
                && std::path::Path::new(dir)
                    .join("docker-compose.yml")
                    .is_file()
            {
                return dir.into();
            }
        }
        self.root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone())
    }
}

//! Resolved configuration: what the command line and environment ask for,
//! turned into what the commands run with.

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::output::Printer;
use crate::registry::Registry;

pub struct Context {
    pub registry: Registry,
    /// The GAIA project root (compose files, candidates/, gaia-common/).
    pub root: PathBuf,
    /// Whether the operator named the root (`--root`, GAIA_ROOT) rather than
    /// leaving it to the current directory.
    pub root_given: bool,
    pub printer: Printer,
}

impl Context {
    pub fn resolve(global: &GlobalArgs) -> Result<Context> {
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
}

//! One file per check kind, each a small struct behind the `Check` trait,
//! and `all`, which plans them in report order.

mod compose_labels;
mod connectivity;
mod consistency;
mod containers;
mod custom_exec;
mod custom_http;
mod custom_log;
mod gpu;
mod ha;
mod http;
mod images;
mod library;
mod model;
mod preflight;
mod resources;
mod sessions;
mod volumes;

use crate::catalogue::{Catalogue, Probe};
use crate::doctor::check::Check;
use crate::registry::Registry;

pub(crate) fn all(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    let mut checks = preflight::plan(registry);
    checks.extend(containers::plan(registry));
    checks.extend(http::plan(registry));
    checks.extend(ha::plan(registry));
    checks.extend(connectivity::plan(registry, catalogue));
    checks.extend(volumes::plan(registry, catalogue));
    checks.extend(library::plan(catalogue));
    checks.extend(sessions::plan(registry, catalogue));
    checks.extend(resources::plan());
    checks.extend(gpu::plan(registry));
    checks.extend(model::plan(catalogue));
    checks.extend(images::plan(registry, catalogue));
    checks.extend(consistency::plan());
    checks.extend(compose_labels::plan(registry));
    checks.extend(catalogue.custom.iter().map(|c| -> Box<dyn Check> {
        match &c.probe {
            Probe::Http(probe) => Box::new(custom_http::Get(c.clone(), probe.clone())),
            Probe::Exec(probe) => Box::new(custom_exec::Exec(c.clone(), probe.clone())),
            Probe::Log(probe) => Box::new(custom_log::Log(c.clone(), probe.clone())),
        }
    }));
    checks
}

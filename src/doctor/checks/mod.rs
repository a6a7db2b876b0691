//! One file per check kind, each a small struct behind the `Check` trait,
//! and `all`, which plans them in report order.

mod connectivity;
mod consistency;
mod containers;
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

use super::{Catalogue, Check};
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
    checks
}

/// Implements `Check` for a struct with an async `check(&self, &Ctx)`.
macro_rules! check {
    ($ty:ty, $category:ident, |$self:ident| id: $id:expr, service: $service:expr) => {
        check!($ty, $category, |$self| id: $id, service: $service, wants: Vec::new());
    };
    ($ty:ty, $category:ident, |$self:ident| id: $id:expr, service: $service:expr, wants: $wants:expr) => {
        impl $crate::doctor::Check for $ty {
            fn id(&$self) -> String {
                $id
            }
            fn category(&$self) -> $crate::doctor::Category {
                $crate::doctor::Category::$category
            }
            fn service(&$self) -> Option<&str> {
                $service
            }
            fn wants(&$self) -> Vec<$crate::doctor::Want> {
                $wants
            }
            fn run<'a>(
                &'a $self,
                ctx: &'a $crate::doctor::Ctx,
            ) -> $crate::doctor::BoxFuture<'a, $crate::doctor::Finding> {
                Box::pin($self.check(ctx))
            }
        }
    };
}
pub(crate) use check;

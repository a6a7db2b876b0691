//! What a check is: a stable id, its category and service, what it will
//! look at inside containers, and how to run it. Each check kind is one
//! small file in `checks/` behind this trait.

use std::future::Future;
use std::pin::Pin;

use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Category, Finding, Subject};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One check: a stable id, its category and service, and how to run it.
pub(crate) trait Check: Send + Sync {
    fn id(&self) -> String;
    fn category(&self) -> Category;
    fn service(&self) -> Option<&str> {
        None
    }
    /// What the finding is about: what a repair would act on.
    fn subject(&self) -> Subject;
    fn run<'a>(&'a self, ctx: &'a Ctx) -> BoxFuture<'a, Finding>;
    /// What this check will look at inside containers, declared up front so
    /// that one `stat` and one `curl` per container serve every check
    /// (execs into one container queue behind each other).
    fn wants(&self) -> Vec<Want> {
        Vec::new()
    }
    /// Whether it runs a process inside a container (an exec costs the
    /// engine far more than an API call or a host probe): `gaia watch`
    /// runs these only every --deep-every runs or when a container changed.
    fn looks_inside(&self) -> bool;
    /// What the check holds, in one line (`--list-checks`); a custom
    /// check's is the operator's own.
    fn description(&self) -> String;
}

/// Implements `Check` for a struct with an async `check(&self, &Ctx)`.
/// A check that declares `wants` looks inside; one that execs on its own
/// says `inside: true`.
macro_rules! check {
    ($ty:ty, $category:ident, |$self:ident| subject: $subject:expr, id: $id:expr, service: $service:expr, description: $description:expr) => {
        check!(@impl $ty, $category, |$self| subject: $subject, id: $id, service: $service, wants: Vec::new(), inside: false, description: $description);
    };
    ($ty:ty, $category:ident, |$self:ident| subject: $subject:expr, id: $id:expr, service: $service:expr, inside: $inside:expr, description: $description:expr) => {
        check!(@impl $ty, $category, |$self| subject: $subject, id: $id, service: $service, wants: Vec::new(), inside: $inside, description: $description);
    };
    ($ty:ty, $category:ident, |$self:ident| subject: $subject:expr, id: $id:expr, service: $service:expr, wants: $wants:expr, description: $description:expr) => {
        check!(@impl $ty, $category, |$self| subject: $subject, id: $id, service: $service, wants: $wants, inside: !$crate::doctor::check::Check::wants($self).is_empty(), description: $description);
    };
    (@impl $ty:ty, $category:ident, |$self:ident| subject: $subject:expr, id: $id:expr, service: $service:expr, wants: $wants:expr, inside: $inside:expr, description: $description:expr) => {
        impl $crate::doctor::check::Check for $ty {
            fn looks_inside(&$self) -> bool {
                $inside
            }
            fn description(&$self) -> String {
                $description
            }
            fn id(&$self) -> String {
                $id
            }
            fn category(&$self) -> $crate::doctor::finding::Category {
                $crate::doctor::finding::Category::$category
            }
            fn service(&$self) -> Option<&str> {
                $service
            }
            fn subject(&$self) -> $crate::doctor::finding::Subject {
                $subject
            }
            fn wants(&$self) -> Vec<$crate::doctor::ctx::Want> {
                $wants
            }
            fn run<'a>(
                &'a $self,
                ctx: &'a $crate::doctor::ctx::Ctx,
            ) -> $crate::doctor::check::BoxFuture<'a, $crate::doctor::finding::Finding> {
                Box::pin($self.check(ctx))
            }
        }
    };
}
pub(crate) use check;

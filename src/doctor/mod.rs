//! `gaia doctor`'s machinery: the `Check` trait and its kinds, the shared
//! context they look at, the engine that runs them, what they find and the
//! report that shows it. Each file depends only on those listed before it.

pub(crate) mod carried;
pub(crate) mod check;
pub(crate) mod checks;
pub(crate) mod ctx;
pub(crate) mod engine;
pub(crate) mod finding;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod through_proc;

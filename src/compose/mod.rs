//! Compose: the tool gaia runs for compose-level actions, and the model of
//! the compose files it reads.

pub(crate) mod cache;
pub(crate) mod model;
pub(crate) mod tool;

//! `gaia doctor --fix`: repairs derived from the doctor's findings, applied
//! in dependency order, each re-verified by running the doctor again.
//!
//! Only what is safe is repaired: starting, restarting and recreating
//! containers, creating what compose would create (network, volumes, shared
//! directories), reattaching a container to the network, starting the HA
//! standbys. Nothing that holds data is removed, and what needs an
//! operator's decision (images, library drift, GPU reservations, a model,
//! the maintenance flag) is declined with the command that would do it.

pub(crate) mod action;
pub(crate) mod apply;
pub(crate) mod plan;
pub(crate) mod report;

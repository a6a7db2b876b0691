//! The failover drill: stop a live service on purpose, prove its standby
//! serves in its place, and always put it back.

pub(crate) mod drill;
pub(crate) mod journal;
pub(crate) mod report;

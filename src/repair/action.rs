//! The repairs gaia knows how to make, and what becomes of them.

use std::time::Duration;

use serde::Serialize;

use crate::registry::Registry;

/// One repair gaia knows how to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Create the registry's network as compose would, and reattach the
    /// running containers.
    CreateNetwork,
    /// Recreate the registry's network with the labels compose expects
    /// (labels cannot be changed in place), reattaching every registry
    /// container that was on it.
    RelabelNetwork,
    /// Create a named volume as compose would.
    CreateVolume(String),
    /// Create a volume's shared directories, owned as the registry says,
    /// through a container (by service name) that mounts it.
    CreateSharedDirs {
        volume: String,
        via: String,
    },
    /// Reattach a service's container to the network under its service name.
    Reconnect(String),
    Start(String),
    Restart(String),
    /// Recreate a service through compose; a leftover under a mangled name
    /// is removed only once the new container is healthy.
    Recreate(String),
    /// What `gaia ha start` does.
    StartStandbys,
}

impl Action {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Action::CreateNetwork => "create-network",
            Action::RelabelNetwork => "relabel-network",
            Action::CreateVolume(_) => "create-volume",
            Action::CreateSharedDirs { .. } => "create-shared-dirs",
            Action::Reconnect(_) => "reconnect",
            Action::Start(_) => "start",
            Action::Restart(_) => "restart",
            Action::Recreate(_) => "recreate",
            Action::StartStandbys => "start-standbys",
        }
    }

    /// What it acts on: a network, volume or container name.
    pub(crate) fn target(&self, registry: &Registry) -> String {
        let container = |service: &str| {
            registry
                .service(service)
                .map_or(service, |s| s.container.as_str())
                .to_owned()
        };
        match self {
            Action::CreateNetwork | Action::RelabelNetwork => registry.network.clone(),
            Action::CreateVolume(volume) | Action::CreateSharedDirs { volume, .. } => {
                volume.clone()
            }
            Action::Reconnect(s) | Action::Start(s) | Action::Restart(s) | Action::Recreate(s) => {
                container(s)
            }
            Action::StartStandbys => registry
                .standbys()
                .map(|s| s.container.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    pub(crate) fn describe(&self, registry: &Registry) -> String {
        let target = self.target(registry);
        match self {
            Action::CreateNetwork => format!("create network {target} as compose would"),
            Action::RelabelNetwork => format!(
                "recreate network {target} with compose's labels and reattach its containers"
            ),
            Action::CreateVolume(_) => format!("create volume {target} as compose would"),
            Action::CreateSharedDirs { via, .. } => {
                format!("create the shared directories of {target} (through {via})")
            }
            Action::Reconnect(_) => format!("reconnect {target} to {}", registry.network),
            Action::Start(_) => format!("start {target}"),
            Action::Restart(_) => format!("restart {target}"),
            Action::Recreate(_) => format!("recreate {target} through compose"),
            Action::StartStandbys => format!("start the HA standbys ({target})"),
        }
    }
}

/// A planned repair and the findings (check ids) it answers.
#[derive(Debug, Clone)]
pub(crate) struct Repair {
    pub(crate) action: Action,
    pub(crate) answers: Vec<String>,
    /// What the first finding it answers said.
    pub(crate) finding: String,
    /// Position in dependency order: lower runs first.
    pub(crate) tier: u32,
}

/// A finding gaia leaves to the operator, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Declined {
    pub(crate) check: String,
    pub(crate) message: String,
    pub(crate) reason: String,
    pub(crate) command: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) repairs: Vec<Repair>,
    pub(crate) declined: Vec<Declined>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// Dry run: what would be done.
    Planned,
    /// Done, and every finding it answers now passes.
    Repaired,
    /// Done, but a finding it answers still fails (see details).
    StillFailing,
    /// The action itself did not succeed (see details).
    Failed,
}

/// A repair as attempted.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) repair: Repair,
    pub(crate) verdict: Verdict,
    /// The error, what the doctor still sees, or what else was done.
    pub(crate) details: Vec<String>,
    pub(crate) duration: Duration,
}

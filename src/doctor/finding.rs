//! What checks find: a severity, a message, the command that fixes it and
//! the evidence, grouped by category.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Pass,
    Skip,
    Warn,
    Fail,
}

/// The categories in the order they run and print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Category {
    Preflight,
    Containers,
    Http,
    Ha,
    Connectivity,
    Volumes,
    Library,
    Sessions,
    Resources,
    Gpu,
    Model,
    Images,
    Consistency,
    Custom,
}

impl Category {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Category::Preflight => "preflight",
            Category::Containers => "containers",
            Category::Http => "http",
            Category::Ha => "ha",
            Category::Connectivity => "connectivity",
            Category::Volumes => "volumes",
            Category::Library => "library",
            Category::Sessions => "sessions",
            Category::Resources => "resources",
            Category::Gpu => "gpu",
            Category::Model => "model",
            Category::Images => "images",
            Category::Consistency => "consistency",
            Category::Custom => "custom",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Category::Preflight => "Pre-flight",
            Category::Containers => "Container state",
            Category::Http => "HTTP health",
            Category::Ha => "High availability",
            Category::Connectivity => "Inter-service connectivity",
            Category::Volumes => "Volumes and mounts",
            Category::Library => "Shared-library sync",
            Category::Sessions => "Session state",
            Category::Resources => "Resources",
            Category::Gpu => "GPU placement",
            Category::Model => "Prime model",
            Category::Images => "Images",
            Category::Consistency => "Registry and compose consistency",
            Category::Custom => "Your checks",
        }
    }
}

/// What one check found.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) severity: Severity,
    pub(crate) message: String,
    /// A command that fixes it, kept apart from the prose so it can be run.
    pub(crate) remediation: Option<String>,
    /// What the check saw, for `--verbose` and JSON.
    pub(crate) evidence: Vec<String>,
}

impl Finding {
    fn new(severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            message: message.into(),
            remediation: None,
            evidence: Vec::new(),
        }
    }

    pub(crate) fn pass(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Pass, message)
    }

    pub(crate) fn warn(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Warn, message)
    }

    pub(crate) fn fail(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Fail, message)
    }

    pub(crate) fn skip(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Skip, message)
    }

    /// A failure for a required service, a warning for an optional one.
    pub(crate) fn bad(required: bool, message: impl Into<String>) -> Finding {
        if required {
            Finding::fail(message)
        } else {
            Finding::warn(message)
        }
    }

    pub(crate) fn fix(mut self, command: impl Into<String>) -> Finding {
        self.remediation = Some(command.into());
        self
    }

    pub(crate) fn saw(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence.push(evidence.into());
        self
    }
}

/// What a finding is about, declared with its check: the thing a repair
/// would act on. Repairs are planned from subjects, never from ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    /// The host, the engine, the compose files: the stack as a whole.
    Stack,
    /// The registry's network.
    Network,
    /// The labels of the registry's network, which compose reads before it
    /// adopts the network.
    NetworkLabels,
    /// A named volume.
    Volume(String),
    /// The labels of a named volume.
    VolumeLabels(String),
    /// The shared directories of a named volume.
    SharedDirs(String),
    /// The container of a service: that it exists, runs and is healthy.
    Container(String),
    /// What a service serves or holds: its HTTP health, mounts, model,
    /// GPU, image, fallback wiring.
    Service(String),
    /// A route from one service to another, probed from inside the caller.
    Route { from: String, to: String },
    /// The HA standbys as a set.
    Standbys,
    /// The maintenance flag.
    Maintenance,
    /// The orchestrator's view of HA.
    Orchestrator,
    /// A failover drill that did not finish.
    Drill,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckResult {
    pub(crate) id: String,
    #[serde(skip)]
    pub(crate) subject: Subject,
    pub(crate) category: Category,
    pub(crate) service: Option<String>,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) remediation: Option<String>,
    pub(crate) evidence: Vec<String>,
    pub(crate) duration_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// Warnings make the run fail (exit 2)
    Warn,
    /// Only failures make the run fail (exit 2; warnings exit 1)
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub(crate) passed: usize,
    pub(crate) warnings: usize,
    pub(crate) failures: usize,
    pub(crate) skipped: usize,
    pub(crate) total: usize,
}

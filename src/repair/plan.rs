//! From findings to a repair plan: each repair answers the findings it can
//! fix, everything else is declined with the reason and the operator's
//! command, and the plan runs in compose's dependency order.
//!
//! The plan is made from what findings are about (their typed subject and
//! category) and from facts gathered before, never by reading check ids, and
//! without asking Docker anything.

use std::collections::HashMap;

use crate::docker::{Container, Health};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Category, CheckResult, Severity, Subject};
use crate::registry::{Registry, Service};
use crate::repair::action::{Action, Declined, Plan, Repair};

/// What planning looks at besides the findings.
pub(crate) struct Facts<'a> {
    pub(crate) registry: &'a Registry,
    /// The registry's containers that exist, by container name.
    pub(crate) containers: &'a HashMap<String, Container>,
    /// Registry containers the engine could not inspect: gaia cannot know
    /// what they need, so it repairs none of them.
    pub(crate) uninspectable: &'a HashMap<String, String>,
    /// Each service's depth in compose's `depends_on` graph.
    pub(crate) depths: HashMap<String, u32>,
}

impl<'a> Facts<'a> {
    pub(crate) fn of(ctx: &'a Ctx) -> Facts<'a> {
        Facts {
            registry: &ctx.registry,
            containers: &ctx.containers,
            uninspectable: &ctx.uninspectable,
            depths: ctx.compose.dependency_depths(&ctx.registry),
        }
    }

    fn service(&self, name: &str) -> Option<&'a Service> {
        self.registry.service(name)
    }

    fn container(&self, service: &Service) -> Option<&'a Container> {
        self.containers.get(&service.container)
    }
}

/// Derives the plan for the failures and warnings of `results`.
pub(crate) fn plan(results: &[CheckResult], facts: &Facts) -> Plan {
    let mut plan = Plan::default();
    let problems: Vec<&CheckResult> = results
        .iter()
        .filter(|r| matches!(r.severity, Severity::Fail | Severity::Warn))
        .collect();
    let found = |subject: Subject| problems.iter().any(|r| r.subject == subject);
    let due = Due {
        standbys: found(Subject::Standbys),
        network: found(Subject::Network),
    };

    // First the repairs a finding calls for directly…
    let mut consequences = Vec::new();
    for result in &problems {
        match repair_for(result, facts, &due) {
            Ok(Some(action)) => add(&mut plan, action, result, facts),
            Ok(None) => consequences.push(*result),
            Err(declined) => plan.declined.push(declined),
        }
    }
    // …then the findings that follow from a service being repaired: they
    // are answered (and re-verified) by that repair, not declined.
    for result in consequences {
        match plan
            .repairs
            .iter_mut()
            .find(|repair| follows_from(result, &repair.action, facts.registry))
        {
            Some(repair) => repair.answers.push(result.id.clone()),
            None => plan.declined.push(decline(result)),
        }
    }
    plan.repairs.sort_by_key(|r| r.tier);
    plan
}

fn add(plan: &mut Plan, action: Action, result: &CheckResult, facts: &Facts) {
    if let Some(existing) = plan.repairs.iter_mut().find(|r| r.action == action) {
        existing.answers.push(result.id.clone());
        return;
    }
    let depth = |service: &str| facts.depths.get(service).copied().unwrap_or(0);
    let tier = match &action {
        Action::CreateNetwork | Action::RelabelNetwork | Action::CreateVolume(_) => 0,
        Action::Reconnect(_) | Action::CreateSharedDirs { .. } => 1,
        Action::Start(s) | Action::Restart(s) | Action::Recreate(s) => 2 + depth(s),
        Action::StartStandbys => {
            2 + facts
                .registry
                .standbys()
                .map(|s| depth(&s.name))
                .max()
                .unwrap_or(0)
        }
    };
    plan.repairs.push(Repair {
        action,
        answers: vec![result.id.clone()],
        finding: result.message.clone(),
        tier,
    });
}

/// Repairs that cover others: starting the standbys starts each of them,
/// creating the network reattaches every container.
struct Due {
    standbys: bool,
    network: bool,
}

/// The repair a finding calls for: Ok(None) when it has none of its own but
/// may follow from another repair, Err when gaia declines it.
fn repair_for(result: &CheckResult, facts: &Facts, due: &Due) -> Result<Option<Action>, Declined> {
    match &result.subject {
        Subject::Network => Ok(Some(Action::CreateNetwork)),
        Subject::NetworkLabels => Ok(Some(Action::RelabelNetwork)),
        Subject::VolumeLabels(_) => Err(declined(
            result,
            "a volume's labels are set when it is created: changing them means a new volume, \
             and gaia never removes or empties one"
                .into(),
        )),
        Subject::Volume(volume) => Ok(Some(Action::CreateVolume(volume.clone()))),
        Subject::SharedDirs(volume) => {
            let via = facts
                .registry
                .services
                .iter()
                .find(|s| s.volumes.contains(volume) && facts.container(s).is_some());
            match via {
                Some(service) => Ok(Some(Action::CreateSharedDirs {
                    volume: volume.clone(),
                    via: service.name.clone(),
                })),
                None => Err(declined(result, format!("no container mounts {volume}"))),
            }
        }
        Subject::Standbys => Ok(Some(Action::StartStandbys)),
        Subject::Maintenance => Err(declined(
            result,
            "the maintenance flag is never turned off automatically: an operator set it".into(),
        )),
        Subject::Container(name) => {
            let Some(service) = facts.service(name) else {
                return Err(decline(result));
            };
            if facts.uninspectable.contains_key(&service.container) {
                return Err(declined(
                    result,
                    "the engine could not inspect it: what it needs is unknown".into(),
                ));
            }
            let Some(container) = facts.container(service) else {
                return Ok(Some(Action::Recreate(service.name.clone())));
            };
            let is_standby = facts.registry.standbys().any(|s| s.name == service.name);
            if !container.is_running() {
                return Ok(Some(if is_standby && due.standbys {
                    Action::StartStandbys
                } else {
                    Action::Start(service.name.clone())
                }));
            }
            match container.health {
                Some(Health::Unhealthy) => Ok(Some(Action::Restart(service.name.clone()))),
                Some(Health::Starting) => Err(declined(
                    result,
                    "still within its start period: look again once it has had time".into(),
                )),
                _ => Err(declined(
                    result,
                    "a crash loop needs its cause found first: restarting hides it".into(),
                )),
            }
        }
        Subject::Route { from, .. } => {
            let network = &facts.registry.network;
            match facts
                .service(from)
                .and_then(|s| Some((s, facts.container(s)?)))
            {
                Some((service, c))
                    if c.is_running() && !c.networks.contains(network) && !due.network =>
                {
                    Ok(Some(Action::Reconnect(service.name.clone())))
                }
                _ => Ok(None),
            }
        }
        Subject::Stack | Subject::Service(_) | Subject::Orchestrator | Subject::Drill => Ok(None),
    }
}

/// Whether `result` is a symptom that `action` removes, so that the repair,
/// not the operator, answers it.
fn follows_from(result: &CheckResult, action: &Action, registry: &Registry) -> bool {
    let repaired: Vec<&str> = match action {
        Action::Start(s) | Action::Restart(s) | Action::Recreate(s) | Action::Reconnect(s) => {
            vec![s.as_str()]
        }
        Action::StartStandbys => registry.standbys().map(|s| s.name.as_str()).collect(),
        Action::CreateNetwork | Action::RelabelNetwork => {
            registry.services.iter().map(|s| s.name.as_str()).collect()
        }
        Action::CreateVolume(_) | Action::CreateSharedDirs { .. } => Vec::new(),
    };
    match (&result.subject, result.category) {
        (Subject::Service(service), Category::Http | Category::Model) => {
            repaired.contains(&service.as_str())
        }
        (Subject::Route { from, to }, _) => {
            repaired.contains(&from.as_str()) || repaired.contains(&to.as_str())
        }
        // The orchestrator reports the state of the services it watches.
        (Subject::Orchestrator, _) => !repaired.is_empty(),
        _ => false,
    }
}

fn declined(result: &CheckResult, reason: String) -> Declined {
    Declined {
        check: result.id.clone(),
        message: result.message.clone(),
        reason,
        command: result.remediation.clone(),
    }
}

/// Why gaia leaves a finding to the operator.
fn decline(result: &CheckResult) -> Declined {
    let reason = match result.category {
        Category::Images => "a stale or broken image needs a rebuild",
        Category::Library => "shared-library drift is a promotion decision",
        Category::Gpu => "GPU reservations are set in the compose files",
        Category::Model => {
            "a model that is not loaded needs prime's configuration or logs looked at"
        }
        Category::Http => {
            "the container runs and Docker does not call it unhealthy; gaia restarts only what Docker reports unhealthy"
        }
        Category::Connectivity => "the route fails for a reason gaia cannot repair safely",
        Category::Ha => "HA wiring comes from the compose files",
        Category::Volumes => "mounts come from the compose files",
        Category::Sessions => "session state is core's: its logs say why it stopped saving",
        Category::Resources => "gaia never deletes data to free space",
        Category::Consistency => "the registry and the compose files disagree: edit one",
        Category::Custom => "your own check: its remediation is yours to run",
        Category::Preflight | Category::Containers => "gaia cannot repair this safely",
    };
    declined(result, reason.into())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::catalogue::Catalogue;
    use crate::compose::model::ComposeModel;
    use crate::docker::State;
    use crate::doctor::check::Check;
    use crate::doctor::engine;

    /// The built-in registry's stack, from data: every container running
    /// and healthy on the network, but for the changes `adjust` makes.
    struct Stack {
        registry: Registry,
        checks: Vec<Box<dyn Check>>,
        containers: HashMap<String, Container>,
        uninspectable: HashMap<String, String>,
    }

    impl Stack {
        fn new() -> Stack {
            let registry = Registry::load(None).unwrap();
            let catalogue = Catalogue::load(&registry).unwrap();
            let checks = engine::plan(&registry, &catalogue);
            let containers = registry
                .services
                .iter()
                .map(|s| {
                    let c = Container {
                        name: s.container.clone(),
                        state: State::Running,
                        health: Some(Health::Healthy),
                        networks: vec![registry.network.clone()],
                        ..Container::default()
                    };
                    (s.container.clone(), c)
                })
                .collect();
            Stack {
                registry,
                checks,
                containers,
                uninspectable: HashMap::new(),
            }
        }

        fn container(&mut self, name: &str) -> &mut Container {
            self.containers.get_mut(name).unwrap()
        }

        /// The finding of the check with this id, failing, as the check
        /// declares it (subject and category come from the declaration).
        fn failing(&self, id: &str) -> CheckResult {
            let check = self
                .checks
                .iter()
                .find(|c| c.id() == id)
                .unwrap_or_else(|| panic!("no check {id}"));
            CheckResult {
                id: check.id(),
                subject: check.subject(),
                category: check.category(),
                service: check.service().map(str::to_owned),
                severity: Severity::Fail,
                message: format!("{id} failed"),
                remediation: None,
                evidence: Vec::new(),
                duration_ms: 0,
            }
        }

        fn plan(&self, failing: &[&str]) -> Plan {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose");
            let facts = Facts {
                registry: &self.registry,
                containers: &self.containers,
                uninspectable: &self.uninspectable,
                depths: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(ComposeModel::of_registry(&root, &self.registry))
                    .dependency_depths(&self.registry),
            };
            let results: Vec<CheckResult> = failing.iter().map(|id| self.failing(id)).collect();
            plan(&results, &facts)
        }
    }

    fn repaired_by(plan: &Plan, id: &str) -> Action {
        plan.repairs
            .iter()
            .find(|r| r.answers.iter().any(|a| a == id))
            .unwrap_or_else(|| panic!("nothing repairs {id}: {plan:?}"))
            .action
            .clone()
    }

    #[test]
    fn a_container_the_engine_could_not_inspect_is_never_recreated() {
        let mut stack = Stack::new();
        stack.containers.remove("gaia-mcp");
        stack
            .uninspectable
            .insert("gaia-mcp".into(), "500 Internal Server Error".into());
        let plan = stack.plan(&["containers.gaia-mcp"]);
        assert!(plan.repairs.is_empty(), "{plan:?}");
        let declined = &plan.declined[0];
        assert_eq!(declined.check, "containers.gaia-mcp");
        assert!(
            declined.reason.contains("could not inspect"),
            "{declined:?}"
        );
    }

    #[test]
    fn every_kind_of_finding_the_engine_repairs_maps_to_its_repair() {
        let mut stack = Stack::new();
        stack.container("gaia-web").state = State::Exited;
        stack.container("gaia-core").health = Some(Health::Unhealthy);
        stack.containers.remove("gaia-mcp");
        stack.container("gaia-wiki").state = State::Dead;
        let plan = stack.plan(&[
            "containers.gaia-wiki",
            "volumes.gaia-shared",
            "shared-dirs.gaia-candidate-shared",
            "ha.standbys",
            "containers.gaia-web",
            "containers.gaia-core",
            "containers.gaia-mcp",
            "http.gaia-core",
            "ha.maintenance",
            "images.age.gaia-core-candidate",
        ]);
        let s = String::from;
        assert_eq!(
            repaired_by(&plan, "volumes.gaia-shared"),
            Action::CreateVolume(s("gaia-shared"))
        );
        assert!(matches!(
            repaired_by(&plan, "shared-dirs.gaia-candidate-shared"),
            Action::CreateSharedDirs { volume, .. } if volume == "gaia-candidate-shared"
        ));
        assert_eq!(repaired_by(&plan, "ha.standbys"), Action::StartStandbys);
        assert_eq!(
            repaired_by(&plan, "containers.gaia-web"),
            Action::Start(s("gaia-web"))
        );
        assert_eq!(
            repaired_by(&plan, "containers.gaia-wiki"),
            Action::Start(s("gaia-wiki"))
        );
        assert_eq!(
            repaired_by(&plan, "containers.gaia-core"),
            Action::Restart(s("gaia-core"))
        );
        assert_eq!(
            repaired_by(&plan, "containers.gaia-mcp"),
            Action::Recreate(s("gaia-mcp"))
        );
        // A symptom of a repaired service is answered by its repair…
        assert_eq!(
            repaired_by(&plan, "http.gaia-core"),
            Action::Restart(s("gaia-core"))
        );
        // …and what needs an operator is declined, with the reason.
        for id in ["ha.maintenance", "images.age.gaia-core-candidate"] {
            assert!(
                plan.declined.iter().any(|d| d.check == id),
                "{id} not declined"
            );
        }
    }

    #[test]
    fn a_detached_caller_is_reattached_unless_the_network_is_created_first() {
        let mut stack = Stack::new();
        stack.container("gaia-core").networks.clear();
        stack.container("gaia-web").state = State::Exited;
        let plan = stack.plan(&["containers.gaia-web", "connectivity.gaia-core.gaia-mcp"]);
        assert_eq!(
            repaired_by(&plan, "connectivity.gaia-core.gaia-mcp"),
            Action::Reconnect("gaia-core".into())
        );
        let plan = stack.plan(&[
            "containers.gaia-web",
            "preflight.network",
            "connectivity.gaia-core.gaia-mcp",
        ]);
        assert_eq!(plan.repairs[0].action, Action::CreateNetwork);
        assert_eq!(
            repaired_by(&plan, "connectivity.gaia-core.gaia-mcp"),
            Action::CreateNetwork
        );
    }

    #[test]
    fn a_stopped_standby_is_started_with_the_others_when_all_are_due() {
        let mut stack = Stack::new();
        stack.container("gaia-core-candidate").state = State::Exited;
        let plan = stack.plan(&["containers.gaia-core-candidate", "ha.standbys"]);
        assert_eq!(plan.repairs.len(), 1);
        assert_eq!(
            repaired_by(&plan, "containers.gaia-core-candidate"),
            Action::StartStandbys
        );
    }

    #[test]
    fn repairs_run_in_compose_dependency_order() {
        let mut stack = Stack::new();
        stack.container("gaia-web").state = State::Exited;
        stack.container("gaia-core").health = Some(Health::Unhealthy);
        stack.container("gaia-prime").state = State::Exited;
        let plan = stack.plan(&[
            "containers.gaia-web",
            "containers.gaia-core",
            "containers.gaia-prime",
        ]);
        let order: Vec<Action> = plan.repairs.iter().map(|r| r.action.clone()).collect();
        assert_eq!(
            order,
            [
                Action::Start("gaia-prime".into()),
                Action::Restart("gaia-core".into()),
                Action::Start("gaia-web".into())
            ]
        );
    }
}

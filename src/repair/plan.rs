//! From findings to a repair plan: each repair answers the findings it can
//! fix, everything else is declined with the reason and the operator's
//! command, and the plan runs in compose's dependency order.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::YamlLoader;

use super::{Action, Declined, Plan, Repair};
use crate::doctor::{Category, CheckResult, Ctx, Severity};
use crate::registry::{Registry, Role};

/// Derives the plan for the failures and warnings of `results`.
pub(crate) fn plan(results: &[CheckResult], ctx: &Ctx) -> Plan {
    let depths = dependency_depths(&ctx.root, &ctx.registry);
    let mut plan = Plan::default();
    let problems: Vec<&CheckResult> = results
        .iter()
        .filter(|r| matches!(r.severity, Severity::Fail | Severity::Warn))
        .collect();
    let found = |id: &str| problems.iter().any(|r| r.id == id);
    let due = Due {
        standbys: found("ha.standbys"),
        network: found("preflight.network"),
    };

    // First the repairs a finding calls for directly…
    let mut consequences = Vec::new();
    for result in &problems {
        match repair_for(result, ctx, &due) {
            Ok(Some(action)) => add(&mut plan, action, result, &depths, ctx),
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
            .find(|repair| follows_from(result, &repair.action, ctx))
        {
            Some(repair) => repair.answers.push(result.id.clone()),
            None => plan.declined.push(decline(result)),
        }
    }
    plan.repairs.sort_by_key(|r| r.tier);
    plan
}

fn add(
    plan: &mut Plan,
    action: Action,
    result: &CheckResult,
    depths: &HashMap<String, u32>,
    ctx: &Ctx,
) {
    if let Some(existing) = plan.repairs.iter_mut().find(|r| r.action == action) {
        existing.answers.push(result.id.clone());
        return;
    }
    let tier = match &action {
        Action::CreateNetwork | Action::CreateVolume(_) => 0,
        Action::Reconnect(_) | Action::CreateSharedDirs { .. } => 1,
        Action::Start(s) | Action::Restart(s) | Action::Recreate(s) => {
            2 + depths.get(s).copied().unwrap_or(0)
        }
        Action::StartStandbys => {
            2 + ctx
                .registry
                .standbys()
                .map(|s| depths.get(&s.name).copied().unwrap_or(0))
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
fn repair_for(result: &CheckResult, ctx: &Ctx, due: &Due) -> Result<Option<Action>, Declined> {
    let parts: Vec<&str> = result.id.split('.').collect();
    let network = &ctx.registry.network;
    match parts.as_slice() {
        ["preflight", "network"] => Ok(Some(Action::CreateNetwork)),
        ["volumes", volume] => Ok(Some(Action::CreateVolume((*volume).to_owned()))),
        ["shared-dirs", volume] => {
            let via = ctx
                .registry
                .services
                .iter()
                .find(|s| s.volumes.iter().any(|v| v == volume) && ctx.container(s).is_some());
            match via {
                Some(service) => Ok(Some(Action::CreateSharedDirs {
                    volume: (*volume).to_owned(),
                    via: service.name.clone(),
                })),
                None => Err(declined(result, format!("no container mounts {volume}"))),
            }
        }
        ["ha", "standbys"] => Ok(Some(Action::StartStandbys)),
        ["ha", "maintenance"] => Err(declined(
            result,
            "the maintenance flag is never turned off automatically: an operator set it".into(),
        )),
        ["containers", name] => {
            let service = ctx.service(name);
            let Some(container) = ctx.container(service) else {
                return Ok(Some(Action::Recreate(service.name.clone())));
            };
            let is_standby = ctx.registry.standbys().any(|s| s.name == service.name);
            if !container.is_running() {
                return Ok(Some(if is_standby && due.standbys {
                    Action::StartStandbys
                } else {
                    Action::Start(service.name.clone())
                }));
            }
            match container.health.as_deref() {
                Some("unhealthy") => Ok(Some(Action::Restart(service.name.clone()))),
                Some("starting") => Err(declined(
                    result,
                    "still within its start period: look again once it has had time".into(),
                )),
                _ => Err(declined(
                    result,
                    "a crash loop needs its cause found first: restarting hides it".into(),
                )),
            }
        }
        ["connectivity", from, _] => {
            let service = ctx.service(from);
            match ctx.container(service) {
                Some(c) if c.is_running() && !c.networks.contains(network) && !due.network => {
                    Ok(Some(Action::Reconnect(service.name.clone())))
                }
                _ => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// Whether `result` is a symptom that `action` removes, so that the repair,
/// not the operator, answers it.
fn follows_from(result: &CheckResult, action: &Action, ctx: &Ctx) -> bool {
    let parts: Vec<&str> = result.id.split('.').collect();
    let repaired = match action {
        Action::Start(s) | Action::Restart(s) | Action::Recreate(s) => vec![s.as_str()],
        Action::StartStandbys => ctx.registry.standbys().map(|s| s.name.as_str()).collect(),
        Action::Reconnect(s) => vec![s.as_str()],
        Action::CreateNetwork => ctx
            .registry
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect(),
        Action::CreateVolume(_) | Action::CreateSharedDirs { .. } => Vec::new(),
    };
    match parts.as_slice() {
        ["http", service] | ["model", service] => repaired.contains(service),
        ["connectivity", from, to] => repaired.contains(from) || repaired.contains(to),
        // The orchestrator reports the state of the services it watches.
        ["ha", "orchestrator"] => !repaired.is_empty(),
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
        Category::Preflight | Category::Containers => "gaia cannot repair this safely",
    };
    declined(result, reason.into())
}

/// How deep each service sits in compose's `depends_on` graph: 0 for one
/// that depends on nothing, one more than its deepest dependency otherwise.
/// Repairs run shallow first, as compose starts services.
pub(crate) fn dependency_depths(root: &Path, registry: &Registry) -> HashMap<String, u32> {
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    let mut files: Vec<&String> = registry
        .services
        .iter()
        .flat_map(|s| s.compose_files.iter())
        .collect();
    files.dedup();
    for file in files {
        let Some(doc) = std::fs::read_to_string(root.join(file))
            .ok()
            .and_then(|text| YamlLoader::load_from_str(&text).ok())
            .and_then(|docs| docs.into_iter().next())
        else {
            continue;
        };
        let Some(services) = doc["services"].as_hash() else {
            continue;
        };
        for (name, definition) in services {
            let Some(name) = name.as_str() else { continue };
            let depends = &definition["depends_on"];
            let named: Vec<String> = match (depends.as_vec(), depends.as_hash()) {
                (Some(list), _) => list
                    .iter()
                    .filter_map(|d| d.as_str())
                    .map(str::to_owned)
                    .collect(),
                (_, Some(map)) => map
                    .keys()
                    .filter_map(|d| d.as_str())
                    .map(str::to_owned)
                    .collect(),
                _ => continue,
            };
            edges.entry(name.to_owned()).or_default().extend(named);
        }
    }
    let mut depths = HashMap::new();
    for service in &registry.services {
        depth(&service.name, &edges, &mut depths, &mut Vec::new());
    }
    // Candidates stand in for live services: keep a live service's repair
    // ahead of its candidate's when both are due.
    for service in registry
        .services
        .iter()
        .filter(|s| s.role == Role::Candidate)
    {
        if let Some(live) = service
            .stands_in_for
            .as_ref()
            .and_then(|l| depths.get(l).copied())
        {
            let own = depths.entry(service.name.clone()).or_insert(0);
            *own = (*own).max(live);
        }
    }
    depths
}

fn depth(
    name: &str,
    edges: &HashMap<String, Vec<String>>,
    depths: &mut HashMap<String, u32>,
    visiting: &mut Vec<String>,
) -> u32 {
    if let Some(d) = depths.get(name) {
        return *d;
    }
    // A cycle is compose's error to report; here it just ends the walk.
    if visiting.iter().any(|v| v == name) {
        return 0;
    }
    visiting.push(name.to_owned());
    let d = edges
        .get(name)
        .map(|deps| {
            deps.iter()
                .map(|dep| depth(dep, edges, depths, visiting) + 1)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    visiting.pop();
    depths.insert(name.to_owned(), d);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_follow_compose_dependency_order() {
        // The real GAIA compose files, as the project keeps them beside the code.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose");
        let registry = Registry::load(None).unwrap();
        let depths = dependency_depths(&root, &registry);
        assert_eq!(depths["gaia-prime"], 0);
        assert_eq!(depths["gaia-mcp"], 0);
        assert!(depths["gaia-core"] > depths["gaia-prime"]);
        assert!(depths["gaia-core"] > depths["gaia-mcp"]);
        assert!(depths["gaia-web"] > depths["gaia-core"]);
        assert!(depths["gaia-core-candidate"] >= depths["gaia-core"]);
    }
}

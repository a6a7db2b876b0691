//! Compose will adopt the stack's network and volumes: they carry the
//! labels compose writes on what it creates (the compose key, the project).
//! A network recreated by hand under the right name but other labels looks
//! fine to Docker, yet compose v2 refuses every later `up` on it.

use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::registry::Registry;
use crate::stack::{LabelProblem, Object, Project};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> =
        vec![Box::new(Labels(Object::Network, registry.network.clone()))];
    for volume in &registry.volumes {
        checks.push(Box::new(Labels(Object::Volume, volume.name.clone())));
    }
    checks
}

struct Labels(Object, String);
check!(Labels, Consistency, |self| subject: match self.0 {
        Object::Network => Subject::NetworkLabels,
        Object::Volume => Subject::VolumeLabels(self.1.clone()),
    }, id: format!("compose-labels.{}", self.1), service: None,
    description: format!("{} {} carries compose's labels for this stack", match self.0 { Object::Network => "Network", Object::Volume => "Volume" }, self.1));
impl Labels {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let (object, name) = (self.0, &self.1);
        let (kind, definition) = match object {
            Object::Network => ("network", ctx.compose.network(name)),
            Object::Volume => ("volume", ctx.compose.volume(name)),
        };
        let definition = match definition {
            Ok(definition) => definition,
            Err(why) => return Finding::skip(format!("{why:#}")),
        };
        let found = match object {
            Object::Network => ctx.docker.network(name).await.map(|n| n.map(|n| n.labels)),
            Object::Volume => ctx.docker.volume_labels(name).await,
        };
        let labels = match found {
            Ok(Some(labels)) => labels,
            Ok(None) => return Finding::skip(format!("{kind} {name} does not exist")),
            Err(err) => return Finding::fail(format!("cannot inspect {kind} {name}: {err:#}")),
        };
        let project = Project::of(
            ctx.registry
                .services
                .iter()
                .filter_map(|s| ctx.containers.get(&s.container)),
            &ctx.root,
        );
        let problems = project.label_problems(object, &definition.key, &labels);
        if problems.is_empty() {
            return Finding::pass(format!(
                "{kind} {name} is labelled for compose key {} of project {}",
                definition.key, project.name
            ));
        }
        let said = problems
            .iter()
            .map(LabelProblem::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let v2 = ctx.compose_tool.as_ref().is_none_or(|tool| tool.v2);
        let refused = problems.iter().any(|p| p.refused_by_v2);
        let finding = match (refused, v2) {
            (true, true) => Finding::fail(format!(
                "compose refuses {kind} {name}: {said}; every `up` on the stack fails"
            )),
            (true, false) => Finding::warn(format!(
                "{kind} {name}: {said}; docker-compose 1.x lets it pass, compose v2 refuses it"
            )),
            (false, _) => Finding::warn(format!(
                "{kind} {name} was not created by compose for this stack: {said}; compose \
                 warns on every `up`"
            )),
        };
        match object {
            Object::Network => finding.fix("gaia doctor --fix   # recreates it with compose's labels and reattaches its containers"),
            Object::Volume => finding.fix(
                "declare it `external: true` in the compose files, or move its data into a \
                 volume compose creates (a volume's labels cannot be changed)",
            ),
        }
    }
}

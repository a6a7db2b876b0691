//! Consistency: the registry and the compose files describe the same
//! services, under the same container names.

use std::collections::BTreeSet;

use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

pub(crate) fn plan() -> Vec<Box<dyn Check>> {
    vec![Box::new(Compose)]
}

struct Compose;
check!(Compose, Consistency, |self| subject: Subject::Stack, id: "consistency.compose".into(), service: None,
    description: "The registry and the compose files name the same services and containers".into());
impl Compose {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let compose = &ctx.compose;
        if let Some(file) = compose.missing.first() {
            return Finding::skip(format!("{file} is not in {}", ctx.root.display()));
        }
        if let Some((file, err)) = compose.invalid.first() {
            return Finding::fail(format!("{file} {err}"));
        }
        let in_files: BTreeSet<&str> = compose.services.keys().map(String::as_str).collect();
        let registered: BTreeSet<&str> = ctx
            .registry
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let list = |names: Vec<&&str>| names.into_iter().copied().collect::<Vec<_>>().join(", ");
        let unregistered: Vec<&&str> = in_files.difference(&registered).collect();
        let undefined: Vec<&&str> = registered.difference(&in_files).collect();
        let mut problems = Vec::new();
        if !unregistered.is_empty() {
            problems.push(format!(
                "in the compose files but not the registry (unchecked): {}",
                list(unregistered)
            ));
        }
        if !undefined.is_empty() {
            problems.push(format!(
                "in the registry but no compose file: {}",
                list(undefined)
            ));
        }
        let renamed: Vec<String> = ctx
            .registry
            .services
            .iter()
            .filter_map(|s| {
                let named = compose.services.get(&s.name)?.container_name.as_deref()?;
                (named != s.container)
                    .then(|| format!("{} (registry: {}, compose: {named})", s.name, s.container))
            })
            .collect();
        if !renamed.is_empty() {
            problems.push(format!("container names differ: {}", renamed.join(", ")));
        }
        if problems.is_empty() {
            Finding::pass(format!(
                "registry and compose files agree on {} services",
                registered.len()
            ))
        } else {
            Finding::fail(problems.join("; "))
        }
    }
}

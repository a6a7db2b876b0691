//! Consistency: the registry and the compose files describe the same services.

use std::collections::BTreeSet;

use yaml_rust2::YamlLoader;

use super::check;
use crate::doctor::{Check, Ctx, Finding};

pub(crate) fn plan() -> Vec<Box<dyn Check>> {
    vec![Box::new(Compose)]
}

struct Compose;
check!(Compose, Consistency, |self| id: "consistency.compose".into(), service: None);
impl Compose {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let files: BTreeSet<&str> = ctx
            .registry
            .services
            .iter()
            .flat_map(|s| s.compose_files.iter().map(String::as_str))
            .collect();
        let mut in_files = BTreeSet::new();
        for file in &files {
            let Ok(text) = std::fs::read_to_string(ctx.root.join(file)) else {
                return Finding::skip(format!("{file} is not in {}", ctx.root.display()));
            };
            let docs = match YamlLoader::load_from_str(&text) {
                Ok(docs) => docs,
                Err(err) => return Finding::fail(format!("{file} is not valid YAML: {err}")),
            };
            let Some(services) = docs.first().and_then(|d| d["services"].as_hash()) else {
                continue;
            };
            in_files.extend(
                services
                    .keys()
                    .filter_map(|k| k.as_str().map(str::to_owned)),
            );
        }
        let registered: BTreeSet<String> = ctx
            .registry
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let unregistered: Vec<&String> = in_files.difference(&registered).collect();
        let undefined: Vec<&String> = registered.difference(&in_files).collect();
        let mut problems = Vec::new();
        if !unregistered.is_empty() {
            problems.push(format!(
                "in the compose files but not the registry (unchecked): {}",
                unregistered
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !undefined.is_empty() {
            problems.push(format!(
                "in the registry but no compose file: {}",
                undefined
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
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

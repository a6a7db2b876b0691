//! Prime model: the inference server lists the model its client asks for.
//! A vLLM `/health` answers 200 before (or without) a model; `/v1/models`
//! is the signal that counts.

use crate::catalogue::Catalogue;
use crate::catalogue::Model;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

pub(crate) fn plan(catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    catalogue
        .models
        .iter()
        .map(|m| Box::new(Served(m.clone())) as Box<dyn Check>)
        .collect()
}

struct Served(Model);
check!(Served, Model, |self| subject: Subject::Service(self.0.server.clone()), id: format!("model.{}", self.0.server), service: Some(&self.0.server),
    description: format!("{} serves the model {} asks for", self.0.server, self.0.client));
impl Served {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let spec = &self.0;
        let (server, client) = (ctx.service(&spec.server), ctx.service(&spec.client));
        if let Err(skip) = ctx.running(server) {
            return skip;
        }
        let client = match ctx.running(client) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let Some(wanted) = client.env_var(&spec.env).filter(|m| !m.is_empty()) else {
            return Finding::warn(format!("{} sets no {}", spec.client, spec.env));
        };
        let Some(port) = server.host_port else {
            return Finding::skip(format!("{} publishes no port", server.name));
        };
        let url = format!("http://127.0.0.1:{port}/v1/models");
        let listed = match ctx.http.get(&url).await {
            Ok(r) if r.is_success() => r.json().unwrap_or_default(),
            Ok(r) => return Finding::fail(format!("{url} answered {}", r.status)),
            Err(err) => return Finding::fail(format!("{url}: {err}")),
        };
        let served: Vec<&str> = listed["data"]
            .as_array()
            .map(|d| d.iter().filter_map(|m| m["id"].as_str()).collect())
            .unwrap_or_default();
        if served.contains(&wanted) {
            Finding::pass(format!("{} serves {wanted}", server.name))
        } else {
            let health = match &server.health_path {
                Some(path) => {
                    let answer = ctx
                        .http
                        .get(&format!("http://127.0.0.1:{port}{path}"))
                        .await
                        .map(|r| r.status.to_string())
                        .unwrap_or_else(|e| e.to_string());
                    format!("{path} answers {answer}; ")
                }
                None => String::new(),
            };
            Finding::fail(format!(
                "model not loaded: {} does not serve {wanted}, which {} asks for ({health}serves: {})",
                server.name,
                spec.client,
                if served.is_empty() { "nothing".to_owned() } else { served.join(", ") }
            ))
            .fix(format!("docker logs --tail 100 {}", server.container))
        }
    }
}

//! Inter-service routes, probed from inside the source container.

use super::check;
use crate::doctor::catalogue::Route as RouteSpec;
use crate::doctor::{Catalogue, Check, Ctx, Finding};

pub fn plan(catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    catalogue
        .routes
        .iter()
        .map(|r| Box::new(Route(r.clone())) as Box<dyn Check>)
        .collect()
}

struct Route(RouteSpec);
check!(Route, Connectivity, |self| id: format!("connectivity.{}.{}", self.0.from, self.0.to), service: Some(&self.0.from));
impl Route {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let route = &self.0;
        let from = ctx.service(&route.from);
        let container = match ctx.running(from) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        if let Err(skip) = ctx.running(ctx.service(&route.to)) {
            return skip;
        }
        let timeout = ctx
            .catalogue
            .thresholds
            .http_timeout
            .as_secs()
            .max(1)
            .to_string();
        let argv = ["curl", "-sf", "-m", &timeout, "-o", "/dev/null", &route.url];
        match ctx.exec(&container.name, &argv).await {
            Ok(out) if out.exit_code == 0 => {
                Finding::pass(format!("{} → {}", route.from, route.to))
            }
            Ok(out) => Finding::fail(format!(
                "{} cannot reach {} at {} (curl exit {})",
                route.from, route.to, route.url, out.exit_code
            ))
            .saw(out.stderr.trim().to_owned())
            .fix(format!(
                "docker network connect {} {}",
                ctx.registry.network, container.name
            )),
            Err(err) => Finding::fail(format!("{} → {}: {err}", route.from, route.to)),
        }
    }
}

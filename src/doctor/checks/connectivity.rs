//! Inter-service routes, probed from inside the source container (one curl
//! per source container probes all of its routes).

use crate::catalogue::Catalogue;
use crate::catalogue::Route as RouteSpec;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Finding, Subject};
use crate::registry::Registry;

pub(crate) fn plan(registry: &Registry, catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    catalogue
        .routes
        .iter()
        .filter_map(|r| {
            let container = registry.service(&r.from)?.container.clone();
            Some(Box::new(Route(r.clone(), container)) as Box<dyn Check>)
        })
        .collect()
}

/// A route and the container it is probed from.
struct Route(RouteSpec, String);
check!(Route, Connectivity, |self| subject: Subject::Route { from: self.0.from.clone(), to: self.0.to.clone() }, id: format!("connectivity.{}.{}", self.0.from, self.0.to),
    service: Some(&self.0.from),
    wants: vec![Want::Get { container: self.1.clone(), url: self.0.url.clone() }],
    description: format!("{} reaches {} at {}", self.0.from, self.0.to, self.0.url));
impl Route {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let route = &self.0;
        if let Err(skip) = ctx.running(ctx.service(&route.from)) {
            return skip;
        }
        if let Err(skip) = ctx.running(ctx.service(&route.to)) {
            return skip;
        }
        let fix = format!("docker network connect {} {}", ctx.registry.network, self.1);
        match ctx.get_inside(&self.1, &route.url).await {
            Ok(code) if (200..400).contains(&code) => {
                Finding::pass(format!("{} → {}", route.from, route.to))
            }
            Ok(0) => Finding::fail(format!(
                "{} cannot reach {} at {}: no response",
                route.from, route.to, route.url
            ))
            .fix(fix),
            Ok(code) => Finding::fail(format!(
                "{} reaches {} at {}, which answers {code}",
                route.from, route.to, route.url
            )),
            Err(err) => Finding::fail(format!("{} → {}: {err}", route.from, route.to)),
        }
    }
}

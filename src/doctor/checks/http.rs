//! HTTP health: `/health` through the published port, or from inside the
//! container for internal-only services.

use crate::doctor::check::{Check, check};
use crate::doctor::ctx::{Ctx, Want};
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{Registry, Service};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    registry
        .services
        .iter()
        .filter_map(|s| {
            let path = s.health_path.clone()?;
            Some(Box::new(Health(s.clone(), path)) as Box<dyn Check>)
        })
        .collect()
}

/// A service, and the path it answers its health on.
struct Health(Service, String);
check!(Health, Http, |self| subject: Subject::Service(self.0.name.clone()), id: format!("http.{}", self.0.name), service: Some(&self.0.name),
wants: match self.0.host_port {
    Some(_) => Vec::new(),
    None => vec![Want::Get { container: self.0.container.clone(), url: self.inside_url() }],
},
    description: format!("{} answers {}", self.0.name, self.1));

impl Health {
    fn inside_url(&self) -> String {
        format!("http://localhost:{}{}", self.0.port, self.1)
    }

    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = &self.0;
        let container = match ctx.running(service) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let fix = format!("docker restart {}", service.container);
        match service.host_port {
            Some(port) => {
                let url = format!("http://127.0.0.1:{port}{}", self.1);
                match ctx.http.get(&url).await {
                    Ok(r) if r.is_success() => Finding::pass(format!(
                        "{} {} {} in {} ms",
                        service.name,
                        self.1,
                        r.status,
                        r.latency.as_millis()
                    )),
                    Ok(r) => Finding::bad(
                        service.required,
                        format!("{} {} answered {}", service.name, self.1, r.status),
                    )
                    .saw(r.body.chars().take(200).collect::<String>())
                    .fix(fix),
                    Err(err) => {
                        Finding::bad(service.required, format!("{} {url}: {err}", service.name))
                            .fix(fix)
                    }
                }
            }
            None => match ctx.get_inside(&container.name, &self.inside_url()).await {
                Ok(code) if (200..400).contains(&code) => Finding::pass(format!(
                    "{} {} {code} inside its container",
                    service.name, self.1
                )),
                Ok(0) => Finding::bad(
                    service.required,
                    format!(
                        "{} {} gives no response inside its container",
                        service.name, self.1
                    ),
                )
                .fix(fix),
                Ok(code) => Finding::bad(
                    service.required,
                    format!(
                        "{} {} answered {code} inside its container",
                        service.name, self.1
                    ),
                )
                .fix(fix),
                Err(err) => Finding::bad(service.required, format!("{}: {err}", service.name)),
            },
        }
    }
}

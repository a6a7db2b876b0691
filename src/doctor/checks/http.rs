//! HTTP health: `/health` through the published port, or from inside the
//! container for internal-only services.

use super::check;
use crate::doctor::{Check, Ctx, Finding};
use crate::registry::{Registry, Service};

pub fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    registry
        .services
        .iter()
        .map(|s| Box::new(Health(s.clone())) as Box<dyn Check>)
        .collect()
}

struct Health(Service);
check!(Health, Http, |self| id: format!("http.{}", self.0.name), service: Some(&self.0.name));

impl Health {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = &self.0;
        let container = match ctx.running(service) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let fix = format!("docker restart {}", service.container);
        match service.host_port {
            Some(port) => {
                let url = format!("http://127.0.0.1:{port}{}", service.health_path);
                match ctx.http.get(&url).await {
                    Ok(r) if r.is_success() => Finding::pass(format!(
                        "{} {} {} in {} ms",
                        service.name,
                        service.health_path,
                        r.status,
                        r.latency.as_millis()
                    )),
                    Ok(r) => Finding::bad(
                        service.required,
                        format!(
                            "{} {} answered {}",
                            service.name, service.health_path, r.status
                        ),
                    )
                    .saw(r.body.chars().take(200).collect::<String>())
                    .fix(fix),
                    Err(err) => {
                        Finding::bad(service.required, format!("{} {url}: {err}", service.name))
                            .fix(fix)
                    }
                }
            }
            None => {
                let url = format!("http://localhost:{}{}", service.port, service.health_path);
                let timeout = ctx
                    .catalogue
                    .thresholds
                    .http_timeout
                    .as_secs()
                    .max(1)
                    .to_string();
                let argv = ["curl", "-sf", "-m", &timeout, "-o", "/dev/null", &url];
                match ctx.exec(&container.name, &argv).await {
                    Ok(out) if out.exit_code == 0 => Finding::pass(format!(
                        "{} {} answers inside its container",
                        service.name, service.health_path
                    )),
                    Ok(out) => Finding::bad(
                        service.required,
                        format!(
                            "{} {url} from inside: curl exit {}",
                            service.name, out.exit_code
                        ),
                    )
                    .saw(out.stderr.trim().to_owned())
                    .fix(fix),
                    Err(err) => Finding::bad(service.required, format!("{}: {err}", service.name)),
                }
            }
        }
    }
}

//! A custom `http` check: GET a URL from the host or from inside a
//! container, expecting a status and, if asked, a phrase in the body.

use crate::catalogue::{Custom, HttpProbe, Level};
use crate::doctor::check::check;
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::http::Http;

pub(crate) struct Get(pub(crate) Custom, pub(crate) HttpProbe);
check!(Get, Custom, |self| subject: self.0.service.clone().map_or(Subject::Stack, Subject::Service), id: format!("custom.{}", self.0.id),
    service: self.0.service.as_deref(), inside: self.1.inside.is_some(), description: self.0.description.clone());

impl Get {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let (spec, probe) = (&self.0, &self.1);
        for name in spec.service.iter().chain(&probe.inside) {
            if let Err(skip) = ctx.running(ctx.service(name)) {
                return skip;
            }
        }
        let (status, body, asked) = match &probe.inside {
            None => {
                let http = Http::new(
                    ctx.catalogue
                        .thresholds
                        .http_connect_timeout
                        .min(probe.timeout),
                    probe.timeout,
                );
                match http.get(&probe.url).await {
                    Ok(r) => (r.status, r.body, format!("GET {}", probe.url)),
                    Err(err) => return self.bad(format!("GET {}: {err}", probe.url)),
                }
            }
            Some(name) => {
                let container = &ctx.service(name).container;
                let asked = format!("GET {} from inside {container}", probe.url);
                match self.inside(ctx, container).await {
                    Ok((0, _)) => return self.bad(format!("{asked}: no response")),
                    Ok((status, body)) => (status, body, asked),
                    Err(err) => return self.bad(format!("{asked}: {err}")),
                }
            }
        };
        let shown: String = body.chars().take(200).collect();
        if status != probe.status {
            return self
                .bad(format!(
                    "{asked} answered {status}, expected {}",
                    probe.status
                ))
                .saw(shown);
        }
        match &probe.contains {
            Some(phrase) if !body.contains(phrase.as_str()) => self
                .bad(format!("{asked} answered {status} without {phrase:?}"))
                .saw(shown),
            Some(phrase) => Finding::pass(format!(
                "{asked} answered {status} and contained {phrase:?}"
            )),
            None => Finding::pass(format!("{asked} answered {status}")),
        }
    }

    /// Status (0: no response) and body of the GET, by curl in `container`.
    async fn inside(&self, ctx: &Ctx, container: &str) -> Result<(u16, String), String> {
        let seconds = self.1.timeout.as_secs_f64().ceil().max(1.0).to_string();
        let argv = [
            "curl",
            "-s",
            "-m",
            &seconds,
            "-w",
            r"\n%{http_code}",
            &self.1.url,
        ];
        let deadline = self.1.timeout + std::time::Duration::from_secs(1);
        let out =
            match tokio::time::timeout(deadline, ctx.docker.exec(container, &argv, None)).await {
                Ok(Ok(out)) => out,
                Ok(Err(err)) => return Err(format!("{err:#}")),
                Err(_) => {
                    return Err(format!(
                        "curl did not finish within {}s",
                        deadline.as_secs()
                    ));
                }
            };
        let (body, code) = out.stdout.rsplit_once('\n').unwrap_or(("", &out.stdout));
        Ok((code.trim().parse().unwrap_or(0), body.to_owned()))
    }

    fn bad(&self, message: String) -> Finding {
        let finding = Finding::bad(self.0.severity == Level::Fail, message);
        match &self.0.remediation {
            Some(fix) => finding.fix(fix.clone()),
            None => finding,
        }
    }
}

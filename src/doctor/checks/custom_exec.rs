//! A custom `exec` check: a command inside a service's container, expecting
//! an exit code and, if asked, a phrase on its standard output.

use crate::catalogue::{Custom, ExecProbe, Level};
use crate::doctor::check::check;
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

pub(crate) struct Exec(pub(crate) Custom, pub(crate) ExecProbe);
check!(Exec, Custom, |self| subject: self.0.service.clone().map_or(Subject::Stack, Subject::Service), id: format!("custom.{}", self.0.id),
    service: self.0.service.as_deref(), inside: true, description: self.0.description.clone());

impl Exec {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let (spec, probe) = (&self.0, &self.1);
        let Some(name) = &spec.service else {
            return Finding::skip("an exec check names no service");
        };
        let container = match ctx.running(ctx.service(name)) {
            Ok(c) => c.name.clone(),
            Err(skip) => return skip,
        };
        let argv: Vec<&str> = probe.argv.iter().map(String::as_str).collect();
        let ran = format!("`{}` in {container}", probe.argv.join(" "));
        let out =
            match tokio::time::timeout(probe.timeout, ctx.docker.exec(&container, &argv, None))
                .await
            {
                Ok(Ok(out)) => out,
                Ok(Err(err)) => return self.bad(format!("{ran}: {err:#}")),
                Err(_) => {
                    return self.bad(format!(
                        "{ran} did not finish within {}s",
                        probe.timeout.as_secs_f64()
                    ));
                }
            };
        let tail = |text: &str| -> String {
            let lines: Vec<&str> = text.trim_end().lines().collect();
            lines[lines.len().saturating_sub(5)..].join(" | ")
        };
        if out.exit_code != probe.exit_code {
            let mut finding = self.bad(format!(
                "{ran} exited {}, expected {}",
                out.exit_code, probe.exit_code
            ));
            for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                if !text.trim().is_empty() {
                    finding = finding.saw(format!("{stream}: {}", tail(text)));
                }
            }
            return finding;
        }
        match &probe.stdout_contains {
            Some(phrase) if !out.stdout.contains(phrase.as_str()) => self
                .bad(format!(
                    "{ran} exited {} without printing {phrase:?}",
                    out.exit_code
                ))
                .saw(format!("stdout: {}", tail(&out.stdout))),
            Some(phrase) => Finding::pass(format!(
                "{ran} exited {} and printed {phrase:?}",
                out.exit_code
            )),
            None => Finding::pass(format!("{ran} exited {}", out.exit_code)),
        }
    }

    fn bad(&self, message: String) -> Finding {
        let finding = Finding::bad(self.0.severity == Level::Fail, message);
        match &self.0.remediation {
            Some(fix) => finding.fix(fix.clone()),
            None => finding,
        }
    }
}

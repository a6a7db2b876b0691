//! A check whose last result is given again instead of looking: what `gaia
//! watch` puts in place of a check that looks inside a container on the
//! runs between two looks (nothing changed, and it passed last time).

use crate::doctor::check::{BoxFuture, Check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Category, CheckResult, Finding, Subject};

pub(crate) struct Carried {
    check: Box<dyn Check>,
    last: CheckResult,
    /// The run that looked.
    from_run: u64,
}

impl Carried {
    pub(crate) fn new(check: Box<dyn Check>, last: CheckResult, from_run: u64) -> Carried {
        Carried {
            check,
            last,
            from_run,
        }
    }
}

impl Check for Carried {
    fn id(&self) -> String {
        self.check.id()
    }
    fn category(&self) -> Category {
        self.check.category()
    }
    fn service(&self) -> Option<&str> {
        self.check.service()
    }
    fn subject(&self) -> Subject {
        self.check.subject()
    }
    fn looks_inside(&self) -> bool {
        false
    }
    fn description(&self) -> String {
        self.check.description()
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx) -> BoxFuture<'a, Finding> {
        let last = &self.last;
        let mut evidence = last.evidence.clone();
        // The message is what was seen then; the evidence says when.
        evidence.push(format!(
            "as seen in run {}: no container changed since, so not looked at again",
            self.from_run
        ));
        let finding = Finding {
            severity: last.severity,
            message: last.message.clone(),
            remediation: last.remediation.clone(),
            evidence,
        };
        Box::pin(async move { finding })
    }
}

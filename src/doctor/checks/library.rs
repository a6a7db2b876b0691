//! Shared-library sync: key gaia-common files, live against candidate.

use crate::catalogue::Catalogue;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

pub(crate) fn plan(catalogue: &Catalogue) -> Vec<Box<dyn Check>> {
    catalogue
        .library
        .files
        .iter()
        .map(|f| Box::new(KeyFile(f.clone())) as Box<dyn Check>)
        .collect()
}

struct KeyFile(String);
check!(KeyFile, Library, |self| subject: Subject::Stack, id: format!("library.{}", self.0), service: None,
    description: format!("{} is the same in live and candidate", self.0));
impl KeyFile {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let library = &ctx.catalogue.library;
        let live = ctx.root.join(&library.live).join(&self.0);
        let candidate = ctx.root.join(&library.candidate).join(&self.0);
        match (std::fs::read(&live), std::fs::read(&candidate)) {
            (Ok(a), Ok(b)) if a == b => Finding::pass(format!("{} matches", self.0)),
            (Ok(_), Ok(_)) => {
                Finding::warn(format!("{} differs between live and candidate", self.0))
                    .fix(format!("diff {} {}", live.display(), candidate.display()))
            }
            (Err(_), Err(_)) => {
                Finding::skip(format!("{} is in neither copy of gaia-common", self.0))
            }
            (Err(_), Ok(_)) => Finding::warn(format!("{} exists only in the candidate", self.0)),
            (Ok(_), Err(_)) => Finding::warn(format!("{} exists only in live", self.0)),
        }
    }
}

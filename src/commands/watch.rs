//! `gaia watch`: the doctor every interval, served and alerted.

use crate::cli::WatchArgs;
use crate::config::Context;
use crate::doctor::run::{Scope, known};
use crate::error::{Error, Outcome, Result};
use crate::http::Target;
use crate::watch::{Policy, Settings, watch};

pub(crate) async fn run(ctx: &Context, args: &WatchArgs) -> Result<Outcome> {
    for name in &args.services {
        known(ctx, name)?;
    }
    let notify = args
        .notify
        .iter()
        .map(|url| Target::parse(url).map_err(Error::Config))
        .collect::<Result<Vec<_>>>()?;
    // A webhook's URL is its password: scrubbed from anything gaia says.
    crate::secrets::learn(notify.iter().map(|t| ("GAIA_NOTIFY_TOKEN", t.url())));
    watch(
        ctx,
        Settings {
            interval: args.interval,
            listen: args.listen,
            notify,
            maintenance_limit: args.maintenance_limit,
            deep_every: args.deep_every,
            heal: args.heal.then_some(Policy {
                after: args.heal_after,
                grace: args.grace,
                cooldown: args.cooldown,
                max_repairs: args.max_repairs as usize,
                window: args.repair_window,
            }),
            scope: Scope {
                services: args.services.clone(),
                categories: Vec::new(),
                deadline: args.deadline,
            },
        },
    )
    .await
}

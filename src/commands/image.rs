//! `gaia image`: a from-scratch image of this gaia, to run `gaia watch`
//! in the stack.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, ImageArgs};
use crate::docker::Docker;
use crate::error::{Error, Outcome, Result};
use crate::image::{Tools, gaia_archive};
use crate::output::{Printer, Render};

pub(crate) async fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<Outcome> {
    let printer = Printer::new(global.color, global.format, global.quiet, global.verbose);
    valid_tag(&args.tag)?;
    let tools = Tools::of_this_host()?;
    let gaia = std::env::current_exe().context("locating the gaia binary")?;
    let mut built = Built {
        tag: args.tag.clone(),
        id: None,
        contents: vec![
            ("/usr/local/bin/gaia", gaia),
            ("/usr/bin/docker", tools.docker.clone()),
            (
                "/usr/libexec/docker/cli-plugins/docker-compose",
                tools.compose.clone(),
            ),
        ],
    };
    if args.dry_run {
        printer.print(&built)?;
        return Ok(Outcome::Healthy);
    }
    let docker = Docker::connect().await?;
    let spinner = printer.spinner(format!("packing {} (gaia, docker, compose)", args.tag));
    let build = crate::image::build_id()?;
    let tag = args.tag.clone();
    let archive = tokio::task::spawn_blocking(move || gaia_archive(&tag, &tools, &build))
        .await
        .map_err(|e| Error::Failed(format!("packing the image stopped: {e}")))??;
    spinner.set_message(format!(
        "loading {} ({} MB) into the engine",
        args.tag,
        archive.len() >> 20
    ));
    let loaded = docker.load_images(archive).await;
    spinner.finish_and_clear();
    loaded.map_err(|e| Error::Failed(format!("the engine did not take {}: {e:#}", args.tag)))?;
    built.id = docker.image(&args.tag).await?.map(|image| image.id);
    printer.print(&built)?;
    Ok(Outcome::Healthy)
}

/// A tag the engine would take: `repo[:tag]`, lowercase repo, no spaces.
fn valid_tag(tag: &str) -> Result<()> {
    let (repo, version) = match tag.rsplit_once(':') {
        Some((repo, version)) if !version.contains('/') => (repo, Some(version)),
        _ => (tag, None),
    };
    let repo_ok = !repo.is_empty()
        && repo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:".contains(c));
    let version_ok = version.is_none_or(|v| {
        !v.is_empty()
            && v.len() <= 128
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    });
    if repo_ok && version_ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "`{tag}` is not an image tag: REPO[:TAG], the repository in lowercase"
        )))
    }
}

/// What the image holds, and its id once built.
struct Built {
    tag: String,
    id: Option<String>,
    contents: Vec<(&'static str, PathBuf)>,
}

impl Render for Built {
    fn human(&self, _printer: &Printer) -> String {
        let mut text = match &self.id {
            Some(id) => format!("built {} ({id})\n", self.tag),
            None => format!("would build {} from scratch, holding:\n", self.tag),
        };
        for (inside, from) in &self.contents {
            text.push_str(&format!("  {inside}  ← {}\n", from.display()));
        }
        text.push_str("  and the shared libraries they load, /etc/passwd (root), /tmp\n");
        if self.id.is_some() {
            text.push_str(
                "run it beside the stack: GAIA_ROOT=<the GAIA root> docker compose -f deploy/gaia-watch.yml up -d\n",
            );
        }
        text
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "gaia.image/1",
            "tag": self.tag,
            "id": self.id,
            "built": self.id.is_some(),
            "contents": self.contents.iter().map(|(inside, from)| serde_json::json!({
                "path": inside,
                "from": from.display().to_string(),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_before_anything_runs() {
        for good in ["gaia", "gaia:latest", "localhost:5000/ops/gaia:0.9.1"] {
            assert!(valid_tag(good).is_ok(), "{good}");
        }
        for bad in ["", "Gaia:latest", "gaia:", "gaia:la test", "gaia:x/y:"] {
            assert!(valid_tag(bad).is_err(), "{bad:?}");
        }
    }
}

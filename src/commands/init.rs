//! `gaia init [--write] [--diff]`: a `services.toml` drafted from the compose
//! files in the root, for a stack that is not the seed stack gaia knows.
//!
//! What compose says (services, container names, ports, healthchecks, GPUs,
//! profiles, restart policies, volumes, the network) is read through the one
//! compose model. What it cannot say (how a service is promoted, whether its
//! source is Python, the shared directories inside a volume, packages) comes
//! from the registry in use where that names the same service or volume, and
//! is a documented default otherwise; the draft says which, next to the value.

use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::compose::model::{ComposeModel, Gpus, ServiceDef};
use crate::config::Context;
use crate::error::{Error, Outcome, Result};
use crate::output::{Printer, Render};
use crate::registry::{self, HA_PROFILE, Registry};

pub(crate) const LIVE_FILE: &str = "docker-compose.yml";
pub(crate) const CANDIDATE_FILE: &str = "docker-compose.candidate.yml";
pub(crate) const HA_FILE: &str = "docker-compose.ha.yml";
const REGISTRY_FILE: &str = "services.toml";
const CANDIDATE_SUFFIX: &str = "-candidate";

pub(crate) async fn run(ctx: &Context, args: &InitArgs, config: Option<&Path>) -> Result<Outcome> {
    let root = &ctx.root;
    let model = read(root).await?;
    for (file, err) in &model.invalid {
        // Compose refused a set (a missing env file, say): gaia's own
        // reading of the same files still drafts the registry.
        ctx.printer.warn(format!("{file} {err}"));
    }
    let draft = draft(&model, &ctx.registry);
    let target = root.join(REGISTRY_FILE);
    if args.write {
        let existing = std::fs::read_to_string(&target).ok();
        if let Some(existing) = &existing
            && *existing != draft
            && !args.force
        {
            return Err(Error::Refused(format!(
                "{} exists and differs from the draft; see what would change with \
                 `gaia --config {} init --diff`, and pass --force to replace it",
                target.display(),
                target.display()
            )));
        }
        if existing.as_deref() != Some(draft.as_str()) {
            write_atomically(&target, &draft)?;
        }
    }
    let diff = args.diff.then(|| {
        let (in_use, name) = match config {
            Some(path) => (
                std::fs::read_to_string(path).unwrap_or_default(),
                path.display().to_string(),
            ),
            None => (
                registry::DEFAULT_REGISTRY.to_owned(),
                "built-in services.toml".to_owned(),
            ),
        };
        unified_diff(&in_use, &draft, &name)
    });
    ctx.printer.print(&Drafted {
        draft,
        diff,
        written: args.write.then_some(target),
    })?;
    Ok(Outcome::Healthy)
}

/// The compose files of `root` as init reads them: the live file alone, the
/// candidate file alone, and the candidate file with its HA overlay.
pub(crate) async fn read(root: &Path) -> Result<ComposeModel> {
    if !root.join(LIVE_FILE).is_file() {
        return Err(Error::PreFlight(format!(
            "no {LIVE_FILE} in {}: gaia init drafts the registry from the root's compose \
             files; name the root with --root",
            root.display()
        )));
    }
    let mut sets = vec![vec![LIVE_FILE.to_owned()]];
    if root.join(CANDIDATE_FILE).is_file() {
        sets.push(vec![CANDIDATE_FILE.to_owned()]);
        if root.join(HA_FILE).is_file() {
            sets.push(vec![CANDIDATE_FILE.to_owned(), HA_FILE.to_owned()]);
        }
    }
    let model = ComposeModel::read(root, &sets, &Default::default()).await;
    if let Some((file, err)) = model
        .invalid
        .iter()
        .find(|(_, err)| err.starts_with("is not valid YAML"))
    {
        return Err(Error::Config(format!("{file} {err}")));
    }
    Ok(model)
}

/// Writes `text` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a registry.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let failed =
        |err: std::io::Error| Error::Failed(format!("cannot write {}: {err}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|err| failed(err.error))?;
    Ok(())
}

fn unified_diff(in_use: &str, draft: &str, name: &str) -> String {
    similar::TextDiff::from_lines(in_use, draft)
        .unified_diff()
        .context_radius(3)
        .header(name, "draft")
        .to_string()
}

struct Drafted {
    draft: String,
    diff: Option<String>,
    written: Option<PathBuf>,
}

impl Render for Drafted {
    fn human(&self, _: &Printer) -> String {
        match (&self.diff, &self.written) {
            (Some(diff), _) if diff.is_empty() => {
                "the draft is the registry in use, line for line\n".to_owned()
            }
            (Some(diff), _) => diff.clone(),
            (None, Some(path)) => format!("wrote {}\n", path.display()),
            (None, None) => self.draft.clone(),
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "gaia.init/1",
            "draft": self.draft,
            "diff": self.diff,
            "written": self.written,
        })
    }
}

/// One service as the draft describes it.
struct Drafting<'m> {
    name: &'m str,
    def: &'m ServiceDef,
    files: Vec<&'static str>,
    stands_in_for: Option<String>,
    notes: Vec<String>,
}

/// The registry text for `model`: deterministic (compose order, live file
/// first), so drafting twice gives the same bytes.
pub(crate) fn draft<'m>(model: &'m ComposeModel, in_use: &Registry) -> String {
    let live_set = model.sets.first().map(|s| &s.services[..]).unwrap_or(&[]);
    let candidate_set = model.sets.get(1).map(|s| &s.services[..]).unwrap_or(&[]);
    let ha_set = model.sets.get(2).map(|s| &s.services[..]).unwrap_or(&[]);
    // By name: compose v2 sorts them, gaia's YAML reader keeps file order,
    // and the draft must not depend on which read the files.
    let sorted = |set: &'m [(String, ServiceDef)]| {
        let mut set: Vec<&'m (String, ServiceDef)> = set.iter().collect();
        set.sort_by(|a, b| a.0.cmp(&b.0));
        set
    };
    let (live_set, candidate_set) = (sorted(live_set), sorted(candidate_set));
    let live_names: Vec<&str> = live_set.iter().map(|(n, _)| n.as_str()).collect();
    let mut services: Vec<Drafting> = Vec::new();
    for (name, def) in live_set.iter().copied() {
        let stands_in_for = name
            .strip_suffix(CANDIDATE_SUFFIX)
            .filter(|live| live_names.contains(live))
            .map(str::to_owned);
        services.push(Drafting {
            name,
            def,
            files: vec![LIVE_FILE],
            stands_in_for,
            notes: Vec::new(),
        });
    }
    for (name, def) in candidate_set.iter().copied() {
        // The HA overlay changes what it touches: those run with it.
        let overlaid = ha_set.iter().find(|(n, d)| n == name && d != def);
        let (def, files) = match overlaid {
            Some((_, def)) => (def, vec![CANDIDATE_FILE, HA_FILE]),
            None => (def, vec![CANDIDATE_FILE]),
        };
        let live = name.strip_suffix(CANDIDATE_SUFFIX).unwrap_or(name);
        let mut notes = Vec::new();
        let stands_in_for = if live_names.contains(&live) {
            Some(live.to_owned())
        } else {
            notes.push(format!(
                "role: in {CANDIDATE_FILE}, but no live service `{live}` for it to stand in for"
            ));
            None
        };
        services.push(Drafting {
            name,
            def,
            files,
            stands_in_for,
            notes,
        });
    }

    let mut out = String::new();
    let files: Vec<&str> = model
        .sets
        .iter()
        .flat_map(|s| &s.files)
        .map(String::as_str)
        .fold(Vec::new(), |mut files, f| {
            if !files.contains(&f) {
                files.push(f);
            }
            files
        });
    out.push_str(&format!(
        "# The stack as gaia sees it, drafted by `gaia init` from\n# {}.\n\
         #\n\
         # Read from compose: services, container names, ports, health paths and\n\
         # ports (healthchecks), GPUs (device reservations), candidates (`-candidate`\n\
         # names, the candidate file and the HA overlay), required (no profile and a\n\
         # restart policy that keeps it running), volumes and the network.\n\
         # Not in compose: promote, python, source, shared_dirs and packages come\n\
         # from the registry in use where it names the same service or volume, and\n\
         # are defaults to review otherwise; the comment above a value says which.\n\
         # Use it with `gaia --config services.toml …` (or GAIA_CONFIG).\n",
        files.join(", ")
    ));

    let network = services
        .iter()
        .flat_map(|s| s.def.networks.first())
        .next()
        .map(|key| model.network_name(key).unwrap_or(key).to_owned())
        .unwrap_or_else(|| "default".to_owned());
    out.push_str(&format!("\n[stack]\nnetwork = {}\n", q(&network)));

    // Named volumes, in the order the services mount them.
    let mut volumes: Vec<(String, &str)> = Vec::new();
    for service in &services {
        for (key, mount) in &service.def.volumes {
            let name = model.volume_name(key).unwrap_or(key).to_owned();
            if !volumes.iter().any(|(n, _)| *n == name) {
                volumes.push((name, mount));
            }
        }
    }
    for (name, mount) in &volumes {
        out.push_str(&format!(
            "\n[[volume]]\nname = {}\nmount = {}\n",
            q(name),
            q(mount)
        ));
        match in_use.volume(name).filter(|v| !v.shared_dirs.is_empty()) {
            Some(known) => {
                out.push_str("# shared_dirs: from the registry in use.\nshared_dirs = [\n");
                for dir in &known.shared_dirs {
                    out.push_str(&format!(
                        "  {{ path = {}, owner = {} }},\n",
                        q(&dir.path),
                        dir.owner
                    ));
                }
                out.push_str("]\n");
            }
            None => out.push_str(
                "# shared_dirs: none; compose does not say which directories must exist inside.\n",
            ),
        }
    }

    let candidates: Vec<(String, Option<String>)> = services
        .iter()
        .map(|s| (s.name.to_owned(), s.stands_in_for.clone()))
        .collect();
    for service in &mut services {
        out.push('\n');
        out.push_str(&service_entry(model, in_use, service, &candidates));
    }

    let packages = &in_use.packages;
    if !packages.is_empty() {
        out.push_str("\n# packages: from the registry in use; compose has no word for them.\n");
    }
    for package in packages {
        out.push_str(&format!(
            "[[package]]\nname = {}\nsource = {}\ncandidate_source = {}\npython = {}\n",
            q(&package.name),
            q(&package.source),
            q(&package.candidate_source),
            package.python
        ));
    }
    out
}

fn service_entry(
    model: &ComposeModel,
    in_use: &Registry,
    service: &mut Drafting,
    all: &[(String, Option<String>)],
) -> String {
    let def = service.def;
    let name = service.name;
    let known = in_use.service(name);
    let mut fields: Vec<(&str, String)> = Vec::new();
    let mut notes = std::mem::take(&mut service.notes);
    fields.push(("name", q(name)));
    if let Some(container) = def.container_name.as_deref().filter(|c| *c != name) {
        fields.push(("container", q(container)));
    }
    let role = if service.stands_in_for.is_some() {
        "candidate"
    } else {
        "live"
    };
    fields.push(("role", q(role)));
    if let Some(live) = &service.stands_in_for {
        fields.push(("stands_in_for", q(live)));
    }
    let kept_running = matches!(def.restart.as_deref(), Some("always" | "unless-stopped"));
    let required = role == "live" && def.profiles.is_empty() && kept_running;
    fields.push(("required", required.to_string()));

    let health = health_url(&def.health_test);
    let published = def.ports.iter().find(|p| {
        p.published.is_some()
            && p.host_ip
                .as_deref()
                .is_none_or(|ip| ["", "0.0.0.0", "127.0.0.1", "::", "::1"].contains(&ip))
    });
    let port = match (published, health.as_ref().and_then(|h| h.0)) {
        (Some(p), _) => {
            fields.push(("host_port", p.published.unwrap_or(p.target).to_string()));
            p.target
        }
        (None, Some(port)) => {
            notes.push("port: from the healthcheck; nothing is published".into());
            port
        }
        (None, None) => match def.ports.first() {
            Some(p) => p.target,
            None => {
                notes.push("port: a default to review; compose names no port".into());
                80
            }
        },
    };
    fields.push(("port", port.to_string()));
    let health_path = match &health {
        Some((_, path)) => path.clone(),
        None => {
            notes.push("health_path: a default to review; no HTTP healthcheck in compose".into());
            "/health".to_owned()
        }
    };
    fields.push(("health_path", q(&health_path)));
    fields.push((
        "compose_files",
        format!(
            "[{}]",
            service
                .files
                .iter()
                .map(|f| q(f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
    let overlaid = service.files.contains(&HA_FILE);
    let profile = if overlaid && def.profiles.iter().any(|p| p == HA_PROFILE) {
        Some(HA_PROFILE)
    } else {
        def.profiles.last().map(String::as_str)
    };
    if let Some(profile) = profile {
        fields.push(("profile", q(profile)));
    }
    let image = match &def.image {
        Some(image) => image.clone(),
        None => {
            notes.push("image: compose builds it and names no tag; a default to review".into());
            format!("{name}:latest")
        }
    };
    fields.push(("image", q(&image)));
    match def
        .user
        .as_deref()
        .map(|u| u.split(':').next().unwrap_or(u))
    {
        Some(uid) if uid.parse::<u32>().is_ok() => fields.push(("user", uid.to_owned())),
        Some(user) => notes.push(format!("user: `{user}` is not a uid; left out")),
        None => {}
    }
    let gpu = match def.gpus {
        None | Some(Gpus::Count(0)) => "none",
        Some(Gpus::Count(1)) => "one",
        Some(_) => "all",
    };
    fields.push(("gpu", q(gpu)));

    let source = match (known, &service.stands_in_for) {
        (Some(k), _) => {
            notes.push("source, python: from the registry in use".into());
            k.source.clone()
        }
        (None, Some(live)) => {
            notes.push("source, python: defaults to review (candidates/<live>, not Python)".into());
            format!("candidates/{live}")
        }
        (None, None) => {
            notes
                .push("source, python: defaults to review (the service's name, not Python)".into());
            name.to_owned()
        }
    };
    fields.push(("source", q(&source)));
    let has_candidate = all.iter().any(|(_, live)| live.as_deref() == Some(name));
    if role == "live" && has_candidate {
        let promote = match known.and_then(|k| k.promote) {
            Some(p) => {
                notes.push("promote: from the registry in use".into());
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "files".into())
            }
            None => {
                notes.push("promote: a default to review".into());
                "files".to_owned()
            }
        };
        fields.push(("promote", q(&promote)));
    }
    if known.is_some_and(|k| k.python) {
        fields.push(("python", "true".into()));
    }
    let volumes: Vec<String> = def
        .volumes
        .iter()
        .map(|(key, _)| q(model.volume_name(key).unwrap_or(key)))
        .fold(Vec::new(), |mut names, n| {
            if !names.contains(&n) {
                names.push(n);
            }
            names
        });
    if !volumes.is_empty() {
        fields.push(("volumes", format!("[{}]", volumes.join(", "))));
    }
    let fallbacks: Vec<String> = def
        .environment
        .iter()
        .filter(|(env, _)| env.contains("FALLBACK"))
        .filter_map(|(env, value)| {
            let host = url_host(value)?;
            let (standby, _) = all.iter().find(|(n, live)| live.is_some() && n == host)?;
            Some(format!("{{ env = {}, standby = {} }}", q(env), q(standby)))
        })
        .collect();
    if !fallbacks.is_empty() {
        notes.push("fallbacks: the *FALLBACK* variables that name a candidate".into());
        fields.push(("fallbacks", format!("[{}]", fallbacks.join(", "))));
    }

    let mut out = String::new();
    for note in notes {
        out.push_str(&format!("# {note}.\n"));
    }
    out.push_str("[[service]]\n");
    for (key, value) in fields {
        out.push_str(&format!("{key} = {value}\n"));
    }
    out
}

/// The port and path of the local HTTP URL a healthcheck asks for.
fn health_url(test: &[String]) -> Option<(Option<u16>, String)> {
    let text = test.join(" ");
    let at = ["http://localhost", "http://127.0.0.1", "http://0.0.0.0"]
        .iter()
        .find_map(|prefix| text.find(prefix).map(|at| at + prefix.len()))?;
    let rest: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | ')'))
        .collect();
    let (port, path) = match rest.strip_prefix(':') {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            (after[..end].parse().ok(), &after[end..])
        }
        None => (None, rest.as_str()),
    };
    let path = if path.is_empty() { "/" } else { path };
    Some((port, path.to_owned()))
}

fn url_host(value: &str) -> Option<&str> {
    let rest = value.split_once("://")?.1;
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A TOML string.
fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

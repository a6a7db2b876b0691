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
    match &health {
        Some((_, path)) => fields.push(("health_path", q(path))),
        None => notes.push(
            "health_path: none, as compose gives it no HTTP healthcheck: only its Docker \
             state is checked"
                .into(),
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{GpuExpectation, Role};

    fn reference() -> PathBuf {
        // The real GAIA compose files, as the project keeps them beside the code.
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose")
    }

    async fn drafted(root: &Path, in_use: &Registry) -> (String, Registry) {
        let text = draft(&read(root).await.unwrap(), in_use);
        let registry = Registry::parse(&text, "draft")
            .unwrap_or_else(|e| panic!("the draft does not load: {e}\n{text}"));
        (text, registry)
    }

    #[tokio::test]
    async fn the_reference_files_draft_the_built_in_services() {
        let built_in = Registry::load(None).unwrap();
        let (text, draft) = drafted(&reference(), &built_in).await;
        assert_eq!(draft.network, built_in.network);
        let mut names: Vec<&str> = draft.services.iter().map(|s| s.name.as_str()).collect();
        let mut known: Vec<&str> = built_in.services.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        known.sort();
        assert_eq!(names, known);
        for service in &built_in.services {
            let drafted = draft.service(&service.name).unwrap();
            // Compose cannot say whether gaia-wiki is optional: it runs
            // whenever the stack does, so the draft calls it required.
            let mut drafted = drafted.clone();
            drafted.required = service.required;
            assert_eq!(format!("{drafted:?}"), format!("{service:?}"));
        }
        assert_eq!(draft.volumes, built_in.volumes);
        assert_eq!(draft.packages, built_in.packages);
        assert!(draft.service("gaia-wiki").unwrap().required);
        // Drafting again, or with the draft in use, gives the same bytes.
        assert_eq!(drafted(&reference(), &built_in).await.0, text);
        assert_eq!(drafted(&reference(), &draft).await.0, text);
    }

    fn write(dir: &Path, file: &str, text: &str) {
        std::fs::write(dir.join(file), text).unwrap();
    }

    const SERVICE: &str = "    image: x:1\n    restart: unless-stopped\n    networks: [net]\n";

    #[tokio::test]
    async fn a_stack_of_its_own_drafts_what_its_files_say() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            LIVE_FILE,
            &format!(
                "services:\n  api:\n{SERVICE}    ports: [\"127.0.0.1:9000:8000\"]\n    \
                 healthcheck:\n      test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:8000/ready\"]\n    \
                 deploy:\n      resources:\n        reservations:\n          devices:\n            \
                 - capabilities: [gpu]\n              count: 1\n    volumes: [data:/data]\n  \
                 worker:\n{SERVICE}    user: app\n  \
                 queue:\n{SERVICE}    healthcheck:\n      test: curl -f http://localhost:5672/\n  \
                 extra:\n{SERVICE}    profiles: [extras]\n    ports: [\"7000:7000\"]\n\
                 networks:\n  net:\n    name: my-net\nvolumes:\n  data:\n    name: my-data\n"
            ),
        );
        write(
            dir.path(),
            CANDIDATE_FILE,
            &format!(
                "services:\n  api-candidate:\n    image: x:1\n    restart: \"no\"\n    profiles: [full, api]\n    \
                 ports: [\"9001:8000\"]\n    volumes: [data:/data]\n  lonely-candidate:\n{SERVICE}\n\
                 networks:\n  net:\n    name: my-net\nvolumes:\n  data:\n    name: my-data\n"
            ),
        );
        let (text, draft) = drafted(dir.path(), &Registry::load(None).unwrap()).await;
        assert_eq!(draft.network, "my-net");
        assert_eq!(draft.volumes[0].name, "my-data");
        assert_eq!(draft.volumes[0].mount, "/data");
        let api = draft.service("api").unwrap();
        assert_eq!((api.host_port, api.port), (Some(9000), 8000));
        assert_eq!(api.health_path.as_deref(), Some("/ready"));
        assert_eq!(api.gpu, GpuExpectation::One);
        assert!(api.required);
        assert_eq!(api.promote, Some(registry::Promotion::Files));
        assert_eq!(api.volumes, ["my-data"]);
        // No published port and no healthcheck: a default port, said to be
        // one, and no HTTP check at all.
        let worker = draft.service("worker").unwrap();
        assert_eq!((worker.host_port, worker.port), (None, 80));
        assert_eq!(worker.health_path, None);
        assert!(text.contains("# health_path: none, as compose gives it no HTTP healthcheck"));
        assert_eq!(worker.user, None);
        assert!(text.contains("# user: `app` is not a uid; left out."));
        assert!(text.contains("# port: a default to review; compose names no port."));
        // No published port: the port comes from the healthcheck.
        let queue = draft.service("queue").unwrap();
        assert_eq!(
            (queue.host_port, queue.port, queue.health_path.as_deref()),
            (None, 5672, Some("/"))
        );
        let extra = draft.service("extra").unwrap();
        assert!(!extra.required);
        assert_eq!(extra.profile.as_deref(), Some("extras"));
        let candidate = draft.service("api-candidate").unwrap();
        assert_eq!(candidate.role, Role::Candidate);
        assert_eq!(candidate.stands_in_for.as_deref(), Some("api"));
        assert_eq!(candidate.profile.as_deref(), Some("api"));
        assert_eq!(candidate.source, "candidates/api");
        assert_eq!(draft.service("lonely-candidate").unwrap().role, Role::Live);
    }

    #[tokio::test]
    async fn the_reference_without_two_candidates_and_with_a_gpu_core_drafts_so() {
        let dir = tempfile::tempdir().unwrap();
        let live = std::fs::read_to_string(reference().join(LIVE_FILE))
            .unwrap()
            .replace(
                "    stop_grace_period: 25s\n",
                "    stop_grace_period: 25s\n    devices: [\"/dev/nvidia0\", \"/dev/nvidia1\"]\n",
            );
        write(dir.path(), LIVE_FILE, &live);
        let candidates = std::fs::read_to_string(reference().join(CANDIDATE_FILE)).unwrap();
        let kept: Vec<&str> = candidates
            .split("\n  gaia-")
            .filter(|s| {
                !s.starts_with("orchestrator-candidate") && !s.starts_with("audio-candidate")
            })
            .collect();
        write(dir.path(), CANDIDATE_FILE, &kept.join("\n  gaia-"));
        std::fs::copy(reference().join(HA_FILE), dir.path().join(HA_FILE)).unwrap();
        let (_, draft) = drafted(dir.path(), &Registry::load(None).unwrap()).await;
        assert!(draft.service("gaia-orchestrator-candidate").is_none());
        assert!(draft.service("gaia-audio-candidate").is_none());
        assert_eq!(draft.service("gaia-core").unwrap().gpu, GpuExpectation::All);
        // Nothing stands in for them now: nothing to promote.
        assert_eq!(draft.service("gaia-orchestrator").unwrap().promote, None);
        assert_eq!(draft.service("gaia-audio").unwrap().promote, None);
        let standby = draft.service("gaia-core-candidate").unwrap();
        assert_eq!(standby.compose_files, [CANDIDATE_FILE, HA_FILE]);
        assert_eq!(standby.profile.as_deref(), Some(HA_PROFILE));
        assert_eq!(
            draft.service("gaia-web-candidate").unwrap().compose_files,
            [CANDIDATE_FILE]
        );
    }

    #[tokio::test]
    async fn a_root_without_compose_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).await.unwrap_err();
        assert!(
            err.to_string().contains("no docker-compose.yml in"),
            "{err}"
        );
        write(dir.path(), LIVE_FILE, "services: [unclosed");
        let err = read(dir.path()).await.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("docker-compose.yml is not valid YAML"),
            "{err}"
        );
    }
}

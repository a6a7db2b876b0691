//! What `compose config` gave for a set of files, kept while nothing it
//! reads has changed: in memory, for `gaia watch`'s next run, and under
//! `.gaia/cache/` in the root, for the next one-shot `gaia doctor`. Running
//! compose three times was most of what a doctor run cost when nothing else
//! needed to look inside a container.
//!
//! Only what the model reads is kept, scrubbed of secrets: the file on disk
//! holds no value the doctor would not print. Fresh documents are cut the
//! same way, so a run served from the cache sees exactly what a run that
//! asked compose sees.

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, PoisonError};

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Where the documents are kept, under the root.
pub(crate) const FILE: &str = ".gaia/cache/compose-config.json";

/// What names the file's layout; a file of another layout is not read.
const SCHEMA: &str = "gaia.compose-cache/1";

/// The most sets of files kept (GAIA has three).
const KEPT: usize = 16;

/// A file read for the variables it interpolates only up to this size; a
/// bigger one is known by its size, time and inode alone.
const READ_AT_MOST: u64 = 256 * 1024;

/// The fields of a service the model reads; nothing else is kept.
const SERVICE_FIELDS: &[&str] = &[
    "container_name",
    "depends_on",
    "image",
    "user",
    "restart",
    "profiles",
    "ports",
    "healthcheck",
    "deploy",
    "devices",
    "volumes",
    "networks",
    "environment",
];

/// What `compose config` of a set of files depends on, as far as gaia can
/// tell without running it, as one digest: the compose program (its path,
/// size and time), the files of the set, every file directly in the root
/// (`.env`, and the files a compose file includes, extends or takes env
/// from, which GAIA keeps there) by size, time and inode, and the value of
/// every variable those files mention or compose reads itself (`COMPOSE_*`,
/// `DOCKER_*`). Only the digest is kept, never a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Key(String);

/// `$NAME` or `${NAME…}`: a variable compose would interpolate.
static MENTIONED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("a valid pattern"));

impl Key {
    pub(crate) fn of(root: &Path, files: &[String], program: &str) -> Key {
        Self::with_environment(root, files, program, std::env::vars_os())
    }

    fn with_environment(
        root: &Path,
        files: &[String],
        program: &str,
        environment: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Key {
        use std::os::unix::fs::MetadataExt as _;
        let mut digest = Sha256::new();
        let mut feed = |part: &[u8]| {
            digest.update((part.len() as u64).to_le_bytes());
            digest.update(part);
        };
        let facts = |path: &Path| {
            std::fs::metadata(path).map_or_else(
                |_| "absent".to_owned(),
                |m| format!("{} {} {} {}", m.len(), m.mtime(), m.mtime_nsec(), m.ino()),
            )
        };
        feed(root.as_os_str().as_encoded_bytes());
        feed(program.as_bytes());
        if let Some(installed) = super::tool::Compose::locate().ok().flatten() {
            feed(installed.path.as_os_str().as_encoded_bytes());
            feed(facts(&installed.path).as_bytes());
        }
        for file in files {
            feed(file.as_bytes());
        }
        let mut paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
        if let Ok(entries) = std::fs::read_dir(root) {
            paths.extend(
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.path()),
            );
        }
        paths.sort();
        paths.dedup();
        let mut mentioned: Vec<String> = Vec::new();
        for path in &paths {
            feed(path.as_os_str().as_encoded_bytes());
            feed(facts(path).as_bytes());
            let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= READ_AT_MOST);
            if let Some(text) = small.then(|| std::fs::read(path).ok()).flatten() {
                let text = String::from_utf8_lossy(&text);
                mentioned.extend(MENTIONED.captures_iter(&text).map(|c| c[1].to_owned()));
            }
        }
        let mut variables: Vec<(String, String)> = environment
            .filter_map(|(name, value)| {
                let name = name.into_string().ok()?;
                let read = name.starts_with("COMPOSE_")
                    || name.starts_with("DOCKER_")
                    || mentioned.contains(&name);
                read.then(|| (name, value.to_string_lossy().into_owned()))
            })
            .collect();
        variables.sort();
        for (name, value) in variables {
            feed(name.as_bytes());
            feed(value.as_bytes());
        }
        Key(hex::encode(digest.finalize()))
    }
}

/// What the model reads of a compose document, with every secret hidden.
pub(crate) fn kept(doc: &Value) -> Value {
    let mut kept = Map::new();
    if let Some(services) = doc["services"].as_object() {
        let services: Map<String, Value> = services
            .iter()
            .map(|(key, definition)| {
                let fields = SERVICE_FIELDS
                    .iter()
                    .filter_map(|field| Some((field.to_string(), definition.get(*field)?.clone())));
                (key.clone(), Value::Object(fields.collect()))
            })
            .collect();
        kept.insert("services".into(), Value::Object(services));
    }
    for section in ["networks", "volumes"] {
        if let Some(entries) = doc.get(section) {
            kept.insert(section.into(), entries.clone());
        }
    }
    let mut kept = Value::Object(kept);
    crate::secrets::scrub_json(&mut kept);
    kept
}

#[derive(Default, Serialize, Deserialize)]
struct Kept {
    schema: String,
    entries: Vec<Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    key: Key,
    root: PathBuf,
    files: Vec<String>,
    document: Value,
}

static IN_MEMORY: LazyLock<Mutex<Vec<Entry>>> = LazyLock::new(Mutex::default);

/// The document kept for `key`: from memory, else from the root's cache file.
pub(crate) fn remembered(root: &Path, key: &Key) -> Option<Value> {
    let mut memory = IN_MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = memory.iter().find(|e| e.key == *key) {
        return Some(entry.document.clone());
    }
    let entry = read(root).entries.into_iter().find(|e| e.key == *key)?;
    let document = entry.document.clone();
    keep(&mut memory, entry);
    Some(document)
}

/// Keeps `document` (already cut by `kept`) for `key`, in memory and on
/// disk. A root gaia cannot write to only costs the next run a compose call.
pub(crate) fn remember(root: &Path, key: Key, files: &[String], document: &Value) {
    let entry = Entry {
        key,
        root: root.to_owned(),
        files: files.to_vec(),
        document: document.clone(),
    };
    keep(
        &mut IN_MEMORY.lock().unwrap_or_else(PoisonError::into_inner),
        entry.clone(),
    );
    let mut on_disk = read(root);
    keep(&mut on_disk.entries, entry);
    on_disk.schema = SCHEMA.into();
    if let Err(err) = write(root, &on_disk) {
        tracing::debug!(%err, "the compose documents were not kept on disk");
    }
}

/// Adds `entry`, replacing what was kept for the same files, oldest out first.
fn keep(entries: &mut Vec<Entry>, entry: Entry) {
    entries.retain(|e| e.files != entry.files || e.root != entry.root);
    if entries.len() >= KEPT {
        entries.remove(0);
    }
    entries.push(entry);
}

/// The cache file, or nothing kept when it is absent, unreadable or of
/// another layout: it is only ever a shortcut.
fn read(root: &Path) -> Kept {
    std::fs::read(root.join(FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|kept| kept.schema == SCHEMA)
        .unwrap_or_default()
}

/// Written whole or not at all: a reader never sees half a file.
fn write(root: &Path, kept: &Kept) -> std::io::Result<()> {
    let path = root.join(FILE);
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)?;
    let mut partial = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut partial, kept)?;
    partial.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// How many documents each root keeps in memory (for tests).
#[cfg(test)]
fn in_memory(root: &Path) -> usize {
    IN_MEMORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|e| e.root == root)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<String> {
        vec!["docker-compose.yml".to_owned()]
    }

    #[test]
    fn the_key_changes_with_any_file_in_the_root_and_with_a_mentioned_variable() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("docker-compose.yml"),
            "services: {a: {image: \"${GAIA_TEST_IMAGE_TAG}\"}}\n",
        )
        .unwrap();
        let key = |program: &str, variables: &[(&str, &str)]| {
            let environment = variables.iter().map(|(n, v)| (n.into(), v.into()));
            Key::with_environment(
                root,
                &files(),
                program,
                environment.collect::<Vec<_>>().into_iter(),
            )
        };
        let first = key("docker compose", &[]);
        assert_eq!(
            key("docker compose", &[]),
            first,
            "nothing changed, the same key"
        );
        std::fs::write(root.join(".env"), "PRIME_MODEL=other\n").unwrap();
        let with_env = key("docker compose", &[]);
        assert_ne!(with_env, first, "an .env beside the files");
        let mentioned = key("docker compose", &[("GAIA_TEST_IMAGE_TAG", "v2")]);
        assert_ne!(mentioned, with_env, "a variable a file mentions");
        let project = key("docker compose", &[("COMPOSE_PROJECT_NAME", "other")]);
        assert_ne!(project, with_env, "a variable compose reads itself");
        let unrelated = key("docker compose", &[("GAIA_TEST_NOT_MENTIONED", "x")]);
        assert_eq!(unrelated, with_env, "a variable no file mentions");
        assert_ne!(
            key("docker-compose", &[]),
            with_env,
            "another compose program"
        );
    }

    #[test]
    fn a_document_is_kept_on_disk_without_its_secrets_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("docker-compose.yml"), "services: {}\n").unwrap();
        let key = Key::of(root, &files(), "docker compose");
        assert_eq!(remembered(root, &key), None);
        let fresh = serde_json::json!({
            "name": "gaia",
            "services": {"gaia-web": {
                "image": "gaia-web:latest",
                "command": ["--token", "not-kept"],
                "environment": {
                    "DISCORD_BOT_TOKEN": "abc-very-secret",
                    "CORE_ENDPOINT": "http://gaia:hunter22@gaia-core:6415",
                },
            }},
            "networks": {"gaia-net": {"name": "gaia-net"}},
        });
        let document = kept(&fresh);
        remember(root, key.clone(), &files(), &document);
        let on_disk = std::fs::read_to_string(root.join(FILE)).unwrap();
        for secret in ["abc-very-secret", "hunter22", "not-kept"] {
            assert!(!on_disk.contains(secret), "{secret} in {on_disk}");
        }
        assert!(on_disk.contains("gaia-web:latest"), "{on_disk}");
        assert!(document["services"]["gaia-web"].get("command").is_none());
        assert_eq!(document["networks"]["gaia-net"]["name"], "gaia-net");

        // A new process has nothing in memory: the file serves it.
        IN_MEMORY.lock().unwrap().retain(|e| e.root != root);
        assert_eq!(remembered(root, &key), Some(document.clone()));
        assert_eq!(in_memory(root), 1);

        // Another state of the files replaces the entry of the same files.
        std::fs::write(root.join("docker-compose.yml"), "services: {b: {}}\n").unwrap();
        let changed = Key::of(root, &files(), "docker compose");
        assert_eq!(remembered(root, &changed), None);
        remember(root, changed.clone(), &files(), &document);
        assert_eq!(in_memory(root), 1, "one kept per set of files");
        assert_eq!(read(root).entries.len(), 1, "one kept per set of files");

        // A damaged file is no file, never an error.
        std::fs::write(root.join(FILE), "{ half").unwrap();
        IN_MEMORY.lock().unwrap().retain(|e| e.root != root);
        assert_eq!(remembered(root, &changed), None);
    }
}

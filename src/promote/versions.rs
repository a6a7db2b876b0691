//! The versions promotions replaced, kept so that `gaia rollback --to <id>`
//! can go back further than the one `<service>.bak`: each in
//! `.gaia/versions/<service>/<id>/`, a `version.json` naming it and, for a
//! service promoted by files, `files/`, a copy of the live tree it replaced
//! (minus excludes). Its image is kept as a tag (`<repo>:gaia-<id>`), made
//! and removed by the caller, which talks to the engine.
//!
//! A version is written under `<id>.partial` and renamed into place once
//! whole, so a kept version is whole or absent; a leftover of a run that
//! died midway is removed by the next prune.

use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::audit::Version;
use super::tree::{self, Excludes, Links};
use crate::error::{Error, Result};

/// Where the versions of every service are kept, in the GAIA root.
pub(crate) const STORE: &str = ".gaia/versions";

/// The shortest id prefix `--to` accepts: shorter ones would match by chance.
pub(crate) const MIN_PREFIX: usize = 4;

/// Suffixes of a version that is not (yet, or any more) whole.
const PARTIAL: &str = "partial";
const OLD: &str = "old";

/// One kept version: its `version.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Kept {
    pub(crate) id: String,
    pub(crate) service: String,
    pub(crate) image_id: Option<String>,
    pub(crate) digest: Option<String>,
    /// When it was kept (RFC 3339, milliseconds): the newest are kept longest.
    pub(crate) kept_at: String,
    /// The run of the promotion that replaced it (the audit log's `run`).
    pub(crate) run: String,
    /// Whether `files/` holds its files.
    pub(crate) files: bool,
    /// The tag its image is kept under, when it was kept.
    pub(crate) image_tag: Option<String>,
}

impl Kept {
    /// `version` of `service`, replaced by the promotion `run`, kept now.
    pub(crate) fn new(service: &str, version: &Version, run: &str) -> Option<Kept> {
        Some(Kept {
            id: version.id()?,
            service: service.to_owned(),
            image_id: version.image_id.clone(),
            digest: version.digest.clone(),
            kept_at: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            run: run.to_owned(),
            files: false,
            image_tag: None,
        })
    }

    /// Its files, in the store of `root`.
    pub(crate) fn files_dir(&self, root: &Path) -> PathBuf {
        dir(root, &self.service).join(&self.id).join("files")
    }
}

/// The versions of `service`, in the store of `root`.
pub(crate) fn dir(root: &Path, service: &str) -> PathBuf {
    root.join(STORE).join(service)
}

fn failed(path: &Path, what: &str, err: impl std::fmt::Display) -> Error {
    Error::Failed(format!("cannot {what} {}: {err}", path.display()))
}

fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(path, "remove", e)),
        _ => Ok(()),
    }
}

/// Keeps `kept` in the store of `root`, with a copy of the tree at `files`
/// when given; a version kept before under the same id is replaced whole.
pub(crate) fn keep(
    root: &Path,
    mut kept: Kept,
    files: Option<&Path>,
    excludes: &Excludes,
) -> Result<Kept> {
    let service = dir(root, &kept.service);
    tree::inside_without_links(root, &service)?;
    let (partial, whole, old) = (
        service.join(format!("{}.{PARTIAL}", kept.id)),
        service.join(&kept.id),
        service.join(format!("{}.{OLD}", kept.id)),
    );
    remove_dir(&partial)?;
    // The store holds copies of source trees: its owner's alone.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&partial)
        .map_err(|e| failed(&partial, "create", e))?;
    if let Some(files) = files {
        let copy = partial.join("files");
        std::fs::create_dir(&copy).map_err(|e| failed(&copy, "create", e))?;
        tree::mirror(files, &copy, excludes, Links::AsTheyAre)?;
        kept.files = true;
    }
    let json = serde_json::to_vec_pretty(&kept).expect("a kept version always serializes");
    let record = partial.join("version.json");
    std::fs::write(&record, json).map_err(|e| failed(&record, "write", e))?;
    remove_dir(&old)?;
    if whole.exists() {
        std::fs::rename(&whole, &old).map_err(|e| failed(&whole, "move", e))?;
    }
    std::fs::rename(&partial, &whole).map_err(|e| failed(&partial, "move", e))?;
    remove_dir(&old)?;
    Ok(kept)
}

/// The whole versions of `service`, newest first. A directory whose
/// `version.json` cannot be read is not a version gaia kept: left alone.
pub(crate) fn list(root: &Path, service: &str) -> Result<Vec<Kept>> {
    let dir = dir(root, service);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(failed(&dir, "read", e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| failed(&dir, "read", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.contains('.') {
            continue;
        }
        let Ok(text) = std::fs::read(entry.path().join("version.json")) else {
            continue;
        };
        match serde_json::from_slice::<Kept>(&text) {
            Ok(kept) if kept.id == name && kept.service == service => found.push(kept),
            _ => continue,
        }
    }
    found.sort_by(|a, b| b.kept_at.cmp(&a.kept_at).then_with(|| a.id.cmp(&b.id)));
    Ok(found)
}

/// Removes every version of `service` but the newest `keep`, and what runs
/// that died midway left: the versions removed (their image tags are the
/// caller's to remove), and what could not be removed, each said.
pub(crate) fn prune(root: &Path, service: &str, keep: usize) -> (Vec<Kept>, Vec<String>) {
    let (mut removed, mut problems) = (Vec::new(), Vec::new());
    let dir = dir(root, service);
    if let Err(err) = tree::inside_without_links(root, &dir) {
        return (removed, vec![err.to_string()]);
    }
    match list(root, service) {
        Ok(kept) => {
            for version in kept.into_iter().skip(keep) {
                match remove_dir(&dir.join(&version.id)) {
                    Ok(()) => removed.push(version),
                    Err(err) => problems.push(err.to_string()),
                }
            }
        }
        Err(err) => problems.push(err.to_string()),
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let leftover = name.ends_with(&format!(".{PARTIAL}")) || name.ends_with(&format!(".{OLD}"));
        if leftover && let Err(err) = remove_dir(&entry.path()) {
            problems.push(err.to_string());
        }
    }
    (removed, problems)
}

/// The kept version of `service` whose id starts with `prefix`; a usage
/// error, naming the kept ids, when none or several do.
pub(crate) fn find(root: &Path, service: &str, prefix: &str) -> Result<Kept> {
    let kept = list(root, service)?;
    let ids = || {
        if kept.is_empty() {
            format!("no version of {service} is kept")
        } else {
            let ids: Vec<&str> = kept.iter().map(|k| k.id.as_str()).collect();
            format!("kept versions of {service}: {}", ids.join(", "))
        }
    };
    if prefix.len() < MIN_PREFIX {
        return Err(Error::Config(format!(
            "--to {prefix}: give at least {MIN_PREFIX} characters of a version id ({})",
            ids()
        )));
    }
    let mut matching = kept.iter().filter(|k| k.id.starts_with(prefix));
    match (matching.next(), matching.next()) {
        (Some(one), None) => Ok(one.clone()),
        (None, _) => Err(Error::Config(format!(
            "--to {prefix}: no kept version of {service} has that id ({}; `gaia rollback \
             {service} --list`)",
            ids()
        ))),
        (Some(_), Some(_)) => Err(Error::Config(format!(
            "--to {prefix}: more than one kept version of {service} starts so; give more of \
             the id ({})",
            ids()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excludes() -> Excludes {
        Excludes::new(&["__pycache__".into()])
    }

    fn version(image: &str, digest: &str) -> Version {
        Version {
            image_id: Some(image.into()),
            digest: Some(digest.into()),
        }
    }

    fn kept(root: &Path, id_of: &Version, at: &str) -> Kept {
        let mut kept = Kept::new("gaia-core", id_of, "run-1").unwrap();
        kept.kept_at = at.into();
        let files = root.join("live");
        std::fs::create_dir_all(files.join("__pycache__")).unwrap();
        std::fs::write(files.join("VERSION"), at).unwrap();
        std::fs::write(files.join("__pycache__/x.pyc"), "bytecode").unwrap();
        keep(root, kept, Some(&files), &excludes()).unwrap()
    }

    #[test]
    fn a_version_is_kept_whole_with_its_files_minus_excludes() {
        let root = tempfile::tempdir().unwrap();
        let v = version("sha256:aa", "d1");
        let kept = kept(root.path(), &v, "2026-12-01T08:00:00.000Z");
        assert!(kept.files);
        let files = kept.files_dir(root.path());
        assert_eq!(
            std::fs::read_to_string(files.join("VERSION")).unwrap(),
            "2026-12-01T08:00:00.000Z"
        );
        assert!(!files.join("__pycache__").exists());
        assert_eq!(
            list(root.path(), "gaia-core").unwrap(),
            std::slice::from_ref(&kept)
        );
        assert_eq!(kept.id, v.id().unwrap());
        // Kept again under the same id: replaced, one version still.
        let again = self::kept(root.path(), &v, "2026-12-01T09:00:00.000Z");
        assert_eq!(list(root.path(), "gaia-core").unwrap(), [again]);
        let names: Vec<String> = std::fs::read_dir(dir(root.path(), "gaia-core"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [kept.id]);
    }

    #[test]
    fn pruning_keeps_the_newest_and_removes_leftovers() {
        let root = tempfile::tempdir().unwrap();
        let oldest = kept(
            root.path(),
            &version("sha256:aa", "d1"),
            "2026-12-01T08:00:00.000Z",
        );
        let middle = kept(
            root.path(),
            &version("sha256:aa", "d2"),
            "2026-12-01T09:00:00.000Z",
        );
        let newest = kept(
            root.path(),
            &version("sha256:bb", "d2"),
            "2026-12-01T10:00:00.000Z",
        );
        let leftover = dir(root.path(), "gaia-core").join("abc.partial");
        std::fs::create_dir_all(&leftover).unwrap();
        let (removed, problems) = prune(root.path(), "gaia-core", 2);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(removed, std::slice::from_ref(&oldest));
        assert!(!leftover.exists());
        assert!(!dir(root.path(), "gaia-core").join(&oldest.id).exists());
        assert_eq!(
            list(root.path(), "gaia-core").unwrap(),
            [newest.clone(), middle.clone()]
        );
        let (removed, _) = prune(root.path(), "gaia-core", 0);
        assert_eq!(removed, [newest, middle]);
        assert!(list(root.path(), "gaia-core").unwrap().is_empty());
    }

    #[test]
    fn an_id_prefix_finds_one_version_and_a_wrong_one_lists_the_kept_ids() {
        let root = tempfile::tempdir().unwrap();
        let one = kept(
            root.path(),
            &version("sha256:aa", "d1"),
            "2026-12-01T08:00:00.000Z",
        );
        let two = kept(
            root.path(),
            &version("sha256:aa", "d2"),
            "2026-12-01T09:00:00.000Z",
        );
        assert_eq!(find(root.path(), "gaia-core", &one.id[..6]).unwrap(), one);
        assert_eq!(find(root.path(), "gaia-core", &two.id).unwrap(), two);
        for wrong in ["zzzzzz", &one.id[..3]] {
            let err = find(root.path(), "gaia-core", wrong).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err}");
            assert!(
                err.to_string().contains(&one.id) && err.to_string().contains(&two.id),
                "{err}"
            );
        }
        let err = find(root.path(), "gaia-web", "abcd").unwrap_err();
        assert!(
            err.to_string().contains("no version of gaia-web is kept"),
            "{err}"
        );
    }

    #[test]
    fn a_prefix_two_ids_share_is_refused() {
        let root = tempfile::tempdir().unwrap();
        for id in ["abcd1111aaaa", "abcd2222bbbb"] {
            let mut kept = Kept::new("gaia-core", &version("sha256:aa", id), "run").unwrap();
            kept.id = id.into();
            keep(root.path(), kept, None, &excludes()).unwrap();
        }
        let err = find(root.path(), "gaia-core", "abcd").unwrap_err();
        assert!(err.to_string().contains("more than one"), "{err}");
        assert_eq!(
            find(root.path(), "gaia-core", "abcd2").unwrap().id,
            "abcd2222bbbb"
        );
    }

    #[test]
    fn a_version_without_files_is_kept_too() {
        let root = tempfile::tempdir().unwrap();
        let kept = Kept::new("gaia-prime", &version("sha256:cc", "d"), "run").unwrap();
        let kept = keep(root.path(), kept, None, &excludes()).unwrap();
        assert!(!kept.files);
        assert!(!kept.files_dir(root.path()).exists());
        assert_eq!(list(root.path(), "gaia-prime").unwrap(), [kept]);
    }
}

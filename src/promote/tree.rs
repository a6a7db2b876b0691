//! Source trees on the GAIA host: compared, digested, mirrored and backed
//! up, always minus the excluded names (`.git`, `__pycache__`, `*.pyc`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The names a promotion never copies and never removes.
pub(crate) struct Excludes(Vec<String>);

impl Excludes {
    pub(crate) fn new(patterns: &[String]) -> Excludes {
        Excludes(patterns.to_vec())
    }

    /// Whether a file or directory called `name` is left alone.
    pub(crate) fn skips(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|pattern| match pattern.strip_prefix('*') {
                Some(suffix) => name.ends_with(suffix),
                None => name == pattern,
            })
    }
}

fn failed(path: &Path, what: &str, err: std::io::Error) -> Error {
    Error::Failed(format!("cannot {what} {}: {err}", path.display()))
}

/// Every file below `root` that is not excluded, by relative path.
pub(crate) fn files(root: &Path, excludes: &Excludes) -> Result<BTreeMap<PathBuf, PathBuf>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| failed(&dir, "read", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| failed(&dir, "read", e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if excludes.skips(&name) {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| failed(&path, "inspect", e))?;
            if kind.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("below root").to_owned();
                found.insert(relative, path);
            }
        }
    }
    Ok(found)
}

/// A digest of a tree's paths and contents: equal trees, equal digests.
pub(crate) fn digest(root: &Path, excludes: &Excludes) -> Result<String> {
    let mut hasher = Sha256::new();
    for (relative, path) in files(root, excludes)? {
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(std::fs::read(&path).map_err(|e| failed(&path, "read", e))?);
        hasher.update([0]);
    }
    Ok(hex::encode(hasher.finalize())[..16].to_owned())
}

/// Makes `target` hold what `source` holds (minus excludes): copies every
/// file that differs and removes what `source` lacks. Excluded names in
/// `target` are left where they are.
pub(crate) fn mirror(source: &Path, target: &Path, excludes: &Excludes) -> Result<()> {
    let wanted = files(source, excludes)?;
    for (relative, from) in &wanted {
        let to = target.join(relative);
        let same = std::fs::read(&to).ok()
            == Some(std::fs::read(from).map_err(|e| failed(from, "read", e))?);
        if same {
            continue;
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| failed(dir, "create", e))?;
        }
        std::fs::copy(from, &to).map_err(|e| failed(&to, "write", e))?;
    }
    if target.exists() {
        for (relative, path) in files(target, excludes)? {
            if !wanted.contains_key(&relative) {
                std::fs::remove_file(&path).map_err(|e| failed(&path, "remove", e))?;
            }
        }
    }
    Ok(())
}

/// Copies `live` to `backup` whole or not at all: into a partial copy
/// first, which replaces the old backup only once complete.
pub(crate) fn back_up(live: &Path, backup: &Path, excludes: &Excludes) -> Result<()> {
    let partial = backup.with_extension("bak.partial");
    let old = backup.with_extension("bak.old");
    for leftover in [&partial, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover).map_err(|e| failed(leftover, "remove", e))?;
        }
    }
    std::fs::create_dir_all(&partial).map_err(|e| failed(&partial, "create", e))?;
    mirror(live, &partial, excludes)?;
    if backup.exists() {
        std::fs::rename(backup, &old).map_err(|e| failed(backup, "move", e))?;
    }
    std::fs::rename(&partial, backup).map_err(|e| failed(&partial, "move", e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| failed(&old, "remove", e))?;
    }
    Ok(())
}

/// Whether `a` and `b` hold the same bytes (a missing file equals nothing).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::read(a).ok() == std::fs::read(b).ok()
}

/// The tree as a tar, the build context of `docker build`.
pub(crate) fn context_archive(root: &Path, excludes: &Excludes) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for (relative, path) in files(root, excludes)? {
        tar.append_path_with_name(&path, &relative)
            .map_err(|e| failed(&path, "pack", e))?;
    }
    tar.into_inner().map_err(|e| failed(root, "pack", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excludes() -> Excludes {
        Excludes::new(&[".git".into(), "__pycache__".into(), "*.pyc".into()])
    }

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn mirroring_copies_changes_removes_extras_and_skips_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let (candidate, live) = (dir.path().join("candidate"), dir.path().join("live"));
        write(&candidate, "main.py", "new");
        write(&candidate, "pkg/util.py", "util");
        write(&candidate, ".git/HEAD", "ref");
        write(
            &candidate,
            "pkg/__pycache__/util.cpython-311.pyc",
            "bytecode",
        );
        write(&live, "main.py", "old");
        write(&live, "gone.py", "extra");
        write(&live, "keep.pyc", "live bytecode");

        mirror(&candidate, &live, &excludes()).unwrap();
        assert_eq!(
            std::fs::read_to_string(live.join("main.py")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(live.join("pkg/util.py")).unwrap(),
            "util"
        );
        assert!(!live.join("gone.py").exists());
        assert!(!live.join(".git").exists());
        assert!(!live.join("pkg/__pycache__").exists());
        assert!(
            live.join("keep.pyc").exists(),
            "excluded files in live stay"
        );
        assert_eq!(
            digest(&candidate, &excludes()).unwrap(),
            digest(&live, &excludes()).unwrap()
        );
    }

    #[test]
    fn a_backup_replaces_the_old_one_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let (live, backup) = (
            dir.path().join("gaia-core"),
            dir.path().join("gaia-core.bak"),
        );
        write(&live, "VERSION", "1.0.0");
        write(&backup, "VERSION", "0.9.0");
        back_up(&live, &backup, &excludes()).unwrap();
        assert_eq!(
            std::fs::read_to_string(backup.join("VERSION")).unwrap(),
            "1.0.0"
        );
        assert!(!dir.path().join("gaia-core.bak.partial").exists());
        assert!(!dir.path().join("gaia-core.bak.old").exists());
    }
}

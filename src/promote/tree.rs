//! Source trees on the GAIA host: compared, digested, mirrored and backed
//! up, always minus the excluded names (`.git`, `__pycache__`, `*.pyc`).
//!
//! No link is ever followed, in the tree read or in the tree written: a
//! link is copied as a link, so what it points at is never read and never
//! written. A candidate's links must lead somewhere inside the candidate
//! (live becomes the same tree, so they then lead inside live); FIFOs,
//! sockets and devices are never copied (opening a FIFO blocks forever).
//! Every file is written under a temporary name beside its target and
//! renamed over it: a reader, a hard link to the old file or a copy that
//! stops midway sees the old file or the new one, whole, never a mix.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::fs::{File, Permissions};
use std::io::{self, Read as _};
use std::os::unix::fs::{
    FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _,
};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The names a promotion never copies and never removes.
#[derive(Debug, Clone)]
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

/// What a tree holds at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A regular file: its permission bits (setuid, setgid and sticky
    /// dropped: a copy never grants more than read, write and execute) and size.
    File { mode: u32, len: u64 },
    /// A symbolic link, by its text.
    Link(PathBuf),
    /// A FIFO, socket or device: never copied.
    Special(&'static str),
}

/// What a tree's links may point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    /// A candidate's: inside the tree, through no excluded name.
    StayInside,
    /// gaia's own trees (live, its backup): kept as they are, never followed.
    AsTheyAre,
}

/// A tree by relative path, directories implied by what they hold.
pub(crate) type Tree = BTreeMap<PathBuf, Node>;

/// Links followed while resolving one link, as the kernel allows.
const MAX_HOPS: usize = 40;

/// Temporary names in live start so, and are removed by the next copy if
/// a run dies before renaming them.
const TEMP_PREFIX: &str = ".gaia-tmp-";

fn failed(path: &Path, what: &str, err: impl std::fmt::Display) -> Error {
    Error::Failed(format!("cannot {what} {}: {err}", path.display()))
}

/// Every file, link and special file below `root` that is not excluded,
/// found without following a link.
pub(crate) fn walk(root: &Path, excludes: &Excludes, links: Links) -> Result<Tree> {
    let mut found = Tree::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(dir) = pending.pop() {
        let at = root.join(&dir);
        let entries = std::fs::read_dir(&at).map_err(|e| failed(&at, "read", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| failed(&at, "read", e))?;
            let name = entry.file_name();
            if excludes.skips(&name.to_string_lossy()) {
                continue;
            }
            let relative = dir.join(&name);
            let path = root.join(&relative);
            let meta = std::fs::symlink_metadata(&path).map_err(|e| failed(&path, "inspect", e))?;
            let kind = meta.file_type();
            let node = if kind.is_dir() {
                pending.push(relative);
                continue;
            } else if kind.is_file() {
                Node::File {
                    mode: meta.mode() & 0o777,
                    len: meta.len(),
                }
            } else if kind.is_symlink() {
                let text = std::fs::read_link(&path).map_err(|e| failed(&path, "read", e))?;
                if links == Links::StayInside
                    && let Err(why) = stays_inside(root, &relative, &text, excludes)
                {
                    return Err(Error::Refused(format!(
                        "{} is a link to {}: {why}; a candidate's links must stay inside it",
                        path.display(),
                        text.display()
                    )));
                }
                Node::Link(text)
            } else {
                Node::Special(special(&kind))
            };
            found.insert(relative, node);
        }
    }
    Ok(found)
}

fn special(kind: &std::fs::FileType) -> &'static str {
    if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() {
        "block device"
    } else if kind.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

/// Refuses a tree that holds what is never copied, naming the first.
fn copyable(root: &Path, tree: &Tree) -> Result<()> {
    match tree.iter().find_map(|(relative, node)| match node {
        Node::Special(kind) => Some((relative, kind)),
        _ => None,
    }) {
        Some((relative, kind)) => Err(not_copied(&root.join(relative), kind)),
        None => Ok(()),
    }
}

fn not_copied(path: &Path, kind: &str) -> Error {
    Error::Refused(format!(
        "{} is a {kind}: only files, directories and links are copied",
        path.display()
    ))
}

/// One step of a link's text.
enum Part {
    Root,
    Up,
    Name(OsString),
}

fn parts(path: &Path) -> Vec<Part> {
    path.components()
        .filter_map(|c| match c {
            Component::Prefix(_) | Component::RootDir => Some(Part::Root),
            Component::CurDir => None,
            Component::ParentDir => Some(Part::Up),
            Component::Normal(name) => Some(Part::Name(name.to_owned())),
        })
        .collect()
}

/// Resolves the link at `link` (relative to `root`) as the kernel would,
/// following the tree's own links on the way, and says why it leaves the
/// tree if it does. Resolving by text alone is not enough: `a/up/..` where
/// `a/up` links to `..` leads out although its text stays in.
fn stays_inside(root: &Path, link: &Path, text: &Path, excludes: &Excludes) -> Result<(), String> {
    let mut at: Vec<OsString> = link
        .parent()
        .into_iter()
        .flat_map(Path::iter)
        .map(ToOwned::to_owned)
        .collect();
    let mut todo: VecDeque<Part> = parts(text).into();
    let mut hops = 0;
    while let Some(part) = todo.pop_front() {
        match part {
            Part::Root => return Err("it is absolute".into()),
            Part::Up => {
                if at.pop().is_none() {
                    return Err("it leads out of the tree".into());
                }
            }
            Part::Name(name) => {
                if excludes.skips(&name.to_string_lossy()) {
                    return Err(format!(
                        "it leads through {}, which is never copied",
                        name.to_string_lossy()
                    ));
                }
                at.push(name);
                let here = root.join(at.iter().collect::<PathBuf>());
                if std::fs::symlink_metadata(&here).is_ok_and(|m| m.file_type().is_symlink()) {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return Err("it goes round a loop of links".into());
                    }
                    let next = std::fs::read_link(&here).map_err(|e| e.to_string())?;
                    at.pop();
                    for part in parts(&next).into_iter().rev() {
                        todo.push_front(part);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Opens a regular file for reading, never through a link and never
/// blocking on a FIFO put in its place.
fn open_regular(path: &Path) -> io::Result<File> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

fn content(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_regular(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A digest of a tree's paths, contents and links: equal trees, equal digests.
pub(crate) fn digest(root: &Path, excludes: &Excludes) -> Result<String> {
    let mut hasher = Sha256::new();
    for (relative, node) in walk(root, excludes, Links::AsTheyAre)? {
        hasher.update(relative.to_string_lossy().as_bytes());
        match node {
            Node::File { .. } => {
                let path = root.join(&relative);
                hasher.update([0]);
                hasher.update(content(&path).map_err(|e| failed(&path, "read", e))?);
            }
            Node::Link(text) => {
                hasher.update([1]);
                hasher.update(text.to_string_lossy().as_bytes());
            }
            Node::Special(kind) => {
                hasher.update([2]);
                hasher.update(kind.as_bytes());
            }
        }
        hasher.update([0]);
    }
    Ok(hex::encode(hasher.finalize())[..16].to_owned())
}

/// Makes `target` hold what `source` holds (minus excludes): writes every
/// file and link that differs and removes what `source` lacks. Excluded
/// names in `target` are left where they are. Nothing is written before
/// `source` was read whole and found copyable.
pub(crate) fn mirror(
    source: &Path,
    target: &Path,
    excludes: &Excludes,
    links: Links,
) -> Result<()> {
    let wanted = walk(source, excludes, links)?;
    copyable(source, &wanted)?;
    for (relative, node) in &wanted {
        let (from, to) = (source.join(relative), target.join(relative));
        make_dirs(target, relative.parent())?;
        if holds(&to, node, &from) {
            continue;
        }
        match node {
            Node::File { mode, .. } => write_file(&from, &to, *mode)?,
            Node::Link(text) => write_link(text, &to)?,
            Node::Special(kind) => return Err(not_copied(&from, kind)),
        }
    }
    if std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
        for relative in walk(target, excludes, Links::AsTheyAre)?.into_keys() {
            if !wanted.contains_key(&relative) {
                let path = target.join(&relative);
                // A link is removed itself, never what it points at.
                std::fs::remove_file(&path).map_err(|e| failed(&path, "remove", e))?;
            }
        }
    }
    Ok(())
}

/// Creates the directories of `relative` below `target`. Whatever stands
/// where a directory belongs (a link above all) is replaced, never
/// entered: what a link in live points at is never written.
fn make_dirs(target: &Path, relative: Option<&Path>) -> Result<()> {
    let mut at = target.to_owned();
    for part in relative.into_iter().flat_map(Path::iter) {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => std::fs::remove_file(&at).map_err(|e| failed(&at, "replace", e))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(&at, "inspect", e)),
        }
        std::fs::create_dir(&at).map_err(|e| failed(&at, "create", e))?;
    }
    Ok(())
}

/// Whether `to` already is what `node` (at `from`) is.
fn holds(to: &Path, node: &Node, from: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(to) else {
        return false;
    };
    match node {
        Node::File { mode, len } => {
            meta.is_file()
                && meta.mode() & 0o7777 == *mode
                && meta.len() == *len
                && content(to)
                    .ok()
                    .is_some_and(|there| content(from).ok() == Some(there))
        }
        Node::Link(text) => {
            meta.file_type().is_symlink() && std::fs::read_link(to).ok().as_ref() == Some(text)
        }
        Node::Special(_) => false,
    }
}

/// A directory where a file or link is to go is removed first (a rename
/// cannot replace one); anything else is replaced by the rename itself.
fn clear_directory(to: &Path) -> Result<()> {
    if std::fs::symlink_metadata(to).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(to).map_err(|e| failed(to, "replace", e))?;
    }
    Ok(())
}

fn beside(to: &Path) -> &Path {
    to.parent().unwrap_or_else(|| Path::new("."))
}

fn write_file(from: &Path, to: &Path, mode: u32) -> Result<()> {
    let mut source = open_regular(from).map_err(|e| failed(from, "read", e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(beside(to))
        .map_err(|e| failed(to, "write", e))?;
    io::copy(&mut source, temp.as_file_mut()).map_err(|e| failed(to, "write", e))?;
    temp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(|e| failed(to, "set the mode of", e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| failed(to, "write", e))?;
    clear_directory(to)?;
    temp.persist(to)
        .map_err(|e| failed(to, "replace", e.error))?;
    Ok(())
}

fn write_link(text: &Path, to: &Path) -> Result<()> {
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .make_in(beside(to), |path| std::os::unix::fs::symlink(text, path))
        .map_err(|e| failed(to, "write", e))?;
    clear_directory(to)?;
    temp.persist(to)
        .map_err(|e| failed(to, "replace", e.error))?;
    Ok(())
}

/// Removes whatever is at `path` (a link itself, not what it points at).
fn remove(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
    .map_err(|e| failed(path, "remove", e))
}

fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Copies `live` to `backup` whole or not at all: into a partial copy
/// first, which replaces the old backup only once complete.
/// The copy of `live` that will become `backup`, made beside it; the
/// backup in place is untouched until `commit_backup`, so a run that stops
/// before it changes live leaves the previous version's backup as it was.
pub(crate) fn prepare_backup(live: &Path, backup: &Path, excludes: &Excludes) -> Result<()> {
    let partial = backup.with_extension("bak.partial");
    remove(&partial)?;
    std::fs::create_dir_all(&partial).map_err(|e| failed(&partial, "create", e))?;
    mirror(live, &partial, excludes, Links::AsTheyAre)
}

/// The prepared copy becomes the backup, replacing the old one.
pub(crate) fn commit_backup(backup: &Path) -> Result<()> {
    let partial = backup.with_extension("bak.partial");
    let old = backup.with_extension("bak.old");
    remove(&old)?;
    if present(backup) {
        std::fs::rename(backup, &old).map_err(|e| failed(backup, "move", e))?;
    }
    std::fs::rename(&partial, backup).map_err(|e| failed(&partial, "move", e))?;
    remove(&old)
}

/// Refuses when a directory between `root` and `dir` (`dir` included) is a
/// link: the trees are walked without following links inside them, and
/// one above them would carry every copy, backup and removal out of the
/// root.
pub(crate) fn inside_without_links(root: &Path, dir: &Path) -> Result<()> {
    let relative = dir.strip_prefix(root).map_err(|_| {
        Error::Refused(format!(
            "{} is not inside the GAIA root {}",
            dir.display(),
            root.display()
        ))
    })?;
    let mut path = root.to_owned();
    for part in relative.components() {
        path.push(part);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Refused(format!(
                "{} is a link: gaia copies only into and out of real directories inside \
                 the GAIA root (replace it with the directory it points to)",
                path.display()
            )));
        }
    }
    Ok(())
}

/// What is at `path`, read without following a link.
#[derive(PartialEq, Eq)]
enum Held {
    Bytes(Vec<u8>),
    Link(PathBuf),
}

fn held(path: &Path) -> Option<Held> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        std::fs::read_link(path).ok().map(Held::Link)
    } else {
        content(path).ok().map(Held::Bytes)
    }
}

/// Whether `a` and `b` hold the same bytes, or the same link (a missing
/// file equals nothing).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    held(a) == held(b)
}

/// The tree as a tar, the build context of `docker build`: links as links.
pub(crate) fn context_archive(root: &Path, excludes: &Excludes) -> Result<Vec<u8>> {
    let tree = walk(root, excludes, Links::AsTheyAre)?;
    copyable(root, &tree)?;
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    for relative in tree.keys() {
        let path = root.join(relative);
        tar.append_path_with_name(&path, relative)
            .map_err(|e| failed(&path, "pack", e))?;
    }
    tar.into_inner().map_err(|e| failed(root, "pack", e))
}

/// Bytes a copy of `tree` takes: each file rounded up to a block, each
/// link a block.
fn size(tree: &Tree) -> u64 {
    const BLOCK: u64 = 4096;
    tree.values()
        .map(|node| match node {
            Node::File { len, .. } => len.div_ceil(BLOCK).max(1) * BLOCK,
            Node::Link(_) | Node::Special(_) => BLOCK,
        })
        .sum()
}

/// Bytes free to an unprivileged writer on the filesystem of `dir`.
pub(crate) fn free_space(dir: &Path) -> io::Result<u64> {
    let stat = nix::sys::statvfs::statvfs(dir).map_err(io::Error::from)?;
    Ok(stat.blocks_available() * stat.fragment_size())
}

/// Checks, before anything is written, that `candidate` can replace
/// `live`: nothing in it that is never copied, no link out of it, and room
/// on live's filesystem (`free` measures it) for the copy and, when
/// `backup`, for a backup of live beside it.
pub(crate) fn check_copy(
    candidate: &Path,
    live: &Path,
    excludes: &Excludes,
    backup: bool,
    free: fn(&Path) -> io::Result<u64>,
) -> Result<()> {
    let wanted = walk(candidate, excludes, Links::StayInside)?;
    copyable(candidate, &wanted)?;
    let mut need = size(&wanted);
    if backup {
        let current = walk(live, excludes, Links::AsTheyAre)?;
        copyable(live, &current)?;
        need += size(&current);
    }
    let available = free(live).map_err(|e| failed(live, "measure the free space of", e))?;
    if need > available {
        return Err(Error::Refused(format!(
            "not enough room for the copy{} on the filesystem of {}: {} needed, {} free",
            if backup { " and its backup" } else { "" },
            live.display(),
            indicatif::HumanBytes(need),
            indicatif::HumanBytes(available)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn excludes() -> Excludes {
        Excludes::new(&[".git".into(), "__pycache__".into(), "*.pyc".into()])
    }

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn text(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// A candidate and a live tree side by side, and a place outside both.
    struct Trees {
        _dir: tempfile::TempDir,
        candidate: PathBuf,
        live: PathBuf,
        outside: PathBuf,
    }

    fn trees() -> Trees {
        let dir = tempfile::tempdir().unwrap();
        let (candidate, live, outside) = (
            dir.path().join("candidate"),
            dir.path().join("live"),
            dir.path().join("outside"),
        );
        write(&candidate, "main.py", "new");
        write(&live, "main.py", "old");
        write(&outside, "victim", "untouched");
        Trees {
            _dir: dir,
            candidate,
            live,
            outside,
        }
    }

    fn no_room(_: &Path) -> io::Result<u64> {
        Ok(0)
    }

    fn all_the_room(_: &Path) -> io::Result<u64> {
        Ok(u64::MAX)
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

        mirror(&candidate, &live, &excludes(), Links::StayInside).unwrap();
        assert_eq!(text(&live.join("main.py")), "new");
        assert_eq!(text(&live.join("pkg/util.py")), "util");
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
    fn a_tree_reached_through_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("gaia-core")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("candidates")).unwrap();
        inside_without_links(dir.path(), &dir.path().join("gaia-core")).unwrap();
        let refused =
            inside_without_links(dir.path(), &dir.path().join("candidates/gaia-core")).unwrap_err();
        assert!(
            refused.to_string().contains("candidates is a link"),
            "{refused}"
        );
        assert!(inside_without_links(dir.path(), elsewhere.path()).is_err());
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
        prepare_backup(&live, &backup, &excludes()).unwrap();
        assert_eq!(
            text(&backup.join("VERSION")),
            "0.9.0",
            "the old backup stays until live is about to change"
        );
        commit_backup(&backup).unwrap();
        assert_eq!(text(&backup.join("VERSION")), "1.0.0");
        assert!(!dir.path().join("gaia-core.bak.partial").exists());
        assert!(!dir.path().join("gaia-core.bak.old").exists());
    }

    #[test]
    fn links_that_stay_inside_the_candidate_are_copied_as_links() {
        let t = trees();
        write(&t.candidate, "pkg/util.py", "util");
        symlink("pkg", t.candidate.join("lib")).unwrap();
        symlink("../pkg/util.py", t.candidate.join("pkg/again.py")).unwrap();
        symlink("lib/util.py", t.candidate.join("through-a-link.py")).unwrap();
        check_copy(&t.candidate, &t.live, &excludes(), true, all_the_room).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        for (link, target) in [
            ("lib", "pkg"),
            ("pkg/again.py", "../pkg/util.py"),
            ("through-a-link.py", "lib/util.py"),
        ] {
            let path = t.live.join(link);
            assert!(path.is_symlink(), "{link} is a link in live");
            assert_eq!(std::fs::read_link(&path).unwrap(), Path::new(target));
        }
        assert_eq!(text(&t.live.join("through-a-link.py")), "util");
        assert_eq!(
            digest(&t.candidate, &excludes()).unwrap(),
            digest(&t.live, &excludes()).unwrap()
        );
    }

    #[test]
    fn a_link_out_of_the_candidate_is_refused_before_anything_changes() {
        type Target = fn(&Trees) -> PathBuf;
        let cases: [(&str, Target); 5] = [
            ("absolute", |t| t.outside.join("victim")),
            ("relative, up and out", |_| "../outside/victim".into()),
            ("absolute into the candidate itself", |t| {
                t.candidate.join("main.py")
            }),
            ("through an excluded name", |_| ".git/config".into()),
            // Its text stays in; the link it passes through leads out.
            ("through a link that leads up", |_| {
                "sub/up/../outside/victim".into()
            }),
        ];
        for (case, target) in cases {
            let t = trees();
            write(&t.candidate, "sub/file", "x");
            write(&t.candidate, ".git/config", "x");
            symlink("..", t.candidate.join("sub/up")).unwrap();
            let target = target(&t);
            symlink(&target, t.candidate.join("leak.py")).unwrap();
            let before = digest(&t.live, &excludes()).unwrap();

            let err = check_copy(&t.candidate, &t.live, &excludes(), true, all_the_room)
                .expect_err(case)
                .to_string();
            assert!(
                err.contains("leak.py") || err.contains("sub/up"),
                "{case}: {err}"
            );
            let err =
                mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).expect_err(case);
            assert!(matches!(err, Error::Refused(_)), "{case}: {err}");
            assert_eq!(digest(&t.live, &excludes()).unwrap(), before, "{case}");
            assert_eq!(text(&t.live.join("main.py")), "old", "{case}");
        }
    }

    #[test]
    fn a_link_in_live_is_replaced_never_written_through() {
        let t = trees();
        std::fs::remove_file(t.live.join("main.py")).unwrap();
        symlink(t.outside.join("victim"), t.live.join("main.py")).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        assert_eq!(text(&t.outside.join("victim")), "untouched");
        assert!(!t.live.join("main.py").is_symlink());
        assert_eq!(text(&t.live.join("main.py")), "new");
    }

    #[test]
    fn a_linked_directory_in_live_is_replaced_never_entered() {
        let t = trees();
        write(&t.candidate, "pkg/util.py", "util");
        symlink(&t.outside, t.live.join("pkg")).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        assert!(
            !t.outside.join("util.py").exists(),
            "nothing written outside"
        );
        let pkg = std::fs::symlink_metadata(t.live.join("pkg")).unwrap();
        assert!(pkg.is_dir(), "a real directory replaced the link");
        assert_eq!(text(&t.live.join("pkg/util.py")), "util");
    }

    #[test]
    fn extras_that_are_links_are_removed_themselves_not_what_they_point_at() {
        let t = trees();
        symlink(&t.outside, t.live.join("old-dir")).unwrap();
        symlink(t.outside.join("victim"), t.live.join("old-file")).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        assert!(!present(&t.live.join("old-dir")));
        assert!(!present(&t.live.join("old-file")));
        assert_eq!(text(&t.outside.join("victim")), "untouched");
    }

    #[test]
    fn fifos_are_refused_without_hanging_and_never_copied() {
        let t = trees();
        nix::unistd::mkfifo(&t.candidate.join("pipe"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = check_copy(&t.candidate, &t.live, &excludes(), false, all_the_room)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pipe") && err.contains("FIFO"), "{err}");
        let err = mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{err}");
        assert_eq!(text(&t.live.join("main.py")), "old", "nothing changed");
        assert!(!present(&t.live.join("pipe")));
        assert!(context_archive(&t.candidate, &excludes()).is_err());
        // The digest and a backup of a live tree with one do not hang either.
        digest(&t.candidate, &excludes()).unwrap();
        let backup = t.candidate.with_extension("bak");
        assert!(prepare_backup(&t.candidate, &backup, &excludes()).is_err());
        assert!(!present(&backup));
    }

    #[test]
    fn modes_are_copied_without_setuid_setgid_or_sticky() {
        let t = trees();
        let path = t.candidate.join("main.py");
        std::fs::set_permissions(&path, Permissions::from_mode(0o7755)).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        let mode = std::fs::metadata(t.live.join("main.py")).unwrap().mode();
        assert_eq!(mode & 0o7777, 0o755);
        // Content alike but a live file with setuid set is rewritten without it.
        let live = t.live.join("main.py");
        std::fs::set_permissions(&live, Permissions::from_mode(0o4755)).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        assert_eq!(std::fs::metadata(&live).unwrap().mode() & 0o7777, 0o755);
    }

    #[test]
    fn files_are_renamed_into_place_so_a_hard_link_to_the_old_file_keeps_it() {
        let t = trees();
        let elsewhere = t.outside.join("hard-link");
        std::fs::hard_link(t.live.join("main.py"), &elsewhere).unwrap();
        mirror(&t.candidate, &t.live, &excludes(), Links::StayInside).unwrap();
        assert_eq!(text(&t.live.join("main.py")), "new");
        assert_eq!(text(&elsewhere), "old", "the old inode was not written");
        let names: Vec<_> = std::fs::read_dir(&t.live)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["main.py"], "no temporary file is left");
    }

    #[test]
    fn free_space_is_checked_for_the_copy_and_its_backup() {
        let t = trees();
        let err = check_copy(&t.candidate, &t.live, &excludes(), true, no_room)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("8.00 KiB needed") && err.contains("0 B free"),
            "{err}"
        );
        fn one_file(_: &Path) -> io::Result<u64> {
            Ok(4096)
        }
        check_copy(&t.candidate, &t.live, &excludes(), false, one_file).unwrap();
        let err = check_copy(&t.candidate, &t.live, &excludes(), true, one_file).unwrap_err();
        assert!(err.to_string().contains("and its backup"), "{err}");
        assert!(free_space(&t.live).unwrap() > 0);
    }

    #[test]
    fn a_copy_that_fails_midway_leaves_whole_files_and_is_undone_from_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        // A path the candidate can hold and live cannot (longer than
        // PATH_MAX there): the copy fails after it changed `a.py`, as a
        // full disk would, whoever runs the test.
        let long = |c: char| std::iter::repeat_n(c, 250).collect::<String>();
        let candidate = dir.path().join("c");
        let live = dir.path().join(long('l')).join(long('m'));
        let backup = dir.path().join("live.bak");
        let deep: PathBuf = (0..15).map(|_| long('d')).collect();
        write(&candidate, "a.py", "new");
        write(&candidate, &deep.join("z.py").to_string_lossy(), "deep");
        write(&live, "a.py", "old");
        write(&live, "b.py", "old");
        let before = digest(&live, &excludes()).unwrap();
        prepare_backup(&live, &backup, &excludes()).unwrap();
        commit_backup(&backup).unwrap();

        let err = mirror(&candidate, &live, &excludes(), Links::StayInside).unwrap_err();
        assert!(err.to_string().contains("cannot"), "{err}");
        assert_eq!(text(&live.join("a.py")), "new", "it failed midway");
        assert_eq!(text(&live.join("b.py")), "old");

        mirror(&backup, &live, &excludes(), Links::AsTheyAre).unwrap();
        assert_eq!(digest(&live, &excludes()).unwrap(), before);
        assert_eq!(text(&live.join("a.py")), "old");
        let left: Vec<_> = walk(&live, &excludes(), Links::AsTheyAre)
            .unwrap()
            .into_keys()
            .filter(|p| p.to_string_lossy().contains(TEMP_PREFIX))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn digests_archives_and_comparisons_never_follow_a_link() {
        let t = trees();
        symlink(t.outside.join("victim"), t.live.join("link")).unwrap();
        let before = digest(&t.live, &excludes()).unwrap();
        write(&t.outside, "victim", "changed");
        assert_eq!(digest(&t.live, &excludes()).unwrap(), before);

        let archive = context_archive(&t.live, &excludes()).unwrap();
        let mut tar = tar::Archive::new(archive.as_slice());
        let link = tar
            .entries()
            .unwrap()
            .map(Result::unwrap)
            .find(|e| e.path().unwrap() == Path::new("link"))
            .unwrap();
        assert_eq!(link.header().entry_type(), tar::EntryType::Symlink);

        write(&t.live, "copy", "changed");
        assert!(!same_file(&t.live.join("link"), &t.live.join("copy")));
        assert!(same_file(&t.live.join("link"), &t.live.join("link")));
    }
}

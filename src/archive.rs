//! Tar archives, the form in which Docker takes files into containers,
//! volumes and images: built in memory, with owners and modes set per entry.

use std::path::Path;
use std::time::SystemTime;

use anyhow::Context as _;

use crate::error::Result;

/// Builds a tar from (path, mode, uid, contents) entries, deterministically.
pub(crate) struct TreeBuilder {
    tar: tar::Builder<Vec<u8>>,
}

impl Default for TreeBuilder {
    fn default() -> TreeBuilder {
        TreeBuilder {
            tar: tar::Builder::new(Vec::new()),
        }
    }
}

impl TreeBuilder {
    pub(crate) fn header(kind: tar::EntryType, mode: u32, uid: u64, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_uid(uid);
        header.set_gid(uid);
        header.set_size(size);
        header.set_mtime(0);
        header
    }

    pub(crate) fn dir(&mut self, path: &str, mode: u32, uid: u64) -> Result<()> {
        let mut header = Self::header(tar::EntryType::Directory, mode, uid, 0);
        self.tar
            .append_data(&mut header, path, std::io::empty())
            .with_context(|| format!("packing {path}"))?;
        Ok(())
    }

    pub(crate) fn file(&mut self, path: &str, mode: u32, contents: &[u8]) -> Result<()> {
        let mut header = Self::header(tar::EntryType::Regular, mode, 0, contents.len() as u64);
        self.tar
            .append_data(&mut header, path, contents)
            .with_context(|| format!("packing {path}"))?;
        Ok(())
    }

    pub(crate) fn symlink(&mut self, path: &str, target: &str) -> Result<()> {
        let mut header = Self::header(tar::EntryType::Symlink, 0o777, 0, 0);
        self.tar
            .append_link(&mut header, path, target)
            .with_context(|| format!("packing {path}"))?;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>> {
        Ok(self.tar.into_inner().context("finishing an archive")?)
    }
}

/// A tar that creates `dirs` (relative paths) with the given owner when
/// extracted, through the Docker API, into a directory of a container.
pub(crate) fn directories_archive(dirs: &[(&str, u32)], mode: u32) -> Result<Vec<u8>> {
    let mut tree = TreeBuilder::default();
    for (dir, owner) in dirs {
        tree.dir(dir, mode, u64::from(*owner))?;
    }
    tree.finish()
}

/// A tar holding one file, with its owner and modification time.
pub(crate) fn file_archive(
    name: &str,
    contents: &[u8],
    owner: u32,
    modified: SystemTime,
) -> Result<Vec<u8>> {
    let mut header = TreeBuilder::header(
        tar::EntryType::Regular,
        0o644,
        u64::from(owner),
        contents.len() as u64,
    );
    let mtime = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    header.set_mtime(mtime);
    let mut tar = tar::Builder::new(Vec::new());
    tar.append_data(&mut header, Path::new(name), contents)
        .with_context(|| format!("packing {name}"))?;
    Ok(tar.into_inner().context("packing a file")?)
}

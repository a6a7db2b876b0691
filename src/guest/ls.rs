//! `ls` as GNU ls answers when its output is not a terminal (as under
//! `docker exec` without `-t`): one name a line, sorted byte-wise as in the
//! C and C.UTF-8 locales, with `-a`, `-A`, `-d`, `-1` and a basic `-l`.

use std::fs::Metadata;
use std::io::Write as _;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use super::coreutils::{describe, finish, group_name, split_options, user_name};

/// Files older than this (or in the future) show their year instead of their time.
const SIX_MONTHS: Duration = Duration::from_secs(31_556_952 / 2);

#[derive(Default)]
struct Options {
    all: bool,
    almost_all: bool,
    directory: bool,
    long: bool,
}

/// One name to list and what it points at.
struct Entry {
    name: String,
    meta: Metadata,
    path: std::path::PathBuf,
}

pub(crate) fn ls(args: &[String]) -> ExitCode {
    let (flags, mut operands) = split_options(args);
    let mut options = Options::default();
    for flag in &flags {
        match flag.as_str() {
            "-a" | "--all" => options.all = true,
            "-A" | "--almost-all" => options.almost_all = true,
            "-d" | "--directory" => options.directory = true,
            "-l" => options.long = true,
            "-1" => {}
            _ => {
                eprintln!("ls (gaia sim): only -a, -A, -d, -l and -1 are simulated");
                return ExitCode::from(2);
            }
        }
    }
    let headed = operands.len() > 1;
    if operands.is_empty() {
        operands.push(".");
    }
    let mut code = 0;
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    for operand in operands {
        // A link on the command line is followed to a directory, except
        // where the link itself is asked for (-l, -d).
        let meta = if options.long || options.directory {
            std::fs::symlink_metadata(operand)
        } else {
            std::fs::metadata(operand).or_else(|_| std::fs::symlink_metadata(operand))
        };
        match meta {
            Err(err) => {
                eprintln!("ls: cannot access '{operand}': {}", describe(&err));
                code = 2;
            }
            Ok(meta) => {
                let entry = Entry {
                    name: operand.to_owned(),
                    path: operand.into(),
                    meta,
                };
                if entry.meta.is_dir() && !options.directory {
                    dirs.push(entry);
                } else {
                    files.push(entry);
                }
            }
        }
    }
    // Missing operands were reported in the order given; the rest is listed sorted.
    files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    dirs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    let mut out = std::io::stdout().lock();
    let written = (|| {
        let widths = Widths::of(files.iter().chain(&dirs));
        for entry in &files {
            write_entry(&mut out, entry, &options, &widths)?;
        }
        for (i, dir) in dirs.iter().enumerate() {
            if i > 0 || !files.is_empty() {
                writeln!(out)?;
            }
            if headed {
                writeln!(out, "{}:", dir.name)?;
            }
            match listing(&dir.path, &options) {
                Ok(entries) => {
                    if options.long {
                        let blocks: u64 = entries.iter().map(|e| e.meta.blocks()).sum();
                        writeln!(out, "total {}", blocks.div_ceil(2))?;
                    }
                    let widths = Widths::of(&entries);
                    for entry in &entries {
                        write_entry(&mut out, entry, &options, &widths)?;
                    }
                }
                Err(err) => {
                    eprintln!(
                        "ls: cannot open directory '{}': {}",
                        dir.name,
                        describe(&err)
                    );
                    code = 2;
                }
            }
        }
        Ok(code)
    })();
    finish("ls", written)
}

/// A directory's entries, sorted, with `.` and `..` under -a.
fn listing(dir: &Path, options: &Options) -> std::io::Result<Vec<Entry>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| options.all || options.almost_all || !name.starts_with('.'))
        .collect();
    if options.all {
        names.extend([".".to_owned(), "..".to_owned()]);
    }
    names.sort_unstable();
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let path = dir.join(&name);
            let meta = std::fs::symlink_metadata(&path).ok()?;
            Some(Entry { name, meta, path })
        })
        .collect())
}

/// Column widths of a long listing, shared by the entries listed together.
#[derive(Default)]
struct Widths {
    links: usize,
    owner: usize,
    group: usize,
    size: usize,
}

impl Widths {
    fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Widths {
        entries.into_iter().fold(Widths::default(), |w, e| Widths {
            links: w.links.max(e.meta.nlink().to_string().len()),
            owner: w.owner.max(owner(&e.meta).len()),
            group: w.group.max(group(&e.meta).len()),
            size: w.size.max(e.meta.len().to_string().len()),
        })
    }
}

fn owner(meta: &Metadata) -> String {
    user_name(meta.uid()).unwrap_or_else(|| meta.uid().to_string())
}

fn group(meta: &Metadata) -> String {
    group_name(meta.gid()).unwrap_or_else(|| meta.gid().to_string())
}

fn write_entry(
    out: &mut impl std::io::Write,
    entry: &Entry,
    options: &Options,
    w: &Widths,
) -> std::io::Result<()> {
    if !options.long {
        return writeln!(out, "{}", entry.name);
    }
    let meta = &entry.meta;
    let target = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&entry.path).unwrap_or_default();
        format!(" -> {}", target.display())
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} {:>links$} {:<owner$} {:<group$} {:>size$} {} {}{target}",
        mode_string(meta),
        meta.nlink(),
        owner(meta),
        group(meta),
        meta.len(),
        timestamp(
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            SystemTime::now()
        ),
        entry.name,
        links = w.links,
        owner = w.owner,
        group = w.group,
        size = w.size,
    )
}

/// `drwxr-xr-x`, with the set-id and sticky bits as ls shows them.
fn mode_string(meta: &Metadata) -> String {
    let kind = meta.file_type();
    let mut text = String::from(match () {
        () if kind.is_dir() => 'd',
        () if kind.is_symlink() => 'l',
        () if kind.is_fifo() => 'p',
        () if kind.is_socket() => 's',
        () if kind.is_block_device() => 'b',
        () if kind.is_char_device() => 'c',
        () => '-',
    });
    let mode = meta.mode();
    for (shift, special, mark) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        text.push(match (mode & special != 0, bits & 1 != 0) {
            (true, true) => mark,
            (true, false) => mark.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    text
}

/// `Dec  3 07:24` for the last six months, `May  9  2025` otherwise, in UTC
/// (the images carry no time zone).
fn timestamp(when: SystemTime, now: SystemTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let text = humantime::format_rfc3339_seconds(when).to_string();
    let month = text[5..7].parse::<usize>().unwrap_or(1);
    let day = text[8..10].trim_start_matches('0');
    let recent = when <= now && now.duration_since(when).unwrap_or_default() < SIX_MONTHS;
    let time_or_year = if recent {
        text[11..16].to_owned()
    } else {
        format!(" {}", &text[..4])
    };
    format!("{} {day:>2} {time_or_year}", MONTHS[month - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_show_the_time_for_recent_files_and_the_year_for_old_ones() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_282_673); // 2026-12-03 07:24:33
        assert_eq!(timestamp(now, now), "Dec  3 07:24");
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_746_748_800); // 2025-05-09
        assert_eq!(timestamp(old, now), "May  9  2025");
        let future = now + Duration::from_secs(86_400);
        assert_eq!(timestamp(future, now), "Dec  4  2026");
    }

    #[test]
    fn modes_read_as_ls_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        for (mode, shown) in [
            (0o644, "-rw-r--r--"),
            (0o4755, "-rwsr-xr-x"),
            (0o2644, "-rw-r-Sr--"),
        ] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(mode_string(&std::fs::metadata(&file).unwrap()), shown);
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(
            mode_string(&std::fs::metadata(dir.path()).unwrap()),
            "drwxrwxrwt"
        );
    }
}

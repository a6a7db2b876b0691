//! Looking inside a running container from the host, through `/proc/<pid>`
//! of its main process: what `stat` inside would say (read through its
//! root), and what `curl` inside would get (a request from a thread that
//! joined its network namespace, names resolved by the container's own
//! resolv.conf and hosts file), without the engine starting a process in
//! the container. An exec costs the engine a runc start, most of a doctor
//! run's time; this costs a few system calls.
//!
//! It only serves where gaia sees the container's processes as they are:
//! the same pid namespace as the engine (the process at the pid the engine
//! reports belongs to the container's cgroup), no user namespace between
//! (uids read here are the container's), and the privilege to enter its
//! root. Anywhere else (another machine, gaia in a container of its own,
//! a user namespace), `Root::of` says no and the checks exec as before.

use std::collections::HashMap;
use std::os::fd::OwnedFd;

use std::net::IpAddr;
use std::str::FromStr as _;
use std::time::Duration;

use hickory_resolver::config::ResolveHosts;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::op::Query;
use hickory_resolver::proto::rr::{Name, RecordType};
use hickory_resolver::{Hosts, TokioResolver};
use nix::errno::Errno;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;

use crate::docker::Container;
use crate::http::Http;

/// A path as `stat` saw it inside a container.
#[derive(Debug, Clone)]
pub(crate) struct Stat {
    pub(crate) uid: u32,
    /// The owner's name in the container's /etc/passwd; `UNKNOWN` when absent.
    pub(crate) user: String,
    pub(crate) modified: u64,
}

/// The root directory and network namespace of a container's main
/// process, held open.
pub(crate) struct Root {
    root: OwnedFd,
    net: OwnedFd,
}

/// What `stat` names an owner that the container's /etc/passwd lacks.
const UNKNOWN_USER: &str = "UNKNOWN";

impl Root {
    /// The root of `container`, when gaia can see it from here.
    pub(crate) fn of(container: &Container) -> Option<Root> {
        let pid = container.pid?;
        let root = Root::of_pid(pid)?;
        // Checked after opening: a pid reused in between shows here.
        let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
        (!container.id.is_empty() && cgroup.contains(&container.id)).then_some(root)
    }

    fn of_pid(pid: u32) -> Option<Root> {
        let uid_map = std::fs::read_to_string(format!("/proc/{pid}/uid_map")).ok()?;
        let identity = uid_map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"];
        if !identity {
            return None;
        }
        let open = |path: String, flags: OFlag| {
            nix::fcntl::open(path.as_str(), flags | OFlag::O_CLOEXEC, Mode::empty()).ok()
        };
        Some(Root {
            root: open(
                format!("/proc/{pid}/root"),
                OFlag::O_PATH | OFlag::O_DIRECTORY,
            )?,
            net: open(format!("/proc/{pid}/ns/net"), OFlag::O_RDONLY)?,
        })
    }

    /// Each of `paths` as `stat` (not following a last symlink) sees it
    /// inside, the owner named from the container's own /etc/passwd; a path
    /// that does not exist is left out. None when any could not be looked
    /// at from here: the caller then asks inside.
    pub(crate) fn stats(&self, paths: &[String]) -> Option<HashMap<String, Stat>> {
        let users = self.users();
        let mut found = HashMap::new();
        for path in paths {
            let fd = match self.open(path, OFlag::O_PATH | OFlag::O_NOFOLLOW) {
                Ok(fd) => fd,
                Err(Errno::ENOENT | Errno::ENOTDIR) => continue,
                Err(_) => return None,
            };
            let stat = nix::sys::stat::fstat(&fd).ok()?;
            found.insert(
                path.clone(),
                Stat {
                    uid: stat.st_uid,
                    user: users
                        .get(&stat.st_uid)
                        .cloned()
                        .unwrap_or_else(|| UNKNOWN_USER.to_owned()),
                    modified: u64::try_from(stat.st_mtime).unwrap_or_default(),
                },
            );
        }
        Some(found)
    }

    /// The container's /etc/passwd as uid → the first name given it.
    fn users(&self) -> HashMap<u32, String> {
        let text = String::from_utf8_lossy(&self.read("/etc/passwd")).into_owned();
        let mut users = HashMap::new();
        for line in text.lines() {
            let mut fields = line.split(':');
            if let (Some(name), Some(_), Some(uid)) = (fields.next(), fields.next(), fields.next())
                && let Ok(uid) = uid.parse()
            {
                users.entry(uid).or_insert_with(|| name.to_owned());
            }
        }
        users
    }

    /// A file inside, empty when it cannot be read.
    fn read(&self, path: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        if let Ok(fd) = self.open(path, OFlag::O_RDONLY) {
            let _ = std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut bytes);
        }
        bytes
    }

    /// The HTTP status each of `urls` answers a GET with from inside the
    /// container's network namespace (0: no response, as `curl` reports it),
    /// each URL's host resolved as the container resolves it. None when
    /// gaia cannot join the namespace: the caller then asks inside.
    pub(crate) async fn get_inside(
        &self,
        urls: &[String],
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Option<HashMap<String, u16>> {
        let net = self.net.try_clone().ok()?;
        let resolv_conf = self.read("/etc/resolv.conf");
        let hosts = self.read("/etc/hosts");
        let urls = urls.to_vec();
        let (answer, answered) = tokio::sync::oneshot::channel();
        // A thread of its own: joining a namespace is per thread, and this
        // one ends with the probe, so no other work ever runs in there.
        std::thread::Builder::new()
            .name("gaia-inside".into())
            .spawn(move || {
                let codes = nix::sched::setns(net, CloneFlags::CLONE_NEWNET)
                    .ok()
                    .and_then(|()| {
                        tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .ok()
                    })
                    .map(|runtime| {
                        runtime.block_on(get_all(
                            &urls,
                            &resolv_conf,
                            &hosts,
                            connect_timeout,
                            timeout,
                        ))
                    });
                let _ = answer.send(codes);
            })
            .ok()?;
        // The probe's own deadline bounds it; this one only guards gaia
        // against a thread that never answers.
        let deadline = connect_timeout + timeout + Duration::from_secs(2);
        tokio::time::timeout(deadline, answered).await.ok()?.ok()?
    }

    /// `path` resolved as inside: `/` and every absolute symlink mean the
    /// container's root, never the host's.
    fn open(&self, path: &str, flags: OFlag) -> nix::Result<OwnedFd> {
        let how = OpenHow::new()
            .flags(flags | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        nix::fcntl::openat2(&self.root, path.trim_start_matches('/'), how)
    }
}

/// Each URL's status, every request at once, on the namespace's thread: a
/// socket belongs to the namespace of the thread that made it.
async fn get_all(
    urls: &[String],
    resolv_conf: &[u8],
    hosts: &[u8],
    connect_timeout: Duration,
    timeout: Duration,
) -> HashMap<String, u16> {
    let names = Names::of(resolv_conf, hosts);
    let requests = urls
        .iter()
        .map(|url| get_one(url, &names, connect_timeout, timeout));
    futures_util::future::join_all(requests)
        .await
        .into_iter()
        .collect()
}

async fn get_one(
    url: &str,
    names: &Names,
    connect_timeout: Duration,
    timeout: Duration,
) -> (String, u16) {
    let Some(host) = Http::host_of(url) else {
        return (url.to_owned(), 0);
    };
    let addrs = names.resolve(&host, timeout).await;
    if addrs.is_empty() {
        return (url.to_owned(), 0);
    }
    let http = Http::resolving(connect_timeout, timeout, &host, &addrs);
    let code = http.get(url).await.map_or(0, |r| r.status);
    (url.to_owned(), code)
}

/// How the container resolves a name: its hosts file first, then its name
/// servers, as libc's `hosts: files dns` does; none of the host's files.
struct Names {
    hosts: Hosts,
    dns: Option<TokioResolver>,
}

impl Names {
    fn of(resolv_conf: &[u8], hosts: &[u8]) -> Names {
        let mut table = Hosts::default();
        if table.read_hosts_conf(hosts).is_err() {
            table = Hosts::default();
        }
        let dns = hickory_resolver::system_conf::parse_resolv_conf(resolv_conf)
            .ok()
            .and_then(|(config, mut options)| {
                options.use_hosts_file = ResolveHosts::Never;
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
                    .with_options(options)
                    .build()
                    .ok()
            });
        Names { hosts: table, dns }
    }

    /// The addresses of `host` (an address itself, or a name); none when
    /// nothing resolves it within `timeout`.
    async fn resolve(&self, host: &str, timeout: Duration) -> Vec<IpAddr> {
        if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
            return vec![ip];
        }
        let Ok(name) = Name::from_str(host) else {
            return Vec::new();
        };
        let listed: Vec<IpAddr> = [RecordType::A, RecordType::AAAA]
            .into_iter()
            .filter_map(|kind| {
                self.hosts
                    .lookup_static_host(&Query::query(name.clone(), kind))
            })
            .flat_map(|found| {
                found
                    .answers()
                    .iter()
                    .filter_map(|r| r.data.ip_addr())
                    .collect::<Vec<_>>()
            })
            .collect();
        if !listed.is_empty() {
            return listed;
        }
        let Some(dns) = &self.dns else {
            return Vec::new();
        };
        match tokio::time::timeout(timeout, dns.lookup_ip(host)).await {
            Ok(Ok(found)) => found.iter().collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_stat_says_of_a_path_inside_is_read_through_the_process_root() {
        let root = Root::of_pid(std::process::id()).expect("gaia's own root");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sessions.json");
        std::fs::write(&file, "{}").unwrap();
        std::os::unix::fs::symlink("/no/such/target", dir.path().join("dangling")).unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let asked = [path("sessions.json"), path("missing"), path("dangling")];
        let found = root.stats(&asked).expect("a look from the host");

        let meta = std::fs::metadata(&file).unwrap();
        let seen = &found[&asked[0]];
        use std::os::unix::fs::MetadataExt as _;
        assert_eq!(seen.uid, meta.uid());
        assert_eq!(seen.modified, meta.mtime() as u64);
        let name = nix::unistd::User::from_uid(meta.uid().into())
            .unwrap()
            .map_or(UNKNOWN_USER.to_owned(), |u| u.name);
        assert_eq!(seen.user, name, "named from /etc/passwd");
        assert!(!found.contains_key(&asked[1]), "absent is left out");
        assert!(found.contains_key(&asked[2]), "a last symlink is itself");
    }

    #[tokio::test]
    async fn a_get_from_inside_resolves_with_the_given_files_and_reports_what_answered() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .route("/health", axum::routing::get(|| async { "ok" }))
            .route(
                "/moved",
                axum::routing::get(|| async { axum::response::Redirect::to("/health") }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });

        let root = Root::of_pid(std::process::id()).expect("gaia's own root");
        let url = |host: &str, path: &str| format!("http://{host}:{port}{path}");
        let urls = [
            url("gaia-test-core", "/health"),
            url("127.0.0.1", "/moved"),
            url("gaia-test-nowhere", "/health"),
        ];
        let codes = get_all(
            &urls,
            // As Docker writes it for a container on a user network.
            b"nameserver 127.0.0.1\noptions ndots:0 attempts:1 timeout:1\n",
            b"127.0.0.1 localhost\n127.0.0.1 gaia-test-core\n",
            Duration::from_secs(1),
            Duration::from_secs(2),
        )
        .await;
        assert_eq!(codes[&urls[0]], 200, "named in the hosts file given");
        assert_eq!(codes[&urls[1]], 303, "a redirect is reported, as curl does");
        assert_eq!(codes[&urls[2]], 0, "a name nothing resolves");

        // The whole way: a thread joins the namespace (gaia's own here).
        let health = [url("127.0.0.1", "/health")];
        let through_the_namespace = root
            .get_inside(&health, Duration::from_secs(1), Duration::from_secs(2))
            .await
            .expect("gaia may join its own network namespace");
        assert_eq!(through_the_namespace[&health[0]], 200);
    }

    #[test]
    fn a_container_whose_process_is_not_in_its_cgroup_is_not_looked_at() {
        let mut container = Container {
            id: "0123456789abcdef".repeat(4),
            pid: Some(std::process::id()),
            ..Container::default()
        };
        assert!(Root::of(&container).is_none(), "pid of another process");
        container.pid = None;
        assert!(Root::of(&container).is_none(), "not running");
    }
}

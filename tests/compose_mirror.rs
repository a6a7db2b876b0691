//! The rehearsal stack's compose files mirror GAIA's real ones, and the
//! registry describes exactly the services those files define.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

fn reference_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/compose");
    assert!(
        dir.join("docker-compose.yml").is_file(),
        "the reference compose files are missing from {}: these tests compare against them",
        dir.display()
    );
    dir
}

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn sim_file(name: &str) -> Yaml {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sim/compose")
            .join(name),
    )
}

fn strings(yaml: &Yaml) -> Vec<String> {
    yaml.as_vec()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn keys(yaml: &Yaml) -> BTreeSet<String> {
    yaml.as_hash()
        .map(|h| {
            h.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Host and container port of a mapping, ignoring the bind address.
fn ports(service: &Yaml) -> Vec<String> {
    strings(&service["ports"])
        .into_iter()
        .map(|p| p.trim_start_matches("127.0.0.1:").to_owned())
        .collect()
}

fn named_volumes(service: &Yaml, declared: &BTreeSet<String>) -> BTreeSet<String> {
    strings(&service["volumes"])
        .into_iter()
        .filter_map(|v| v.split(':').next().map(str::to_owned))
        .filter(|v| declared.contains(v))
        .collect()
}

#[test]
fn each_sim_compose_file_mirrors_its_reference() {
    let reference = reference_dir();
    for file in [
        "docker-compose.yml",
        "docker-compose.candidate.yml",
        "docker-compose.ha.yml",
    ] {
        let real = load(&reference.join(file));
        let sim = sim_file(file);
        assert_eq!(
            keys(&real["services"]),
            keys(&sim["services"]),
            "{file}: services"
        );
        let declared = keys(&real["volumes"]);
        assert_eq!(declared, keys(&sim["volumes"]), "{file}: volumes");
        for volume in &declared {
            assert_eq!(
                real["volumes"][volume.as_str()]["name"],
                sim["volumes"][volume.as_str()]["name"],
                "{file}: volume {volume}"
            );
        }
        assert_eq!(
            real["networks"]["gaia-net"]["name"], sim["networks"]["gaia-net"]["name"],
            "{file}: network"
        );
        assert!(
            sim["networks"]["gaia-net"]["ipam"].is_badvalue(),
            "{file}: no fixed subnet"
        );
        for name in keys(&real["services"]) {
            let (r, s) = (
                &real["services"][name.as_str()],
                &sim["services"][name.as_str()],
            );
            let what = format!("{file}: {name}");
            for key in ["container_name", "hostname", "image", "restart"] {
                if !r[key].is_badvalue() {
                    assert_eq!(r[key], s[key], "{what}: {key}");
                }
            }
            // The simulated services keep the real entry points (and prime its
            // model), not every vLLM flag.
            let command = |y: &Yaml| match y.as_str() {
                Some(line) => line
                    .split_whitespace()
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" "),
                None => strings(y).join(" "),
            };
            assert_eq!(
                command(&r["command"]),
                command(&s["command"]),
                "{what}: command"
            );
            assert_eq!(ports(r), ports(s), "{what}: ports");
            for port in strings(&s["ports"]) {
                assert!(
                    port.starts_with("127.0.0.1:"),
                    "{what}: {port} is not on loopback"
                );
            }
            assert_eq!(
                strings(&r["profiles"]),
                strings(&s["profiles"]),
                "{what}: profiles"
            );
            assert_eq!(r["depends_on"], s["depends_on"], "{what}: depends_on");
            for key in ["test", "retries", "start_period"] {
                assert_eq!(
                    r["healthcheck"][key], s["healthcheck"][key],
                    "{what}: healthcheck {key}"
                );
            }
            let all_declared: BTreeSet<String> = [
                "gaia-shared",
                "gaia-sandbox",
                "gaia-candidate-shared",
                "gaia-candidate-sandbox",
            ]
            .map(String::from)
            .into();
            let (real_volumes, sim_volumes) = (
                named_volumes(r, &all_declared),
                named_volumes(s, &all_declared),
            );
            assert!(
                real_volumes.is_subset(&sim_volumes),
                "{what}: volumes {real_volumes:?} vs {sim_volumes:?}"
            );
            if file != "docker-compose.ha.yml" {
                assert_eq!(
                    s["labels"]["io.gaia.sim"].as_str(),
                    Some("true"),
                    "{what}: sim label"
                );
                assert_eq!(strings(&s["networks"]), ["gaia-net"], "{what}: network");
            }
        }
    }
}

#[test]
fn the_registry_describes_exactly_the_services_of_the_reference_files() {
    let reference = reference_dir();
    let registry = gaia::registry::Registry::load(None).unwrap();
    let mut in_files = BTreeSet::new();
    for file in ["docker-compose.yml", "docker-compose.candidate.yml"] {
        let doc = load(&reference.join(file));
        for name in keys(&doc["services"]) {
            let service = &doc["services"][name.as_str()];
            let entry = registry
                .service(&name)
                .unwrap_or_else(|| panic!("{name} of {file} is not in services.toml"));
            assert_eq!(entry.compose_files[0], file, "{name}");
            assert_eq!(
                service["container_name"].as_str(),
                Some(entry.container.as_str()),
                "{name}"
            );
            let published = strings(&service["ports"])
                .first()
                .map(|p| p.split(':').map(str::to_owned).collect::<Vec<_>>());
            match published {
                Some(p) => {
                    assert_eq!(
                        entry.host_port.map(|h| h.to_string()).as_deref(),
                        Some(p[0].as_str()),
                        "{name} host port"
                    );
                    assert_eq!(entry.port.to_string(), p[1], "{name} port");
                }
                None => assert_eq!(entry.host_port, None, "{name} is internal only"),
            }
            let gpu = &service["deploy"]["resources"]["reservations"]["devices"][0]["count"];
            let expected = match (gpu.as_i64(), gpu.as_str()) {
                (Some(1), _) => gaia::registry::GpuExpectation::One,
                (_, Some("all")) => gaia::registry::GpuExpectation::All,
                _ => gaia::registry::GpuExpectation::None,
            };
            assert_eq!(entry.gpu, expected, "{name} gpu");
            in_files.insert(name);
        }
    }
    let registered: BTreeSet<String> = registry.services.iter().map(|s| s.name.clone()).collect();
    assert_eq!(registered, in_files);
    let ha = load(&reference.join("docker-compose.ha.yml"));
    let standbys: BTreeSet<String> = registry.standbys().map(|s| s.name.clone()).collect();
    assert_eq!(standbys, keys(&ha["services"]));
}

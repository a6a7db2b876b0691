//! GPU placement: each container's reservation against the registry's
//! expectation, contention for the host's GPUs, and the GPU seen inside.

use crate::docker::Container;
use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};
use crate::registry::{GpuExpectation, Registry, Service};

pub(crate) fn plan(registry: &Registry) -> Vec<Box<dyn Check>> {
    let mut checks: Vec<Box<dyn Check>> = registry
        .services
        .iter()
        .map(|s| Box::new(Reservation(s.clone())) as Box<dyn Check>)
        .collect();
    checks.push(Box::new(Contention));
    for service in registry
        .services
        .iter()
        .filter(|s| s.gpu != GpuExpectation::None)
    {
        checks.push(Box::new(Visible(service.clone())));
    }
    checks
}

/// GPUs a container claims: Some(None) for "all", Some(Some(n)) for n.
/// Counts NVIDIA driver requests, CDI device names and /dev/nvidiaN mappings.
pub(crate) fn claimed(c: &Container) -> Option<Option<usize>> {
    let mut count = 0;
    for (driver, n, ids) in &c.device_requests {
        let gpu_ids = ids
            .iter()
            .filter(|id| id.starts_with("nvidia.com/gpu"))
            .count();
        match driver.as_str() {
            "nvidia" | "" if *n < 0 => return Some(None),
            "nvidia" | "" => {
                count += if ids.is_empty() {
                    *n as usize
                } else {
                    ids.len()
                }
            }
            "cdi" if ids.iter().any(|id| id.ends_with("=all")) => return Some(None),
            "cdi" => count += gpu_ids,
            _ => {}
        }
    }
    for device in &c.devices {
        if device.contains("nvidia.com/gpu=all") {
            return Some(None);
        }
        let in_container = device.rsplit(':').next().unwrap_or_default();
        let is_node = in_container
            .strip_prefix("/dev/nvidia")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if is_node || device.contains("nvidia.com/gpu=") {
            count += 1;
        }
    }
    (count > 0).then_some(Some(count))
}

fn describe(claim: Option<Option<usize>>) -> String {
    match claim {
        None => "no GPU".into(),
        Some(None) => "all GPUs".into(),
        Some(Some(1)) => "1 GPU".into(),
        Some(Some(n)) => format!("{n} GPUs"),
    }
}

struct Reservation(Service);
check!(Reservation, Gpu, |self| subject: Subject::Service(self.0.name.clone()), id: format!("gpu.{}", self.0.name), service: Some(&self.0.name),
    description: format!("{} holds the GPUs the registry says", self.0.name));
impl Reservation {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let service = &self.0;
        let container = match ctx.container(service) {
            Ok(Some(container)) => container,
            Ok(None) => return Finding::skip(format!("{} does not exist", service.name)),
            Err(failure) => return failure,
        };
        let claim = claimed(container);
        let holds = describe(claim);
        match (service.gpu, claim) {
            (GpuExpectation::None, Some(_)) => Finding::fail(format!(
                "{} holds {holds}; it must hold none",
                service.name
            ))
            .fix(format!(
                "remove the GPU reservation (deploy.resources.reservations.devices) of {} from {} and recreate it",
                service.name,
                service.compose_files.join(" + ")
            )),
            (GpuExpectation::One | GpuExpectation::All, None) => Finding::fail(format!(
                "{} holds no GPU; it needs {}",
                service.name,
                if service.gpu == GpuExpectation::One { "one" } else { "all" }
            ))
            .fix(format!("add a GPU reservation to {} in {}", service.name, service.compose_files.join(" + "))),
            _ => Finding::pass(format!("{} holds {holds}, as expected", service.name)),
        }
    }
}

struct Contention;
check!(Contention, Gpu, |self| subject: Subject::Stack, id: "gpu.contention".into(), service: None,
    description: "The running containers claim no more GPUs than the host has".into());
impl Contention {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let host = match &ctx.gpus {
            Ok(gpus) => gpus.len(),
            Err(why) => return Finding::skip(format!("host GPUs unknown: {why}")),
        };
        let mut claims = Vec::new();
        let mut total = 0;
        for service in &ctx.registry.services {
            let Ok(container) = ctx.running(service) else {
                continue;
            };
            if let Some(claim) = claimed(container) {
                total += claim.unwrap_or(host);
                claims.push(format!("{} {}", service.name, describe(Some(claim))));
            }
        }
        let message = format!(
            "{total} GPU claim(s) on a host with {host}: {}",
            claims.join(", ")
        );
        if total > host {
            Finding::warn(format!("contention: {message}"))
        } else {
            Finding::pass(message)
        }
    }
}

struct Visible(Service);
check!(Visible, Gpu, |self| subject: Subject::Service(self.0.name.clone()), id: format!("gpu.visible.{}", self.0.name), service: Some(&self.0.name),
    inside: true, description: format!("nvidia-smi inside {} lists a GPU", self.0.name));
impl Visible {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let container = match ctx.running(&self.0) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        match ctx.exec(&container.name, &["nvidia-smi", "-L"]).await {
            Ok(out) if out.exit_code == 0 && out.stdout.contains("GPU ") => Finding::pass(format!(
                "{} sees {}",
                self.0.name,
                out.stdout.lines().next().unwrap_or_default()
            )),
            Ok(out) => Finding::fail(format!(
                "{} sees no GPU (nvidia-smi -L exit {}: {})",
                self.0.name,
                out.exit_code,
                out.stdout.trim()
            )),
            Err(err) => Finding::fail(format!("{}: {err}", self.0.name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(devices: Vec<&str>, requests: Vec<(&str, i64, Vec<&str>)>) -> Container {
        Container {
            name: "c".into(),
            state: crate::docker::State::Running,
            devices: devices.into_iter().map(String::from).collect(),
            device_requests: requests
                .into_iter()
                .map(|(d, n, ids)| (d.to_owned(), n, ids.into_iter().map(String::from).collect()))
                .collect(),
            ..Container::default()
        }
    }

    #[test]
    fn reservations_are_recognised_in_every_form() {
        assert_eq!(claimed(&container(vec![], vec![])), None);
        assert_eq!(
            claimed(&container(vec![], vec![("nvidia", 1, vec![])])),
            Some(Some(1))
        );
        assert_eq!(
            claimed(&container(vec![], vec![("nvidia", -1, vec![])])),
            Some(None)
        );
        assert_eq!(
            claimed(&container(vec![], vec![("nvidia", 0, vec!["0", "1"])])),
            Some(Some(2))
        );
        assert_eq!(
            claimed(&container(
                vec![],
                vec![("cdi", 0, vec!["nvidia.com/gpu=0"])]
            )),
            Some(Some(1))
        );
        assert_eq!(
            claimed(&container(
                vec![],
                vec![("cdi", 0, vec!["nvidia.com/gpu=all"])]
            )),
            Some(None)
        );
        assert_eq!(
            claimed(&container(vec!["/dev/nvidia0:/dev/nvidia0"], vec![])),
            Some(Some(1))
        );
        assert_eq!(
            claimed(&container(vec!["/dev/nvidiactl:/dev/nvidiactl"], vec![])),
            None
        );
        assert_eq!(
            claimed(&container(vec!["/dev/fuse:/dev/fuse"], vec![])),
            None
        );
    }
}

//! Resources: disk of the GAIA root, GPU memory, Docker's image store.

use crate::doctor::check::{Check, check};
use crate::doctor::ctx::Ctx;
use crate::doctor::finding::{Finding, Subject};

pub(crate) fn plan() -> Vec<Box<dyn Check>> {
    vec![Box::new(Disk), Box::new(GpuMemory), Box::new(DockerImages)]
}

struct Disk;
check!(Disk, Resources, |self| subject: Subject::Stack, id: "resources.disk".into(), service: None,
    description: "How full the disk holding the GAIA root is".into());
impl Disk {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let stat = match nix::sys::statvfs::statvfs(&ctx.root) {
            Ok(stat) => stat,
            Err(err) => {
                return Finding::fail(format!(
                    "cannot measure the disk of {}: {err}",
                    ctx.root.display()
                ));
            }
        };
        let block = stat.fragment_size() as f64;
        let used = (stat.blocks() - stat.blocks_free()) as f64 * block;
        let available = stat.blocks_available() as f64 * block;
        let percent = 100.0 * used / (used + available).max(1.0);
        let t = &ctx.catalogue.thresholds;
        let message = format!(
            "disk of {} {percent:.0}% used ({:.1} GiB free)",
            ctx.root.display(),
            available / f64::from(1u32 << 30)
        );
        if percent < t.disk_pass_under_percent {
            Finding::pass(message)
        } else if percent < t.disk_warn_under_percent {
            Finding::warn(message).fix("docker image prune")
        } else {
            Finding::fail(message).fix("docker image prune")
        }
    }
}

struct GpuMemory;
check!(GpuMemory, Resources, |self| subject: Subject::Stack, id: "resources.gpu-memory".into(), service: None,
    description: "How full each GPU's memory is".into());
impl GpuMemory {
    async fn check(&self, ctx: &Ctx) -> Finding {
        let gpus = match &ctx.gpus {
            Ok(gpus) if !gpus.is_empty() => gpus,
            Ok(_) => return Finding::skip("no GPU on this host"),
            Err(why) => return Finding::skip(why.clone()),
        };
        let limit = ctx.catalogue.thresholds.gpu_memory_warn_percent;
        let full: Vec<String> = gpus
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let percent = 100.0 * g.memory_used as f64 / (g.memory_total as f64).max(1.0);
                (percent >= limit).then(|| format!("GPU {i} {percent:.0}%"))
            })
            .collect();
        if full.is_empty() {
            Finding::pass(format!(
                "GPU memory under {limit:.0}% on {} GPU(s)",
                gpus.len()
            ))
        } else {
            Finding::warn(format!("GPU memory nearly full: {}", full.join(", "))).fix("nvidia-smi")
        }
    }
}

struct DockerImages;
check!(DockerImages, Resources, |self| subject: Subject::Stack, id: "resources.docker".into(), service: None,
    description: "How many images Docker holds, and their size".into());
impl DockerImages {
    async fn check(&self, ctx: &Ctx) -> Finding {
        match ctx.docker.images_size().await {
            Ok((count, bytes)) => Finding::pass(format!(
                "Docker holds {count} images, {:.1} GiB",
                bytes as f64 / f64::from(1u32 << 30)
            )),
            Err(err) => Finding::warn(format!("cannot list Docker's images: {err:#}")),
        }
    }
}

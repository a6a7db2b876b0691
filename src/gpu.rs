//! The host's GPUs, through NVML loaded at run time: gaia runs on hosts
//! without an NVIDIA driver, where this simply reports that there is none.

#[derive(Debug, Clone)]
pub(crate) struct HostGpu {
    pub(crate) name: String,
    pub(crate) memory_used: u64,
    pub(crate) memory_total: u64,
}

/// The host's GPUs, or why they cannot be known.
pub(crate) fn host_gpus() -> Result<Vec<HostGpu>, String> {
    let nvml =
        nvml_wrapper::Nvml::init().map_err(|e| format!("no NVIDIA driver on this host ({e})"))?;
    let count = nvml
        .device_count()
        .map_err(|e| format!("NVML cannot count GPUs: {e}"))?;
    (0..count)
        .map(|index| {
            let device = nvml
                .device_by_index(index)
                .map_err(|e| format!("NVML cannot open GPU {index}: {e}"))?;
            let memory = device
                .memory_info()
                .map_err(|e| format!("NVML cannot read the memory of GPU {index}: {e}"))?;
            Ok(HostGpu {
                name: device.name().unwrap_or_else(|_| format!("GPU {index}")),
                memory_used: memory.used,
                memory_total: memory.total,
            })
        })
        .collect()
}

//! What a stage cost: wall time, CPU time and the process's peak memory so far, for `manifest.json`
//! and the whole-run benchmark. CPU time and peak memory are read from `/proc` (Linux); elsewhere
//! they are absent rather than guessed.

use std::time::Instant;

/// The cost of one stage of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCost {
    pub name: &'static str,
    pub wall_seconds: f64,
    /// User + system CPU seconds of the whole process during the stage.
    pub cpu_seconds: Option<f64>,
    /// Peak resident memory of the process at the end of the stage (a running maximum).
    pub peak_rss_mib: Option<f64>,
}

/// Measures consecutive stages.
pub struct Stopwatch {
    wall: Instant,
    cpu: Option<f64>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: cpu_seconds(),
        }
    }
}

impl Stopwatch {
    /// The cost of the stage that just ended; the next one starts now.
    pub fn lap(&mut self, name: &'static str) -> StageCost {
        let cpu = cpu_seconds();
        let cost = StageCost {
            name,
            wall_seconds: self.wall.elapsed().as_secs_f64(),
            cpu_seconds: cpu.zip(self.cpu).map(|(now, then)| now - then),
            peak_rss_mib: peak_rss_mib(),
        };
        *self = Stopwatch {
            wall: Instant::now(),
            cpu,
        };
        cost
    }
}

/// User + system CPU seconds of this process so far (fields 14 and 15 of `/proc/self/stat`).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    // USER_HZ is 100 on every Linux configuration Rust supports.
    Some((user + system) / 100.0)
}

/// Returns memory the program has freed to the system. glibc keeps freed blocks in per-thread pools,
/// where the next stage (running on other threads) cannot reuse them: after the ingest, whose
/// reader thread allocates every batch, those pools would add to the run's peak memory.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own pools.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Peak resident set size so far (`VmHWM` of `/proc/self/status`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_ascii_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_measure_work() {
        let mut watch = Stopwatch::default();
        let v: Vec<u8> = vec![1; 64 << 20];
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x
                .wrapping_mul(31)
                .wrapping_add(i ^ u64::from(v[(i as usize) % v.len()]));
        }
        let cost = watch.lap("work");
        assert!(x != 1);
        assert_eq!(cost.name, "work");
        assert!(cost.wall_seconds > 0.0);
        if cfg!(target_os = "linux") {
            assert!(cost.cpu_seconds.is_some_and(|c| c >= 0.0));
            assert!(cost.peak_rss_mib.is_some_and(|m| m >= 64.0));
        }
    }
}

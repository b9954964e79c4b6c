//! What a stage cost: wall time, CPU time and the process's peak memory so far, for `manifest.json`
//! and the whole-run benchmark. CPU time and peak memory are read from `/proc` (Linux); elsewhere
//! they are absent rather than guessed. Also the test hook that aborts a run at a named point.

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

/// The memory the system could give this program now without swapping (`MemAvailable` of
/// `/proc/meminfo`, or less when the program's control group allows less), in bytes; None where
/// that cannot be read.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_ascii_whitespace().nth(1)?.parse().ok()?;
    let read =
        |path: &str| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    // cgroup v2 ("max" when unlimited, which does not parse), then v1.
    let group = match (
        read("/sys/fs/cgroup/memory.max"),
        read("/sys/fs/cgroup/memory.current"),
    ) {
        (Some(max), Some(current)) => Some(max.saturating_sub(current)),
        _ => read("/sys/fs/cgroup/memory/memory.limit_in_bytes").map(|limit| {
            limit.saturating_sub(read("/sys/fs/cgroup/memory/memory.usage_in_bytes").unwrap_or(0))
        }),
    };
    Some(group.map_or(kib * 1024, |g| g.min(kib * 1024)))
}

/// Peak resident set size so far (`VmHWM` of `/proc/self/status`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_ascii_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A test hook: with `SIMAUDIT_TEST_ABORT=<point>` the process aborts at that point, as a kill
/// would (no clean-up runs). Points: `ingest` (after the first batch of records is read), `report`
/// (after the first output is written), `manifest` (every output written, manifest.json not yet),
/// `publish` (after the first output is moved into place).
pub fn abort_for_test(point: &str) {
    static POINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if POINT
        .get_or_init(|| std::env::var("SIMAUDIT_TEST_ABORT").ok())
        .as_deref()
        == Some(point)
    {
        std::process::abort();
    }
}

/// How far the running stage has got, for a progress display: units done of a total (input bytes
/// while reading). The threads doing the work write it; the display's thread reads it.
pub struct Meter {
    done: std::sync::atomic::AtomicU64,
    total: std::sync::atomic::AtomicU64,
}

/// The run's progress (one run per process).
pub static PROGRESS: Meter = Meter {
    done: std::sync::atomic::AtomicU64::new(0),
    total: std::sync::atomic::AtomicU64::new(0),
};

impl Meter {
    /// A new count of `total` units, none done.
    pub fn start(&self, total: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.done.store(0, Relaxed);
        self.total.store(total, Relaxed);
    }

    /// `done` units done so far.
    pub fn set(&self, done: u64) {
        self.done.store(done, std::sync::atomic::Ordering::Relaxed);
    }

    /// (done, total).
    pub fn read(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.done.load(Relaxed), self.total.load(Relaxed))
    }
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

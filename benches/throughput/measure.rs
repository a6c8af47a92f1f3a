//! Timed runs: many calls at a given concurrency with latency percentiles and CPU per call, the
//! CPU time of a process, the time of one call on this thread, the machine's load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// This process's CPU time (user + system), from /proc/self/stat.
pub(crate) fn cpu_time() -> Duration {
    cpu_time_of("self")
}

/// A process's CPU time (user + system), from /proc/PID/stat.
pub(crate) fn cpu_time_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Alternating rounds per row of the end-to-end table.
pub(crate) const ROUNDS: usize = 5;

pub(crate) struct Run {
    pub(crate) failed: usize,
    pub(crate) calls_per_second: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) cpu_per_call: Duration,
}

impl Run {
    /// Each metric's median over the rounds.
    pub(crate) fn median(runs: &[Run]) -> Run {
        fn mid<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            values[values.len() / 2]
        }
        Run {
            failed: runs.iter().map(|r| r.failed).sum(),
            calls_per_second: mid(runs.iter().map(|r| r.calls_per_second).collect()),
            p50: mid(runs.iter().map(|r| r.p50).collect()),
            p99: mid(runs.iter().map(|r| r.p99).collect()),
            cpu_per_call: mid(runs.iter().map(|r| r.cpu_per_call).collect()),
        }
    }
}

/// `total` calls of `call`, `concurrency` at a time.
pub(crate) async fn run<F, Fut>(concurrency: usize, total: usize, call: F) -> Run
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let cpu = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (call, next) = (call.clone(), next.clone());
            tokio::spawn(async move {
                let (mut latencies, mut failed) = (Vec::new(), 0usize);
                while (next.fetch_add(1, Ordering::Relaxed) as usize) < total {
                    let t = Instant::now();
                    if call().await {
                        latencies.push(t.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    let (mut latencies, mut failed) = (Vec::with_capacity(total), 0);
    for task in tasks {
        let (done, failures) = task.await.expect("task");
        latencies.extend(done);
        failed += failures;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    latencies.sort();
    // Every call may have failed (a server that answers none): no latency to rank then.
    let at = |p: f64| {
        let last = latencies.len().saturating_sub(1);
        latencies
            .get((last as f64 * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    Run {
        failed,
        calls_per_second: total as f64 / elapsed.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
        cpu_per_call: cpu / total as u32,
    }
}

/// The time one call of `read` takes on this thread, in µs: the median of 15 rounds.
pub(crate) fn one_core_us(mut read: impl FnMut() -> usize) -> f64 {
    let iterations = 2_000;
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                std::hint::black_box(read());
            }
            started.elapsed().as_secs_f64() * 1e6 / iterations as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// The first three fields of /proc/loadavg.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

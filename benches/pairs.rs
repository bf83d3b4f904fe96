//! Measuring a project and its baseline side by side, in alternating blocks
//! (benches/ratios.rs says why), for the benchmarks that print ratios.

use serde_json::json;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// How long one block of iterations should take.
const BLOCK: Duration = Duration::from_millis(10);
/// How long each side runs before anything is recorded.
const WARM_UP: Duration = Duration::from_millis(300);

/// Something to measure: runs `n` iterations and says how long they took.
type Side<'a> = dyn FnMut(u64) -> Duration + 'a;

/// Seconds per iteration of each side, one entry per pair of blocks.
pub struct Pairs {
    project: Vec<f64>,
    baseline: Vec<f64>,
}

/// The time budget of one pair: the first number among the arguments
/// (cargo bench passes `--bench` before it), four seconds without one.
pub fn budget() -> Duration {
    let seconds: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(4.0);
    Duration::from_secs_f64(seconds)
}

pub fn measure(budget: Duration, project: &mut Side, baseline: &mut Side) -> Pairs {
    let per_iteration = |side: &mut Side| {
        let started = Instant::now();
        let mut n = 0;
        while started.elapsed() < WARM_UP {
            side(1);
            n += 1;
        }
        started.elapsed() / n
    };
    let slowest = per_iteration(project).max(per_iteration(baseline));
    let n = (BLOCK.as_nanos() / slowest.as_nanos().max(1)).max(1) as u64;
    let mut pairs = Pairs {
        project: Vec::new(),
        baseline: Vec::new(),
    };
    let started = Instant::now();
    let mut round = 0;
    while started.elapsed() < budget {
        let (p, b) = if round % 2 == 0 {
            let p = project(n);
            (p, baseline(n))
        } else {
            let b = baseline(n);
            (project(n), b)
        };
        pairs.project.push(p.as_secs_f64() / n as f64);
        pairs.baseline.push(b.as_secs_f64() / n as f64);
        round += 1;
    }
    pairs
}

fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}

/// One comparison as JSON. `amount` is what one iteration processes, in `unit`s.
pub fn report(id: &str, unit: &str, amount: f64, pairs: Pairs) -> serde_json::Value {
    let ratios: Vec<f64> = pairs
        .project
        .iter()
        .zip(&pairs.baseline)
        .map(|(p, b)| b / p)
        .collect();
    let [q1, ratio, q3] = quartiles(ratios);
    json!({
        "id": id,
        "unit": unit,
        "per_iteration": amount,
        "pairs": pairs.project.len(),
        "project_seconds": quartiles(pairs.project)[1],
        "baseline_seconds": quartiles(pairs.baseline)[1],
        // Project throughput over baseline throughput.
        "ratio": ratio,
        "ratio_q1": q1,
        "ratio_q3": q3,
    })
}

/// A side that runs `request` `n` times in a row on `runtime`.
pub fn on<'a, F, Fut>(runtime: &'a Runtime, request: F) -> impl FnMut(u64) -> Duration + 'a
where
    F: Fn() -> Fut + 'a,
    Fut: Future,
{
    move |n| {
        runtime.block_on(async {
            let started = Instant::now();
            for _ in 0..n {
                black_box(request().await);
            }
            started.elapsed()
        })
    }
}

//! `cargo xtask perf [--json] [--seconds S]`: runs the benchmarks briefly and
//! prints one table of absolute figures and of the ratios the project is held to.
//!
//! The figures come from `benches/ratios.rs`, which runs the project and its
//! baseline in alternating blocks and reports the median ratio over the pairs:
//! the machines are shared and noisy, and only a ratio measured side by side
//! means anything there. `cargo bench --bench client` gives criterion's fuller
//! statistics for the same comparisons.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// One comparison: what it is, how its throughput is shown, and the least
/// acceptable project/baseline throughput ratio.
struct Comparison {
    id: &'static str,
    what: &'static str,
    project: &'static str,
    baseline: &'static str,
    unit: &'static str,
    scale: f64,
    target: f64,
}

const MIB: f64 = 1024.0 * 1024.0;

const COMPARISONS: [Comparison; 3] = [
    Comparison {
        id: "assess_ip_sequential",
        what: "assess_ip, one at a time",
        project: "client",
        baseline: "reqwest + serde_json",
        unit: "req/s",
        scale: 1.0,
        target: 0.97,
    },
    Comparison {
        id: "assess_ip_concurrent64",
        what: "assess_ip, 64 concurrent",
        project: "client",
        baseline: "reqwest + serde_json",
        unit: "req/s",
        scale: 1.0,
        target: 0.97,
    },
    Comparison {
        id: "decode_collection500",
        what: "decode 500 assessments",
        project: "generated type",
        baseline: "serde_json::Value",
        unit: "MiB/s",
        scale: MIB,
        target: 1.0,
    },
];

pub fn run(root: &Path, as_json: bool, seconds: f64) -> Result<()> {
    eprintln!("running benches/ratios.rs, {seconds} s per comparison");
    let output = cargo()
        .current_dir(root)
        .args(["bench", "--bench", "ratios", "--"])
        .arg(seconds.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!("cargo bench --bench ratios failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let measured: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .context("no JSON from benches/ratios.rs")?;
    let mut rows = Vec::new();
    for c in &COMPARISONS {
        let m = measured["comparisons"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["id"] == c.id))
            .with_context(|| format!("benches/ratios.rs did not measure {}", c.id))?;
        let number = |key: &str| {
            m[key]
                .as_f64()
                .with_context(|| format!("{}: no {key}", c.id))
        };
        let amount = number("per_iteration")? / c.scale;
        let ratio = number("ratio")?;
        rows.push(json!({
            "benchmark": c.what,
            "project": {"what": c.project, "per_second": amount / number("project_seconds")?, "unit": c.unit},
            "baseline": {"what": c.baseline, "per_second": amount / number("baseline_seconds")?, "unit": c.unit},
            "ratio": ratio,
            "ratio_iqr": [number("ratio_q1")?, number("ratio_q3")?],
            "pairs": m["pairs"],
            "target": c.target,
            "met": ratio >= c.target,
        }));
    }
    let machine = machine();
    if as_json {
        let bulk = json!({"measured": false, "reason": BULK_PENDING});
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"machine": machine, "rows": rows, "bulk": bulk}))?
        );
        return Ok(());
    }
    println!("machine: {machine}");
    println!("| benchmark | project | baseline | ratio (median, IQR) | target |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        let side = |s: &Value| {
            format!(
                "{} {:.0} {}",
                s["what"].as_str().unwrap_or(""),
                s["per_second"].as_f64().unwrap_or(0.0),
                s["unit"].as_str().unwrap_or("")
            )
        };
        println!(
            "| {} | {} | {} | {:.3} ({:.2}–{:.2}) | ≥ {} {} |",
            r["benchmark"].as_str().unwrap_or(""),
            side(&r["project"]),
            side(&r["baseline"]),
            r["ratio"].as_f64().unwrap_or(0.0),
            r["ratio_iqr"][0].as_f64().unwrap_or(0.0),
            r["ratio_iqr"][1].as_f64().unwrap_or(0.0),
            r["target"],
            if r["met"] == true { "met" } else { "MISSED" },
        );
    }
    println!("| bulk (assess_many) | – | – | – | {BULK_PENDING} |");
    Ok(())
}

/// TODO(lead, after merging bulk and the mock): run `benches/bulk.rs` for
/// 100,000 and 1,000,000 addresses and add its rows (peak RSS for both, requests
/// against ⌈unique public / 500⌉, addresses/s of the client and of the mock alone).
const BULK_PENDING: &str = "not measured yet: needs Client::assess_many and the mock";

/// The cargo this xtask was built with, made to use that toolchain's rustc.
///
/// Run outside `cargo xtask` (no `RUSTUP_TOOLCHAIN` inherited), cargo would
/// call rustup's `rustc` proxy, which honours a `rust-toolchain.toml` shipped
/// inside a dependency's source (serde_tokenstream pins 1.85) and fails when
/// that toolchain is not installed.
pub fn cargo() -> Command {
    let cargo = Path::new(env!("CARGO"));
    let mut command = Command::new(cargo);
    let rustc = cargo.with_file_name("rustc");
    if std::env::var_os("RUSTC").is_none() && rustc.exists() {
        command.env("RUSTC", rustc);
    }
    command
}

/// The CPU model, the number of CPUs this process may use, and the compiler.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cpus} CPUs, {}, {rustc}", std::env::consts::OS)
}

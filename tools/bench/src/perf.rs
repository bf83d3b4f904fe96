//! `cargo xtask perf [--json] [--seconds S] [--no-bulk | --bulk-sizes N,M]`:
//! runs the benchmarks briefly and prints one table of absolute figures and of
//! the ratios the project is held to.
//!
//! The comparisons come from `benches/ratios.rs`, which runs the project and its
//! baseline in alternating blocks and reports the median ratio over the pairs:
//! the machines are shared and noisy, and only a ratio measured side by side
//! means anything there. `cargo bench --bench client` gives criterion's fuller
//! statistics for the same comparisons.
//!
//! The bulk rows come from `benches/bulk.rs` (`Client::assess_many` against the
//! crate's mock), run once per input size in a process of its own, since peak
//! RSS is per process. A target that is not met is marked MISSED; the command
//! still exits 0, since on a shared machine a figure is a reading, not a verdict.

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

const COMPARISONS: [Comparison; 7] = [
    Comparison {
        id: "assess_ip_sequential",
        what: "assess_ip, one at a time",
        project: "client",
        baseline: "reqwest + serde_json",
        unit: "req/s",
        scale: 1.0,
        target: 0.95,
    },
    Comparison {
        id: "assess_ip_concurrent64",
        what: "assess_ip, 64 concurrent",
        project: "client",
        baseline: "reqwest + serde_json",
        unit: "req/s",
        scale: 1.0,
        target: 0.95,
    },
    Comparison {
        id: "assess_ip_sequential_unobserved",
        what: "assess_ip, one at a time, drift observation off",
        project: "client",
        baseline: "reqwest + serde_json",
        unit: "req/s",
        scale: 1.0,
        target: 0.97,
    },
    Comparison {
        id: "assess_ips500_observed",
        what: "assess_ips, 500 results, typed with drift observed",
        project: "client",
        baseline: "reqwest + serde_json::Value",
        unit: "MiB/s",
        scale: MIB,
        target: 1.0,
    },
    Comparison {
        id: "verdict_cached",
        what: "a verdict from the cache, against the loopback round trip it saves",
        project: "verdict (cached)",
        baseline: "assess_ip round trip",
        unit: "req/s",
        scale: 1.0,
        // Under 1 % of a round trip's time.
        target: 100.0,
    },
    Comparison {
        id: "guard_layer_cached",
        what: "an axum handler behind the guard layer, every verdict cached",
        project: "guarded",
        baseline: "unguarded",
        unit: "req/s",
        scale: 1.0,
        target: 0.90,
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

/// The most peak RSS a bulk run may take, in KiB (64 MiB).
const RSS_LIMIT_KIB: u64 = 64 * 1024;

/// How much more the largest bulk run may peak at than the smallest for its
/// memory to count as independent of the input's length, in KiB (4 MiB).
///
/// A fixed allowance rather than a percentage: the peak is mostly the runtime,
/// the mock and the client's bounded state (batches in flight, held inputs, the
/// remembered answers), which are all full at 100,000 addresses already, so any
/// real growth is per input. Anything that kept as little as 5 bytes per input
/// (a position, say) would add more than 4 MiB over the 900,000 inputs between
/// the default sizes, while run-to-run allocator noise measured here is about
/// 1 MiB. A percentage of a ~27 MiB peak (25% is 6.75 MiB) would let such a
/// leak through.
const RSS_GROWTH_ALLOWANCE_KIB: u64 = 4 * 1024;

/// The least client/mock throughput ratio for the run to count as bounded by
/// the mock. The ratio compares equal work: distinct public addresses the
/// client sent per second of the whole run (reading the input, batching,
/// matching and handing out every item included) against addresses per second
/// the mock answers alone for the same number of full batches. The two share
/// the machine's cores, so a client that adds nothing still cannot reach 1.0;
/// 0.8 leaves the client at most a fifth of the time.
const BOUNDED_BY_MOCK: f64 = 0.8;

pub fn run(root: &Path, as_json: bool, seconds: f64, bulk_sizes: &[u64]) -> Result<()> {
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
    let mut runs = Vec::new();
    for &size in bulk_sizes {
        runs.push(run_bulk(root, size)?);
    }
    let bulk = bulk_report(&runs)?;
    let machine = machine();
    if as_json {
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
    for row in bulk_rows(&bulk) {
        println!("{row}");
    }
    Ok(())
}

/// Runs `benches/bulk.rs` for `size` addresses in a process of its own and
/// returns the JSON line it prints.
fn run_bulk(root: &Path, size: u64) -> Result<Value> {
    eprintln!("running benches/bulk.rs for {size} addresses");
    let output = cargo()
        .current_dir(root)
        .args(["bench", "--bench", "bulk", "--"])
        .arg(size.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!(
            "cargo bench --bench bulk -- {size} failed ({})",
            output.status
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v["addresses"].as_u64() == Some(size))
        .with_context(|| format!("no JSON for {size} addresses from benches/bulk.rs"))
}

/// The bulk runs with their verdicts, as they go into `--json`.
fn bulk_report(runs: &[Value]) -> Result<Value> {
    if runs.is_empty() {
        return Ok(json!({"measured": false, "reason": "not run (--no-bulk)"}));
    }
    let mut sizes = Vec::new();
    for run in runs {
        let number = |key: &str| {
            run[key]
                .as_f64()
                .with_context(|| format!("benches/bulk.rs printed no {key}"))
        };
        let addresses = number("addresses")?;
        let peak_rss_kib = number("peak_rss_kib")? as u64;
        let requests = number("requests")? as u64;
        // Older output of the bench had no server-side count.
        let server_requests = run["server_requests"].as_u64();
        let expected = number("expected_requests")? as u64;
        let unique_public = number("unique_public")?;
        let client_inputs = number("client_addresses_per_second")?;
        let client_seconds = addresses / client_inputs;
        let client_sent = unique_public / client_seconds;
        let mock = number("mock_addresses_per_second")?;
        let ratio = client_sent / mock;
        sizes.push(json!({
            "addresses": addresses as u64,
            "unique_public": unique_public as u64,
            "requests": {
                "spent": requests,
                "server_read": server_requests,
                "expected": expected,
                "met": requests == expected && server_requests.is_none_or(|n| n == expected),
            },
            "peak_rss": {
                "kib": peak_rss_kib,
                "mib": peak_rss_kib as f64 / 1024.0,
                "limit_mib": RSS_LIMIT_KIB / 1024,
                "met": peak_rss_kib > 0 && peak_rss_kib < RSS_LIMIT_KIB,
            },
            "throughput": {
                "client_inputs_per_second": client_inputs,
                "client_public_sent_per_second": client_sent,
                "mock_alone_addresses_per_second": mock,
                "ratio": ratio,
                // Inputs (duplicates and private addresses included, which cost the
                // mock nothing) per second against the mock's addresses per second:
                // flatters the client by about a third; for reference only.
                "inputs_ratio": client_inputs / mock,
                "target": BOUNDED_BY_MOCK,
                "bounded_by_mock": ratio >= BOUNDED_BY_MOCK,
            },
        }));
    }
    let peak = |s: &Value| s["peak_rss"]["kib"].as_u64().unwrap_or(0);
    let smallest = sizes.iter().min_by_key(|s| s["addresses"].as_u64());
    let largest = sizes.iter().max_by_key(|s| s["addresses"].as_u64());
    let independence = match (smallest, largest) {
        (Some(small), Some(large)) if small["addresses"] != large["addresses"] => json!({
            "smaller": {"addresses": small["addresses"], "peak_rss_kib": peak(small)},
            "larger": {"addresses": large["addresses"], "peak_rss_kib": peak(large)},
            "growth_kib": peak(large) as i64 - peak(small) as i64,
            "allowance_kib": RSS_GROWTH_ALLOWANCE_KIB,
            "met": peak(large) <= peak(small) + RSS_GROWTH_ALLOWANCE_KIB,
        }),
        _ => json!({"measured": false, "reason": "needs two input sizes"}),
    };
    Ok(json!({
        "measured": true,
        "sizes": sizes,
        "rss_independent_of_length": independence,
    }))
}

/// The bulk rows of the table.
fn bulk_rows(bulk: &Value) -> Vec<String> {
    let Some(sizes) = bulk["sizes"].as_array() else {
        let reason = bulk["reason"].as_str().unwrap_or("not measured");
        return vec![format!("| bulk (assess_many) | – | – | – | {reason} |")];
    };
    let verdict = |met: &Value| if met == true { "met" } else { "MISSED" };
    let mut rows = Vec::new();
    for s in sizes {
        let n = thousands(s["addresses"].as_u64().unwrap_or(0));
        let t = &s["throughput"];
        let rate = |v: &Value| format!("{:.0}k", v.as_f64().unwrap_or(0.0) / 1000.0);
        rows.push(format!(
            "| bulk (assess_many), {n} addresses: throughput | client {} inputs/s ({} public sent/s) | mock alone {} addr/s | {:.2} (one run) | ≥ {} bounded by the mock: {} |",
            rate(&t["client_inputs_per_second"]),
            rate(&t["client_public_sent_per_second"]),
            rate(&t["mock_alone_addresses_per_second"]),
            t["ratio"].as_f64().unwrap_or(0.0),
            t["target"],
            if t["bounded_by_mock"] == true { "met" } else { "MISSED" },
        ));
        let r = &s["requests"];
        let server = match r["server_read"].as_u64() {
            Some(read) => format!(" (mock read {read})"),
            None => String::new(),
        };
        rows.push(format!(
            "| bulk, {n} addresses: requests | {} spent{server} | ⌈{} unique public / 500⌉ = {} | – | exactly: {} |",
            r["spent"],
            thousands(s["unique_public"].as_u64().unwrap_or(0)),
            r["expected"],
            verdict(&r["met"]),
        ));
        let m = &s["peak_rss"];
        rows.push(format!(
            "| bulk, {n} addresses: peak RSS | {:.1} MiB | – | – | < {} MiB {} |",
            m["mib"].as_f64().unwrap_or(0.0),
            m["limit_mib"],
            verdict(&m["met"]),
        ));
    }
    let i = &bulk["rss_independent_of_length"];
    if i["met"].is_boolean() {
        let mib = |kib: &Value| kib.as_f64().unwrap_or(0.0) / 1024.0;
        rows.push(format!(
            "| bulk: peak RSS independent of input length | {} addresses {:.1} MiB | {} addresses {:.1} MiB | {:+.1} MiB | ≤ +{} MiB {} |",
            thousands(i["larger"]["addresses"].as_u64().unwrap_or(0)),
            mib(&i["larger"]["peak_rss_kib"]),
            thousands(i["smaller"]["addresses"].as_u64().unwrap_or(0)),
            mib(&i["smaller"]["peak_rss_kib"]),
            mib(&i["growth_kib"]),
            RSS_GROWTH_ALLOWANCE_KIB / 1024,
            verdict(&i["met"]),
        ));
    }
    rows
}

/// `1000000` → `1,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(addresses: u64, peak_rss_kib: u64, requests: u64, server: u64) -> Value {
        let unique_public = addresses * 3 / 4;
        json!({
            "addresses": addresses,
            "unique_public": unique_public,
            "requests": requests,
            "server_requests": server,
            "expected_requests": unique_public.div_ceil(500),
            "peak_rss_kib": peak_rss_kib,
            "client_addresses_per_second": 150_000.0,
            "mock_addresses_per_second": 120_000.0,
        })
    }

    #[test]
    fn bulk_verdicts() {
        let report = bulk_report(&[
            run(100_000, 26 * 1024, 150, 150),
            run(1_000_000, 29 * 1024, 1500, 1501),
        ])
        .unwrap();
        let sizes = report["sizes"].as_array().unwrap();
        assert_eq!(sizes[0]["requests"]["met"], true);
        // One more request than the summary counts (a repetition) is not exact.
        assert_eq!(sizes[1]["requests"]["met"], false);
        assert_eq!(sizes[1]["peak_rss"]["met"], true);
        // 150k inputs/s of which three quarters are sent: 112.5k against 120k.
        let ratio = sizes[0]["throughput"]["ratio"].as_f64().unwrap();
        assert!((ratio - 0.9375).abs() < 1e-9, "{ratio}");
        assert_eq!(sizes[0]["throughput"]["bounded_by_mock"], true);
        let independence = &report["rss_independent_of_length"];
        assert_eq!(independence["growth_kib"], 3 * 1024);
        assert_eq!(independence["met"], true);

        let grown = bulk_report(&[
            run(1_000_000, 64 * 1024, 1500, 1500),
            run(100_000, 26 * 1024, 150, 150),
        ])
        .unwrap();
        assert_eq!(grown["sizes"][0]["peak_rss"]["met"], false);
        assert_eq!(grown["rss_independent_of_length"]["met"], false);
        assert!(
            bulk_rows(&grown)
                .iter()
                .filter(|r| r.contains("MISSED"))
                .count()
                == 2
        );
    }

    #[test]
    fn no_bulk_is_reported_as_not_run() {
        let report = bulk_report(&[]).unwrap();
        assert_eq!(report["measured"], false);
        assert_eq!(bulk_rows(&report).len(), 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
    }
}

//! Bulk assessment through `Client::assess_many` against the mock.
//!
//! The mock is the `threatjammer-mock` dev-dependency. `cargo xtask perf` runs it
//! twice, for 100,000 and 1,000,000 addresses, in two processes (see
//! `tools/bench/src/perf.rs` for the verdicts it draws).
//!
//! `cargo bench --bench bulk -- 1000000` assesses that many
//! addresses (20% duplicates of the address before, 5% private) in one process
//! and prints one JSON line: peak RSS, requests spent against ⌈unique public /
//! 500⌉ (as the stream's summary counts them and as the mock received them, so
//! repetitions by the retry policy would show), and addresses/s for the client
//! and for the mock alone. Peak RSS is per process, so each size needs its own
//! run; the addresses are computed from their index as the stream asks for
//! them, so the input itself takes no memory. The mock keeps no request log
//! (`record_requests(false)`): with it, RSS would grow with the input because
//! of the log, not of the client.

use futures_util::StreamExt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Addresses a batch request takes.
const BATCH: u64 = 500;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Private,
    Duplicate,
    Unique,
}

/// 1 in 20 is private, 4 in 20 repeat the address before them, the rest are
/// distinct public addresses (11.0.0.0/8 onwards holds 16 million of them).
fn class(i: u64) -> Class {
    match i % 20 {
        0 => Class::Private,
        2 | 7 | 12 | 17 => Class::Duplicate,
        _ => Class::Unique,
    }
}

fn address(i: u64) -> IpAddr {
    match class(i) {
        Class::Private => IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        // The address before a duplicate is always a unique one (i % 20 is 1, 6, 11 or 16).
        Class::Duplicate => address(i - 1),
        Class::Unique => IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i as u32)),
    }
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    // cargo bench passes `--bench`; the first number is the input size.
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mock = threatjammer_mock::MockServer::builder()
            .record_requests(false)
            .start()
            .await;
        // Counts what the mock received, without keeping it; answers nothing itself.
        let received = Arc::new(AtomicU64::new(0));
        let counter = received.clone();
        mock.hook(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
            None
        });
        let client = mock.client();
        let unique_public = (0..n).filter(|&i| class(i) == Class::Unique).count() as u64;

        let started = Instant::now();
        let mut stream = client.assess_many((0..n).map(address));
        let mut handed_out = 0u64;
        while let Some(item) = stream.next().await {
            std::hint::black_box(&item);
            handed_out += 1;
        }
        let client_seconds = started.elapsed().as_secs_f64();
        let requests = stream.summary().requests;
        let server_requests = received.load(Ordering::Relaxed);

        // The mock alone: the same number of full batches, sent as plain
        // assess_ips calls, four at a time as assess_many does by default.
        let batches = unique_public.div_ceil(BATCH);
        let batch: Vec<String> = (0..BATCH)
            .map(|i| Ipv4Addr::from(0x0c00_0000 + i as u32).to_string())
            .collect();
        let started = Instant::now();
        futures_util::stream::iter(0..batches)
            .for_each_concurrent(4, |_| {
                let (client, batch) = (&client, &batch);
                async move {
                    client
                        .assess_ips(batch.clone())
                        .await
                        .expect("mock answers");
                }
            })
            .await;
        let mock_seconds = started.elapsed().as_secs_f64();

        println!(
            "{}",
            serde_json::json!({
                "addresses": n,
                "handed_out": handed_out,
                "unique_public": unique_public,
                "requests": requests,
                "server_requests": server_requests,
                "expected_requests": batches,
                "peak_rss_kib": peak_rss_kib(),
                "client_addresses_per_second": n as f64 / client_seconds,
                "mock_addresses_per_second": (batches * BATCH) as f64 / mock_seconds,
            })
        );
    });
}

//! The comparisons of `client.rs`, measured in pairs for `cargo xtask perf`.
//!
//! On a machine shared with other builds, load comes in bursts longer than a
//! criterion benchmark, so measuring one side and then the other can put a
//! burst on either and swing the ratio by tens of percent. Here the project and
//! its baseline run in alternating blocks of about 10 ms (which one goes first
//! alternates too); each pair of blocks gives one ratio, and the median over
//! all pairs is reported, with its interquartile range.
//!
//! `cargo bench --bench ratios -- [seconds per comparison]` prints one JSON
//! document on stdout.

#[path = "contenders.rs"]
mod contenders;
#[path = "pairs.rs"]
mod pairs;

use contenders::{collection500, concurrently, Contenders, CONCURRENCY};
use pairs::{measure, on, report};
use serde_json::json;
use std::hint::black_box;
use std::time::Instant;
use threatjammer::types::IpAssessmentCollectionOutput;

fn main() {
    let budget = pairs::budget();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(contenders::server());
    let c = Contenders::new(&server.uri());

    let sequential = measure(
        budget,
        &mut on(&runtime, || c.client()),
        &mut on(&runtime, || c.baseline()),
    );
    let unobserved = measure(
        budget,
        &mut on(&runtime, || c.client_unobserved()),
        &mut on(&runtime, || c.baseline()),
    );
    let concurrent = measure(
        budget,
        &mut on(&runtime, || {
            concurrently(&c, |c| async move { c.client().await })
        }),
        &mut on(&runtime, || {
            concurrently(&c, |c| async move { c.baseline().await })
        }),
    );
    let batch_server = runtime.block_on(contenders::batch_server());
    let batches = Contenders::new(&batch_server.uri());
    let batch = measure(
        budget,
        &mut on(&runtime, || batches.client_batch()),
        &mut on(&runtime, || batches.baseline_batch_value()),
    );
    // A verdict from the cache against the round trip it saves.
    let cached = runtime.block_on(contenders::cached_client(&server.uri()));
    let verdicts = measure(
        budget,
        &mut on(&runtime, || contenders::verdict_cached(&cached)),
        &mut on(&runtime, || c.client()),
    );
    // The same axum handler with the guard layer (every verdict cached) and without.
    let guard = threatjammer::tower::GuardLayer::new(cached.clone())
        .trust_proxies(["127.0.0.0/8".parse().expect("network")]);
    let guarded = runtime.block_on(contenders::App::start(Some(guard)));
    let plain = runtime.block_on(contenders::App::start(None));
    let layer = measure(
        budget,
        &mut on(&runtime, || guarded.visit()),
        &mut on(&runtime, || plain.visit()),
    );
    let collection = collection500();
    let body = collection.as_slice();
    let decode = |f: fn(&[u8])| {
        move |n: u64| {
            let started = Instant::now();
            for _ in 0..n {
                f(black_box(body));
            }
            started.elapsed()
        }
    };
    let decoding = measure(
        budget,
        &mut decode(|b| {
            black_box(serde_json::from_slice::<IpAssessmentCollectionOutput>(b).expect("typed"));
        }),
        &mut decode(|b| {
            black_box(serde_json::from_slice::<serde_json::Value>(b).expect("value"));
        }),
    );
    let comparisons = [
        report("assess_ip_sequential", "requests", 1.0, sequential),
        report(
            "assess_ip_concurrent64",
            "requests",
            CONCURRENCY as f64,
            concurrent,
        ),
        report("decode_collection500", "bytes", body.len() as f64, decoding),
        report(
            "assess_ip_sequential_unobserved",
            "requests",
            1.0,
            unobserved,
        ),
        report("assess_ips500_observed", "bytes", body.len() as f64, batch),
        report("verdict_cached", "requests", 1.0, verdicts),
        report("guard_layer_cached", "requests", 1.0, layer),
    ];
    println!("{}", json!({ "comparisons": comparisons }));
}

//! What the client costs over doing it by hand, with criterion's statistics:
//!
//! - `assess_ip_sequential` / `assess_ip_concurrent64`: `Client::assess_ip`
//!   against a hand-written reqwest GET of the same URL decoded with
//!   `serde_json::from_slice` into the same type, one request at a time and 64
//!   at once. Both hit the same loopback server, which answers every request
//!   with the documented assessment of 212.231.12.22 and does nothing else (no
//!   matching), so the client side dominates what is measured.
//! - `decode_collection500`: a 500-result assessment collection decoded into
//!   the generated type against into `serde_json::Value`.
//!
//! `cargo bench --bench client`. Criterion measures one side after the other,
//! so on a shared machine a burst of load can land on either; `ratios.rs`
//! interleaves them and is what `cargo xtask perf` quotes.

#[path = "contenders.rs"]
mod contenders;

use contenders::{collection500, concurrently, Contenders, CONCURRENCY};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use threatjammer::types::IpAssessmentCollectionOutput;

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(contenders::server());
    let contenders = Contenders::new(&server.uri());

    let mut group = c.benchmark_group("assess_ip_sequential");
    group.throughput(Throughput::Elements(1));
    group.bench_function("client", |b| {
        b.to_async(&runtime).iter(|| contenders.client())
    });
    group.bench_function("baseline", |b| {
        b.to_async(&runtime).iter(|| contenders.baseline())
    });
    group.finish();

    let mut group = c.benchmark_group("assess_ip_concurrent64");
    group.throughput(Throughput::Elements(CONCURRENCY as u64));
    group.bench_function("client", |b| {
        b.to_async(&runtime)
            .iter(|| concurrently(&contenders, |c| async move { c.client().await }))
    });
    group.bench_function("baseline", |b| {
        b.to_async(&runtime)
            .iter(|| concurrently(&contenders, |c| async move { c.baseline().await }))
    });
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let body = collection500();
    let mut group = c.benchmark_group("decode_collection500");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| {
            serde_json::from_slice::<IpAssessmentCollectionOutput>(black_box(&body)).expect("typed")
        })
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).expect("value"))
    });
    group.finish();
}

criterion_group!(benches, requests, decoding);
criterion_main!(benches);

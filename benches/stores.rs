//! What the stores a fleet shares in Redis cost (feature `redis`), measured
//! in pairs as benches/ratios.rs measures, against a `redis-server` of the
//! bench's own on loopback:
//!
//! - `redis_cache_hit`: `assess_ip` answered by the shared cache (the local
//!   store holds nothing, so every call asks Redis and decodes the JSON)
//!   against a plain `GET` of the same bytes with the same crate and the same
//!   kind of connection. Target: at least 0.5 (within 2×).
//! - `redis_quota_check`: `assess_ip` against the loopback server through the
//!   shared quota window (a plan it never reaches) against the same call
//!   with no guard plus one plain Redis `GET`: the window's check costs at
//!   most one round trip if the ratio is about 1 or more. The report also
//!   gives the script calls Redis counted against the requests admitted: one
//!   round trip each.
//!
//! `cargo bench --bench stores -- [seconds per comparison]` prints one JSON
//! document on stdout; without redis-server it says so and measures nothing.

#[path = "contenders.rs"]
mod contenders;
#[path = "pairs.rs"]
mod pairs;
#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use pairs::{measure, on, report};
use redis::AsyncCommands;
use serde_json::json;
use std::net::IpAddr;
use std::time::Duration;
use threatjammer::cache::CachePolicy;
use threatjammer::stores::RedisStores;
use threatjammer::{ApiKey, Client, QuotaPolicy};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn main() {
    let budget = pairs::budget();
    let Some(store) = redis_server::RedisServer::start() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(contenders::server());
    let ip: IpAddr = "212.231.12.22".parse().expect("address");
    let build = |cache: Option<CachePolicy>, quota: QuotaPolicy, redis: bool| {
        let mut builder = Client::builder()
            .base_url(server.uri())
            .api_key(ApiKey::new(KEY).expect("key"))
            .quota(quota);
        if let Some(policy) = cache {
            builder = builder.cache(policy);
        }
        if redis {
            builder = builder.redis_stores(
                RedisStores::new(&store.url())
                    .expect("url")
                    .timeout(Duration::from_secs(5)),
            );
        }
        builder.build().expect("client")
    };
    // A local store of no entries: every hit comes from Redis.
    let shared = build(
        Some(CachePolicy::new().max_entries(0)),
        QuotaPolicy::disabled(),
        true,
    );
    runtime.block_on(async {
        shared.assess_ip(ip).await.expect("fills the shared cache");
    });
    let mut connection = runtime.block_on(async {
        redis::Client::open(store.url())
            .expect("url")
            .get_connection_manager()
            .await
            .expect("connection")
    });
    // The answer as the client keeps it, under a name of its own.
    let kept: Vec<u8> = runtime.block_on(async {
        let names: Vec<String> = redis::cmd("KEYS")
            .arg("*:answer:*")
            .query_async(&mut connection)
            .await
            .expect("keys");
        let value: Vec<u8> = connection.get(&names[0]).await.expect("value");
        let _: () = connection.set("plain", &value).await.expect("set");
        value
    });
    let hits = measure(
        budget,
        &mut on(&runtime, || shared.assess_ip(ip).send()),
        &mut on(&runtime, || {
            let mut connection = connection.clone();
            async move {
                let value: Vec<u8> = connection.get("plain").await.expect("get");
                value
            }
        }),
    );
    let hits_seen = shared.redis_stats().expect("stats").shared_hits;
    // A plan it never reaches, in a short window so the window's set stays small.
    let plan = QuotaPolicy::disabled()
        .with_per_minute(u32::MAX)
        .with_window(Duration::from_secs(1));
    let guarded = build(None, plan, true);
    let unguarded = build(None, QuotaPolicy::disabled(), false);
    let quota = measure(
        budget,
        &mut on(&runtime, || guarded.assess_ip(ip).send()),
        &mut on(&runtime, || {
            let mut connection = connection.clone();
            let call = unguarded.assess_ip(ip).send();
            async move {
                let value: Vec<u8> = connection.get("plain").await.expect("get");
                (call.await, value)
            }
        }),
    );
    let admits = guarded.redis_stats().expect("stats").shared_admits;
    // Round trips, as Redis counted them: one script call per request admitted.
    let scripts: u64 = runtime.block_on(async {
        let info: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut connection)
            .await
            .expect("info");
        info.lines()
            .find_map(|l| l.strip_prefix("cmdstat_evalsha:calls="))
            .and_then(|rest| rest.split(',').next()?.parse().ok())
            .unwrap_or(0)
    });
    let comparisons = [
        report("redis_cache_hit", "requests", 1.0, hits),
        report("redis_quota_check", "requests", 1.0, quota),
    ];
    println!(
        "{}",
        json!({
            "comparisons": comparisons,
            "answer_bytes": kept.len(),
            "shared_hits": hits_seen,
            "shared_admits": admits,
            // One more than the admits: the answer the cache test kept.
            "script_calls": scripts,
        })
    );
}

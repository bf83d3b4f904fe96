//! A fleet of real processes sharing one key through one Redis (issue 31):
//! this test binary starts itself four times as workers (the ignored test
//! `fleet_worker`), each sending as fast as it can against one mock whose
//! plan is scaled down to seconds.
//!
//! The plan is 5 requests a second. The workers' guard keeps to 5 in 1.25 s:
//! the extra quarter second is the margin for a request admitted by Redis to
//! reach the mock (four workers, the mock and Redis share the machine's
//! cores), as a real fleet leaves one for the network.

#[path = "support/redis_server.rs"]
mod redis_server;

use redis_server::RedisServer;
use serde_json::Value;
use std::net::IpAddr;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use threatjammer::cache::CachePolicy;
use threatjammer::stores::RedisStores;
use threatjammer::verdict::Source;
use threatjammer::{ApiKey, Client, QuotaPolicy};
use threatjammer_mock::{MockServer, RecordedRequest};
use tokio::time::Instant;

const KEY: &str = "tja_FLEETFLEETFLEETFLEETFLEETFLEETFLEETF";
const LIMIT: u32 = 5;
const PLAN_WINDOW: Duration = Duration::from_secs(1);
const GUARD_WINDOW: Duration = Duration::from_millis(1250);
const WORKERS: usize = 4;
/// The addresses the cache test shares.
const SHARED: usize = 20;

async fn mock() -> MockServer {
    MockServer::builder()
        .api_key(ApiKey::new(KEY).unwrap())
        .quota(
            QuotaPolicy::disabled()
                .with_per_minute(LIMIT)
                .with_window(PLAN_WINDOW),
        )
        .start()
        .await
}

/// Starts a worker; its report is read when it ends.
fn worker(
    mode: &str,
    index: usize,
    server: &MockServer,
    redis: &str,
    seconds: u64,
) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["fleet_worker", "--exact", "--ignored", "--nocapture"])
        .env("FLEET_MODE", mode)
        .env("FLEET_INDEX", index.to_string())
        .env("FLEET_MOCK", server.uri())
        .env("FLEET_REDIS", redis)
        .env("FLEET_SECONDS", seconds.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary starts again")
}

struct Report {
    json: Value,
    stderr: String,
}

async fn finish(children: Vec<std::process::Child>) -> Vec<Report> {
    let mut reports = Vec::new();
    for child in children {
        let output: Output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "a worker failed:\n{stdout}\n{stderr}"
        );
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("FLEET_REPORT "))
            .unwrap_or_else(|| panic!("no report:\n{stdout}\n{stderr}"));
        reports.push(Report {
            json: serde_json::from_str(line).unwrap(),
            stderr,
        });
    }
    reports
}

fn sum(reports: &[Report], field: &str) -> u64 {
    reports
        .iter()
        .map(|r| r.json[field].as_u64().unwrap())
        .sum()
}

/// The most assessments the mock received in any `PLAN_WINDOW`, and how
/// many it refused.
fn busiest_window(requests: &[RecordedRequest]) -> (usize, usize) {
    let mut times: Vec<Instant> = requests
        .iter()
        .filter(|r| r.path.starts_with("/v1/assess/"))
        .map(|r| r.received_at)
        .collect();
    times.sort();
    let busiest = (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < PLAN_WINDOW)
                .count()
        })
        .max()
        .unwrap_or(0);
    let refused = requests.iter().filter(|r| r.status == 429).count();
    (busiest, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_keep_together_to_the_plan() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    let seconds = 6;
    let children = (0..WORKERS)
        .map(|i| worker("send", i, &server, &redis.url(), seconds))
        .collect();
    let reports = finish(children).await;
    let requests = server.received_requests().await;
    let (busiest, refused) = busiest_window(&requests);
    let sent = requests.len() as u64;
    eprintln!(
        "fleet: {sent} requests in {seconds} s, busiest {PLAN_WINDOW:?}: {busiest}, \
         429s: {refused}; calls ok {}, failed {}, verdicts fresh {}, degraded {}",
        sum(&reports, "ok"),
        sum(&reports, "failed"),
        sum(&reports, "fresh"),
        sum(&reports, "degraded"),
    );
    assert_eq!(sum(&reports, "failed"), 0);
    assert_eq!(refused, 0, "the mock refused requests");
    assert!(busiest <= LIMIT as usize, "{busiest} in one window");
    // Together they used the plan, not a quarter of it.
    let most = LIMIT as u64 * (seconds * 1000 / GUARD_WINDOW.as_millis() as u64 + 1);
    assert!(sent >= most / 2, "{sent} sent, {most} allowed");
    assert!(sum(&reports, "degraded") > 0, "no verdict was held back");
    assert_eq!(sum(&reports, "fallbacks"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_one_process_kept_is_a_hit_for_the_others() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    finish(vec![worker("fill", 0, &server, &redis.url(), 0)]).await;
    let filled = server.received_requests().await.len();
    assert_eq!(filled, SHARED);
    let children = (1..WORKERS)
        .map(|i| worker("read", i, &server, &redis.url(), 0))
        .collect();
    let reports = finish(children).await;
    for report in &reports {
        assert_eq!(report.json["hits"], SHARED, "{}", report.json);
        assert_eq!(report.json["shared_hits"], SHARED, "{}", report.json);
    }
    assert_eq!(
        server.received_requests().await.len(),
        filled,
        "nothing sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_fails_no_call_and_is_used_again_when_back() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    let url = redis.url();
    let seconds = 8;
    let children = (0..WORKERS)
        .map(|i| worker("send", i, &server, &url, seconds))
        .collect();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let port = redis.port();
    redis.kill();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let redis = RedisServer::restart(port);
    let reports = finish(children).await;
    let requests = server.received_requests().await;
    let (busiest, refused) = busiest_window(&requests);
    eprintln!(
        "outage: {} requests, busiest {PLAN_WINDOW:?}: {busiest}, 429s: {refused}; \
         calls ok {}, failed {}, fallbacks {}, outages {}",
        requests.len(),
        sum(&reports, "ok"),
        sum(&reports, "failed"),
        sum(&reports, "fallbacks"),
        sum(&reports, "outages"),
    );
    assert_eq!(sum(&reports, "failed"), 0);
    // Each instance keeps to a quarter of the plan on its own, and a change
    // between the counts lets a window pass.
    assert_eq!(refused, 0, "the mock refused requests");
    assert!(busiest <= LIMIT as usize, "{busiest} in one window");
    for report in &reports {
        assert!(
            report.json["outages"].as_u64() >= Some(1),
            "{}",
            report.json
        );
        assert_eq!(report.json["reachable"], true, "{}", report.json);
        assert!(
            report.stderr.contains("Redis cannot be reached"),
            "{}",
            report.stderr
        );
        assert!(
            report.stderr.contains("Redis answers again"),
            "{}",
            report.stderr
        );
    }
    let mut connection = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let names: Vec<String> = redis::cmd("KEYS")
        .arg("*:quota:month")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        names.len(),
        1,
        "the restarted Redis holds the shared count again"
    );
}

/// One process of the fleet: `FLEET_MODE` says what it does, and it prints
/// a `FLEET_REPORT` line of JSON.
#[test]
#[ignore = "a worker process that the fleet tests start"]
fn fleet_worker() {
    let Ok(mode) = std::env::var("FLEET_MODE") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap();
    let index: u8 = var("FLEET_INDEX").parse().unwrap();
    let seconds: u64 = var("FLEET_SECONDS").parse().unwrap();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(async move {
        let stores = RedisStores::new(&var("FLEET_REDIS"))
            .unwrap()
            .fleet_size(WORKERS as u32)
            .probe_interval(Duration::from_millis(200));
        let tj = Client::builder()
            .base_url(var("FLEET_MOCK"))
            .api_key(ApiKey::new(KEY).unwrap())
            .quota(
                QuotaPolicy::disabled()
                    .with_per_minute(LIMIT)
                    .with_window(GUARD_WINDOW),
            )
            .cache(CachePolicy::new())
            .redis_stores(stores)
            .build()
            .unwrap();
        let mut report = match mode.as_str() {
            "send" => send(&tj, index, Duration::from_secs(seconds)).await,
            "fill" | "read" => {
                for n in 0..SHARED {
                    tj.assess_ip(IpAddr::from([23, 1, 1, n as u8 + 1]))
                        .await
                        .unwrap();
                }
                serde_json::json!({ "hits": tj.cache_stats().unwrap().hits })
            }
            other => panic!("unknown mode {other}"),
        };
        let stats = tj.redis_stats().unwrap();
        report["shared_hits"] = stats.shared_hits.into();
        report["fallbacks"] = stats.fallbacks.into();
        report["outages"] = stats.outages.into();
        report["reachable"] = stats.reachable.into();
        report
    });
    println!("FLEET_REPORT {report}");
}

/// Four tasks assessing new addresses and two asking for verdicts within
/// 300 ms, as fast as they can for `duration`.
async fn send(tj: &Client, index: u8, duration: Duration) -> Value {
    let started = Instant::now();
    let tasks = (0..6u8).map(|task| {
        let tj = tj.clone();
        tokio::spawn(async move {
            let (mut ok, mut failed, mut fresh, mut degraded) = (0u64, 0u64, 0u64, 0u64);
            let mut n = 0u16;
            while started.elapsed() < duration {
                n += 1;
                let [hi, lo] = n.to_be_bytes();
                let address = IpAddr::from([11, index * 8 + task, hi, lo]);
                if task < 4 {
                    match tj.assess_ip(address).await {
                        Ok(_) => ok += 1,
                        Err(error) => {
                            eprintln!("call failed: {error}");
                            failed += 1;
                        }
                    }
                } else {
                    let verdict = tj
                        .verdict(address)
                        .deadline(Duration::from_millis(300))
                        .await;
                    match verdict.source {
                        Source::Degraded(_) => degraded += 1,
                        _ => fresh += 1,
                    }
                    // A degraded verdict returns at once; a pause keeps the
                    // verdicts from spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            (ok, failed, fresh, degraded)
        })
    });
    let (mut ok, mut failed, mut fresh, mut degraded) = (0, 0, 0, 0);
    for task in tasks.collect::<Vec<_>>() {
        let (o, f, fr, d) = task.await.unwrap();
        (ok, failed, fresh, degraded) = (ok + o, failed + f, fresh + fr, degraded + d);
    }
    serde_json::json!({ "ok": ok, "failed": failed, "fresh": fresh, "degraded": degraded })
}

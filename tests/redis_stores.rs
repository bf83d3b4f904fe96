//! The stores a fleet shares in Redis (feature `redis`, issue 31), against
//! the mock and a `redis-server` of the test's own on loopback: answers one
//! client kept are hits for another, a change to the lists reaches every
//! client, Redis going away and coming back, and what Redis, `Debug`, errors
//! and logs never hold (the key, the Redis password).
//!
//! The fleet of real processes is tests/fleet.rs.

#[path = "support/captured_logs.rs"]
mod captured_logs;
#[path = "support/redis_server.rs"]
mod redis_server;

use captured_logs::captured_logs;
use redis_server::RedisServer;
use std::net::IpAddr;
use std::time::Duration;
use threatjammer::cache::CachePolicy;
use threatjammer::stores::RedisStores;
use threatjammer::{ApiKey, Client, QuotaPolicy};
use threatjammer_mock::MockServer;

/// A key whose every part is easy to look for.
const KEY: &str = "tja_SECRETSECRETSECRETSECRETSECRETSECRET";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn mock() -> MockServer {
    MockServer::builder()
        .api_key(ApiKey::new(KEY).unwrap())
        .start()
        .await
}

/// A client of `server` with its own local cache, sharing `redis`.
fn client(server: &MockServer, redis: RedisStores) -> Client {
    server
        .client_builder()
        .http_client(MockServer::http_client())
        .cache(CachePolicy::new())
        // A short window: a change between the shared count and the local
        // one lets a whole window pass without sending.
        .quota(
            QuotaPolicy::disabled()
                .with_per_minute(1000)
                .with_window(Duration::from_millis(200)),
        )
        .redis_stores(redis)
        .build()
        .unwrap()
}

async fn connection(redis: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Every name in Redis and every value of a string.
async fn everything(redis: &RedisServer) -> Vec<(String, Vec<u8>)> {
    let mut connection = connection(redis).await;
    let names: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut all = Vec::new();
    for name in names {
        let kind: String = redis::cmd("TYPE")
            .arg(&name)
            .query_async(&mut connection)
            .await
            .unwrap();
        let value = match kind.as_str() {
            "string" => redis::cmd("GET")
                .arg(&name)
                .query_async(&mut connection)
                .await
                .unwrap(),
            _ => {
                let members: Vec<Vec<u8>> = redis::cmd("ZRANGE")
                    .arg(&name)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut connection)
                    .await
                    .unwrap();
                members.concat()
            }
        };
        all.push((name, value));
    }
    all
}

#[tokio::test]
async fn an_answer_one_client_kept_is_a_hit_for_another() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    let stores = RedisStores::new(&redis.url()).unwrap().namespace("hits");
    let (a, b) = (client(&server, stores.clone()), client(&server, stores));
    let first = a.assess_ip(ip("212.231.12.22")).await.unwrap();
    let second = b.assess_ip(ip("212.231.12.22")).await.unwrap();
    assert_eq!(first, second);
    let assessments = |requests: &[threatjammer_mock::RecordedRequest]| {
        requests
            .iter()
            .filter(|r| r.path.starts_with("/v1/assess/"))
            .count()
    };
    assert_eq!(assessments(&server.received_requests().await), 1);
    let stats = b.redis_stats().unwrap();
    assert_eq!((stats.shared_hits, stats.fallbacks), (1, 0), "{stats:?}");
    assert_eq!(b.cache_stats().unwrap().hits, 1);
    // Now in b's local store: no round trip.
    b.assess_ip(ip("212.231.12.22")).await.unwrap();
    assert_eq!(b.redis_stats().unwrap().shared_hits, 1);
}

#[tokio::test]
async fn a_change_to_the_lists_reaches_every_client() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    let stores = RedisStores::new(&redis.url()).unwrap().namespace("lists");
    let (a, b) = (client(&server, stores.clone()), client(&server, stores));
    a.assess_ip(ip("212.231.12.22")).await.unwrap();
    a.get_asn(15704).await.unwrap();
    let list = threatjammer::types::PrivateAclGroupListInput::new(
        "networks we do not take sign-ups from",
        "risky-networks",
        threatjammer::types::PrivateAclGroupListInputResourceType::Cidr,
        vec!["SIGNUP".parse().unwrap()],
    );
    a.create_private_denylist(list).await.unwrap();
    let before = server.received_requests().await.len();
    b.assess_ip(ip("212.231.12.22")).await.unwrap();
    b.get_asn(15704).await.unwrap();
    assert_eq!(
        server.received_requests().await.len(),
        before + 1,
        "the assessment depends on the lists and was sent again; the AS came from Redis"
    );
}

#[tokio::test]
async fn without_redis_every_call_works_and_with_it_back_the_shared_window_is_used_again() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let logs = captured_logs();
    let server = mock().await;
    let stores = RedisStores::new(&redis.url())
        .unwrap()
        .namespace("outage")
        .probe_interval(Duration::from_millis(200));
    let tj = client(&server, stores);
    tj.assess_ip(ip("8.8.8.8")).await.unwrap();
    assert_eq!(tj.redis_stats().unwrap().shared_admits, 1);
    let port = redis.port();
    redis.kill();
    for n in 1..=20u8 {
        tj.assess_ip(ip(&format!("8.8.4.{n}"))).await.unwrap();
        tj.verdict(ip(&format!("9.9.9.{n}"))).await;
    }
    let down = tj.redis_stats().unwrap();
    assert!(!down.reachable, "{down:?}");
    assert_eq!(down.outages, 2, "one for each store: {down:?}");
    assert!(down.fallbacks >= 20, "{down:?}");
    let said = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(said.contains("Redis cannot be reached"), "{said}");
    let redis = RedisServer::restart(port);
    // The first try after the restart may meet the connection that broke;
    // the manager reconnects, and a later probe finds Redis back.
    for n in 1..=50u8 {
        tj.assess_ip(ip(&format!("1.1.1.{n}"))).await.unwrap();
        if tj.redis_stats().unwrap().shared_admits > down.shared_admits {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let back = tj.redis_stats().unwrap();
    assert!(back.reachable, "{back:?}");
    assert!(back.shared_admits > down.shared_admits, "{back:?}");
    let names: Vec<String> = everything(&redis)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with(":quota:minute")),
        "the new server holds the window again: {names:?}"
    );
}

#[tokio::test]
async fn the_key_and_the_redis_password_reach_neither_redis_nor_any_output() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let logs = captured_logs();
    let server = mock().await;
    let stores = RedisStores::new(&redis.url()).unwrap().namespace("secrets");
    let tj = client(&server, stores);
    tj.assess_ip(ip("212.231.12.22")).await.unwrap();
    tj.geolocate_ip(ip("212.231.12.22")).await.unwrap();
    tj.parse_user_agent("Mozilla/5.0").await.unwrap();
    tj.verdict(ip("8.8.8.8")).await;
    let kept = everything(&redis).await;
    assert!(kept.len() >= 4, "{kept:?}");
    let secret = &KEY[4..];
    for (name, value) in &kept {
        assert!(name.starts_with("secrets:"), "{name}");
        assert!(!name.contains(secret), "{name}");
        let value = String::from_utf8_lossy(value);
        assert!(!value.contains(secret), "{name}: {value}");
    }
    // A Redis that wants a password, given the wrong one: the password is in
    // no error, Debug or log line.
    let password = "hunter2-redis-password";
    let url = format!("redis://:{password}@127.0.0.1:{}/", redis.port());
    let stores = RedisStores::new(&url).unwrap();
    let shown = format!("{stores:?}");
    let mut connection = connection(&redis).await;
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("another-one")
        .query_async(&mut connection)
        .await
        .unwrap();
    let tj = client(&server, stores);
    tj.assess_ip(ip("212.231.12.23")).await.unwrap();
    let built = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .redis(format!("http://:{password}@nowhere/"))
        .build()
        .unwrap_err();
    let said = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(said.contains("Redis cannot be reached"), "{said}");
    for text in [
        shown,
        format!("{tj:?}"),
        format!("{built} {built:?}"),
        format!("{:?}", tj.redis_stats()),
        said,
    ] {
        assert!(!text.contains(password), "{text}");
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn a_redis_that_lies_is_neither_trusted_nor_fatal() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = mock().await;
    let stores = RedisStores::new(&redis.url())
        .unwrap()
        .namespace("lies")
        .probe_interval(Duration::from_millis(50));
    let tj = client(&server, stores.clone());
    tj.assess_ip(ip("212.231.12.22")).await.unwrap();
    // Every name the client keeps, overwritten with junk of another type.
    let mut connection = connection(&redis).await;
    for (name, _) in everything(&redis).await {
        let _: () = redis::cmd("DEL")
            .arg(&name)
            .query_async(&mut connection)
            .await
            .unwrap();
        let _: () = redis::cmd("SET")
            .arg(&name)
            .arg("\u{0}junk\n{not json")
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let other = client(&server, stores);
    let before = server.received_requests().await.len();
    for n in 1..=10u8 {
        other.assess_ip(ip("212.231.12.22")).await.unwrap();
        other.assess_ip(ip(&format!("8.8.8.{n}"))).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The junk answer is a miss (then the answer is in the local store), the
    // broken window sends the client to its own count, and it stays there:
    // the cache, which Redis still serves, does not send it back.
    assert_eq!(server.received_requests().await.len(), before + 11);
    let stats = other.redis_stats().unwrap();
    assert!(!stats.reachable, "{stats:?}");
    assert_eq!((stats.outages, stats.shared_admits), (1, 0), "{stats:?}");
}

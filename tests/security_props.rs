//! Properties of what the client does with hostile data, through the real
//! HTTP path on loopback.
//!
//! - A path argument or a link made from any string either reaches exactly
//!   the path it names, or is refused with a typed error and nothing is sent.
//! - A key of any shape, echoed by the server into any part of any error
//!   body, reaches no output channel: `Display`, `Debug` (what a panic on
//!   `unwrap` prints), tracing.
//!
//! Cases per property: `PROPTEST_CASES`, 64 by default.

#[path = "support/captured_logs.rs"]
mod captured_logs;
#[path = "support/loopback.rs"]
mod loopback;

use captured_logs::captured_logs;
use loopback::{Loopback, Reply};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use std::sync::Mutex;
use threatjammer::{ApiKey, Error, Link};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        ..Config::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Strings heavy in what paths are made of, mixed with any Unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\\".to_string()),
        Just("/".to_string()),
        Just("%".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("%2e".to_string()),
        Just("%2E%2e".to_string()),
        Just("%5C".to_string()),
        Just("%5c".to_string()),
        Just("%2F".to_string()),
        Just("%252F".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just("v1".to_string()),
        Just("token".to_string()),
        any::<char>().prop_map(String::from),
        "[a-zA-Z0-9]{1,4}",
    ];
    prop_oneof![
        3 => prop::collection::vec(piece, 0..8).prop_map(|p| p.concat()),
        1 => any::<String>(),
    ]
}

/// A server that records `METHOD target` of every request and answers 404.
async fn recorder() -> (Loopback, loopback::Seen) {
    Loopback::recording(
        404,
        &json!({"title": "Not Found", "detail": "nothing here"}),
    )
    .await
}

fn public_key() -> ApiKey {
    ApiKey::new("tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123").unwrap()
}

fn take(seen: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *seen.lock().unwrap())
}

fn decode(segment: &str) -> Option<String> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[test]
fn a_path_argument_reaches_its_own_segment_or_nothing_is_sent() {
    let rt = runtime();
    let (server, seen) = rt.block_on(recorder());
    let tj = server.client_sending_once(public_key());
    let mut runner = TestRunner::new(config());
    runner
        .run(&hostile_text(), |text| {
            let refusable = matches!(text.as_str(), "" | "." | "..");
            // The last segment of a path, and one in the middle of it.
            let at_end = rt.block_on(tj.parse_user_agent(&text).send());
            let sent = take(&seen);
            let in_middle = rt.block_on(tj.list_datacenter_prefixes(&text).send());
            let sent_middle = take(&seen);
            for (outcome, sent, prefix, suffix) in [
                (at_end.map(|_| ()), sent, "GET /v1/ua/", ""),
                (
                    in_middle.map(|_| ()),
                    sent_middle,
                    "GET /v1/datacenter/",
                    "/prefixes",
                ),
            ] {
                if refusable {
                    prop_assert!(
                        matches!(&outcome, Err(Error::Argument { name, .. }) if name == "path"),
                        "{text:?} was not refused: {outcome:?}"
                    );
                    prop_assert!(sent.is_empty(), "{text:?} was sent: {sent:?}");
                    continue;
                }
                prop_assert_eq!(sent.len(), 1, "{:?}: {:?}", text, sent);
                let segment = sent[0]
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(suffix))
                    .ok_or_else(|| TestCaseError::fail(format!("{text:?} went to {}", sent[0])))?;
                prop_assert!(!segment.contains('/'), "{text:?} split: {}", sent[0]);
                prop_assert_eq!(decode(segment), Some(text.clone()), "{}", sent[0]);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_followed_link_requests_the_path_it_names_or_nothing() {
    let rt = runtime();
    let (server, seen) = rt.block_on(recorder());
    let tj = server.client_sending_once(public_key());
    let texts = prop_oneof![
        hostile_text().prop_map(|t| format!("/v1/ua/{t}")),
        hostile_text().prop_map(|t| format!("/v1/datacenter/{t}/prefixes")),
        hostile_text().prop_map(|t| format!("/v1/asn/registry/{t}")),
        hostile_text().prop_map(|t| format!("/v1/{t}")),
        hostile_text(),
    ];
    let mut runner = TestRunner::new(config());
    runner
        .run(&texts, |text| {
            let link = Link::parse(&text);
            let outcome = rt.block_on(tj.follow(&text));
            let sent = take(&seen);
            match &link {
                None => {
                    prop_assert!(matches!(outcome, Ok(None)));
                    prop_assert!(sent.is_empty());
                }
                Some(Link::Unknown(_)) => {
                    prop_assert!(matches!(outcome, Err(Error::Link { .. })), "{outcome:?}");
                    prop_assert!(sent.is_empty(), "{text:?} was sent: {sent:?}");
                }
                Some(Link::AsnPrefix(_)) => prop_assert_eq!(sent, ["POST /v1/asn/prefix"]),
                Some(Link::DatacenterPrefix(_)) => {
                    prop_assert_eq!(sent, ["POST /v1/datacenter/prefix"])
                }
                Some(link) => {
                    if matches!(outcome, Err(Error::Link { .. })) {
                        prop_assert!(sent.is_empty(), "refused but sent: {sent:?}");
                    } else {
                        prop_assert_eq!(sent.len(), 1, "{:?}: {:?}", text, sent);
                        let target = sent[0].strip_prefix("GET ").unwrap_or(&sent[0]);
                        // What was asked for names the same resource as the link.
                        let asked = Link::parse(target);
                        prop_assert_eq!(asked.as_ref(), Some(link), "{}", target);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

/// `%5C` as `%5c`: servers differ in the case of their escapes, not of the key.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::new();
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

/// Every spelling of `key` an echo or an output channel could give it.
fn spellings(key: &str) -> Vec<String> {
    let quoted = |s: String| s[1..s.len() - 1].to_string();
    let encoded =
        percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string();
    vec![
        key.to_string(),
        quoted(format!("{key:?}")),
        quoted(serde_json::to_string(key).unwrap()),
        lower_hex(&encoded),
        encoded,
    ]
}

/// The bodies a hostile server echoes the key into, one per AS number asked for.
fn echoes(key: &str) -> Vec<Vec<u8>> {
    let json_body = |status: u16, body: serde_json::Value| {
        loopback::response(
            status,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
    };
    let encoded =
        percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string();
    let escaped = serde_json::to_string(key).unwrap();
    vec![
        json_body(
            401,
            json!({"title": format!("Bearer {key}"), "detail": format!("bad token Bearer {key}"), "type:": key}),
        ),
        json_body(
            403,
            json!({"detail": {key: [format!("Bearer {key}"), {"nested": key}]}, "type": key}),
        ),
        json_body(
            422,
            json!({"detail": [{"loc": ["header", key, 0], "msg": key, "type": key, "input": format!("Bearer {key}")}]}),
        ),
        loopback::response(
            429,
            &[("content-type", "application/json"), ("retry-after", "1")],
            json!({"detail": key}).to_string().as_bytes(),
        ),
        loopback::response(
            502,
            &[("content-type", "text/html")],
            format!("<html>Bearer {key} {escaped} {encoded}</html>").as_bytes(),
        ),
        json_body(200, json!({"name": 5, "score": key, "country_code": key})),
        json_body(
            404,
            json!({"detail": format!("no such path /v1/ua/{encoded}")}),
        ),
        loopback::response(
            400,
            &[("content-type", "text/plain")],
            lower_hex(&encoded).as_bytes(),
        ),
        loopback::response(
            200,
            &[("content-type", "application/json")],
            format!("not json {key}").as_bytes(),
        ),
        json_body(409, json!({"title": key, "detail": key})),
    ]
}

fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "tja_[A-Za-z0-9]{36}",
        // Any visible ASCII a header value can carry, as a private deployment may issue.
        "[!-~][ -~]{10,38}[!-~]",
    ]
}

#[test]
fn a_key_echoed_anywhere_reaches_no_output_channel() {
    let logs = captured_logs();
    let rt = runtime();
    let mut runner = TestRunner::new(config());
    runner
        .run(&any_key(), |key| {
            let bodies = echoes(&key);
            let server = rt.block_on(Loopback::start(move |request| {
                let number: usize = request
                    .target
                    .strip_prefix("/v1/asn/")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let body = bodies.get(number).or(bodies.last()).unwrap().clone();
                Reply::Bytes(body.into())
            }));
            let tj = server.client_sending_once(ApiKey::unchecked(key.clone()));
            logs.lock().unwrap().clear();
            let mut errors = Vec::new();
            for number in 0..echoes(&key).len() as i64 {
                errors.push(rt.block_on(tj.get_asn(number).send()).map(|_| ()));
            }
            errors.push(
                rt.block_on(tj.follow(&format!("/v1/nothing/{key}")))
                    .map(|_| ()),
            );
            let mut printed = Vec::new();
            for outcome in errors {
                let error = match outcome {
                    Ok(_) => return Err(TestCaseError::fail("a hostile answer decoded")),
                    Err(e) => e,
                };
                // `Debug` is also what a panic on `unwrap` prints.
                printed.push(format!("{error}"));
                printed.push(format!("{error:?}"));
                printed.push(format!("{error:#?}"));
            }
            // A path argument holding the key: the span records the path.
            let _ = rt.block_on(tj.parse_user_agent(&key).send());
            printed.push(String::from_utf8_lossy(&logs.lock().unwrap()).into_owned());
            for text in &printed {
                for spelling in spellings(&key) {
                    prop_assert!(!text.contains(&spelling), "{spelling:?} leaked: {text}");
                }
            }
            Ok(())
        })
        .unwrap();
}

/// The cache and verdicts (feature `cache`) are output channels too: a key of
/// any shape, echoed into answers that are cached, reaches no `Debug` of the
/// client, its cache, a verdict or a cached answer, and no log line.
#[test]
fn a_key_reaches_no_cache_channel() {
    let logs = captured_logs();
    let rt = runtime();
    let mut runner = TestRunner::new(config());
    let documented: serde_json::Value = serde_json::from_str(include_str!(
        "fixtures/documented/assess-ip-212.231.12.22.json"
    ))
    .unwrap();
    runner
        .run(&any_key(), |key| {
            let mut assessment = documented["response"]["body"].clone();
            assessment["reason"] = format!("seen with {key}").into();
            let token =
                json!({"self": format!("/v1/token/{key}"), "region_id": key, "status": "ENABLED"});
            let server = rt.block_on(Loopback::start(move |request| {
                let body = if request.target.starts_with("/v1/token") {
                    token.to_string()
                } else {
                    assessment.to_string()
                };
                Reply::Bytes(loopback::json(body.as_bytes()).into())
            }));
            let tj = threatjammer::Client::builder()
                .base_url(server.uri())
                .api_key(ApiKey::unchecked(key.clone()))
                .cache(threatjammer::cache::CachePolicy::new())
                .build()
                .unwrap();
            logs.lock().unwrap().clear();
            let ip: std::net::IpAddr = "212.231.12.22".parse().unwrap();
            let mut printed = Vec::new();
            for _ in 0..2 {
                let assessment = rt.block_on(tj.assess_ip(ip).send());
                printed.push(format!("{assessment:?}"));
                printed.push(format!(
                    "{:?}",
                    rt.block_on(std::future::IntoFuture::into_future(tj.verdict(ip)))
                ));
            }
            printed.push(format!("{:?}", rt.block_on(tj.get_token().send())));
            printed.push(format!("{tj:?} {:?}", tj.cache_stats()));
            printed.push(String::from_utf8_lossy(&logs.lock().unwrap()).into_owned());
            // One miss, then the verdict, the second assessment and its verdict are hits.
            prop_assert_eq!(tj.cache_stats().map(|s| s.hits), Some(3));
            for text in &printed {
                for spelling in spellings(&key) {
                    prop_assert!(!text.contains(&spelling), "{spelling:?} leaked: {text}");
                }
            }
            Ok(())
        })
        .unwrap();
}

//! The guard layer in front of a real axum app on loopback (issue 30).

use axum::{extract::Extension, routing::get, Router};
use std::net::SocketAddr;
use std::time::Duration;
use threatjammer::cache::CachePolicy;
use threatjammer::tower::GuardLayer;
use threatjammer::types::IpAssessmentOutputRisk as Risk;
use threatjammer::verdict::{Degraded, Fallback, Source, Verdict};
use threatjammer::{ApiKey, Client};
use threatjammer_mock::{MockResponse, MockServer};

const RISKY: &str = "185.220.101.1";
const CLEAN: &str = "8.8.4.4";

/// The mock, answering HIGH for `RISKY` and LOW for `CLEAN`.
async fn mock() -> MockServer {
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "fixtures/documented/assess-ip-212.231.12.22.json"
    ))
    .unwrap();
    let answer = |ip: &str, risk: &str, score: i64| {
        let mut body = fixture["response"]["body"].clone();
        body["risk"] = risk.into();
        body["score"] = score.into();
        body["self"] = format!("/v1/assess/ip/{ip}").into();
        body
    };
    let (risky, clean) = (answer(RISKY, "HIGH", 95), answer(CLEAN, "LOW", 3));
    let server = MockServer::start().await;
    server.hook(move |request| {
        if request.path.ends_with(RISKY) {
            Some(MockResponse::json(200, risky.clone()))
        } else if request.path.ends_with(CLEAN) {
            Some(MockResponse::json(200, clean.clone()))
        } else {
            None
        }
    });
    server
}

/// Serves `guard` in front of a handler that shows the verdict it was given.
async fn serve(guard: GuardLayer) -> String {
    async fn show(verdict: Option<Extension<Verdict>>) -> String {
        match verdict {
            Some(Extension(v)) => format!("{} {:?} {:?}", v.address, v.risk, v.source),
            None => "no verdict".to_string(),
        }
    }
    let app = Router::new().route("/", get(show)).layer(guard);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    url
}

async fn visit(url: &str, forwarded_for: Option<&str>) -> (u16, String) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.get(url);
    if let Some(hops) = forwarded_for {
        request = request.header("x-forwarded-for", hops);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn cached(server: &MockServer) -> Client {
    server
        .client_builder()
        .cache(CachePolicy::new())
        .build()
        .unwrap()
}

#[tokio::test]
async fn high_risk_is_refused_and_low_passes_with_its_verdict() {
    let server = mock().await;
    let url = serve(
        GuardLayer::new(cached(&server))
            .refuse_at(Risk::High)
            .trust_proxies(["127.0.0.0/8".parse().unwrap()])
            .refusal(
                http::StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
                "not from there",
            ),
    )
    .await;
    // A proxy chain: the client, then a proxy the app trusts (loopback).
    let (status, body) = visit(&url, Some(&format!("{RISKY}, 127.0.0.9"))).await;
    assert_eq!((status, body.as_str()), (451, "not from there"));
    let (status, body) = visit(&url, Some(CLEAN)).await;
    assert_eq!(status, 200);
    assert_eq!(body, format!("{CLEAN} Some(Low) Fresh"));
    // The second visit of the same address is answered from the cache.
    let (_, body) = visit(&url, Some(CLEAN)).await;
    assert_eq!(body, format!("{CLEAN} Some(Low) Cached"));
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let server = mock().await;
    // No trusted proxy: the loopback peer is the client, whatever it claims.
    let url = serve(GuardLayer::new(cached(&server))).await;
    let (status, body) = visit(&url, Some(RISKY)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "127.0.0.1 None Degraded(PrivateAddress)");
    // Behind a trusted proxy, a hop left of an untrusted one is not believed either.
    let url =
        serve(GuardLayer::new(cached(&server)).trust_proxies(["127.0.0.0/8".parse().unwrap()]))
            .await;
    let (status, body) = visit(&url, Some(&format!("{RISKY}, {CLEAN}"))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with(CLEAN), "{body}");
}

#[tokio::test]
async fn an_unreachable_service_gives_the_configured_fallback() {
    let gone = |fallback| {
        Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key(ApiKey::new(format!("tja_{}", "A1b2".repeat(9))).unwrap())
            .retry(threatjammer::RetryPolicy::disabled())
            .cache(CachePolicy::new())
            .verdict_fallback(fallback)
            .build()
            .unwrap()
    };
    let trusted = || ["127.0.0.0/8".parse().unwrap()];
    let deny = serve(GuardLayer::new(gone(Fallback::Deny)).trust_proxies(trusted())).await;
    assert_eq!(visit(&deny, Some(CLEAN)).await.0, 403);
    let allow = serve(
        GuardLayer::new(gone(Fallback::Allow))
            .trust_proxies(trusted())
            .deadline(Duration::from_secs(2)),
    )
    .await;
    let (status, body) = visit(&allow, Some(CLEAN)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        format!("{CLEAN} None {:?}", Source::Degraded(Degraded::Unreachable))
    );
}

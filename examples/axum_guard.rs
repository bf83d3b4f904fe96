//! An axum service behind `threatjammer::tower::GuardLayer`, offline against
//! the crate's mock: the app is served on loopback, behind a pretend proxy
//! that the guard trusts, and asked three times, as three visitors would.
//!
//! `cargo run --example axum_guard --features axum`
//! (with `THREATJAMMER_API_KEY` set, the guard asks the real service.)

use axum::{extract::Extension, routing::get, Router};
use std::net::SocketAddr;
use std::time::Duration;
use threatjammer::cache::CachePolicy;
use threatjammer::tower::GuardLayer;
use threatjammer::types::IpAssessmentOutputRisk as Risk;
use threatjammer::verdict::Verdict;
use threatjammer_mock::{MockResponse, MockServer};

/// An address the mock rates HIGH, for the demonstration.
const RISKY: &str = "185.220.101.1";

async fn sign_up(Extension(verdict): Extension<Verdict>) -> String {
    format!(
        "welcome, {} (risk {:?}, {:?})",
        verdict.address, verdict.risk, verdict.source
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_mock, client) = match std::env::var("THREATJAMMER_API_KEY") {
        Ok(_) => (None, threatjammer::Client::builder().from_env()?),
        Err(_) => {
            let mock = MockServer::start().await;
            // The documented assessment, made HIGH for one address.
            let fixture: serde_json::Value = serde_json::from_str(include_str!(
                "../tests/fixtures/documented/assess-ip-212.231.12.22.json"
            ))?;
            let mut risky = fixture["response"]["body"].clone();
            risky["risk"] = "HIGH".into();
            risky["score"] = 95.into();
            risky["self"] = format!("/v1/assess/ip/{RISKY}").into();
            mock.hook(move |request| {
                request
                    .path
                    .ends_with(RISKY)
                    .then(|| MockResponse::json(200, risky.clone()))
            });
            let builder = mock.client_builder();
            (Some(mock), builder)
        }
    };
    let client = client.cache(CachePolicy::new()).build()?;
    let guard = GuardLayer::new(client)
        .refuse_at(Risk::High)
        .deadline(Duration::from_millis(300))
        // The pretend proxy in front of the app is this machine.
        .trust_proxies(["127.0.0.0/8".parse()?]);
    let app = Router::new().route("/sign-up", get(sign_up)).layer(guard);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/sign-up", listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });

    let http = reqwest::Client::builder().no_proxy().build()?;
    for visitor in ["212.231.12.22", RISKY, "10.0.0.7"] {
        let answer = http
            .get(&url)
            .header("x-forwarded-for", visitor)
            .send()
            .await?;
        println!("{visitor}: {} {}", answer.status(), answer.text().await?);
    }
    Ok(())
}

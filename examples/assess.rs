//! Assess one IP address and print the decoded assessment.
//!
//! ```text
//! cargo run --example assess -- 212.231.12.22
//! ```
//!
//! With `THREATJAMMER_API_KEY` set it calls the service (or `THREATJAMMER_BASE_URL`).
//! Without it, it runs offline: a mock on loopback answers with the documented
//! response from `tests/fixtures/documented/`.

use std::net::IpAddr;
use std::process::ExitCode;

const DOCUMENTED: &str = include_str!("../tests/fixtures/documented/assess-ip-212.231.12.22.json");

#[tokio::main]
async fn main() -> ExitCode {
    let arg = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "212.231.12.22".to_string());
    let ip: IpAddr = match arg.parse() {
        Ok(ip) => ip,
        Err(_) => {
            eprintln!("not an IP address: {arg}");
            return ExitCode::from(2);
        }
    };
    // Kept alive for the whole run: dropping it stops the offline server.
    let mut _offline = None;
    let client = if std::env::var_os("THREATJAMMER_API_KEY").is_some() {
        threatjammer::Client::from_env()
    } else {
        let server = offline_server().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        let key =
            threatjammer::ApiKey::new(format!("tja_{}", "Z".repeat(36))).expect("well-formed");
        let client = threatjammer::Client::new(&server.uri(), key);
        _offline = Some(server);
        client
    };
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match client.assess_ip(ip).await {
        Ok(assessment) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&assessment).expect("serialisable")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(3)
        }
    }
}

/// A wiremock server answering the documented exchange.
async fn offline_server() -> wiremock::MockServer {
    let exchange: serde_json::Value = serde_json::from_str(DOCUMENTED).expect("fixture is JSON");
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(
            exchange["request"]["path"].as_str().expect("path"),
        ))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(&exchange["response"]["body"]),
        )
        .mount(&server)
        .await;
    server
}

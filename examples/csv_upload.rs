//! Assess a file of IP addresses, one a line, streamed to `POST /v1/assess/ip/csv`.
//!
//! ```text
//! cargo run --example csv_upload -- addresses.txt
//! ```
//!
//! Without a file it uploads two addresses from memory. With
//! `THREATJAMMER_API_KEY` set it calls the service (or `THREATJAMMER_BASE_URL`);
//! without it, a mock on loopback answers with the documented assessment.

use std::process::ExitCode;
use threatjammer::{Client, CsvInput};

const DOCUMENTED: &str = include_str!("../tests/fixtures/documented/assess-ip-212.231.12.22.json");

#[tokio::main]
async fn main() -> ExitCode {
    let input = match std::env::args().nth(1) {
        Some(file) => CsvInput::Path(file.into()),
        None => CsvInput::from("212.231.12.22\n8.8.8.8\n"),
    };
    // Kept alive for the whole run: dropping it stops the offline server.
    let mut _offline = None;
    let built = if std::env::var_os("THREATJAMMER_API_KEY").is_some() {
        Client::from_env()
    } else {
        let server = offline_server().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against {}",
            server.uri()
        );
        let key =
            threatjammer::ApiKey::new(format!("tja_{}", "Z".repeat(36))).expect("well-formed");
        let built = Client::new(&server.uri(), key);
        _offline = Some(server);
        built
    };
    let tj = match built {
        Ok(tj) => tj,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // strict_parse: a malformed line fails the upload rather than being skipped.
    match tj.assess_ips_csv(input, Some(true)).await {
        Ok(assessed) => {
            for a in assessed.results {
                println!(
                    "{:>3} {:<7} {}",
                    a.score.unwrap_or_default(),
                    a.risk.to_string(),
                    a.self_.unwrap_or_default()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(3)
        }
    }
}

/// A wiremock server answering any upload with the documented assessment.
async fn offline_server() -> wiremock::MockServer {
    let exchange: serde_json::Value = serde_json::from_str(DOCUMENTED).expect("fixture is JSON");
    let body =
        serde_json::json!({"self": "/v1/assess/ip/csv", "results": [exchange["response"]["body"]]});
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/v1/assess/ip/csv"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

//! Assess one IP address and print the decoded assessment.
//!
//! ```text
//! cargo run --example assess -- 212.231.12.22
//! ```
//!
//! With `THREATJAMMER_API_KEY` set it calls the service (or `THREATJAMMER_BASE_URL`).
//! Without it, it runs offline against the crate's own mock (feature `mock`), which
//! answers the documented assessment of 212.231.12.22 as printed, and any other
//! address with a deterministic one.

use std::net::IpAddr;
use std::process::ExitCode;

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
        let server = threatjammer_mock::MockServer::start().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        let client = threatjammer::Client::new(&server.uri(), server.api_key());
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

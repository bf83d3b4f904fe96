//! Assess a file of IP addresses, one a line, streamed to `POST /v1/assess/ip/csv`.
//!
//! ```text
//! cargo run --example csv_upload -- addresses.txt
//! ```
//!
//! Without a file it uploads two addresses from memory. With
//! `THREATJAMMER_API_KEY` set it calls the service (or `THREATJAMMER_BASE_URL`);
//! without it, it runs offline against the crate's own mock (feature `mock`),
//! which answers an upload with its recorded one.

use std::process::ExitCode;
use threatjammer::{Client, CsvInput};

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
        let server = threatjammer_mock::MockServer::start().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        let built = Client::new(&server.uri(), server.api_key());
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
    match tj.assess_ips_csv(input).strict_parse(true).await {
        Ok(assessed) => {
            for a in assessed.results {
                // The `self` link names the address the assessment is of.
                let address = match &a.self_ {
                    Some(threatjammer::Link::Assessment(ip)) => ip.to_string(),
                    _ => "?".into(),
                };
                println!(
                    "{:>3} {:<7} {address}",
                    a.score.unwrap_or_default(),
                    a.risk.to_string(),
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

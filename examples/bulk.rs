//! Assess a file of addresses, one a line, at the fewest requests.
//!
//! ```text
//! cargo run --example bulk -- addresses.txt     # or `-` for standard input
//! cargo run --example bulk                      # a generated demo input
//! ```
//!
//! Prints `line<TAB>address<TAB>outcome` for every address, in the order the
//! answers arrive, and a summary on stderr. Lines that are not addresses are
//! reported on stderr with their number and skipped.
//!
//! With `THREATJAMMER_API_KEY` set it calls the service (or
//! `THREATJAMMER_BASE_URL`). Without it, it runs offline against the mock
//! server, which answers any address.

use futures_util::StreamExt;
use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::process::ExitCode;
use threatjammer::bulk::Outcome;

#[tokio::main]
async fn main() -> ExitCode {
    // Kept alive for the whole run: dropping it stops the offline server.
    let mut _offline = None;
    let client = if std::env::var_os("THREATJAMMER_API_KEY").is_some() {
        match threatjammer::Client::from_env() {
            Ok(client) => client,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    } else {
        let server = threatjammer_mock::MockServer::builder()
            .record_requests(false)
            .start()
            .await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        let client = server.client();
        _offline = Some(server);
        client
    };

    let lines: Box<dyn Iterator<Item = String> + Send> = match std::env::args().nth(1) {
        Some(path) if path == "-" => Box::new(
            BufReader::new(std::io::stdin())
                .lines()
                .map_while(Result::ok),
        ),
        Some(path) => match std::fs::File::open(&path) {
            Ok(file) => Box::new(BufReader::new(file).lines().map_while(Result::ok)),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(demo_input()),
    };
    // Numbered from 1 like an editor, and carried through as each item's position.
    let addresses = lines.enumerate().filter_map(|(index, line)| {
        let number = index as u64 + 1;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        match text.parse::<IpAddr>() {
            Ok(ip) => Some((number, ip)),
            Err(_) => {
                eprintln!("line {number}: not an IP address: {text:?}");
                None
            }
        }
    });

    let mut results = client.assess_many(addresses);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    while let Some(item) = results.next().await {
        let outcome = match &item.outcome {
            Outcome::Answered(a) => format!("{:?} {}", a.risk, a.score.unwrap_or_default()),
            Outcome::NotPublic => "not public".to_string(),
            Outcome::Unanswered => "no answer".to_string(),
            Outcome::Failed(e) => format!("failed: {e}"),
        };
        if writeln!(out, "{}\t{}\t{outcome}", item.position, item.input).is_err() {
            break; // stdout closed (`| head`): stop quietly
        }
    }
    let _ = out.flush();
    let s = results.summary();
    eprintln!(
        "{} addresses: {} assessed, {} not public, {} unanswered, {} failed; \
         {} duplicates answered without a request; {} requests",
        s.inputs, s.answered, s.not_public, s.unanswered, s.failed, s.duplicates, s.requests
    );
    if s.failed > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// 2,000 lines like a web server's: repeat visitors, internal traffic, a typo.
fn demo_input() -> impl Iterator<Item = String> + Send {
    (0u32..2_000).map(|i| match i % 10 {
        0 => "10.0.0.7".to_string(),
        1 | 2 => format!("185.220.{}.{}", 100 + i % 7, 1 + i % 3),
        3 if i == 503 => "not-an-address".to_string(),
        _ => {
            let n = i.wrapping_mul(2_654_435_761);
            format!(
                "{}.{}.{}.{}",
                20 + n % 150,
                (n >> 8) % 256,
                (n >> 16) % 256,
                1 + (n >> 24) % 254
            )
        }
    })
}

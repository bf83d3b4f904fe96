//! Handle every way a call can fail by matching on `threatjammer::Error`.
//!
//! ```text
//! cargo run --example errors
//! ```
//!
//! With `THREATJAMMER_API_KEY` set it calls the service (or `THREATJAMMER_BASE_URL`).
//! Without it, it runs offline against the crate's own mock (feature `mock`),
//! told to answer each call with one of the documented errors.

use std::process::ExitCode;
use std::time::Duration;
use threatjammer::{Client, Error, RetryPolicy};

#[tokio::main]
async fn main() -> ExitCode {
    // Kept alive for the whole run: dropping it stops the offline server.
    let mut _offline = None;
    let built = if std::env::var_os("THREATJAMMER_API_KEY").is_some() {
        Client::builder().from_env().and_then(|b| b.build())
    } else {
        let server = threatjammer_mock::MockServer::start().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        queue_documented_errors(&server);
        let built = server
            .client_builder()
            // Show the 429 as it is instead of waiting it out.
            .retry(RetryPolicy::new().max_retry_after(Duration::ZERO))
            .build();
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

    // A private address (400), an AS number out of range (422), an unknown AS
    // (404), a follow of the documented five-octet prefix (a bad link), and the
    // quota (429 when spent).
    explain(
        "assess 10.0.0.1",
        tj.assess_ip("10.0.0.1".parse().unwrap()).await.map(|_| ()),
    );
    explain("AS -1", tj.get_asn(-1).await.map(|_| ()));
    explain("AS 64512", tj.get_asn(64512).await.map(|_| ()));
    explain(
        "follow",
        tj.follow("/v1/asn/prefix/212.231.0.0.0%252F16")
            .await
            .map(|_| ()),
    );
    explain("quota", tj.fetch_quota().await.map(|_| ()));
    ExitCode::SUCCESS
}

/// What a program would do about each outcome.
fn explain(what: &str, outcome: Result<(), Error>) {
    let advice = match &outcome {
        Ok(()) => "fine".to_string(),
        Err(Error::Unauthorized(_)) => "check the key and its region".to_string(),
        Err(Error::Forbidden(_)) => "this needs a better plan".to_string(),
        Err(Error::NotFound(_)) => "nothing there; not an error for a lookup".to_string(),
        Err(Error::Validation(failures)) => {
            let fields: Vec<String> = failures
                .iter()
                .map(|f| {
                    let loc: Vec<String> = f.loc.iter().map(|l| l.to_string()).collect();
                    format!("{} ({})", loc.join("."), f.type_)
                })
                .collect();
            format!("fix the arguments: {}", fields.join(", "))
        }
        Err(Error::RateLimited { retry_after, .. }) => {
            format!("slow down; the service says wait {retry_after:?}")
        }
        Err(Error::QuotaExhausted { resets_in, .. }) => {
            format!("the month is spent; {resets_in:?} to go")
        }
        Err(Error::Api { status, problem }) => {
            format!("refused with {status}: {:?}", problem.detail)
        }
        Err(Error::Link { reason, .. }) => format!("not a link to follow: {reason}"),
        Err(e) if e.is_retryable() => "try again later".to_string(),
        Err(e) => format!("report it: {e}"),
    };
    match outcome {
        Ok(()) => println!("{what}: {advice}"),
        Err(e) => println!("{what}: {e}\n    -> {advice}"),
    }
}

/// The mock refuses a private address by itself; the other answers `main`
/// expects are queued, in the order the calls are made.
fn queue_documented_errors(server: &threatjammer_mock::MockServer) {
    use threatjammer::OperationId;
    use threatjammer_mock::MockResponse;
    let out_of_range = serde_json::json!({"detail": [{
        "loc": ["path", "number"], "msg": "ensure this value is greater than 0",
        "type": "value_error.number.not_gt"}]});
    server.fail_next(
        Some(OperationId::GET_ASN),
        1,
        MockResponse::json(422, out_of_range),
    );
    server.fail_next(
        Some(OperationId::GET_ASN),
        1,
        MockResponse::problem(404, "Not Found", "Unknown AS"),
    );
    server.fail_next(
        Some(OperationId::GET_TOKEN),
        1,
        MockResponse::problem(429, "Too Many Requests", "Quota exceeded").retry_after(42),
    );
}

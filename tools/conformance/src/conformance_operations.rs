//! `cargo xtask conformance --base-url URL --operations`: every operation of
//! the spec of record called once against a server that answers every valid
//! request with a success (a mock of the published document, such as Prism),
//! with the arguments of the operation's first fixture that expects one.
//! It counts the operations whose answer the client decodes.

use super::fixture::{Fixture, Outcome};
use super::replay::render_error;
use anyhow::{bail, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use threatjammer::operations::OPERATIONS;
use threatjammer::Client;

/// Prints one line an operation and the tally; `Ok(true)` when every
/// operation succeeded.
pub async fn run(
    client: &Client,
    paths: &[PathBuf],
    recorder: Option<&super::record::Recorder>,
    as_json: bool,
) -> Result<bool> {
    // One success fixture of each operation: a documented exchange where there
    // is one, else a derived one. Edge cases are left out: they probe the
    // client with requests no other server need accept.
    let rank = |path: &PathBuf| {
        let shown = path.to_string_lossy();
        ["/documented/", "/derived/"]
            .iter()
            .position(|dir| shown.contains(dir))
    };
    let mut ranked: Vec<(usize, &PathBuf)> = paths
        .iter()
        .filter_map(|p| rank(p).map(|r| (r, p)))
        .collect();
    ranked.sort();
    let mut chosen = BTreeMap::new();
    for (_, path) in ranked {
        let Ok(fixture) = Fixture::load(path) else {
            continue;
        };
        if fixture.expected_outcome() != Ok(Outcome::Ok) {
            continue;
        }
        if let Ok(operation) = fixture.operation() {
            chosen
                .entry(operation.id)
                .or_insert((fixture, path.clone()));
        }
    }
    let mut succeeded = 0;
    for operation in OPERATIONS {
        let Some((fixture, path)) = chosen.get(operation.id) else {
            bail!(
                "no fixture expects {} to succeed, so it cannot be called",
                operation.id
            );
        };
        let args = fixture.arguments(operation).map_err(anyhow::Error::msg)?;
        let before = recorder.map_or(0, |r| r.len());
        let result = client.call(operation.id, &args).await;
        if let (Some(recorder), Some(outcome)) = (recorder, Outcome::of(&result)) {
            if recorder.len() > before {
                recorder.expect(recorder.len() - 1, outcome.as_str());
            }
        }
        let ok = result.is_ok();
        succeeded += usize::from(ok);
        if as_json {
            let value = match &result {
                Ok(_) => json!(null),
                Err(e) => render_error(e),
            };
            println!(
                "{}",
                json!({"operation": operation.id, "ok": ok, "fixture": path.display().to_string(), "error": value})
            );
        } else if let Err(e) = &result {
            println!("FAIL {}  {}", operation.id, e);
        } else {
            println!("ok   {}", operation.id);
        }
    }
    println!("{succeeded} / {} operations succeeded", OPERATIONS.len());
    Ok(succeeded == OPERATIONS.len())
}

//! The coverage gate: fails, naming what is missing, when the fixtures leave
//! part of the spec of record unexercised.
//!
//! - every operation has a success fixture (a 2xx answer expected to be `ok`);
//! - every error status declared anywhere in the spec (400, 401, 403, 404,
//!   409, 413, 422, 429) has a fixture on an operation that declares it;
//! - every operation that declares 422 has its own 422 fixture (a FastAPI
//!   validation body expected to be `validation_error`).
//!
//! Statuses the spec declares on every operation (401, 403, 429) are not
//! required per operation: one fixture shows the client reads each.

use threatjammer_fixtures as fixture;

use fixture::{find_fixtures, Fixture, Outcome};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use threatjammer::operations::OPERATIONS;

/// Operation id -> the statuses the spec of record declares for it.
fn declared_statuses() -> BTreeMap<&'static str, BTreeSet<u16>> {
    let text = std::fs::read_to_string("openapi/threatjammer.json").expect("the spec of record");
    let spec: Value = serde_json::from_str(&text).expect("JSON");
    OPERATIONS
        .iter()
        .map(|op| {
            let responses =
                &spec["paths"][op.path][op.method.to_ascii_lowercase().as_str()]["responses"];
            let statuses = responses
                .as_object()
                .unwrap_or_else(|| panic!("{} declares no responses", op.id))
                .keys()
                .filter_map(|k| k.parse().ok())
                .collect();
            (op.id, statuses)
        })
        .collect()
}

#[test]
fn fixtures_cover_every_operation_and_every_declared_status() {
    let declared = declared_statuses();
    // (operation id, status, expected outcome) of every fixture.
    let exchanges: Vec<(&str, u16, Outcome)> = find_fixtures(&[PathBuf::from("tests/fixtures")])
        .expect("fixtures")
        .iter()
        .map(|path| {
            let fixture = Fixture::load(path).expect("checked by conformance_fixtures");
            let op = fixture
                .operation()
                .expect("checked by conformance_fixtures");
            let outcome = fixture
                .expected_outcome()
                .expect("checked by conformance_fixtures");
            (op.id, fixture.response.status, outcome)
        })
        .collect();
    let has = |op: &str, status: u16, outcome: Outcome| {
        exchanges
            .iter()
            .any(|&(o, s, e)| o == op && s == status && e == outcome)
    };

    let mut missing = Vec::new();
    for op in OPERATIONS.iter() {
        let success = exchanges
            .iter()
            .any(|&(o, s, e)| o == op.id && (200..300).contains(&s) && e == Outcome::Ok);
        if !success {
            missing.push(format!("{}: no success fixture", op.id));
        }
        if declared[op.id].contains(&422) && !has(op.id, 422, Outcome::ValidationError) {
            missing.push(format!("{}: declares 422 but has no 422 fixture", op.id));
        }
    }
    let error_statuses: BTreeSet<u16> = declared
        .values()
        .flatten()
        .copied()
        .filter(|s| *s >= 400)
        .collect();
    for status in error_statuses {
        let covered = exchanges
            .iter()
            .any(|&(o, s, _)| s == status && declared[o].contains(&status));
        if !covered {
            missing.push(format!(
                "status {status}: no fixture on an operation that declares it"
            ));
        }
    }
    assert!(missing.is_empty(), "coverage gaps:\n{}", missing.join("\n"));
}

//! For every fixture, what the client made of the answer (the decoded value,
//! or the typed error with its status and Retry-After) as a JSON snapshot in
//! `snapshots/`, so a change in decoding is a reviewed diff.

// The fixture format, typed (crate `threatjammer-fixtures`); the replay below reads it as `super::fixture`.
use threatjammer_fixtures as fixture;
#[allow(dead_code)]
#[path = "../tools/conformance/src/replay.rs"]
mod replay;

use fixture::Fixture;
use serde_json::json;

#[test]
fn decoded() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("fixtures/**/*.json", |path| {
            let fixture = Fixture::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let replay = runtime.block_on(replay::replay(&fixture));
            let decoded = json!({
                "operation": replay.operation,
                "outcome": replay.outcome.map(|o| o.as_str()),
                "value": replay.value,
            });
            insta::assert_json_snapshot!(decoded);
        });
    });
}

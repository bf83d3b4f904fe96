//! Serves the fuzzer's bytes as the answer to one operation of the spec, through
//! the real HTTP path (the loopback harness of `tests/decode_props.rs`), and
//! panics if the client panics or reports something that disagrees with the
//! status served. The first byte picks the operation, the second the status,
//! the third the content type; the rest is the body.
//!
//! `cargo +nightly fuzz run decode` from the repository root.

#![no_main]

#[path = "../../tests/support/calls.rs"]
mod calls;
#[path = "../../tests/support/loopback.rs"]
mod loopback;

use calls::{Answer, Harness};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

const STATUSES: [u16; 12] = [200, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502];
const CONTENT_TYPES: [Option<&str>; 3] = [Some("application/json"), Some("text/html"), None];

static HARNESS: LazyLock<Harness> =
    LazyLock::new(|| Harness::start(include_str!("../../openapi/threatjammer.json")));

fuzz_target!(|data: &[u8]| {
    let [operation, status, content_type, body @ ..] = data else {
        return;
    };
    let harness = &*HARNESS;
    let operation = &harness.operations[*operation as usize % harness.operations.len()];
    let answer = Answer {
        status: STATUSES[*status as usize % STATUSES.len()],
        content_type: CONTENT_TYPES[*content_type as usize % CONTENT_TYPES.len()],
        body: body.to_vec(),
    };
    if let Err(why) = harness.serve(operation, answer) {
        panic!("{why}");
    }
});

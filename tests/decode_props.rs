//! Decoding never panics and never lies about what happened.
//!
//! Arbitrary bytes, arbitrary JSON (deep nesting, numbers far beyond 64 bits,
//! keys the spec uses) and JSON shaped like each operation's own answer (with
//! values of the wrong type, unknown enum values and huge numbers mixed in) are
//! served to every operation of the spec through the real HTTP path, by a
//! loopback server, and called with `Client::call`. Each call must come back as
//! a value or a typed error that agrees with the status that was served.
//!
//! Cases per property: `PROPTEST_CASES`, 64 by default (CI keeps the default).
//! Each case of the first two properties is served to all 97 operations.

#[path = "support/calls.rs"]
mod calls;
#[path = "support/loopback.rs"]
mod loopback;

use calls::{example, resolve, Answer, Harness};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

const SPEC: &str = include_str!("../openapi/threatjammer.json");

/// Statuses worth serving: success, every documented error, and undocumented ones.
const STATUSES: [u16; 12] = [200, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502];

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        // Shrinking replays every operation per step; a few hundred steps say enough.
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// Integers and decimals far outside what `u64`/`f64` hold, as JSON text.
fn huge_number() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[1-9][0-9]{19,400}",
        "-?[1-9]\\.[0-9]{1,5}[eE][+-]?[0-9]{3,6}",
        Just("18446744073709551616".to_string()),
        Just("-9223372036854775809".to_string()),
    ]
}

fn json_string() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| Value::String(s).to_string())
}

/// Arbitrary JSON text; object keys are often ones the spec uses, so decoding
/// gets past the first field.
fn json_text(keys: Vec<String>) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Value::from(f).to_string()),
        huge_number(),
        json_string(),
    ];
    let key = prop_oneof![
        3 => proptest::sample::select(keys).prop_map(|k| Value::String(k).to_string()),
        1 => json_string(),
    ];
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key.clone(), inner), 0..8).prop_map(|members| {
                let members: Vec<String> =
                    members.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
    .boxed()
}

/// Arrays or objects nested far deeper than any answer, up to past serde_json's limit.
fn deeply_nested() -> impl Strategy<Value = String> {
    (1usize..1500, any::<bool>(), any::<bool>()).prop_map(|(depth, arrays, closed)| {
        let (open, close) = if arrays {
            ("[", "]")
        } else {
            ("{\"results\":", "}")
        };
        let mut text = open.repeat(depth);
        text.push('1');
        if closed {
            text.push_str(&close.repeat(depth));
        }
        text
    })
}

/// JSON text shaped like `schema`, with now and then a value of the wrong
/// type, an unknown enum value, a huge number, a missing or an unknown key.
fn shaped(
    spec: &Value,
    schema: &Value,
    depth: usize,
    anything: &BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    let schema = resolve(spec, schema);
    if depth > 6 {
        return Just("null".to_string()).boxed();
    }
    let faithful: BoxedStrategy<String> = if let Some(values) = schema["enum"].as_array() {
        let known: Vec<String> = values.iter().map(Value::to_string).collect();
        prop_oneof![
            4 => proptest::sample::select(known),
            1 => "\"[A-Z_]{1,12}\"",
        ]
        .boxed()
    } else if let Some(alternatives) = ["anyOf", "oneOf", "allOf"]
        .iter()
        .find_map(|k| schema[*k].as_array())
    {
        Union::new(
            alternatives
                .iter()
                .map(|a| shaped(spec, a, depth + 1, anything)),
        )
        .boxed()
    } else {
        match schema["type"].as_str().unwrap_or("object") {
            "integer" => prop_oneof![
                4 => (0i64..1000).prop_map(|n| n.to_string()),
                1 => any::<i64>().prop_map(|n| n.to_string()),
                1 => huge_number(),
            ]
            .boxed(),
            "number" => prop_oneof![
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(|f| Value::from(f).to_string()),
                huge_number(),
            ]
            .boxed(),
            "boolean" => any::<bool>().prop_map(|b| b.to_string()).boxed(),
            "string" => prop_oneof![
                3 => Just(example(spec, schema).to_string()),
                1 => json_string(),
            ]
            .boxed(),
            "array" => {
                prop::collection::vec(shaped(spec, &schema["items"], depth + 1, anything), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(",")))
                    .boxed()
            }
            _ => object(spec, schema, depth, anything),
        }
    };
    prop_oneof![12 => faithful, 1 => anything.clone()].boxed()
}

fn object(
    spec: &Value,
    schema: &Value,
    depth: usize,
    anything: &BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let members: Vec<BoxedStrategy<Option<String>>> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let key = Value::String(name.clone()).to_string();
            let value = shaped(spec, property, depth + 1, anything);
            let present = if required.contains(&name.as_str()) {
                0.95
            } else {
                0.6
            };
            proptest::option::weighted(present, value.prop_map(move |v| format!("{key}:{v}")))
                .boxed()
        })
        .collect();
    let unknown = proptest::option::weighted(
        0.1,
        (json_string(), anything.clone()).prop_map(|(k, v)| format!("{k}:{v}")),
    );
    (members, unknown)
        .prop_map(|(members, unknown)| {
            let present: Vec<String> = members.into_iter().flatten().chain(unknown).collect();
            format!("{{{}}}", present.join(","))
        })
        .boxed()
}

/// Every property name the spec uses.
fn spec_keys(spec: &Value) -> Vec<String> {
    let mut keys: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, s)| s["properties"].as_object().into_iter().flatten())
        .map(|(k, _)| k.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), String>) {
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&strategy, |case| test(case).map_err(TestCaseError::fail)) {
        panic!("{e}");
    }
}

fn schema(spec: &Value, name: &str) -> Value {
    spec["components"]["schemas"][name].clone()
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    proptest::sample::select(vec![
        Some("application/json"),
        Some("text/html"),
        Some("text/csv"),
        None,
    ])
}

#[test]
fn every_operation_is_reached() {
    // The arguments derived from the spec are accepted: each call reaches the
    // server (a 500 comes back as such, not as an argument error).
    let h = Harness::start(SPEC);
    assert_eq!(
        h.operations.len(),
        threatjammer::operations::OPERATIONS.len()
    );
    for operation in &h.operations {
        let answer = Answer {
            status: 500,
            ..Answer::default()
        };
        if let Err(e) = h.serve(operation, answer) {
            panic!("{e}");
        }
    }
}

#[test]
fn arbitrary_bytes() {
    let h = Harness::start(SPEC);
    let strategy = (
        proptest::sample::select(STATUSES.to_vec()),
        content_type(),
        prop::collection::vec(any::<u8>(), 0..512),
    );
    run(strategy, |(status, content_type, body)| {
        h.serve_all(&Answer {
            status,
            content_type,
            body,
        })
    });
}

#[test]
fn arbitrary_json() {
    let h = Harness::start(SPEC);
    let keys = spec_keys(&h.spec);
    let strategy = (
        proptest::sample::select(STATUSES.to_vec()),
        prop_oneof![4 => json_text(keys), 1 => deeply_nested()],
    );
    run(strategy, |(status, body)| {
        h.serve_all(&Answer {
            status,
            content_type: Some("application/json"),
            body: body.into_bytes(),
        })
    });
}

#[test]
fn answers_shaped_like_the_schema() {
    // Per operation, so every response type gets its own cases: its success
    // answer, or one of the documented error bodies.
    let h = Harness::start(SPEC);
    let anything = json_text(spec_keys(&h.spec));
    let problem = shaped(&h.spec, &schema(&h.spec, "Problem"), 0, &anything);
    for operation in &h.operations {
        let (status, schema) = (operation.success.0, &operation.success.1);
        let success = match schema {
            Some(schema) => shaped(&h.spec, schema, 0, &anything),
            None => anything.clone(),
        };
        let errors = proptest::sample::select(vec![400u16, 401, 403, 404, 409, 413, 422, 429]);
        let strategy = prop_oneof![
            4 => success.prop_map(move |body| (status, body)),
            1 => (errors, problem.clone()),
        ];
        run(strategy, |(status, body)| {
            h.serve(
                operation,
                Answer {
                    status,
                    content_type: Some("application/json"),
                    body: body.into_bytes(),
                },
            )
        });
    }
}

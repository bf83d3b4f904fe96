//! Every operation of the spec of record carries the facts build/facts.rs
//! generates code from (`x-threatjammer`, explained in
//! openapi/operations.overlay.yaml). A version bump that brings an operation
//! without them fails here, naming it: left alone, a new read-only POST would
//! silently never be retried and a new paged listing would get no stream.

use serde_json::Value;

fn spec() -> Value {
    let text = std::fs::read_to_string("openapi/threatjammer.json").expect("the spec of record");
    serde_json::from_str(&text).expect("JSON")
}

/// (id, method, path, operation) for every operation.
fn operations(doc: &Value) -> Vec<(String, String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let id = op["operationId"].as_str().unwrap_or("?").to_string();
            all.push((id, method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    all
}

#[test]
fn every_operation_has_its_facts() {
    let doc = spec();
    let mut missing = Vec::new();
    for (id, method, path, op) in operations(&doc) {
        let facts = &op["x-threatjammer"];
        let segment = path.split('/').nth(2).unwrap_or_default();
        let area = if path.starts_with("/v1/denylist/reported") {
            "reported"
        } else {
            segment
        };
        if facts["area"].as_str() != Some(area) {
            missing.push(format!("{id}: area should be {area:?}"));
        }
        match facts["repeatable"].as_bool() {
            None => missing.push(format!("{id}: no `repeatable` fact")),
            // A GET changes nothing by definition; calling one unsafe to repeat is a slip.
            Some(false) if method == "GET" => {
                missing.push(format!("{id}: a GET must be repeatable"))
            }
            Some(_) => {}
        }
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        let paged = params.contains(&"page") && params.contains(&"page_size");
        match (paged, facts.get("pages")) {
            (true, None) => missing.push(format!(
                "{id}: takes page and page_size but has no `pages` fact"
            )),
            (false, Some(_)) => {
                missing.push(format!("{id}: has a `pages` fact but no page parameters"))
            }
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "operations lacking facts:\n{}",
        missing.join("\n")
    );
}

/// The fields a `pages` fact names are lists in the operation's answer, and
/// `numbered` matches whether the answer has `page` and `page_size`.
#[test]
fn page_facts_name_the_answers_lists() {
    let doc = spec();
    let schemas = &doc["components"]["schemas"];
    let mut wrong = Vec::new();
    for (id, _, _, op) in operations(&doc) {
        let Some(pages) = op["x-threatjammer"].get("pages") else {
            continue;
        };
        let reference = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default();
        let schema = &schemas[reference.trim_start_matches("#/components/schemas/")];
        let properties = &schema["properties"];
        for item in pages["items"].as_array().into_iter().flatten() {
            let name = item.as_str().unwrap_or_default();
            if properties[name]["type"] != "array" {
                wrong.push(format!("{id}: `{name}` is not a list of its answer"));
            }
        }
        let echoes = properties.get("page").is_some() && properties.get("page_size").is_some();
        if pages["numbered"].as_bool() != Some(echoes) {
            wrong.push(format!("{id}: `numbered` should be {echoes}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The generated table says what the spec says.
#[test]
fn the_generated_table_follows_the_facts() {
    let doc = spec();
    for (id, _, _, op) in operations(&doc) {
        let facts = &op["x-threatjammer"];
        let parsed: threatjammer::OperationId = id.parse().expect("every id parses");
        assert_eq!(parsed.as_str(), id);
        let row = parsed.operation();
        assert_eq!(row.id, id);
        assert_eq!(Some(row.repeatable), facts["repeatable"].as_bool(), "{id}");
        assert_eq!(row.repeatable, threatjammer::is_safe_to_repeat(&id), "{id}");
        assert_eq!(row.paged, facts.get("pages").is_some(), "{id}");
        assert_eq!(Some(row.area), facts["area"].as_str(), "{id}");
    }
    assert!("no_such_operation"
        .parse::<threatjammer::OperationId>()
        .is_err());
}

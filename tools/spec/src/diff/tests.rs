//! One small synthetic case per rule, run both ways: the reverse of a change must
//! be ranked by its counterpart rule (added <-> removed, made required <-> made optional).

use super::rules::{self, Rule};
use super::{compare, render, suggest, Level, Report};
use semver::Version;
use serde_json::{json, Value};

/// The document every case starts from: a read operation, a create operation that
/// both sends and receives schemas, and schemas that reference each other (Owner
/// refers to itself, to prove the walk stops on cycles).
fn base() -> Value {
    json!({
        "openapi": "3.0.2",
        "info": { "title": "Things", "version": "1.0.0" },
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "get_thing",
                    "summary": "Get a thing",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                        { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "default": 10 } },
                        { "name": "order", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"] } },
                        { "name": "size", "in": "query", "schema": { "type": "integer", "minimum": 5, "maximum": 100 } },
                        { "name": "tag", "in": "query", "schema": { "type": "string", "pattern": "^[a-z]+$" } }
                    ],
                    "responses": {
                        "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                        "422": { "description": "Invalid", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                    }
                }
            },
            "/things/{id}/export": {
                "get": {
                    "operationId": "export_thing",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "responses": {
                        "200": { "description": "OK", "content": { "text/csv": { "schema": { "type": "string" } } } }
                    }
                }
            },
            "/things": {
                "post": {
                    "operationId": "create_thing",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewThing" } } } },
                    "responses": {
                        "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "title": "Thing",
                    "type": "object",
                    "required": ["id", "kind"],
                    "properties": {
                        "id": { "type": "string", "title": "Id" },
                        "kind": { "type": "string", "enum": ["a", "b"] },
                        "note": { "type": "string" },
                        "description": { "type": "string", "description": "a field named like a prose keyword" },
                        "rank": { "type": "integer" },
                        "owner": { "$ref": "#/components/schemas/Owner" }
                    }
                },
                "NewThing": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": { "type": "string", "maxLength": 64 },
                        "colour": { "type": "string", "enum": ["red", "green"] },
                        "labels": { "type": "array", "items": { "type": "string" }, "maxItems": 10 },
                        "owner": { "allOf": [{ "$ref": "#/components/schemas/Owner" }], "description": "who owns it" }
                    }
                },
                "Owner": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": { "type": "string", "maxLength": 40 },
                        "manager": { "$ref": "#/components/schemas/Owner" }
                    }
                },
                "Problem": { "type": "object", "properties": { "detail": { "type": "string" } } }
            }
        }
    })
}

/// Sets (or, with None, removes) the node at a JSON pointer; the parent must exist.
fn set(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer below the root");
    let key = key.replace("~1", "/").replace("~0", "~");
    let parent = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no node at {parent}"));
    match (parent, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(key, v);
        }
        (Value::Object(map), None) => {
            map.remove(&key)
                .unwrap_or_else(|| panic!("nothing to remove at {pointer}"));
        }
        (Value::Array(items), Some(v)) if key == "-" => items.push(v),
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().unwrap()] = v,
        (Value::Array(items), None) => {
            items.remove(key.parse::<usize>().unwrap());
        }
        _ => panic!("{pointer} is not inside a container"),
    }
}

const GET: &str = "GET /things/{id}";
const POST: &str = "POST /things";
const GET_PARAMS: &str = "/paths/~1things~1{id}/get/parameters";
const POST_OP: &str = "/paths/~1things/post";
const THING: &str = "/components/schemas/Thing";
const NEW_THING: &str = "/components/schemas/NewThing";

/// (operation or "" for components, location, rule)
type Expected = Vec<(&'static str, &'static str, &'static Rule)>;

struct Case {
    name: &'static str,
    change: fn(&mut Value),
    forward: Expected,
    reverse: Expected,
    prose: usize,
}

fn cases() -> Vec<Case> {
    use rules::*;
    vec![
        Case {
            name: "operation added",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}/delete",
                    Some(
                        json!({ "operationId": "delete_thing", "description": "gone", "responses": { "204": { "description": "gone" } } }),
                    ),
                )
            },
            forward: vec![("DELETE /things/{id}", "operation", &OPERATION_ADDED)],
            reverse: vec![("DELETE /things/{id}", "operation", &OPERATION_REMOVED)],
            prose: 0,
        },
        Case {
            name: "operation renamed",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}/get/operationId",
                    Some(json!("fetch_thing")),
                )
            },
            forward: vec![(GET, "operation", &OPERATION_RENAMED)],
            reverse: vec![(GET, "operation", &OPERATION_RENAMED)],
            prose: 0,
        },
        Case {
            name: "required parameter added",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/-"),
                    Some(
                        json!({ "name": "q", "in": "query", "required": true, "schema": { "type": "string" } }),
                    ),
                )
            },
            forward: vec![(GET, "query parameter q", &PARAMETER_ADDED_REQUIRED)],
            reverse: vec![(GET, "query parameter q", &PARAMETER_REMOVED_REQUIRED)],
            prose: 0,
        },
        Case {
            name: "optional parameter added",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/-"),
                    Some(json!({ "name": "page", "in": "query", "schema": { "type": "integer" } })),
                )
            },
            forward: vec![(GET, "query parameter page", &PARAMETER_ADDED_OPTIONAL)],
            reverse: vec![(GET, "query parameter page", &PARAMETER_REMOVED_OPTIONAL)],
            prose: 0,
        },
        Case {
            name: "parameter made required",
            change: |d| set(d, &format!("{GET_PARAMS}/1/required"), Some(json!(true))),
            forward: vec![(GET, "query parameter limit", &PARAMETER_MADE_REQUIRED)],
            reverse: vec![(GET, "query parameter limit", &PARAMETER_MADE_OPTIONAL)],
            prose: 0,
        },
        Case {
            name: "parameter retyped",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/1/schema/type"),
                    Some(json!("string")),
                )
            },
            forward: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            reverse: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            prose: 0,
        },
        Case {
            // typify picks the integer type from the bounds (u64, NonZeroU64...).
            name: "integer bound retypes a parameter",
            change: |d| set(d, &format!("{GET_PARAMS}/1/schema/minimum"), Some(json!(1))),
            forward: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            reverse: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            prose: 0,
        },
        Case {
            name: "parameter enum value added",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/2/schema/enum/-"),
                    Some(json!("random")),
                )
            },
            forward: vec![(GET, "query parameter order", &REQUEST_ENUM_VALUE_ADDED)],
            reverse: vec![(GET, "query parameter order", &REQUEST_ENUM_VALUE_REMOVED)],
            prose: 0,
        },
        Case {
            name: "request property added, required",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/size"),
                    Some(json!({ "type": "integer" })),
                );
                set(d, &format!("{NEW_THING}/required/-"), Some(json!("size")));
            },
            forward: vec![(POST, "request body: size", &REQUEST_PROPERTY_ADDED_REQUIRED)],
            reverse: vec![(
                POST,
                "request body: size",
                &REQUEST_PROPERTY_REMOVED_REQUIRED,
            )],
            prose: 0,
        },
        Case {
            name: "request property added, optional",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/size"),
                    Some(json!({ "type": "integer" })),
                )
            },
            forward: vec![(POST, "request body: size", &REQUEST_PROPERTY_ADDED_OPTIONAL)],
            reverse: vec![(
                POST,
                "request body: size",
                &REQUEST_PROPERTY_REMOVED_OPTIONAL,
            )],
            prose: 0,
        },
        Case {
            name: "request property made required",
            change: |d| set(d, &format!("{NEW_THING}/required/-"), Some(json!("colour"))),
            forward: vec![(
                POST,
                "request body: colour",
                &REQUEST_PROPERTY_MADE_REQUIRED,
            )],
            reverse: vec![(
                POST,
                "request body: colour",
                &REQUEST_PROPERTY_MADE_OPTIONAL,
            )],
            prose: 0,
        },
        Case {
            name: "request property retyped",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/name/type"),
                    Some(json!("integer")),
                )
            },
            forward: vec![(POST, "request body: name", &REQUEST_PROPERTY_RETYPED)],
            reverse: vec![(POST, "request body: name", &REQUEST_PROPERTY_RETYPED)],
            prose: 0,
        },
        Case {
            name: "request enum value added",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/colour/enum/-"),
                    Some(json!("blue")),
                )
            },
            forward: vec![(POST, "request body: colour", &REQUEST_ENUM_VALUE_ADDED)],
            reverse: vec![(POST, "request body: colour", &REQUEST_ENUM_VALUE_REMOVED)],
            prose: 0,
        },
        Case {
            // Thing is the response of both operations: the change is reported on each.
            // A list has no empty value the decoder could stand in with.
            name: "response property added, required",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/created"),
                    Some(json!({ "type": "array", "items": { "type": "integer" } })),
                );
                set(d, &format!("{THING}/required/-"), Some(json!("created")));
            },
            forward: vec![
                (
                    GET,
                    "response 200: created",
                    &RESPONSE_PROPERTY_ADDED_REQUIRED,
                ),
                (
                    POST,
                    "response 200: created",
                    &RESPONSE_PROPERTY_ADDED_REQUIRED,
                ),
            ],
            reverse: vec![
                (
                    GET,
                    "response 200: created",
                    &RESPONSE_PROPERTY_REMOVED_REQUIRED,
                ),
                (
                    POST,
                    "response 200: created",
                    &RESPONSE_PROPERTY_REMOVED_REQUIRED,
                ),
            ],
            prose: 0,
        },
        Case {
            name: "response property added, optional",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/created"),
                    Some(json!({ "type": "integer" })),
                )
            },
            forward: vec![
                (
                    GET,
                    "response 200: created",
                    &RESPONSE_PROPERTY_ADDED_OPTIONAL,
                ),
                (
                    POST,
                    "response 200: created",
                    &RESPONSE_PROPERTY_ADDED_OPTIONAL,
                ),
            ],
            reverse: vec![
                (
                    GET,
                    "response 200: created",
                    &RESPONSE_PROPERTY_REMOVED_OPTIONAL,
                ),
                (
                    POST,
                    "response 200: created",
                    &RESPONSE_PROPERTY_REMOVED_OPTIONAL,
                ),
            ],
            prose: 0,
        },
        Case {
            name: "response property made required",
            change: |d| set(d, &format!("{THING}/required/-"), Some(json!("owner"))),
            forward: vec![
                (GET, "response 200: owner", &RESPONSE_PROPERTY_MADE_REQUIRED),
                (
                    POST,
                    "response 200: owner",
                    &RESPONSE_PROPERTY_MADE_REQUIRED,
                ),
            ],
            reverse: vec![
                (GET, "response 200: owner", &RESPONSE_PROPERTY_MADE_OPTIONAL),
                (
                    POST,
                    "response 200: owner",
                    &RESPONSE_PROPERTY_MADE_OPTIONAL,
                ),
            ],
            prose: 0,
        },
        Case {
            name: "response property retyped by its format",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/id/format"),
                    Some(json!("uuid")),
                )
            },
            forward: vec![
                (GET, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
            ],
            reverse: vec![
                (GET, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
            ],
            prose: 0,
        },
        Case {
            // `description` here names a field, not prose: its type change is a real change.
            name: "property named description retyped",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/description/type"),
                    Some(json!("integer")),
                )
            },
            forward: vec![
                (GET, "response 200: description", &RESPONSE_PROPERTY_RETYPED),
                (
                    POST,
                    "response 200: description",
                    &RESPONSE_PROPERTY_RETYPED,
                ),
            ],
            reverse: vec![
                (GET, "response 200: description", &RESPONSE_PROPERTY_RETYPED),
                (
                    POST,
                    "response 200: description",
                    &RESPONSE_PROPERTY_RETYPED,
                ),
            ],
            prose: 0,
        },
        Case {
            name: "response enum value added",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/kind/enum/-"),
                    Some(json!("c")),
                )
            },
            forward: vec![
                (GET, "response 200: kind", &RESPONSE_ENUM_VALUE_ADDED),
                (POST, "response 200: kind", &RESPONSE_ENUM_VALUE_ADDED),
            ],
            reverse: vec![
                (GET, "response 200: kind", &RESPONSE_ENUM_VALUE_REMOVED),
                (POST, "response 200: kind", &RESPONSE_ENUM_VALUE_REMOVED),
            ],
            prose: 0,
        },
        Case {
            // Owner is reached through two `$ref`s, on the request side of POST (through an
            // allOf wrapper) and on the response side of both: one change per operation and side.
            name: "deep change through $ref",
            change: |d| {
                set(
                    d,
                    "/components/schemas/Owner/properties/name/type",
                    Some(json!("integer")),
                )
            },
            forward: vec![
                (GET, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
                (POST, "request body: owner.name", &REQUEST_PROPERTY_RETYPED),
                (POST, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
            ],
            reverse: vec![
                (GET, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
                (POST, "request body: owner.name", &REQUEST_PROPERTY_RETYPED),
                (POST, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
            ],
            prose: 0,
        },
        Case {
            name: "reference to another schema",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/owner"),
                    Some(json!({ "$ref": "#/components/schemas/Problem" })),
                )
            },
            forward: vec![
                (GET, "response 200: owner", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: owner", &RESPONSE_PROPERTY_RETYPED),
            ],
            reverse: vec![
                (GET, "response 200: owner", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: owner", &RESPONSE_PROPERTY_RETYPED),
            ],
            prose: 0,
        },
        Case {
            name: "schema added",
            change: |d| {
                set(
                    d,
                    "/components/schemas/Unused",
                    Some(json!({ "type": "object" })),
                )
            },
            forward: vec![("", "schema Unused", &SCHEMA_ADDED)],
            reverse: vec![("", "schema Unused", &SCHEMA_REMOVED)],
            prose: 0,
        },
        Case {
            name: "success status added",
            change: |d| {
                set(
                    d,
                    &format!("{POST_OP}/responses/202"),
                    Some(json!({ "description": "Accepted" })),
                )
            },
            forward: vec![(POST, "response 202", &SUCCESS_STATUS_ADDED)],
            reverse: vec![(POST, "response 202", &SUCCESS_STATUS_REMOVED)],
            prose: 0,
        },
        Case {
            name: "error status added",
            change: |d| {
                set(
                    d,
                    &format!("{POST_OP}/responses/404"),
                    Some(json!({ "description": "Not found" })),
                )
            },
            forward: vec![(POST, "response 404", &ERROR_STATUS_ADDED)],
            reverse: vec![(POST, "response 404", &ERROR_STATUS_REMOVED)],
            prose: 0,
        },
        Case {
            name: "request media type added",
            change: |d| {
                set(
                    d,
                    &format!("{POST_OP}/requestBody/content/multipart~1form-data"),
                    Some(json!({ "schema": { "type": "object" } })),
                )
            },
            // The client still sends JSON (build adaptation 1): nothing else changes.
            forward: vec![(POST, "request body", &REQUEST_MEDIA_TYPE_ADDED)],
            reverse: vec![(POST, "request body", &REQUEST_MEDIA_TYPE_REMOVED)],
            prose: 0,
        },
        Case {
            name: "request body kind changed",
            change: |d| {
                set(
                    d,
                    &format!("{POST_OP}/requestBody/content"),
                    Some(json!({ "multipart/form-data": { "schema": { "type": "object" } } })),
                )
            },
            // The form is written from the spec and types nothing, so Owner is
            // then reached by answers only and loses its checked name.
            forward: vec![
                (GET, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
                (POST, "request body", &REQUEST_BODY_KIND_CHANGED),
                (POST, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
            ],
            reverse: vec![
                (GET, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
                (POST, "request body", &REQUEST_BODY_KIND_CHANGED),
                (POST, "response 200: owner.name", &RESPONSE_PROPERTY_RETYPED),
            ],
            prose: 0,
        },
        Case {
            name: "response body kind changed",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}/get/responses/200/content",
                    Some(json!({ "text/csv": { "schema": { "type": "string" } } })),
                )
            },
            forward: vec![(GET, "response 200", &RESPONSE_BODY_KIND_CHANGED)],
            reverse: vec![(GET, "response 200", &RESPONSE_BODY_KIND_CHANGED)],
            prose: 0,
        },
        Case {
            name: "response media type added",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}/get/responses/200/content/text~1csv",
                    Some(json!({ "schema": { "type": "string" } })),
                )
            },
            forward: vec![(GET, "response 200", &RESPONSE_MEDIA_TYPE_ADDED)],
            reverse: vec![(GET, "response 200", &RESPONSE_MEDIA_TYPE_REMOVED)],
            prose: 0,
        },
        Case {
            // The kinds of issue 29, each with a pair of its own.
            name: "request maxLength lowered on a body property",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/name/maxLength"),
                    Some(json!(32)),
                )
            },
            forward: vec![(POST, "request body: name", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(POST, "request body: name", &REQUEST_CONSTRAINT_RELAXED)],
            prose: 0,
        },
        Case {
            name: "request pattern added to a constrained body property",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/name/pattern"),
                    Some(json!("^\\w+$")),
                )
            },
            forward: vec![(POST, "request body: name", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(POST, "request body: name", &REQUEST_CONSTRAINT_RELAXED)],
            prose: 0,
        },
        Case {
            name: "request pattern changed on a parameter",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/4/schema/pattern"),
                    Some(json!("^[a-z0-9]+$")),
                )
            },
            forward: vec![(GET, "query parameter tag", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(GET, "query parameter tag", &REQUEST_CONSTRAINT_TIGHTENED)],
            prose: 0,
        },
        Case {
            name: "request maximum lowered on a parameter",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/3/schema/maximum"),
                    Some(json!(50)),
                )
            },
            forward: vec![(GET, "query parameter size", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(GET, "query parameter size", &REQUEST_CONSTRAINT_RELAXED)],
            prose: 0,
        },
        Case {
            // 5 and 10 are no integer type's bounds: `i64` either way.
            name: "request minimum raised on a parameter",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/3/schema/minimum"),
                    Some(json!(10)),
                )
            },
            forward: vec![(GET, "query parameter size", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(GET, "query parameter size", &REQUEST_CONSTRAINT_RELAXED)],
            prose: 0,
        },
        Case {
            // typify: `minimum: 1` is NonZeroU64, 5 is i64.
            name: "request minimum lowered to 1 retypes",
            change: |d| set(d, &format!("{GET_PARAMS}/3/schema/minimum"), Some(json!(1))),
            forward: vec![(GET, "query parameter size", &PARAMETER_RETYPED)],
            reverse: vec![(GET, "query parameter size", &PARAMETER_RETYPED)],
            prose: 0,
        },
        Case {
            // typify: `minimum: 0` is u64, no bound i64.
            name: "request minimum 0 added retypes",
            change: |d| set(d, &format!("{GET_PARAMS}/1/schema/minimum"), Some(json!(0))),
            forward: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            reverse: vec![(GET, "query parameter limit", &PARAMETER_RETYPED)],
            prose: 0,
        },
        Case {
            // A string's first length or pattern makes it a checked newtype.
            name: "request maxLength added to a plain string retypes",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/0/schema/maxLength"),
                    Some(json!(36)),
                )
            },
            forward: vec![(GET, "path parameter id", &PARAMETER_RETYPED)],
            reverse: vec![(GET, "path parameter id", &PARAMETER_RETYPED)],
            prose: 0,
        },
        Case {
            name: "maximum on a string or an array constrains nothing",
            change: |d| {
                set(d, &format!("{GET_PARAMS}/4/schema/maximum"), Some(json!(3)));
                set(
                    d,
                    &format!("{NEW_THING}/properties/labels/maximum"),
                    Some(json!(3)),
                );
            },
            forward: vec![
                (GET, "query parameter tag", &KEYWORD_CHANGED),
                (POST, "request body: labels", &KEYWORD_CHANGED),
            ],
            reverse: vec![
                (GET, "query parameter tag", &KEYWORD_CHANGED),
                (POST, "request body: labels", &KEYWORD_CHANGED),
            ],
            prose: 0,
        },
        Case {
            name: "request maxItems lowered",
            change: |d| {
                set(
                    d,
                    &format!("{NEW_THING}/properties/labels/maxItems"),
                    Some(json!(5)),
                )
            },
            forward: vec![(POST, "request body: labels", &REQUEST_CONSTRAINT_TIGHTENED)],
            reverse: vec![(POST, "request body: labels", &REQUEST_CONSTRAINT_RELAXED)],
            prose: 0,
        },
        Case {
            name: "security added to an operation, met by the bearer key",
            change: |d| {
                set(
                    d,
                    "/components/securitySchemes",
                    Some(json!({ "Bearer": { "type": "http", "scheme": "bearer" } })),
                );
                set(
                    d,
                    "/paths/~1things~1{id}/get/security",
                    Some(json!([{ "Bearer": [] }])),
                );
            },
            forward: vec![(GET, "security", &SECURITY_CHANGED)],
            reverse: vec![(GET, "security", &SECURITY_CHANGED)],
            prose: 0,
        },
        Case {
            name: "security added to an operation, not met by the bearer key",
            change: |d| {
                set(
                    d,
                    "/components/securitySchemes",
                    Some(json!({ "Key": { "type": "apiKey", "in": "header", "name": "X-Key" } })),
                );
                set(
                    d,
                    "/paths/~1things~1{id}/get/security",
                    Some(json!([{ "Key": [] }])),
                );
            },
            forward: vec![(GET, "security", &SECURITY_ADDED_UNMET)],
            reverse: vec![(GET, "security", &SECURITY_CHANGED)],
            prose: 0,
        },
        Case {
            name: "security added to the document, not met by the bearer key",
            change: |d| {
                set(
                    d,
                    "/components/securitySchemes",
                    Some(json!({ "Key": { "type": "apiKey", "in": "query", "name": "key" } })),
                );
                set(d, "/security", Some(json!([{ "Key": [] }])));
            },
            forward: vec![
                ("GET /things/{id}", "security", &SECURITY_ADDED_UNMET),
                ("GET /things/{id}/export", "security", &SECURITY_ADDED_UNMET),
                (POST, "security", &SECURITY_ADDED_UNMET),
            ],
            reverse: vec![
                ("GET /things/{id}", "security", &SECURITY_CHANGED),
                ("GET /things/{id}/export", "security", &SECURITY_CHANGED),
                (POST, "security", &SECURITY_CHANGED),
            ],
            prose: 0,
        },
        Case {
            name: "security added to the document, met by the bearer key",
            change: |d| {
                set(
                    d,
                    "/components/securitySchemes",
                    Some(json!({ "Bearer": { "type": "http", "scheme": "Bearer" } })),
                );
                set(d, "/security", Some(json!([{ "Bearer": [] }])));
            },
            forward: vec![
                ("GET /things/{id}", "security", &SECURITY_CHANGED),
                ("GET /things/{id}/export", "security", &SECURITY_CHANGED),
                (POST, "security", &SECURITY_CHANGED),
            ],
            reverse: vec![
                ("GET /things/{id}", "security", &SECURITY_CHANGED),
                ("GET /things/{id}/export", "security", &SECURITY_CHANGED),
                (POST, "security", &SECURITY_CHANGED),
            ],
            prose: 0,
        },
        Case {
            name: "the only success status removed",
            change: |d| set(d, &format!("{POST_OP}/responses/200"), None),
            forward: vec![(POST, "result", &SUCCESS_RESULT_CHANGED)],
            reverse: vec![(POST, "result", &SUCCESS_RESULT_CHANGED)],
            prose: 0,
        },
        Case {
            // Text, numbers and booleans decode as empty when absent (build adaptation 13).
            name: "required text, number and boolean answer fields added",
            change: |d| {
                for (name, ty) in [
                    ("count", "integer"),
                    ("weight", "number"),
                    ("active", "boolean"),
                    ("label", "string"),
                ] {
                    set(
                        d,
                        &format!("{THING}/properties/{name}"),
                        Some(json!({ "type": ty })),
                    );
                    set(d, &format!("{THING}/required/-"), Some(json!(name)));
                }
            },
            forward: ["active", "count", "label", "weight"]
                .iter()
                .flat_map(|p| {
                    [GET, POST].map(|op| {
                        (
                            op,
                            leak(format!("response 200: {p}")),
                            &RESPONSE_SCALAR_ADDED_REQUIRED,
                        )
                    })
                })
                .collect(),
            reverse: ["active", "count", "label", "weight"]
                .iter()
                .flat_map(|p| {
                    [GET, POST].map(|op| {
                        (
                            op,
                            leak(format!("response 200: {p}")),
                            &RESPONSE_SCALAR_REMOVED_REQUIRED,
                        )
                    })
                })
                .collect(),
            prose: 0,
        },
        Case {
            name: "required text answer field made optional",
            change: |d| set(d, &format!("{THING}/required/0"), None),
            forward: vec![
                (GET, "response 200: id", &RESPONSE_SCALAR_MADE_OPTIONAL),
                (POST, "response 200: id", &RESPONSE_SCALAR_MADE_OPTIONAL),
            ],
            reverse: vec![
                (GET, "response 200: id", &RESPONSE_SCALAR_MADE_REQUIRED),
                (POST, "response 200: id", &RESPONSE_SCALAR_MADE_REQUIRED),
            ],
            prose: 0,
        },
        Case {
            // Thing is answer-only: generation strips its constraints (adaptation 13).
            name: "answer constraints added to answer-only fields",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/id/pattern"),
                    Some(json!("^t-")),
                );
                set(
                    d,
                    &format!("{THING}/properties/rank/minimum"),
                    Some(json!(1)),
                );
            },
            forward: vec![
                (GET, "response 200: id", &RESPONSE_CONSTRAINT_OBSERVED),
                (GET, "response 200: rank", &RESPONSE_CONSTRAINT_OBSERVED),
                (POST, "response 200: id", &RESPONSE_CONSTRAINT_OBSERVED),
                (POST, "response 200: rank", &RESPONSE_CONSTRAINT_OBSERVED),
            ],
            reverse: vec![
                (GET, "response 200: id", &RESPONSE_CONSTRAINT_OBSERVED),
                (GET, "response 200: rank", &RESPONSE_CONSTRAINT_OBSERVED),
                (POST, "response 200: id", &RESPONSE_CONSTRAINT_OBSERVED),
                (POST, "response 200: rank", &RESPONSE_CONSTRAINT_OBSERVED),
            ],
            prose: 0,
        },
        Case {
            // Owner is sent and received: its newtype checks the length when an answer decodes.
            name: "constraint of a schema requests share",
            change: |d| {
                set(
                    d,
                    "/components/schemas/Owner/properties/name/maxLength",
                    Some(json!(20)),
                )
            },
            forward: vec![
                (
                    GET,
                    "response 200: owner.name",
                    &RESPONSE_CONSTRAINT_ENFORCED,
                ),
                (
                    POST,
                    "request body: owner.name",
                    &REQUEST_CONSTRAINT_TIGHTENED,
                ),
                (
                    POST,
                    "response 200: owner.name",
                    &RESPONSE_CONSTRAINT_ENFORCED,
                ),
            ],
            reverse: vec![
                (
                    GET,
                    "response 200: owner.name",
                    &RESPONSE_CONSTRAINT_ENFORCED,
                ),
                (
                    POST,
                    "request body: owner.name",
                    &REQUEST_CONSTRAINT_RELAXED,
                ),
                (
                    POST,
                    "response 200: owner.name",
                    &RESPONSE_CONSTRAINT_ENFORCED,
                ),
            ],
            prose: 0,
        },
        Case {
            name: "nullable added to an optional field",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/note/nullable"),
                    Some(json!(true)),
                );
                set(
                    d,
                    &format!("{GET_PARAMS}/1/schema/nullable"),
                    Some(json!(true)),
                );
            },
            forward: vec![
                (GET, "query parameter limit", &OPTIONAL_NULLABLE_CHANGED),
                (GET, "response 200: note", &OPTIONAL_NULLABLE_CHANGED),
                (POST, "response 200: note", &OPTIONAL_NULLABLE_CHANGED),
            ],
            reverse: vec![
                (GET, "query parameter limit", &OPTIONAL_NULLABLE_CHANGED),
                (GET, "response 200: note", &OPTIONAL_NULLABLE_CHANGED),
                (POST, "response 200: note", &OPTIONAL_NULLABLE_CHANGED),
            ],
            prose: 0,
        },
        Case {
            // Required and nullable is `Option<T>`, required alone `T`.
            name: "nullable added to a required field",
            change: |d| {
                set(
                    d,
                    &format!("{THING}/properties/id/nullable"),
                    Some(json!(true)),
                )
            },
            forward: vec![
                (GET, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
            ],
            reverse: vec![
                (GET, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
                (POST, "response 200: id", &RESPONSE_PROPERTY_RETYPED),
            ],
            prose: 0,
        },
        Case {
            name: "schema of a text answer changed",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}~1export/get/responses/200/content/text~1csv/schema",
                    Some(
                        json!({ "type": "object", "properties": { "rows": { "type": "integer" } } }),
                    ),
                )
            },
            forward: vec![(
                "GET /things/{id}/export",
                "response 200 text/csv",
                &RESPONSE_RAW_SCHEMA_CHANGED,
            )],
            reverse: vec![(
                "GET /things/{id}/export",
                "response 200 text/csv",
                &RESPONSE_RAW_SCHEMA_CHANGED,
            )],
            prose: 0,
        },
        Case {
            name: "other keyword changed",
            change: |d| {
                set(
                    d,
                    &format!("{GET_PARAMS}/1/schema/default"),
                    Some(json!(20)),
                )
            },
            forward: vec![(GET, "query parameter limit", &KEYWORD_CHANGED)],
            reverse: vec![(GET, "query parameter limit", &KEYWORD_CHANGED)],
            prose: 0,
        },
        Case {
            name: "prose only",
            change: |d| {
                set(
                    d,
                    "/paths/~1things~1{id}/get/summary",
                    Some(json!("Fetch one thing")),
                );
                set(
                    d,
                    "/paths/~1things~1{id}/get/description",
                    Some(json!("New words")),
                );
                set(d, &format!("{THING}/title"), Some(json!("A thing")));
                set(
                    d,
                    &format!("{THING}/properties/id/example"),
                    Some(json!("t-1")),
                );
                set(
                    d,
                    &format!("{NEW_THING}/properties/owner/description"),
                    Some(json!("the owner")),
                );
            },
            forward: vec![],
            reverse: vec![],
            prose: 5,
        },
        Case {
            // Declaring a parameter on the path item, or a response through
            // components/responses, or unwrapping an allOf, changes nothing for the client.
            name: "equivalent spellings",
            change: |d| {
                let id = d.pointer(&format!("{GET_PARAMS}/0")).unwrap().clone();
                set(d, &format!("{GET_PARAMS}/0"), None);
                set(d, "/paths/~1things~1{id}/parameters", Some(json!([id])));
                let invalid = d
                    .pointer("/paths/~1things~1{id}/get/responses/422")
                    .unwrap()
                    .clone();
                set(
                    d,
                    "/components/responses",
                    Some(json!({ "Invalid": invalid })),
                );
                set(
                    d,
                    "/paths/~1things~1{id}/get/responses/422",
                    Some(json!({ "$ref": "#/components/responses/Invalid" })),
                );
                set(
                    d,
                    &format!("{NEW_THING}/properties/owner"),
                    Some(json!({ "$ref": "#/components/schemas/Owner" })),
                );
            },
            forward: vec![],
            reverse: vec![],
            // The allOf wrapper's description is gone.
            prose: 1,
        },
    ]
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn found(report: &Report) -> Vec<(String, String, &'static str)> {
    let mut found: Vec<_> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.operation.clone().unwrap_or_default(),
                c.location.clone(),
                c.rule.id,
            )
        })
        .collect();
    found.sort();
    found
}

fn expected(list: &Expected) -> Vec<(String, String, &'static str)> {
    let mut list: Vec<_> = list
        .iter()
        .map(|(op, loc, rule)| (op.to_string(), loc.to_string(), rule.id))
        .collect();
    list.sort();
    list
}

#[test]
fn each_rule_has_a_case_and_ranks_both_directions() {
    let mut covered = std::collections::BTreeSet::new();
    for case in cases() {
        let old = base();
        let mut new = base();
        (case.change)(&mut new);
        let forward = compare(&old, &new);
        let reverse = compare(&new, &old);
        assert_eq!(
            found(&forward),
            expected(&case.forward),
            "{}: forward",
            case.name
        );
        assert_eq!(
            found(&reverse),
            expected(&case.reverse),
            "{}: reverse",
            case.name
        );
        assert_eq!(
            forward.prose_changes, case.prose,
            "{}: prose forward",
            case.name
        );
        assert_eq!(
            reverse.prose_changes, case.prose,
            "{}: prose reverse",
            case.name
        );
        covered.extend(
            forward
                .changes
                .iter()
                .chain(&reverse.changes)
                .map(|c| c.rule.id),
        );
    }
    let missing: Vec<_> = rules::ALL
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "rules without a case: {missing:?}");
}

#[test]
fn identical_documents_have_no_changes() {
    let report = compare(&base(), &base());
    assert!(report.changes.is_empty());
    assert_eq!(report.prose_changes, 0);
}

#[test]
fn deep_changes_name_the_schema_that_declares_them() {
    let mut new = base();
    set(
        &mut new,
        "/components/schemas/Owner/properties/name/type",
        Some(json!("integer")),
    );
    let report = compare(&base(), &new);
    assert!(report
        .changes
        .iter()
        .all(|c| c.schema.as_deref() == Some("Owner")));
    assert!(report
        .changes
        .iter()
        .all(|c| c.old.as_deref() == Some("string (maxLength 40)")
            && c.new.as_deref() == Some("integer (maxLength 40)")));
}

#[test]
fn rule_ids_are_unique_and_the_docs_hold_the_rule_table() {
    let mut seen = std::collections::BTreeSet::new();
    for rule in rules::ALL {
        assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
    }
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let docs =
        std::fs::read_to_string(root.join("docs/regenerating.md")).expect("docs/regenerating.md");
    let measured = super::read_measured(root).expect("tools/spec/wire-measured.json");
    let rendered = render::with_region(&docs, super::RULES_MARKER, &render::rules_table(&measured))
        .expect("docs/regenerating.md has the rules table markers");
    assert!(
        rendered == docs,
        "docs/regenerating.md holds another rule table than rules.rs: run `cargo xtask spec rules --write`"
    );
}

/// The wire rank `cargo xtask semver-model` measured for a rule is the rank
/// the rule declares, and every rule is either measured or says why not: the
/// table's two wire columns cannot disagree.
#[test]
fn every_measured_wire_rank_is_the_rules() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let measured = super::read_measured(root).expect("tools/spec/wire-measured.json");
    let recorded = measured["rules"].as_object().expect("a rules object");
    for rule in rules::ALL {
        let entry = &measured["rules"][rule.id];
        match (entry["wire"].as_str(), entry["not_measured"].as_str()) {
            (Some(wire), _) => assert_eq!(
                wire == "breaking",
                rule.wire_breaking,
                "{}: measured wire {wire}, declared {}: fix the rule (or the probe) in tools/spec/src/diff/rules.rs",
                rule.id,
                rule.wire_breaking
            ),
            (None, Some(_)) => {}
            (None, None) => panic!("{}: neither measured nor a reason why not (cargo xtask semver-model --write-docs)", rule.id),
        }
    }
    for id in recorded.keys() {
        assert!(
            rules::ALL.iter().any(|r| r.id == id),
            "{MEASURED} holds {id}, which is no rule",
            MEASURED = super::MEASURED
        );
    }
}

/// Every keyword of every OpenAPI document of the repository (the spec of
/// record, the pinned upstream documents, this file's base) is in the
/// inventory: a keyword in neither list fails here before it can pass unseen.
#[test]
fn every_keyword_of_the_repositorys_documents_is_inventoried() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut documents = vec![root.join("openapi/threatjammer.json")];
    for entry in std::fs::read_dir(root.join("openapi/upstream")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
            documents.push(path);
        }
    }
    assert!(documents.len() >= 3, "{documents:?}");
    for path in documents {
        let doc = crate::spec_io::read_document(&path).unwrap();
        assert_eq!(
            super::keywords::unknown(&doc),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
    assert!(super::keywords::unknown(&base()).is_empty());
}

#[test]
fn a_keyword_the_inventory_lacks_is_found_and_still_reported() {
    let mut new = base();
    set(
        &mut new,
        &format!("{THING}/properties/id/flavour"),
        Some(json!("sweet")),
    );
    set(
        &mut new,
        "/paths/~1things/post/sideEffects",
        Some(json!(true)),
    );
    assert_eq!(
        super::keywords::unknown(&new),
        [
            "/components/schemas/Thing/properties/id: flavour",
            "/paths/~1things/post: sideEffects"
        ]
    );
    let report = compare(&base(), &new);
    assert_eq!(report.unknown_keywords.len(), 2);
    assert!(report
        .changes
        .iter()
        .all(|c| c.rule == &rules::KEYWORD_CHANGED));
    assert_eq!(report.changes.len(), 3, "{:?}", report.changes);
    let markdown = render::markdown(&report, None, 2);
    assert!(
        markdown.contains("**Keywords this diff does not know**"),
        "{markdown}"
    );
}

fn report_with(change: fn(&mut Value)) -> Report {
    let mut new = base();
    change(&mut new);
    compare(&base(), &new)
}

#[test]
fn markdown_and_json_print_the_same_rules() {
    let report = report_with(|d| {
        set(d, &format!("{THING}/properties/kind/enum/1"), None);
        set(d, "/info/version", Some(json!("1.1.0")));
    });
    let suggestion = suggest(&report, &Version::parse("0.3.1+api.1.0.0").unwrap()).unwrap();
    let markdown = render::markdown(&report, Some(&suggestion), 2);
    let json = render::json(&report, &suggestion);
    assert!(markdown.starts_with("## Things 1.0.0 → 1.1.0\n"));
    assert!(markdown.contains("`0.3.1+api.1.0.0` → `0.4.0+api.1.1.0`"));
    assert!(markdown.contains("| `GET /things/{id}` | response 200: kind (in Thing) | response enum value removed: `b` | **breaking** | no | `response-enum-value-removed` |"), "{markdown}");
    let why = json["rules"]["response-enum-value-removed"]["why"]
        .as_str()
        .unwrap();
    assert_eq!(why, rules::RESPONSE_ENUM_VALUE_REMOVED.why);
    assert!(markdown.contains(why));
    // The documented shape, field by field.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&json),
        [
            "api",
            "changes",
            "format",
            "rules",
            "semver",
            "summary",
            "unknown_keywords"
        ]
    );
    assert_eq!(json["format"], render::FORMAT);
    assert_eq!(
        json["api"],
        json!({ "title": "Things", "old": "1.0.0", "new": "1.1.0" })
    );
    assert_eq!(
        json["summary"],
        json!({ "changes": 2, "source_breaking": 2, "wire_breaking": 0, "prose_changes": 0 })
    );
    assert_eq!(json["semver"]["bump"], "minor");
    assert_eq!(json["semver"]["current"], "0.3.1+api.1.0.0");
    assert_eq!(json["semver"]["suggested"], "0.4.0+api.1.1.0");
    assert_eq!(
        json["changes"][0],
        json!({
            "operation": "POST /things", "location": "response 200: kind", "schema": "Thing",
            "rule": "response-enum-value-removed", "source_breaking": true, "wire_breaking": false,
            "old": "b", "new": null
        })
    );
    assert_eq!(
        keys(&json["rules"]["response-enum-value-removed"]),
        ["source_breaking", "what", "why", "wire_breaking"]
    );
}

/// The face absorbs what an API release usually is: a purely additive release
/// (an optional parameter, an optional request field, an optional response
/// field, a response enum value, an operation, a schema) breaks neither code nor
/// the wire, so a 0.x crate takes it in a patch release.
#[test]
fn an_additive_release_is_a_patch_release() {
    let report = report_with(|d| {
        set(
            d,
            &format!("{GET_PARAMS}/-"),
            Some(json!({ "name": "page", "in": "query", "schema": { "type": "integer" } })),
        );
        set(
            d,
            &format!("{NEW_THING}/properties/size"),
            Some(json!({ "type": "integer" })),
        );
        set(
            d,
            &format!("{THING}/properties/size"),
            Some(json!({ "type": "integer" })),
        );
        set(
            d,
            &format!("{THING}/properties/kind/enum/-"),
            Some(json!("c")),
        );
        set(
            d,
            "/paths/~1things~1{id}/delete",
            Some(
                json!({ "operationId": "delete_thing", "responses": { "204": { "description": "gone" } } }),
            ),
        );
        set(
            d,
            "/components/schemas/Unused",
            Some(json!({ "type": "object" })),
        );
    });
    assert_eq!(report.source_breaking(), 0, "{:#?}", report.changes);
    assert_eq!(report.wire_breaking(), 0, "{:#?}", report.changes);
    let s = suggest(&report, &Version::parse("0.1.0").unwrap()).unwrap();
    assert_eq!(
        (s.level, s.next.major, s.next.minor, s.next.patch),
        (Level::Patch, 0, 1, 1)
    );
}

#[test]
fn markdown_cells_escape_pipes() {
    let report = report_with(|d| {
        set(
            d,
            &format!("{NEW_THING}/properties/name/pattern"),
            Some(json!("^a|b$")),
        )
    });
    let markdown = render::markdown(&report, None, 2);
    assert!(
        markdown.contains("request constraint tightened: `pattern = ^a\\|b$`"),
        "{markdown}"
    );
}

#[test]
fn a_report_without_changes_has_no_table() {
    let markdown = render::markdown(&compare(&base(), &base()), None, 3);
    assert_eq!(
        markdown,
        "### Things 1.0.0 → 1.0.0\n\n0 change(s): 0 source-breaking, 0 wire-breaking. Prose-only changes (descriptions, summaries, titles, examples): 0, not listed.\n\n"
    );
}

#[test]
fn semver_follows_the_ranks() {
    let version = |v: &str| Version::parse(v).unwrap();
    let breaking = report_with(|d| set(d, &format!("{GET_PARAMS}/1/required"), Some(json!(true))));
    let additive = report_with(|d| {
        set(
            d,
            "/components/schemas/Unused",
            Some(json!({ "type": "object" })),
        )
    });
    let keyword = report_with(|d| {
        set(
            d,
            &format!("{GET_PARAMS}/1/schema/default"),
            Some(json!(20)),
        )
    });
    let cases = [
        (
            &breaking,
            "0.1.0+api.1.0.0",
            Level::Minor,
            "0.2.0+api.1.0.0",
        ),
        (
            &additive,
            "0.1.3+api.1.0.0",
            Level::Patch,
            "0.1.4+api.1.0.0",
        ),
        (&breaking, "1.4.2", Level::Major, "2.0.0+api.1.0.0"),
        (&additive, "1.4.2", Level::Minor, "1.5.0+api.1.0.0"),
        (&keyword, "1.4.2", Level::Patch, "1.4.3+api.1.0.0"),
    ];
    for (report, current, level, next) in cases {
        let s = suggest(report, &version(current)).unwrap();
        assert_eq!(
            (s.level, s.next.to_string()),
            (level, next.to_string()),
            "from {current}"
        );
    }
    let mut odd = report_with(|_| {});
    odd.new_version = "1.0 beta".into();
    assert!(
        suggest(&odd, &version("0.1.0")).is_err(),
        "a space cannot be build metadata"
    );
}

#[test]
fn the_drift_gate_says_what_drifted() {
    let temp = tempfile::tempdir().unwrap();
    let upstream = temp.path().join("upstream.json");
    std::fs::write(&upstream, crate::spec_io::canonical_text(&base())).unwrap();
    let overlay = temp.path().join("noop.overlay.yaml");
    std::fs::write(&overlay, "overlay: 1.0.0\ninfo: {title: noop, version: 1.0.0}\nactions:\n  - target: $.info\n    update: {}\n").unwrap();
    let files = super::SpecFiles {
        spec: temp.path().join("spec.json"),
        overlays: vec![overlay],
    };

    // The checked-in spec lacks an operation the upstream document has.
    let mut stale = base();
    set(&mut stale, "/paths/~1things", None);
    std::fs::write(&files.spec, crate::spec_io::canonical_text(&stale)).unwrap();
    let summary = super::drift_summary(&upstream, &files);
    assert!(
        summary.starts_with("## Things 1.0.0 → 1.0.0\n"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "| `POST /things` | operation | operation added | no | no | `operation-added` |"
        ),
        "{summary}"
    );

    // A spec that no longer parses still lets the gate print its line diff.
    std::fs::write(&files.spec, "<<<<<<< conflict").unwrap();
    assert!(super::drift_summary(&upstream, &files).starts_with("(no semantic diff: "));
}

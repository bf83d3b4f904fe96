//! The rules that rank each kind of change for this client.
//!
//! The ranks are not generic OpenAPI judgements: they follow from the face this
//! crate generates. Every operation is a method on `Client` that takes only the
//! required path and query parameters and the required top-level request-body
//! fields, and returns a request builder (`threatjammer::request::*`) on which
//! each optional parameter or body field is a setter; awaiting it sends. Nested
//! request inputs have `new(required fields)` and setters for the rest. Every
//! generated struct and enum is `#[non_exhaustive]`, and every string enum has a
//! catch-all `Unrecognized(String)` variant, so the decoder accepts values it
//! does not know and users' matches already carry a wildcard arm. A type's name
//! depends only on where it is defined (a component schema's key;
//! `{Schema}{Property}` for an inline enum or constrained string in a property,
//! `{OperationId}{Param}` in a parameter), so a change to one schema renames no
//! other type. Responses decode with serde into structs that ignore unknown
//! fields; only `application/json` bodies are typed (other media types come back
//! as raw bytes); a status the spec does not declare is an unexpected response.
//!
//! Two axes:
//! - **source-breaking**: user code that compiled against OLD stops compiling against NEW;
//! - **wire-breaking**: a program that uses only what both versions share fails when
//!   client and server disagree on the version, either way round (a client built on OLD
//!   talking to a server on NEW, or a client built on NEW talking to a server still on OLD).
//!
//! Neither is taken on trust. `cargo xtask semver-model` builds the crate on
//! synthetic releases and holds every source rank it exercises against what
//! cargo-semver-checks finds, and measures every wire rank it can with a client
//! on each version against Prism serving the other (the table's measured
//! column, tools/spec/wire-measured.json); tests/wire_ranks.rs decodes a new-version answer
//! with the crate's types for every rank about decoding.
//!
//! Every rule is data, so the Markdown and the JSON reports print the same words.

/// One way a change can happen, and how it is ranked.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier, part of the JSON output.
    pub id: &'static str,
    /// A few words naming the change, for the report's change column.
    pub what: &'static str,
    pub source_breaking: bool,
    pub wire_breaking: bool,
    /// Why the change ranks as it does, for this client.
    pub why: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $what:literal, source: $source:literal, wire: $wire:literal, $why:literal;)*) => {
        $(pub static $name: Rule = Rule { id: $id, what: $what, source_breaking: $source, wire_breaking: $wire, why: $why };)*
        /// Every rule, in the order of the table in docs/regenerating.md, which is
        /// rendered from this list (`cargo xtask spec rules --write`).
        pub static ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    OPERATION_ADDED = "operation-added", "operation added", source: false, wire: false,
        "A new method (and its request builder) appears on the client; nothing that exists changes.";
    OPERATION_REMOVED = "operation-removed", "operation removed", source: true, wire: true,
        "The method disappears, so calls to it stop compiling; a client on OLD calling it gets an error from a server on NEW.";
    OPERATION_RENAMED = "operation-renamed", "operationId changed", source: true, wire: false,
        "The method and its request builder (`request::<OperationId>`) are named after the operationId, as are the types of the operation's inline parameter schemas, so callers stop compiling; the request on the wire is the same.";

    PARAMETER_ADDED_REQUIRED = "parameter-added-required", "parameter added (required)", source: true, wire: true,
        "Required parameters are the method's arguments, so existing calls stop compiling; a client on OLD does not send it and a server on NEW rejects the request.";
    PARAMETER_ADDED_OPTIONAL = "parameter-added-optional", "parameter added (optional)", source: false, wire: false,
        "Optional parameters are setters on the request builder, so the method keeps its arguments and a new setter breaks no call; servers on either version answer without it.";
    PARAMETER_REMOVED_REQUIRED = "parameter-removed-required", "parameter removed (was required)", source: true, wire: true,
        "The method loses an argument, so existing calls stop compiling; a client on NEW no longer sends it and a server on OLD rejects the request.";
    PARAMETER_REMOVED_OPTIONAL = "parameter-removed-optional", "parameter removed (was optional)", source: true, wire: false,
        "The builder loses the setter, so calls that set it stop compiling; the server ignores query parameters it does not know (FastAPI does), so a client on OLD still works.";
    PARAMETER_MADE_REQUIRED = "parameter-made-required", "parameter made required", source: true, wire: true,
        "The setter becomes an argument of the method, so every call stops compiling; a client on OLD may leave it out and a server on NEW rejects the request.";
    PARAMETER_MADE_OPTIONAL = "parameter-made-optional", "parameter made optional", source: true, wire: false,
        "The argument becomes a setter, so calls that pass it stop compiling; a client that always sends it works with servers on either version.";
    PARAMETER_RETYPED = "parameter-retyped", "parameter retyped", source: true, wire: true,
        "The argument's or setter's Rust type changes (type, format, nullability of a required parameter, a string gaining or losing its first constraint, which makes or unmakes a checked newtype, or an integer bound that moves typify's choice: `minimum: 0` is unsigned, `minimum: 1` non-zero, no bound `i64`); a value of one type is not in general valid as the other.";

    REQUEST_PROPERTY_ADDED_REQUIRED = "request-property-added-required", "request field added (required)", source: true, wire: true,
        "Required top-level body fields are arguments of the method, and required fields of a nested input are arguments of its `new`, so existing calls stop compiling; a client on OLD leaves it out and a server on NEW rejects the body.";
    REQUEST_PROPERTY_ADDED_OPTIONAL = "request-property-added-optional", "request field added (optional)", source: false, wire: false,
        "Optional body fields are setters (on the request builder, or on a nested input), and the structs are `#[non_exhaustive]`, so nothing that compiled needs the field; servers on either version accept a body without it.";
    REQUEST_PROPERTY_REMOVED_REQUIRED = "request-property-removed-required", "request field removed (was required)", source: true, wire: true,
        "An argument (of the method, or of a nested input's `new`) disappears, so existing calls stop compiling; a client on NEW leaves it out and a server on OLD rejects the body.";
    REQUEST_PROPERTY_REMOVED_OPTIONAL = "request-property-removed-optional", "request field removed (was optional)", source: true, wire: false,
        "The setter (and the struct field) disappears, so code setting it stops compiling; a server on NEW ignores the field a client on OLD still sends (pydantic's default).";
    REQUEST_PROPERTY_MADE_REQUIRED = "request-property-made-required", "request field made required", source: true, wire: true,
        "The setter becomes an argument (of the method, or of the nested input's `new`), so every call stops compiling; a client on OLD may leave it out and a server on NEW rejects the body.";
    REQUEST_PROPERTY_MADE_OPTIONAL = "request-property-made-optional", "request field made optional", source: true, wire: false,
        "The argument becomes a setter, so calls that pass it stop compiling; a client that always sends it works with servers on either version.";
    REQUEST_PROPERTY_RETYPED = "request-property-retyped", "request field retyped", source: true, wire: true,
        "The field's (or the whole body's) Rust type changes (as for a parameter: type, format, a string's first constraint, an integer bound that moves typify's choice of integer type); a value of one type is not in general valid as the other, so the server on the other version rejects it.";

    RESPONSE_PROPERTY_ADDED_REQUIRED = "response-property-added-required", "response field added (required)", source: false, wire: true,
        "Response structs are `#[non_exhaustive]` and built by the decoder, so a new field breaks no code; a client on NEW fails to decode a response from a server on OLD, which leaves the field out (a text, number or boolean field is `response-scalar-added-required`).";
    RESPONSE_SCALAR_ADDED_REQUIRED = "response-scalar-added-required", "response text, number or boolean field added (required)", source: false, wire: false,
        "A new field in a `#[non_exhaustive]` struct the decoder builds; the field is text, a number or a boolean, which decodes to its empty value when absent (build adaptation 13) and is reported as drift, so a client on NEW still decodes a response from a server on OLD.";
    RESPONSE_SCALAR_REMOVED_REQUIRED = "response-scalar-removed-required", "response text, number or boolean field removed (was required)", source: true, wire: false,
        "Code reading the field stops compiling; a client on OLD decodes the missing text, number or boolean as its empty value (build adaptation 13) and reports drift.";
    RESPONSE_SCALAR_MADE_REQUIRED = "response-scalar-made-required", "response text, number or boolean field made required", source: true, wire: false,
        "The field changes from `Option<T>` to `T`, so code matching on `Some`/`None` stops compiling; a client on NEW decodes the field an OLD server leaves out as its empty value (build adaptation 13) and reports drift.";
    RESPONSE_SCALAR_MADE_OPTIONAL = "response-scalar-made-optional", "response text, number or boolean field made optional", source: true, wire: false,
        "The field changes from `T` to `Option<T>`, so code reading it stops compiling; a client on OLD decodes the field a NEW server leaves out as its empty value (build adaptation 13) and reports drift.";
    RESPONSE_PROPERTY_ADDED_OPTIONAL = "response-property-added-optional", "response field added (optional)", source: false, wire: false,
        "A new `Option<T>` field in a `#[non_exhaustive]` struct the decoder builds; decoders on either version accept responses with or without it (unknown fields are ignored, a missing optional one is None).";
    RESPONSE_PROPERTY_REMOVED_REQUIRED = "response-property-removed-required", "response field removed (was required)", source: true, wire: true,
        "Code reading the field stops compiling; a client on OLD fails to decode a response from a server on NEW, which leaves the field out (a text, number or boolean field is `response-scalar-removed-required`).";
    RESPONSE_PROPERTY_REMOVED_OPTIONAL = "response-property-removed-optional", "response field removed (was optional)", source: true, wire: false,
        "Code reading the field stops compiling; a client on OLD decodes the missing field as None.";
    RESPONSE_PROPERTY_MADE_REQUIRED = "response-property-made-required", "response field made required", source: true, wire: true,
        "The field changes from `Option<T>` to `T`, so code matching on `Some`/`None` stops compiling; a client on NEW fails to decode a response from a server on OLD that leaves it out (a text, number or boolean field is `response-scalar-made-required`).";
    RESPONSE_PROPERTY_MADE_OPTIONAL = "response-property-made-optional", "response field made optional", source: true, wire: true,
        "The field changes from `T` to `Option<T>`, so code reading it stops compiling; a client on OLD fails to decode a response from a server on NEW that leaves it out (a text, number or boolean field is `response-scalar-made-optional`).";
    RESPONSE_PROPERTY_RETYPED = "response-property-retyped", "response field retyped", source: true, wire: true,
        "The field's (or the whole body's) Rust type changes, so code reading it stops compiling, and a decoder on one version rejects what a server on the other sends.";

    REQUEST_CONSTRAINT_TIGHTENED = "request-constraint-tightened", "request constraint tightened", source: false, wire: true,
        "A bound, length, pattern or item count of a parameter or body field now refuses values it took (a maximum lowered, a minimum raised, a pattern added or changed, `maxItems` lowered); the Rust type stays, so nothing stops compiling, but a client on OLD may send a value, or a batch as large as the old `maxItems`, that a server on NEW refuses.";
    REQUEST_CONSTRAINT_RELAXED = "request-constraint-relaxed", "request constraint relaxed", source: false, wire: false,
        "A bound, length, pattern or item count of a parameter or body field now takes more values (a maximum raised, a minimum lowered, a constraint removed); the Rust type stays, and every value a client on OLD sends a server on NEW takes.";
    RESPONSE_CONSTRAINT_OBSERVED = "response-constraint-changed", "response constraint changed", source: false, wire: false,
        "A bound, length, pattern or item count of a schema only answers use: the build leaves it out of the types (build adaptation 13) and drift observation reports a value that breaks it, so no code or decoding changes.";
    RESPONSE_CONSTRAINT_ENFORCED = "response-enforced-constraint-changed", "response constraint changed (enforced by the decoder)", source: false, wire: true,
        "A length or pattern of a string in a schema that requests use too, so the build keeps it in a checked newtype that answers decode through; the type's name stays, but a value one version's server sends may fail the other version's check and with it the whole answer.";
    OPTIONAL_NULLABLE_CHANGED = "optional-nullable-changed", "nullable changed on an optional field", source: false, wire: false,
        "typify makes an optional field `Option<T>` whether or not it is nullable, and the client leaves an unset field out rather than sending null; a null in an answer decodes as None either way.";

    REQUEST_ENUM_VALUE_ADDED = "request-enum-value-added", "request enum value added", source: false, wire: false,
        "Enums are `#[non_exhaustive]`, so users' matches already have a wildcard arm and a new variant breaks none; servers on either version accept every value a client on OLD can send.";
    REQUEST_ENUM_VALUE_REMOVED = "request-enum-value-removed", "request enum value removed", source: true, wire: true,
        "The variant disappears, so code naming it stops compiling; a client on OLD may send the value and a server on NEW rejects it.";
    RESPONSE_ENUM_VALUE_ADDED = "response-enum-value-added", "response enum value added", source: false, wire: false,
        "Enums are `#[non_exhaustive]` and open: a new variant breaks no match (they have a wildcard arm), and a client on OLD decodes the new value as `Unrecognized(value)`.";
    RESPONSE_ENUM_VALUE_REMOVED = "response-enum-value-removed", "response enum value removed", source: true, wire: false,
        "The variant disappears, so code naming it stops compiling; a client on NEW decodes the value, should a server on OLD still send it, as `Unrecognized(value)`.";

    SCHEMA_ADDED = "schema-added", "schema added", source: false, wire: false,
        "A new type appears in `threatjammer::types`; type names depend only on where a type is defined, so no existing type is renamed.";
    SCHEMA_REMOVED = "schema-removed", "schema removed", source: true, wire: false,
        "The generated type disappears, so code naming it stops compiling; what the operations send and receive is reported on the operations themselves.";

    SUCCESS_STATUS_ADDED = "success-status-added", "success status added", source: false, wire: false,
        "The method's output type stays (one success body type per operation, and another status already decides it; a first success status is `success-result-changed`), and every 2xx status decodes into it (build adaptation 12): a client on OLD takes the new status from a server on NEW as a success and reports it as drift.";
    SUCCESS_STATUS_REMOVED = "success-status-removed", "success status removed", source: false, wire: false,
        "The method's return type stays (another success status still decides it; removing the only one is `success-result-changed`), and a client on NEW takes that status from a server on OLD as a success (every 2xx decodes), reporting it as drift.";
    ERROR_STATUS_ADDED = "error-status-added", "error status added", source: false, wire: false,
        "The call fails either way; a client on OLD reports the status as an unexpected response instead of a decoded error body.";
    ERROR_STATUS_REMOVED = "error-status-removed", "error status removed", source: false, wire: false,
        "The call fails either way; a client on NEW reports the status as an unexpected response instead of a decoded error body.";

    SUCCESS_RESULT_CHANGED = "success-result-changed", "result changed by the success statuses", source: true, wire: true,
        "The success statuses decide the method's result (build adaptation 12 keeps one of them): removing the only one makes the result `()`, adding the first makes it a type, and either way code using the result stops compiling; a client on OLD expecting a typed body cannot decode the answer a server on NEW gives without one.";
    REQUEST_BODY_KIND_CHANGED = "request-body-kind-changed", "request body kind changed", source: true, wire: true,
        "The client sends a body in one media type, JSON when the request declares it and else the multipart form (build adaptation 1), and its arguments and setters come from that one; when the choice changes (JSON added beside a form, the JSON or the whole body removed) the method's signature changes, and a server on the other version does not accept the body a client on this one sends.";
    REQUEST_MEDIA_TYPE_ADDED = "request-media-type-added", "request media type added", source: false, wire: false,
        "The client keeps sending the body in the media type it chose before (JSON when declared, else the multipart form), which servers on both versions declare; the other media types shape no argument.";
    REQUEST_MEDIA_TYPE_REMOVED = "request-media-type-removed", "request media type removed", source: false, wire: false,
        "A media type the client does not send went (it sends JSON when declared, else the multipart form, and that one stays): no argument changes, and servers on both versions take what it sends.";
    RESPONSE_BODY_KIND_CHANGED = "response-body-kind-changed", "response body kind changed", source: true, wire: true,
        "A call returns a typed value for application/json, raw bytes for any other media type and `()` for no content; the output type changes, and a client on one version cannot decode what a server on the other sends.";
    RESPONSE_MEDIA_TYPE_ADDED = "response-media-type-added", "response media type added", source: false, wire: false,
        "The return type stays (it follows application/json when declared, raw bytes otherwise), and so does what the client asks for: `Accept: application/json` for a typed answer, any media type for a raw one. A server on NEW answers a client on OLD as it answers its own; one that sent the new media type to a client asking for JSON would fail a client on NEW alike.";
    RESPONSE_MEDIA_TYPE_REMOVED = "response-media-type-removed", "response media type removed", source: false, wire: false,
        "The return type stays, and so does the `Accept` header the client sends; a server on OLD still declaring the media type answers a client on NEW as it answers its own, in the media type asked for.";

    RESPONSE_RAW_SCHEMA_CHANGED = "response-raw-schema-changed", "schema of an untyped answer changed", source: false, wire: false,
        "The answer's media type is not JSON (text, CSV, `*/*`), so the client returns it as raw bytes or text and its schema shapes no Rust type and no decoding.";

    SECURITY_CHANGED = "security-changed", "security requirement changed (the key meets it)", source: false, wire: false,
        "The client sends its key as `Authorization: Bearer` on every request whatever the spec says (the generated code reads no `security`), and that meets the requirement on both sides: nothing changes on the wire or in the code.";
    SECURITY_ADDED_UNMET = "security-added-unmet", "security requirement added that the key does not meet", source: false, wire: true,
        "The operation (or the document, for every operation without its own) now asks for a credential other than the bearer key the client sends; nothing in the generated code changes, but a server on NEW refuses a client on OLD (and the new client alike).";

    KEYWORD_CHANGED = "keyword-changed", "other keyword changed", source: false, wire: false,
        "A keyword that shapes neither the generated Rust types nor how responses decode (such as `default`, `deprecated`, `readOnly`, response headers, or a constraint on a type it does not apply to, like `maximum` on a string); listed so that no change passes unseen, to be reviewed by hand. Which keywords land here, and which are ignored outright, is the inventory in tools/spec/src/diff/keywords.rs.";
}

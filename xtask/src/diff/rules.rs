//! The rules that rank each kind of change for this client.
//!
//! The ranks are not generic OpenAPI judgements: they follow from how this crate's
//! client is generated. progenitor 0.15 writes positional methods that take every
//! parameter as an argument (optional ones as `Option<T>`) and the request body as
//! a typify struct the caller builds; it decodes `application/json` responses into
//! typify structs that ignore unknown fields and into closed Rust enums, returns any
//! other media type as raw bytes, and treats an undeclared status as an unexpected
//! response.
//!
//! Two axes:
//! - **source-breaking**: user code that compiled against OLD stops compiling against NEW;
//! - **wire-breaking**: a program that uses only what both versions share fails when
//!   client and server disagree on the version, either way round (a client built on OLD
//!   talking to a server on NEW, or a client built on NEW talking to a server still on OLD).
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
        /// Every rule, for the tests that hold the table and its documentation together.
        #[cfg(test)]
        pub static ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    OPERATION_ADDED = "operation-added", "operation added", source: false, wire: false,
        "A new method appears on the client; nothing that exists changes.";
    OPERATION_REMOVED = "operation-removed", "operation removed", source: true, wire: true,
        "The method disappears, so calls to it stop compiling; a client on OLD calling it gets an error from a server on NEW.";
    OPERATION_RENAMED = "operation-renamed", "operationId changed", source: true, wire: false,
        "progenitor names the method, and the types it generates for inline schemas, after the operationId, so callers stop compiling; the request on the wire is the same.";

    PARAMETER_ADDED_REQUIRED = "parameter-added-required", "parameter added (required)", source: true, wire: true,
        "progenitor's positional methods take every parameter as an argument, so existing calls stop compiling; a client on OLD does not send it and a server on NEW rejects the request.";
    PARAMETER_ADDED_OPTIONAL = "parameter-added-optional", "parameter added (optional)", source: true, wire: false,
        "progenitor's positional methods take every parameter as an argument, optional ones as `Option<T>`, so existing calls stop compiling; servers on either version answer without it.";
    PARAMETER_REMOVED_REQUIRED = "parameter-removed-required", "parameter removed (was required)", source: true, wire: true,
        "The argument disappears, so existing calls stop compiling; a client on NEW no longer sends it and a server on OLD rejects the request.";
    PARAMETER_REMOVED_OPTIONAL = "parameter-removed-optional", "parameter removed (was optional)", source: true, wire: false,
        "The argument disappears, so existing calls stop compiling; the server ignores query parameters it does not know (FastAPI does), so a client on OLD still works.";
    PARAMETER_MADE_REQUIRED = "parameter-made-required", "parameter made required", source: true, wire: true,
        "The argument changes from `Option<T>` to `T`, so calls stop compiling; a client on OLD may leave it out and a server on NEW rejects the request.";
    PARAMETER_MADE_OPTIONAL = "parameter-made-optional", "parameter made optional", source: true, wire: false,
        "The argument changes from `T` to `Option<T>`, so calls stop compiling; a client that always sends it works with servers on either version.";
    PARAMETER_RETYPED = "parameter-retyped", "parameter retyped", source: true, wire: true,
        "The argument's Rust type changes (type, format, nullability, or the bounds and string constraints typify folds into the type); a value of one type is not in general valid as the other.";

    REQUEST_PROPERTY_ADDED_REQUIRED = "request-property-added-required", "request field added (required)", source: true, wire: true,
        "Request bodies are typify structs the caller builds, so struct literals without the field stop compiling; a client on OLD leaves it out and a server on NEW rejects the body.";
    REQUEST_PROPERTY_ADDED_OPTIONAL = "request-property-added-optional", "request field added (optional)", source: true, wire: false,
        "Request bodies are typify structs the caller builds, so struct literals without the field stop compiling; servers on either version accept a body without it.";
    REQUEST_PROPERTY_REMOVED_REQUIRED = "request-property-removed-required", "request field removed (was required)", source: true, wire: true,
        "The struct loses a field, so code setting it stops compiling; a client on NEW leaves it out and a server on OLD rejects the body.";
    REQUEST_PROPERTY_REMOVED_OPTIONAL = "request-property-removed-optional", "request field removed (was optional)", source: true, wire: false,
        "The struct loses a field, so code setting it stops compiling; a server on NEW ignores the field a client on OLD still sends (pydantic's default).";
    REQUEST_PROPERTY_MADE_REQUIRED = "request-property-made-required", "request field made required", source: true, wire: true,
        "The field changes from `Option<T>` to `T`, so code building the struct stops compiling; a client on OLD may leave it out and a server on NEW rejects the body.";
    REQUEST_PROPERTY_MADE_OPTIONAL = "request-property-made-optional", "request field made optional", source: true, wire: false,
        "The field changes from `T` to `Option<T>`, so code building the struct stops compiling; a client that always sends it works with servers on either version.";
    REQUEST_PROPERTY_RETYPED = "request-property-retyped", "request field retyped", source: true, wire: true,
        "The field's (or the whole body's) Rust type changes; a value of one type is not in general valid as the other, so the server on the other version rejects it.";

    RESPONSE_PROPERTY_ADDED_REQUIRED = "response-property-added-required", "response field added (required)", source: false, wire: true,
        "Response structs are built by the decoder, not by callers, so nothing stops compiling; a client on NEW fails to decode a response from a server on OLD, which leaves the field out.";
    RESPONSE_PROPERTY_ADDED_OPTIONAL = "response-property-added-optional", "response field added (optional)", source: false, wire: false,
        "A new `Option<T>` field in a struct the decoder builds; decoders on either version accept responses with or without it (typify structs ignore unknown fields).";
    RESPONSE_PROPERTY_REMOVED_REQUIRED = "response-property-removed-required", "response field removed (was required)", source: true, wire: true,
        "Code reading the field stops compiling; a client on OLD fails to decode a response from a server on NEW, which leaves the field out.";
    RESPONSE_PROPERTY_REMOVED_OPTIONAL = "response-property-removed-optional", "response field removed (was optional)", source: true, wire: false,
        "Code reading the field stops compiling; a client on OLD decodes the missing field as None.";
    RESPONSE_PROPERTY_MADE_REQUIRED = "response-property-made-required", "response field made required", source: true, wire: true,
        "The field changes from `Option<T>` to `T`, so code matching on `Some`/`None` stops compiling; a client on NEW fails to decode a response from a server on OLD that leaves it out.";
    RESPONSE_PROPERTY_MADE_OPTIONAL = "response-property-made-optional", "response field made optional", source: true, wire: true,
        "The field changes from `T` to `Option<T>`, so code reading it stops compiling; a client on OLD fails to decode a response from a server on NEW that leaves it out.";
    RESPONSE_PROPERTY_RETYPED = "response-property-retyped", "response field retyped", source: true, wire: true,
        "The field's (or the whole body's) Rust type changes, so code reading it stops compiling, and a decoder on one version rejects what a server on the other sends.";

    REQUEST_ENUM_VALUE_ADDED = "request-enum-value-added", "request enum value added", source: true, wire: false,
        "typify enums are exhaustive, so a `match` over the type stops compiling (Cargo's SemVer guide counts a new variant as breaking); servers on either version accept every value a client on OLD can send.";
    REQUEST_ENUM_VALUE_REMOVED = "request-enum-value-removed", "request enum value removed", source: true, wire: true,
        "The variant disappears, so code naming it stops compiling; a client on OLD may send the value and a server on NEW rejects it.";
    RESPONSE_ENUM_VALUE_ADDED = "response-enum-value-added", "response enum value added", source: true, wire: true,
        "typify enums are exhaustive and closed: a `match` over the type stops compiling, and a client on OLD cannot decode a response that carries the new value.";
    RESPONSE_ENUM_VALUE_REMOVED = "response-enum-value-removed", "response enum value removed", source: true, wire: true,
        "The variant disappears, so code naming it stops compiling; a client on NEW cannot decode a response from a server on OLD that still sends the value.";

    SCHEMA_ADDED = "schema-added", "schema added", source: false, wire: false,
        "A new type appears in the generated module; nothing that exists changes.";
    SCHEMA_REMOVED = "schema-removed", "schema removed", source: true, wire: false,
        "The generated type disappears, so code naming it stops compiling; what the operations send and receive is reported on the operations themselves.";

    SUCCESS_STATUS_ADDED = "success-status-added", "success status added", source: false, wire: true,
        "The method's return type stays (progenitor allows one success body type per operation), but a client on OLD reports the new status from a server on NEW as an unexpected response.";
    SUCCESS_STATUS_REMOVED = "success-status-removed", "success status removed", source: false, wire: true,
        "The method's return type stays, but a client on NEW reports that status from a server on OLD as an unexpected response.";
    ERROR_STATUS_ADDED = "error-status-added", "error status added", source: false, wire: false,
        "The call fails either way; a client on OLD reports the status as an unexpected response instead of a decoded error body.";
    ERROR_STATUS_REMOVED = "error-status-removed", "error status removed", source: false, wire: false,
        "The call fails either way; a client on NEW reports the status as an unexpected response instead of a decoded error body.";

    REQUEST_MEDIA_TYPE_ADDED = "request-media-type-added", "request media type added", source: true, wire: true,
        "progenitor builds the body argument from the request's one media type, so the method's signature changes (or generation stops at a second media type); a server on one version does not accept the body a client on the other sends.";
    REQUEST_MEDIA_TYPE_REMOVED = "request-media-type-removed", "request media type removed", source: true, wire: true,
        "progenitor builds the body argument from the request's one media type, so the method's signature changes; a server on NEW no longer accepts the body a client on OLD sends.";
    RESPONSE_BODY_KIND_CHANGED = "response-body-kind-changed", "response body kind changed", source: true, wire: true,
        "progenitor returns a typed value for application/json, raw bytes for any other media type and `()` for no content; the return type changes, and a client on one version cannot decode what a server on the other sends.";
    RESPONSE_MEDIA_TYPE_ADDED = "response-media-type-added", "response media type added", source: false, wire: true,
        "The return type stays (it follows application/json when declared, raw bytes otherwise), but a client on OLD cannot decode a body a server on NEW sends in the new media type.";
    RESPONSE_MEDIA_TYPE_REMOVED = "response-media-type-removed", "response media type removed", source: false, wire: true,
        "The return type stays, but a client on NEW cannot decode a body a server on OLD still sends in that media type.";

    KEYWORD_CHANGED = "keyword-changed", "other keyword changed", source: false, wire: false,
        "A keyword that shapes neither the generated Rust types nor how responses decode (such as `default`, `deprecated`, `tags`, `security`, `x-min`/`x-max`, response headers); listed so that no change passes unseen, to be reviewed by hand.";
}

//! Every keyword of an OpenAPI 3.0 or 3.1 document the diff meets, per kind of
//! object, and what it does with it: compares it by a rule of its own, counts it
//! as prose, lists it as `keyword-changed` for review, or ignores it, each with
//! the reason. The walk takes its lists from here, and `unknown` finds keywords a
//! document holds that this inventory does not name (a test runs it on every
//! document of the repository), so no keyword passes unseen by accident.

use serde_json::Value;

/// The kinds of object the walk descends into.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Object {
    Document,
    Info,
    Components,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    MediaType,
    Response,
    SecurityScheme,
    Schema,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Treatment {
    /// Compared by the walk, under the rules named.
    Walked(&'static str),
    /// Compared as a whole value and listed as `keyword-changed`, ranked neither
    /// way, for review; why it shapes nothing the client does.
    Listed(&'static str),
    /// Not compared; why nothing the client sends or accepts depends on it.
    Ignored(&'static str),
}

/// Prose, on any object: counted, never listed (a property *named* `description`
/// is a name, not a keyword).
pub const PROSE: &[&str] = &[
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
];

use Object::*;
use Treatment::*;

const BASE_URL: &str =
    "the client's base URL is the ClientBuilder's (a region or a URL), never the document's";
const NOT_GENERATED: &str = "progenitor generates nothing from it";
const REFERENCE: &str = "followed to what it names, which is compared in its place";
const HOW_SPELLED: &str =
    "how a value is spelled on the wire; progenitor spells query values its own way (form, exploded) whatever the document says";
const APPLICATOR_31: &str =
    "a JSON Schema 2020-12 keyword typify 0.8 does not turn into a type (it reads OpenAPI 3.0's dialect); what it allows is for review";
const CONSTRAINT: &str = "request-constraint-tightened/relaxed, response-constraint-changed, response-enforced-constraint-changed; or keyword-changed on a type it does not apply to";

/// The inventory. Extensions (`x-…`) not named here are listed as
/// `keyword-changed`: the build reads only `x-threatjammer` and
/// `x-threatjammer-value`.
pub static INVENTORY: &[(Object, &str, Treatment)] = &[
    (Document, "openapi", Ignored("which 3.x release: the walk reads 3.0 and 3.1 alike")),
    (Document, "info", Walked("the report's heading; the version is the build metadata")),
    (Document, "jsonSchemaDialect", Ignored("the build reads every schema as OpenAPI 3.0's dialect")),
    (Document, "servers", Ignored(BASE_URL)),
    (Document, "paths", Walked("operation-added/removed and everything below")),
    (Document, "webhooks", Ignored("calls the service would make, not the client; nothing is generated for them")),
    (Document, "components", Walked("schema-added/removed; the rest through references")),
    (Document, "security", Walked("security-changed, security-added-unmet, on every operation without its own")),
    (Document, "tags", Ignored("groups operations in documentation; progenitor merges every tag into one client")),
    (Info, "version", Walked("the report's heading and the suggested version's build metadata")),
    (Info, "termsOfService", Ignored("about the service, not the interface")),
    (Info, "contact", Ignored("about the service, not the interface")),
    (Info, "license", Ignored("about the service, not the interface")),
    (Components, "schemas", Walked("schema-added/removed; their contents where an operation reaches them")),
    (Components, "responses", Walked(REFERENCE)),
    (Components, "parameters", Walked(REFERENCE)),
    (Components, "requestBodies", Walked(REFERENCE)),
    (Components, "pathItems", Walked(REFERENCE)),
    (Components, "securitySchemes", Walked("whether the client's bearer key meets a requirement")),
    (Components, "headers", Ignored("reached only from response headers, which are listed whole")),
    (Components, "examples", Ignored("prose")),
    (Components, "links", Ignored(NOT_GENERATED)),
    (Components, "callbacks", Ignored(NOT_GENERATED)),
    (PathItem, "$ref", Walked(REFERENCE)),
    (PathItem, "get", Walked("an operation")),
    (PathItem, "put", Walked("an operation")),
    (PathItem, "post", Walked("an operation")),
    (PathItem, "delete", Walked("an operation")),
    (PathItem, "options", Walked("an operation")),
    (PathItem, "head", Walked("an operation")),
    (PathItem, "patch", Walked("an operation")),
    (PathItem, "trace", Walked("an operation")),
    (PathItem, "parameters", Walked("merged into each operation's")),
    (PathItem, "servers", Ignored(BASE_URL)),
    (Operation, "operationId", Walked("operation-renamed")),
    (Operation, "parameters", Walked("parameter-* rules")),
    (Operation, "requestBody", Walked("request-* rules")),
    (Operation, "responses", Walked("response-*, success-*, error-* rules")),
    (Operation, "security", Walked("security-changed, security-added-unmet")),
    (Operation, "tags", Ignored("groups operations in documentation; progenitor merges every tag into one client")),
    (Operation, "callbacks", Ignored(NOT_GENERATED)),
    (Operation, "servers", Ignored(BASE_URL)),
    (Operation, "deprecated", Listed("progenitor marks nothing deprecated; a hint for the changelog")),
    (Operation, "x-threatjammer", Listed("the project's facts about the operation (area, links it serves); they shape hand-written helpers and docs, not a request or an answer")),
    (Parameter, "$ref", Walked(REFERENCE)),
    (Parameter, "name", Walked("with `in`, what matches a parameter across the documents")),
    (Parameter, "in", Walked("with `name`, what matches a parameter across the documents")),
    (Parameter, "required", Walked("parameter-made-required/optional")),
    (Parameter, "schema", Walked("parameter-retyped, the constraint rules, enum values")),
    (Parameter, "deprecated", Listed("progenitor marks nothing deprecated; a hint for the changelog")),
    (Parameter, "allowEmptyValue", Listed("whether an empty value may be sent; the client sends none")),
    (Parameter, "style", Listed(HOW_SPELLED)),
    (Parameter, "explode", Listed(HOW_SPELLED)),
    (Parameter, "allowReserved", Listed(HOW_SPELLED)),
    (Parameter, "content", Listed("a parameter described by media type; progenitor reads `schema` only")),
    (RequestBody, "$ref", Walked(REFERENCE)),
    (RequestBody, "content", Walked("request-media-type-added/removed and the body's schema")),
    (RequestBody, "required", Listed("whether a body must be sent; the face sends one whenever the operation declares it")),
    (MediaType, "schema", Walked("for JSON, the typed body; any other media type is raw (response-raw-schema-changed)")),
    (MediaType, "encoding", Listed("how multipart parts are encoded; the multipart operations are hand-written")),
    (Response, "$ref", Walked(REFERENCE)),
    (Response, "content", Walked("response-media-type-*, response-body-kind-changed, success-result-changed and the body's schema")),
    (Response, "headers", Listed("the client reads no declared header (Retry-After on 429 is read whatever is declared)")),
    (Response, "links", Ignored(NOT_GENERATED)),
    (SecurityScheme, "type", Walked("whether the bearer key meets the scheme")),
    (SecurityScheme, "scheme", Walked("whether the bearer key meets the scheme")),
    (SecurityScheme, "in", Walked("only schemes other than http bearer have it; the key meets none of them")),
    (SecurityScheme, "name", Walked("only schemes other than http bearer have it; the key meets none of them")),
    (SecurityScheme, "flows", Walked("only schemes other than http bearer have it; the key meets none of them")),
    (SecurityScheme, "openIdConnectUrl", Walked("only schemes other than http bearer have it; the key meets none of them")),
    (SecurityScheme, "bearerFormat", Ignored("a hint about the token; the key is sent as it is")),
    (Schema, "$ref", Walked("a change of reference is a retype; the target is compared once per operation and side")),
    (Schema, "type", Walked("*-retyped")),
    (Schema, "format", Walked("*-retyped where typify maps it to a type (uuid, date, date-time, ip, ipv4, ipv6, integer and float widths)")),
    (Schema, "nullable", Walked("*-retyped on a required field, optional-nullable-changed on an optional one")),
    (Schema, "enum", Walked("*-enum-value-added/removed")),
    (Schema, "properties", Walked("*-property-* and response-scalar-* rules")),
    (Schema, "required", Walked("*-property-made-required/optional, response-scalar-made-*")),
    (Schema, "items", Walked("compared as the array's element")),
    (Schema, "additionalProperties", Walked("a map's values are compared; `false` is part of the type")),
    (Schema, "anyOf", Walked("the number of variants is part of the type; variants compared in order")),
    (Schema, "oneOf", Walked("the number of variants is part of the type; variants compared in order")),
    (Schema, "allOf", Walked("a one-element allOf is its element; otherwise as anyOf")),
    (Schema, "minimum", Walked(CONSTRAINT)),
    (Schema, "maximum", Walked(CONSTRAINT)),
    (Schema, "exclusiveMinimum", Walked(CONSTRAINT)),
    (Schema, "exclusiveMaximum", Walked(CONSTRAINT)),
    (Schema, "multipleOf", Walked(CONSTRAINT)),
    (Schema, "pattern", Walked(CONSTRAINT)),
    (Schema, "minLength", Walked(CONSTRAINT)),
    (Schema, "maxLength", Walked(CONSTRAINT)),
    (Schema, "minItems", Walked(CONSTRAINT)),
    (Schema, "maxItems", Walked(CONSTRAINT)),
    (Schema, "uniqueItems", Walked(CONSTRAINT)),
    (Schema, "minProperties", Walked(CONSTRAINT)),
    (Schema, "maxProperties", Walked(CONSTRAINT)),
    (Schema, "x-threatjammer-value", Walked("*-retyped: it makes the field a Timestamp or a Link (build adaptation 14)")),
    (Schema, "default", Listed("the client applies no default: it leaves an unset field out")),
    (Schema, "readOnly", Listed("typify ignores it: the field is in the type both ways")),
    (Schema, "writeOnly", Listed("typify ignores it: the field is in the type both ways")),
    (Schema, "deprecated", Listed("typify marks nothing deprecated; a hint for the changelog")),
    (Schema, "discriminator", Listed("typify tells the variants of a oneOf apart by their shape, not by it")),
    (Schema, "xml", Ignored("the client speaks JSON only")),
    (Schema, "$comment", Ignored("a comment")),
    (Schema, "const", Listed("typify makes a one-value enum of it; review what the value allows")),
    (Schema, "not", Listed(APPLICATOR_31)),
    (Schema, "prefixItems", Listed(APPLICATOR_31)),
    (Schema, "contains", Listed(APPLICATOR_31)),
    (Schema, "minContains", Listed(APPLICATOR_31)),
    (Schema, "maxContains", Listed(APPLICATOR_31)),
    (Schema, "patternProperties", Listed(APPLICATOR_31)),
    (Schema, "propertyNames", Listed(APPLICATOR_31)),
    (Schema, "unevaluatedProperties", Listed(APPLICATOR_31)),
    (Schema, "unevaluatedItems", Listed(APPLICATOR_31)),
    (Schema, "dependentRequired", Listed(APPLICATOR_31)),
    (Schema, "dependentSchemas", Listed(APPLICATOR_31)),
    (Schema, "if", Listed(APPLICATOR_31)),
    (Schema, "then", Listed(APPLICATOR_31)),
    (Schema, "else", Listed(APPLICATOR_31)),
    (Schema, "contentEncoding", Listed(APPLICATOR_31)),
    (Schema, "contentMediaType", Listed(APPLICATOR_31)),
    (Schema, "contentSchema", Listed(APPLICATOR_31)),
    (Schema, "$defs", Listed("schemas reached by a reference into them, which the walk resolves only under #/components")),
    (Schema, "$id", Listed("3.1 identifiers: the walk resolves only local #/components references")),
    (Schema, "$schema", Listed("3.1 identifiers: the walk resolves only local #/components references")),
    (Schema, "$anchor", Listed("3.1 identifiers: the walk resolves only local #/components references")),
    (Schema, "$dynamicRef", Listed("3.1 identifiers: the walk resolves only local #/components references")),
    (Schema, "$dynamicAnchor", Listed("3.1 identifiers: the walk resolves only local #/components references")),
    (Schema, "$vocabulary", Listed("3.1 identifiers: the walk resolves only local #/components references")),
];

/// What the diff does with `keyword` on an `object`, or None when the
/// inventory does not name it.
pub fn treatment(object: Object, keyword: &str) -> Option<Treatment> {
    if PROSE.contains(&keyword) {
        return Some(Ignored("prose: counted, not listed"));
    }
    INVENTORY
        .iter()
        .find(|(o, k, _)| *o == object && *k == keyword)
        .map(|(_, _, t)| *t)
        .or_else(|| {
            keyword
                .starts_with("x-")
                .then_some(Listed("an extension the build does not read"))
        })
}

/// Whether the walk leaves `keyword` of `object` to the `keyword-changed`
/// listing: inventoried as listed, or not inventoried at all (so a keyword the
/// inventory misses is still reported, and the test on `unknown` names it).
pub fn listed(object: Object, keyword: &str) -> bool {
    matches!(treatment(object, keyword), Some(Listed(_)) | None)
}

/// Every keyword of `doc` the inventory does not name, as `pointer: keyword`.
pub fn unknown(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    visit(doc, Document, String::new(), &mut found);
    found
}

fn visit(node: &Value, object: Object, at: String, found: &mut Vec<String>) {
    let Some(map) = node.as_object() else {
        return;
    };
    for (key, value) in map {
        if treatment(object, key).is_none() {
            found.push(format!("{at}: {key}"));
        }
        let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        let each = |kind: Object, found: &mut Vec<String>| {
            for (name, v) in value.as_object().into_iter().flatten() {
                let at = format!("{here}/{}", name.replace('~', "~0").replace('/', "~1"));
                visit(v, kind, at, found);
            }
        };
        let list = |kind: Object, found: &mut Vec<String>| {
            for (i, v) in value.as_array().into_iter().flatten().enumerate() {
                visit(v, kind, format!("{here}/{i}"), found);
            }
        };
        match (object, key.as_str()) {
            (Document, "info") => visit(value, Info, here, found),
            (Document, "paths") | (Components, "pathItems") => each(PathItem, found),
            (Document, "components") => visit(value, Components, here, found),
            (Components, "schemas") => each(Schema, found),
            (Components, "responses") | (Operation, "responses") => each(Response, found),
            (Components, "parameters") => each(Parameter, found),
            (Components, "requestBodies") => each(RequestBody, found),
            (Components, "securitySchemes") => each(SecurityScheme, found),
            (PathItem, "parameters") | (Operation, "parameters") => list(Parameter, found),
            (PathItem, method) if crate::diff::walk::METHODS.contains(&method) => {
                visit(value, Operation, here, found)
            }
            (Operation, "requestBody") => visit(value, RequestBody, here, found),
            (RequestBody, "content") | (Response, "content") => each(MediaType, found),
            (Parameter, "schema") | (MediaType, "schema") => visit(value, Schema, here, found),
            (Schema, "properties") => each(Schema, found),
            (Schema, "items" | "additionalProperties") => visit(value, Schema, here, found),
            (Schema, "anyOf" | "oneOf" | "allOf") => list(Schema, found),
            _ => {}
        }
    }
}

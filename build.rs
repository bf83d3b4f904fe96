//! Generates the client from the spec of record, `openapi/threatjammer.json`.
//!
//! One pass from the spec and its facts to code (docs/architecture.md walks
//! through it): the spec is read once; the operation table
//! (build/facts.rs) says what is true of each operation; progenitor, used as
//! it comes through its settings, writes the types and declares each
//! operation's typed interface (build/interface.rs); the passes in
//! build/types_passes.rs, build/typed_values.rs and build/docs_passes.rs work
//! on those types as syntax; and build/builders.rs writes the request
//! builders, each request and the call pipeline's constants from the spec and
//! the table. The output goes to `$OUT_DIR/generated.rs` and is included by
//! `src/generated.rs`. Nothing generated is checked in.
//!
//! The few things progenitor/typify cannot take as the spec says are handled in
//! `ADAPTATIONS` below, each with its reason. The reconciliations of upstream
//! defects that *can* be said in OpenAPI live in `openapi/reconcile.overlay.yaml`.
//! "Defect N" is the numbering of `docs/upstream-defects.md`, which also says
//! which defect each adaptation answers.

use quote::quote;
use serde_json::Value;
use std::path::Path;

#[path = "build/answer_schemas.rs"]
mod answer_schemas;
#[path = "build/arguments.rs"]
mod arguments;
#[path = "build/builders.rs"]
mod builders;
#[path = "build/docs_passes.rs"]
mod docs_passes;
#[path = "build/facts.rs"]
mod facts;
#[path = "build/interface.rs"]
mod interface;
#[path = "build/links.rs"]
mod links;
#[path = "build/spec.rs"]
mod spec;
#[path = "build/spec_passes.rs"]
mod spec_passes;
#[path = "build/syntax.rs"]
mod syntax;
#[path = "build/typed_values.rs"]
mod typed_values;
#[path = "build/types_passes.rs"]
mod types_passes;

use facts::{operation_table, operations_tokens};
use links::{links_tokens, read_links};
use spec_passes::*;
use typed_values::{answer_lists_written, typed_fields, typed_values};
use types_passes::{answer_types, non_exhaustive, open_enums, unlisted};

const SPEC: &str = "openapi/threatjammer.json";

/// Build-time adaptations, in the order they run. None edits what progenitor
/// printed: the spec passes change the document progenitor reads, the type
/// passes change typify's types as a syntax tree, and everything else is
/// written here from the spec and the operation table.
///
/// 1. `multipart`: the request bodies of type `multipart/form-data` (the
///    three CSV uploads) are set aside before generation: progenitor 0.15
///    rejects that content type and fails the build (defect 2). It still
///    declares the operations' other arguments and answers; the request
///    builders write the multipart body from the spec (`crate::upload`). A
///    body that also declares JSON is sent as JSON, and progenitor (which
///    stops at a second media type) sees that one only.
/// 2. `problem`: the shared error schema `Problem` is replaced by the
///    hand-written `crate::problem::Problem` (a progenitor replacement),
///    because the service spells one key both `type` and `"type:"`; typify
///    would make two fields with the same Rust name and the build fails (defect 6).
/// 3. `body names`: request-body schemas named by FastAPI
///    (`Body_create_private_allowlist_of_the_user_v1_allowlist_private_post`)
///    are renamed after the operation (`CreatePrivateAllowlistBody`), as
///    progenitor type patches (defect 12).
/// 4. `open enums`: every string enum gets a catch-all `Unrecognized(String)`
///    variant, so a value the spec does not list yet does not make a whole
///    response undecodable (defect 8), and is written back exactly as it came.
///    The enum is serialised through its `Display` and deserialised through its
///    `FromStr`, not by serde's derives. schemars (feature `schemars`) skips
///    the catch-all, so the schema stays the spec's. typify has no setting
///    for a catch-all variant.
/// 5. `request builders`: for every operation, a method of the same name on
///    `crate::Client` taking the operation's required arguments (path and
///    query parameters, then the request body's required fields) and returning
///    a request builder (`crate::request`), with a setter for each optional
///    one, per-call overrides (timeout, retry policy) and, for a paged
///    listing, `pages()`. Its request (method, URL, query, headers, body) is
///    written from the spec and sent through `crate::call::run`, the one call
///    pipeline, which repeats the whole call (sending, reading, decoding) as
///    the retry policy allows. An upstream release that adds an optional
///    parameter or body field thus adds a setter and breaks no caller, where
///    progenitor's positional methods would gain an argument; progenitor's
///    builder style names its builders and setters after its own rules and
///    sends through its own client, which has no place for the per-call
///    options, the checks and the pipeline. With the `dynamic` feature, also
///    an arm of `Client::call`, which calls an operation by id with named
///    JSON arguments (the conformance runner and the command-line tool's `op`).
/// 6. `names by site`: typify names an inline enum or pattern after its
///    `title` and gives every later schema with that title the first one's
///    type (the token's `status`, ENABLED/DISABLED, decoded as a list's). Every
///    titled inline schema is titled after where it is defined instead
///    (`IpAssessmentOutputRisk`, `GetUaDeviceCode`), so no type's name depends
///    on what else the document holds, and a change to one schema renames no
///    other.
/// 7. `module names`: FastAPI qualifies two same-named models with their module
///    (`v1__models__token__SourceOutput`); they become `SourceOutput` and
///    `TokenSourceOutput` (progenitor type patches).
/// 8. `path encoding`: the request builders encode path parameters with
///    `crate::path::encode_path`, the crate's one path codec (progenitor's
///    leaves `\` raw; reqwest's URL parser reads it as `/` and a user agent
///    could send the request to another path, see src/path.rs). The call
///    pipeline is given the number of segments of the operation's path, so a
///    path that lost or gained segments on the way (an argument of `..`) is
///    refused before it is sent. Addresses, UUIDs and integers, which print
///    nothing a segment escapes, go into the URL as they print; a path made
///    only of them and literals cannot lose a segment, so only paths that
///    hold text from data are checked.
/// 9. `the requests the spec describes`: progenitor adds `api-version:
///    <info.version>` to every request, a Dropshot convention the User API does
///    not define; the builders write only the headers the spec declares.
/// 10. `one call pipeline`: authentication, the path check, the quota guard,
///     tracing, the body limit, status classification and decoding are
///     `crate::call`'s, for every operation; nothing of progenitor's client
///     (its hooks, its error type) is used.
/// 11. `shapes that grow`: every generated struct and enum is
///     `#[non_exhaustive]`, so a field or an enum value added upstream is not
///     a breaking change of this crate. Request inputs nested in a body get a
///     constructor of their required fields and setters for the rest; answers
///     are made from JSON (`serde_json::from_value`) where a test needs one.
///     typify's derives cannot add an attribute that is not a derive.
/// 12. `every success decodes`: progenitor takes one success type per
///     operation and stops on two, where the spec of record declares both
///     upstream's `200` and the documented `202`/`204`. Generation sees one of
///     them (the body-less one when the others carry any JSON at all); the
///     call pipeline decodes every 2xx answer into the operation's result and
///     reports a status or content type the spec of record does not declare
///     (`crate::drift`) instead of failing the call.
/// 13. `answers observed, not enforced`: schemas that only answers use lose
///     their constraints (`pattern`, lengths, bounds) for generation, so a
///     `registry_date` the pattern refuses decodes as the text it is instead of
///     failing the whole answer; a required text, number or boolean field an
///     answer leaves out is given its empty value from the spec of record's
///     schema when the answer is decoded again (`crate::drift::decode`). Both
///     are reported by drift observation, which checks the spec of record's
///     own schemas (`$OUT_DIR/answers.json`); each answer type says whether it
///     holds an unlisted value (`crate::drift::Unlisted`). Arguments and
///     request bodies keep every constraint: a bad argument is refused before
///     anything is sent.
/// 14. `typed values`: typify knows only JSON types, so a timestamp would be
///     an `i64` and a link a `String`. Where the spec of record says what a
///     value is (`x-threatjammer-value`, openapi/values.overlay.yaml), the
///     field becomes a `jiff::Timestamp` or a `crate::Link` (`Option<Link>`,
///     the service's empty link being `None`),
///     with serde glue (src/time.rs, src/links.rs) that reads the wire form and
///     writes it back unchanged. An answer's optional lists are written even
///     when empty, so the `[]` it came with is written back too. typify's
///     conversions replace a type everywhere it is used, not one field's.
/// 15. `documented`: typify documents no enum variant and gives a parameter's
///     type only its own name; every variant gets its wire value, every such
///     type the parameter it is taken as, every method a link to its area's
///     example in `src/areas.rs` (build/docs_passes.rs). The generated module
///     warns on `missing_docs`, and CI's `cargo doc -D warnings` fails on what
///     a pass leaves bare.
const _ADAPTATIONS: () = ();

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build");
    if let Err(message) = generate() {
        // A build script reports failure by exiting non-zero; the message is what the user sees.
        eprintln!("threatjammer build.rs: {message}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(SPEC).map_err(|e| format!("reading {SPEC}: {e}"))?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| format!("parsing {SPEC}: {e}"))?;

    // What the spec of record itself says, read before any pass changes it
    // (but for the method names operations the overlay does not know yet
    // take by the documented rule, and optional cookies, which nothing sends).
    dangling_references(&doc, &doc, &mut String::new())?;
    facts::prepare(&mut doc)?;
    let operations = operation_table(&doc)?;
    let answer_schemas = answer_schemas::answers_json(&doc);
    let links = read_links(&operations)?;
    let wires = builders::wires(&doc);

    // The document as progenitor is to read it (adaptations 1, 3, 6, 7, 12, 13).
    set_aside_multipart_bodies(&mut doc);
    let mut renames = body_schema_renames(&doc);
    renames.extend(module_qualified_renames(&doc));
    let typed = typed_fields(&doc, &renames)?;
    title_by_site(&mut doc, &renames);
    one_success_shape(&mut doc)?;
    observe_answer_constraints(&mut doc);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(doc).map_err(|e| format!("{SPEC} is not OpenAPI 3.0: {e}"))?;

    // progenitor, through its settings only.
    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Positional)
        .with_derive("PartialEq")
        .with_replacement("Problem", "crate::problem::Problem", std::iter::empty());
    // JSON Schema derives are about a fifth of the library's compile time and
    // few users need them: only with the `schemars` feature.
    let schemas = std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some();
    if schemas {
        settings.with_derive("schemars::JsonSchema");
    }
    for (from, to) in &renames {
        settings.with_patch(from, progenitor_impl::TypePatch::default().with_rename(to));
    }
    let tokens = progenitor_impl::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let mut types: syn::File =
        syn::parse2(tokens).map_err(|e| format!("parsing progenitor's output: {e}"))?;
    let mut methods = interface::split(&mut types)?;

    // The types, as syntax (adaptations 4, 11, 13, 14, 15).
    let answers = answer_types(&types, &methods);
    open_enums(&mut types, schemas);
    typed_values(&mut types, &typed, schemas)?;
    answer_lists_written(&mut types, &answers);
    docs_passes::document_generated(&mut types, &mut methods, &operations)?;
    let unlisted = unlisted(&types, &answers);
    // The builders read the types' fields before they are marked non-exhaustive.
    let builders = builders::builders(&types, &methods, &operations, &wires)?;
    non_exhaustive(&mut types);
    let table = operations_tokens(&operations);

    let out = Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("generated.rs");
    // Unformatted on purpose: rustfmt/prettyplease would cost build time and nobody reads this file.
    let all = quote! { #types #unlisted #builders #table };
    std::fs::write(&out, all.to_string()).map_err(|e| format!("writing {}: {e}", out.display()))?;
    let out = out.with_file_name("answers.json");
    std::fs::write(&out, answer_schemas).map_err(|e| format!("writing {}: {e}", out.display()))?;
    // Included by src/links.rs, inside the module whose helpers it calls.
    let out = out.with_file_name("links.rs");
    let links = links_tokens(&links, &methods)?;
    std::fs::write(&out, links.to_string())
        .map_err(|e| format!("writing {}: {e}", out.display()))?;
    Ok(())
}

/// Fails on the first `$ref` that names nothing in the document, saying where
/// it is: typify would panic on it, deep in its own code.
fn dangling_references(doc: &Value, node: &Value, at: &mut String) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                let found = target
                    .strip_prefix('#')
                    .is_some_and(|pointer| doc.pointer(pointer).is_some());
                if !found {
                    return Err(format!("{SPEC}: the $ref {target:?} at {at} names nothing"));
                }
            }
            for (key, value) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&spec::escape(key));
                dangling_references(doc, value, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                dangling_references(doc, item, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

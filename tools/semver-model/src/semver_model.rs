//! `semver-model`: holds `spec diff`'s source ranks against cargo-semver-checks.
//!
//! `spec diff` ranks a change source-breaking from a model of the code the build
//! generates (tools/spec/src/diff/rules.rs). This check builds the real thing: the
//! crate on the spec of record (with the one prelude `baseline` gives it), and
//! on two synthetic releases derived from it,
//! one that makes every additive change of the list below at once and one that
//! makes every breaking change at once. cargo-semver-checks compares each
//! release with the baseline. Every lint it reports must name an item of one
//! change of the release (by method or type name), and a change must draw a
//! major lint exactly when `spec diff` ranks it source-breaking; the lints each
//! change draws are the rule → lint table of docs/regenerating.md, which must
//! hold the table this run produced.
//!
//! Three builds of rustdoc JSON dominate the cost; they share one target
//! directory outside the repository, so dependencies compile once.

use anyhow::{anyhow, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use threatjammer_spec::diff::rules::{self, Rule};
use threatjammer_spec::diff::{self, Report};
use threatjammer_spec::semver_checks::{self, Findings, LintLevel, Tool, Workbench};
use threatjammer_spec::spec_io;

#[derive(clap::Args)]
pub struct Args {
    /// Target directory the crate copies build in (kept between runs).
    #[arg(long)]
    target_dir: Option<PathBuf>,
    /// Keep the scratch directory (crate copy, variant specs, rustdoc JSON) and print where it is.
    #[arg(long)]
    keep: bool,
    /// Write the rule → lint table this run found into docs/regenerating.md
    /// (after a change to the face or the pinned tool); the other checks still apply.
    #[arg(long)]
    write_docs: bool,
}

/// Where docs/regenerating.md holds the rule → lint table.
const TABLE_MARKER: &str = "semver-model table";

/// The docs with `table` between the markers, or None when they are missing.
fn with_table(docs: &str, table: &str) -> Option<String> {
    threatjammer_spec::diff::render::with_region(docs, TABLE_MARKER, table)
}

/// Where a change shows in `spec diff`'s report: every condition given must hold.
#[derive(Clone, Copy, Default)]
struct Claim {
    operation: Option<&'static str>,
    location: Option<&'static str>,
    /// The component schema that declares the changed node.
    schema: Option<&'static str>,
    /// The last step of the property path (`risk` in `response 200: items[].risk`).
    property: Option<&'static str>,
    /// The rule the change is ranked by here, when not the edit's: one change
    /// to a schema that requests and answers share is seen from both sites.
    rule: Option<&'static Rule>,
}

impl Claim {
    fn at(operation: &'static str, location: &'static str) -> Claim {
        Claim {
            operation: Some(operation),
            location: Some(location),
            ..Claim::default()
        }
    }

    fn property(schema: &'static str, property: &'static str) -> Claim {
        Claim {
            schema: Some(schema),
            property: Some(property),
            ..Claim::default()
        }
    }

    /// The same change as another site sees it, ranked by `rule`.
    fn ranked(self, rule: &'static Rule) -> Claim {
        Claim {
            rule: Some(rule),
            ..self
        }
    }

    fn schema(name: &'static str) -> Claim {
        Claim {
            schema: Some(name),
            location: Some(leak(format!("schema {name}"))),
            ..Claim::default()
        }
    }

    /// Whether a change `spec diff` reports (by its operation, location and
    /// declaring schema) is this claim's.
    fn claims(&self, operation: Option<&str>, location: &str, schema: Option<&str>) -> bool {
        let last_step = location
            .rsplit_once(": ")
            .map(|(_, path)| path.rsplit(['.', ']', '}']).next().unwrap_or(path));
        self.operation.is_none_or(|op| operation == Some(op))
            && self.location.is_none_or(|l| location == l)
            && self.schema.is_none_or(|s| schema == Some(s))
            && self.property.is_none_or(|p| last_step == Some(p))
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// One change of a synthetic release.
pub struct Edit {
    /// The change, as the issue lists it.
    pub what: &'static str,
    apply: fn(&mut Value) -> Result<()>,
    /// How `spec diff` must report it: the rule, and where.
    pub rule: &'static Rule,
    claims: Vec<Claim>,
    /// Rust names (methods, types, fields) of the items the change touches in
    /// the generated crate; a lint is this change's when its line names one.
    items: &'static [&'static str],
    /// The deny-level lints cargo-semver-checks reports for it on the generated crate.
    lints: &'static [&'static str],
    /// Why cargo-semver-checks has no lint for the change, when it has none; the
    /// compiler's rejection of the downstream program is then the only proof.
    blind: Option<&'static str>,
    /// Marks the lines of `DOWNSTREAM` (`// <tag>`) that use what the change
    /// touches: for a source-breaking change, the compiler must reject one of
    /// them; for any other, none.
    pub tag: &'static str,
}

pub struct Variant {
    pub name: &'static str,
    pub edits: Vec<Edit>,
}

fn op<'d>(doc: &'d mut Value, path: &str, method: &str) -> Result<&'d mut Value> {
    doc.get_mut("paths")
        .and_then(|p| p.get_mut(path))
        .and_then(|item| item.get_mut(method))
        .ok_or_else(|| anyhow!("the spec of record has no {method} {path}"))
}

fn schema<'d>(doc: &'d mut Value, name: &str) -> Result<&'d mut Value> {
    doc.pointer_mut(&format!("/components/schemas/{name}"))
        .ok_or_else(|| anyhow!("the spec of record has no schema {name}"))
}

/// The schema of an operation's parameter.
fn param<'d>(doc: &'d mut Value, path: &str, method: &str, name: &str) -> Result<&'d mut Value> {
    op(doc, path, method)?["parameters"]
        .as_array_mut()
        .and_then(|ps| ps.iter_mut().find(|p| p["name"] == name))
        .map(|p| &mut p["schema"])
        .ok_or_else(|| anyhow!("{method} {path} has no parameter {name}"))
}

/// Takes `name` out of a schema's `required`.
fn unrequire(node: &mut Value, name: &str) -> Result<()> {
    node["required"]
        .as_array_mut()
        .ok_or_else(|| anyhow!("no required"))?
        .retain(|n| n != name);
    Ok(())
}

/// Takes `key` out of an object and returns what it held.
fn remove(node: &mut Value, key: &str) -> Result<Value> {
    node.as_object_mut()
        .and_then(|o| o.remove(key))
        .ok_or_else(|| anyhow!("no {key} to remove"))
}

/// Takes the parameter `name` out of an operation.
fn remove_param(operation: &mut Value, name: &str) -> Result<()> {
    let params = operation["parameters"]
        .as_array_mut()
        .ok_or_else(|| anyhow!("no parameters"))?;
    let before = params.len();
    params.retain(|p| p["name"] != name);
    anyhow::ensure!(params.len() < before, "no parameter {name}");
    Ok(())
}

fn push(node: &mut Value, key: &str, value: Value) -> Result<()> {
    let object = node
        .as_object_mut()
        .ok_or_else(|| anyhow!("not an object"))?;
    object
        .entry(key)
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| anyhow!("{key} is not an array"))?
        .push(value);
    Ok(())
}

fn add_property(node: &mut Value, name: &str, property: Value, required: bool) -> Result<()> {
    node.pointer_mut("/properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("no properties"))?
        .insert(name.into(), property);
    if required {
        push(node, "required", json!(name))?;
    }
    Ok(())
}

/// The schema the additive release's new operation answers with.
const PEERS: &str = "AutonomousSystemPeersOutput";
/// Declared by the new operation and nowhere else: a name of its own so the
/// lint attribution cannot confuse it with an existing item.
const PEERS_OPERATION: &str = "GET /v1/asn/{number}/peers";

/// The string schema the prelude adds, checked by its length.
const SHARED: &str = "SharedNote";

/// The operation whose JSON body the prelude also declares as a form.
const FORM_TOO: &str = "/v1/denylist/public/{denylist_id}/origin";

/// The baseline every release is compared with: the spec of record, with what
/// no release derived from it could otherwise exercise:
/// - `response-enforced-constraint-changed` is about a string constraint an
///   answer's type keeps because a request uses the same schema. No schema of
///   the spec of record is read by both, so the prelude adds one, a note of
///   at most 64 characters, as an optional field of a request body and of an
///   answer; a release then changes its bound.
/// - `request-media-type-removed` (the client's own media type staying) needs
///   a body of two media types; no body of the spec of record has two.
pub fn baseline(record: &Value) -> Result<Value> {
    let mut doc = record.clone();
    let content = &mut op(&mut doc, FORM_TOO, "put")?["requestBody"]["content"];
    content["multipart/form-data"] = content["application/json"].clone();
    doc["components"]["schemas"][SHARED] =
        json!({ "title": SHARED, "type": "string", "maxLength": 64 });
    let note = json!({ "$ref": format!("#/components/schemas/{SHARED}") });
    add_property(
        schema(
            &mut doc,
            "Body_change_status_of_the_origin_allowlist_v1_allowlist_public__allowlist_id__origin_put",
        )?,
        "note",
        note.clone(),
        false,
    )?;
    add_property(schema(&mut doc, "FamilyOutput")?, "note", note, false)?;
    Ok(doc)
}

pub fn additive() -> Variant {
    Variant {
        name: "additive",
        edits: vec![
            Edit {
                what: "optional query parameter added (operation without one)",
                apply: |d| {
                    push(
                        op(d, "/v1/asn/{number}", "get")?,
                        "parameters",
                        json!({ "in": "query", "name": "include_peers", "required": false, "schema": { "type": "boolean" } }),
                    )
                },
                rule: &rules::PARAMETER_ADDED_OPTIONAL,
                claims: vec![Claim::at(
                    "GET /v1/asn/{number}",
                    "query parameter include_peers",
                )],
                items: &[
                    "Client::get_asn",
                    "request::GetAsn",
                    "GetAsn::include_peers",
                ],
                lints: &[],
                tag: "get-asn-param",
                blind: None,
            },
            Edit {
                what: "optional query parameter added (operation with some)",
                apply: |d| {
                    push(
                        op(d, "/v1/log/ip/{ip_address}", "get")?,
                        "parameters",
                        json!({ "in": "query", "name": "logged_before", "required": false, "schema": { "type": "integer" } }),
                    )
                },
                rule: &rules::PARAMETER_ADDED_OPTIONAL,
                claims: vec![Claim::at(
                    "GET /v1/log/ip/{ip_address}",
                    "query parameter logged_before",
                )],
                items: &[
                    "Client::list_log_changes_of_ip",
                    "request::ListLogChangesOfIp",
                    "ListLogChangesOfIp::logged_before",
                ],
                lints: &[],
                tag: "log-param",
                blind: None,
            },
            Edit {
                what: "optional request-body field added (top level)",
                apply: |d| {
                    add_property(
                        schema(d, "Body_update_configuration_origin_v1_origin_put")?,
                        "comment",
                        json!({ "type": "string" }),
                        false,
                    )
                },
                rule: &rules::REQUEST_PROPERTY_ADDED_OPTIONAL,
                claims: vec![Claim::at("PUT /v1/origin", "request body: comment")],
                items: &[
                    "Client::update_origin_config",
                    "request::UpdateOriginConfig",
                    "UpdateOriginConfig::comment",
                    "types::BodyUpdateConfigurationOriginV1OriginPut",
                ],
                lints: &[],
                tag: "origin-config-field",
                blind: None,
            },
            Edit {
                what: "optional request-body field added (nested input)",
                apply: |d| {
                    add_property(
                        schema(d, "PrivateAclGroupListInput")?,
                        "owner",
                        json!({ "type": "string" }),
                        false,
                    )
                },
                rule: &rules::REQUEST_PROPERTY_ADDED_OPTIONAL,
                claims: vec![Claim::property("PrivateAclGroupListInput", "owner")],
                items: &[
                    "types::PrivateAclGroupListInput",
                    "PrivateAclGroupListInput::new",
                    "PrivateAclGroupListInput::owner",
                ],
                lints: &[],
                tag: "acl-input-field",
                blind: None,
            },
            Edit {
                what: "optional response field added",
                apply: |d| {
                    add_property(
                        schema(d, "IPAssessmentOutput")?,
                        "confidence",
                        json!({ "type": "integer" }),
                        false,
                    )
                },
                rule: &rules::RESPONSE_PROPERTY_ADDED_OPTIONAL,
                claims: vec![Claim::property("IPAssessmentOutput", "confidence")],
                items: &[
                    "types::IpAssessmentOutput",
                    "IpAssessmentOutput::confidence",
                ],
                lints: &[],
                tag: "confidence",
                blind: None,
            },
            Edit {
                // IPAssessmentOutput.risk and AutonomousSystemOutput.risk share the
                // title `Risk` in the spec of record: a value added to one of them
                // must not rename the other's type (or this one's).
                what: "response enum value added (IPAssessmentOutput.risk, titled like the AS's)",
                apply: |d| {
                    push(
                        schema(d, "IPAssessmentOutput")?
                            .pointer_mut("/properties/risk")
                            .ok_or_else(|| anyhow!("IPAssessmentOutput has no risk"))?,
                        "enum",
                        json!("CRITICAL"),
                    )
                },
                rule: &rules::RESPONSE_ENUM_VALUE_ADDED,
                claims: vec![Claim::property("IPAssessmentOutput", "risk")],
                items: &[
                    "types::IpAssessmentOutputRisk",
                    "IpAssessmentOutputRisk",
                    "types::AutonomousSystemOutputRisk",
                    "AutonomousSystemOutputRisk",
                    "types::Risk",
                ],
                lints: &[],
                tag: "risk-value",
                blind: None,
            },
            Edit {
                what: "operation added",
                apply: |d| {
                    let mut new = op(d, "/v1/asn/{number}", "get")?.clone();
                    new["operationId"] = json!("list_asn_peers");
                    new["summary"] = json!("List the peers of an Autonomous System");
                    // Facts of its own: no answer links to it (a second operation
                    // serving `Link::Asn` is refused by the build).
                    new["x-threatjammer"] = json!({ "area": "asn", "repeatable": true });
                    new["responses"]["200"]["content"]["application/json"]["schema"] =
                        json!({ "$ref": format!("#/components/schemas/{PEERS}") });
                    let paths = d["paths"]
                        .as_object_mut()
                        .ok_or_else(|| anyhow!("no paths"))?;
                    paths.insert("/v1/asn/{number}/peers".into(), json!({ "get": new }));
                    Ok(())
                },
                rule: &rules::OPERATION_ADDED,
                claims: vec![Claim::at(PEERS_OPERATION, "operation")],
                items: &[
                    "Client::list_asn_peers",
                    "request::ListAsnPeers",
                    "OperationId",
                ],
                lints: &[],
                tag: "operation-added",
                blind: None,
            },
            Edit {
                what: "schema added",
                apply: |d| {
                    d["components"]["schemas"][PEERS] = json!({
                        "title": PEERS,
                        "type": "object",
                        "required": ["peers"],
                        "properties": { "peers": { "type": "array", "items": { "type": "integer" } } }
                    });
                    Ok(())
                },
                rule: &rules::SCHEMA_ADDED,
                claims: vec![Claim::schema(PEERS)],
                items: &["types::AutonomousSystemPeersOutput"],
                lints: &[],
                tag: "schema-added",
                blind: None,
            },
            Edit {
                what: "request maximum raised (page_size 100 to 200)",
                apply: |d| {
                    param(d, "/v1/token/activity", "get", "page_size")?["maximum"] = json!(200);
                    Ok(())
                },
                rule: &rules::REQUEST_CONSTRAINT_RELAXED,
                claims: vec![Claim::at(
                    "GET /v1/token/activity",
                    "query parameter page_size",
                )],
                items: &[
                    "Client::list_token_activity",
                    "request::ListTokenActivity",
                    "ListTokenActivity::page_size",
                ],
                lints: &[],
                tag: "page-size-raised",
                blind: None,
            },
            Edit {
                what: "answer constraint added (pattern on an answer-only text field)",
                apply: |d| {
                    schema(d, "IPAssessmentOutput")?["properties"]["reason"]["pattern"] =
                        json!("^.+$");
                    Ok(())
                },
                rule: &rules::RESPONSE_CONSTRAINT_OBSERVED,
                claims: vec![Claim::property("IPAssessmentOutput", "reason")],
                items: &["IpAssessmentOutput::reason"],
                lints: &[],
                tag: "reason-pattern",
                blind: None,
            },
            Edit {
                what: "nullable added to an optional answer field",
                apply: |d| {
                    schema(d, "IPAssessmentOutput")?["properties"]["score"]["nullable"] =
                        json!(true);
                    Ok(())
                },
                rule: &rules::OPTIONAL_NULLABLE_CHANGED,
                claims: vec![Claim::property("IPAssessmentOutput", "score")],
                items: &["IpAssessmentOutput::score"],
                lints: &[],
                tag: "score-nullable",
                blind: None,
            },
            Edit {
                what: "schema of a text answer changed (text/csv)",
                apply: |d| {
                    op(d, "/v1/denylist/reported/ip", "get")?["responses"]["200"]["content"]
                        ["text/csv"]["schema"] = json!({ "type": "string", "minLength": 1 });
                    Ok(())
                },
                rule: &rules::RESPONSE_RAW_SCHEMA_CHANGED,
                claims: vec![Claim::at(
                    "GET /v1/denylist/reported/ip",
                    "response 200 text/csv",
                )],
                items: &["Client::list_reported_ips", "request::ListReportedIps"],
                lints: &[],
                tag: "csv-schema",
                blind: None,
            },
            Edit {
                what: "required text answer field added",
                apply: |d| {
                    add_property(
                        schema(d, "GeoIPOutput")?,
                        "metro_name",
                        json!({ "type": "string" }),
                        true,
                    )
                },
                rule: &rules::RESPONSE_SCALAR_ADDED_REQUIRED,
                claims: vec![Claim::property("GeoIPOutput", "metro_name")],
                items: &["GeoIpOutput::metro_name"],
                lints: &[],
                tag: "metro-name",
                blind: None,
            },
            Edit {
                what: "security changed, still met by the bearer key (an anonymous alternative)",
                apply: |d| {
                    op(d, "/v1/geo/{ip_address}", "get")?["security"] =
                        json!([{ "HTTPBearer": [] }, {}]);
                    Ok(())
                },
                rule: &rules::SECURITY_CHANGED,
                claims: vec![Claim::at("GET /v1/geo/{ip_address}", "security")],
                items: &["Client::geolocate_ip", "request::GeolocateIp"],
                lints: &[],
                tag: "geo-security",
                blind: None,
            },
            Edit {
                what: "request enum value added (the traffic analysis interval)",
                apply: |d| {
                    push(
                        param(d, "/v1/origin/traffic/analysis", "get", "interval")?,
                        "enum",
                        json!("DAILY"),
                    )
                },
                rule: &rules::REQUEST_ENUM_VALUE_ADDED,
                claims: vec![Claim::at(
                    "GET /v1/origin/traffic/analysis",
                    "query parameter interval",
                )],
                items: &["GetOriginTrafficAnalysisInterval"],
                lints: &[],
                tag: "interval-value",
                blind: None,
            },
            Edit {
                what: "success status added beside the one that decides the result",
                apply: |d| {
                    let responses = &mut op(d, "/v1/dataset/ip/{name}", "get")?["responses"];
                    responses["203"] = responses["200"].clone();
                    Ok(())
                },
                rule: &rules::SUCCESS_STATUS_ADDED,
                claims: vec![Claim::at("GET /v1/dataset/ip/{name}", "response 203")],
                items: &["Client::get_dataset", "request::GetDataset"],
                lints: &[],
                tag: "dataset-203",
                blind: None,
            },
            Edit {
                what: "success status removed, another still deciding the result",
                apply: |d| {
                    remove(
                        &mut op(d, "/v1/denylist/private", "post")?["responses"],
                        "202",
                    )
                    .map(drop)
                },
                rule: &rules::SUCCESS_STATUS_REMOVED,
                claims: vec![Claim::at("POST /v1/denylist/private", "response 202")],
                items: &[
                    "Client::create_private_denylist",
                    "request::CreatePrivateDenylist",
                ],
                lints: &[],
                tag: "denylist-202",
                blind: None,
            },
            Edit {
                // With a Problem body: a body-less one beside the typed 422 stops
                // progenitor (its one-error-type assertion) before the build can
                // say why; see docs/regenerating.md.
                what: "error status added (with a Problem body)",
                apply: |d| {
                    op(d, "/v1/asn/registry/{code}", "get")?["responses"]["409"] = json!({
                        "description": "Conflict",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                    });
                    Ok(())
                },
                rule: &rules::ERROR_STATUS_ADDED,
                claims: vec![Claim::at("GET /v1/asn/registry/{code}", "response 409")],
                items: &["Client::get_registry", "request::GetRegistry"],
                lints: &[],
                tag: "registry-409",
                blind: None,
            },
            Edit {
                // progenitor counts `default` as a success; the build shows it
                // none of the answers the pipeline classifies (adaptation 12).
                what: "default answer added (with a Problem body, beside the 200)",
                apply: |d| {
                    op(d, "/v1/ua/vendor/{code}", "get")?["responses"]["default"] = json!({
                        "description": "Any other answer",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                    });
                    Ok(())
                },
                rule: &rules::ERROR_STATUS_ADDED,
                claims: vec![Claim::at("GET /v1/ua/vendor/{code}", "response default")],
                items: &["Client::get_ua_vendor", "request::GetUaVendor"],
                lints: &[],
                tag: "vendor-default",
                blind: None,
            },
            Edit {
                what: "error status removed",
                apply: |d| {
                    remove(
                        &mut op(d, "/v1/datacenter/{datacenter_id}", "get")?["responses"],
                        "404",
                    )
                    .map(drop)
                },
                rule: &rules::ERROR_STATUS_REMOVED,
                claims: vec![Claim::at(
                    "GET /v1/datacenter/{datacenter_id}",
                    "response 404",
                )],
                items: &["Client::get_datacenter", "request::GetDatacenter"],
                lints: &[],
                tag: "datacenter-404",
                blind: None,
            },
            Edit {
                // The client keeps sending JSON (build adaptation 1).
                what: "request media type added (multipart beside JSON)",
                apply: |d| {
                    let content =
                        &mut op(d, "/v1/origin_token/enable", "put")?["requestBody"]["content"];
                    content["multipart/form-data"] = content["application/json"].clone();
                    Ok(())
                },
                rule: &rules::REQUEST_MEDIA_TYPE_ADDED,
                claims: vec![Claim::at("PUT /v1/origin_token/enable", "request body")],
                items: &[
                    "Client::enable_origin_token",
                    "request::EnableOriginToken",
                    "types::EnableOriginTokenBody",
                ],
                lints: &[],
                tag: "enable-form",
                blind: None,
            },
            Edit {
                // The form the prelude declares beside JSON goes; JSON stays.
                what: "request media type removed (multipart beside JSON)",
                apply: |d| {
                    remove(
                        &mut op(d, FORM_TOO, "put")?["requestBody"]["content"],
                        "multipart/form-data",
                    )
                    .map(drop)
                },
                rule: &rules::REQUEST_MEDIA_TYPE_REMOVED,
                claims: vec![Claim::at(
                    "PUT /v1/denylist/public/{denylist_id}/origin",
                    "request body",
                )],
                items: &[
                    "Client::set_public_denylist_origin_status",
                    "request::SetPublicDenylistOriginStatus",
                    "types::SetPublicDenylistOriginStatusBody",
                ],
                lints: &[],
                tag: "denylist-origin-form",
                blind: None,
            },
            Edit {
                what: "other keyword changed (an operation marked deprecated)",
                apply: |d| {
                    op(d, "/v1/source/ip/{source}", "get")?["deprecated"] = json!(true);
                    Ok(())
                },
                rule: &rules::KEYWORD_CHANGED,
                claims: vec![Claim::at("GET /v1/source/ip/{source}", "operation")],
                items: &["Client::get_source", "request::GetSource"],
                lints: &[],
                tag: "source-deprecated",
                blind: None,
            },
        ],
    }
}

pub fn breaking() -> Variant {
    Variant {
        name: "breaking",
        edits: vec![
            Edit {
                what: "operation removed",
                apply: |d| {
                    d["paths"]
                        .as_object_mut()
                        .and_then(|p| p.remove("/v1/denylist/reported/ip/all"))
                        .map(drop)
                        .ok_or_else(|| anyhow!("no /v1/denylist/reported/ip/all"))
                },
                rule: &rules::OPERATION_REMOVED,
                claims: vec![Claim::at(
                    "DELETE /v1/denylist/reported/ip/all",
                    "operation",
                )],
                items: &[
                    "Client::delete_all_reported_ips",
                    "request::DeleteAllReportedIps",
                    "OperationId::DELETE_ALL_REPORTED_IPS",
                ],
                lints: &[
                    "inherent_associated_pub_const_missing",
                    "inherent_method_missing",
                    "struct_missing",
                ],
                tag: "operation-removed",
                blind: None,
            },
            Edit {
                what: "property type changed (response field, integer to string)",
                apply: |d| {
                    schema(d, "IPAssessmentOutput")?["properties"]["score"]["type"] =
                        json!("string");
                    Ok(())
                },
                rule: &rules::RESPONSE_PROPERTY_RETYPED,
                claims: vec![Claim::property("IPAssessmentOutput", "score")],
                items: &["types::IpAssessmentOutput", "IpAssessmentOutput::score"],
                lints: &[],
                tag: "score-retyped",
                blind: Some("cargo-semver-checks 0.51 compares no field types (its lints see items, signatures' arity and attributes)"),
            },
            Edit {
                what: "optional parameter made required",
                apply: |d| {
                    let params = op(d, "/v1/origin/traffic/analysis", "get")?["parameters"]
                        .as_array_mut()
                        .ok_or_else(|| anyhow!("no parameters"))?;
                    let param = params
                        .iter_mut()
                        .find(|p| p["name"] == "to_timestamp")
                        .ok_or_else(|| anyhow!("no to_timestamp"))?;
                    param["required"] = json!(true);
                    Ok(())
                },
                rule: &rules::PARAMETER_MADE_REQUIRED,
                claims: vec![Claim::at(
                    "GET /v1/origin/traffic/analysis",
                    "query parameter to_timestamp",
                )],
                items: &[
                    "Client::get_origin_traffic_analysis",
                    "request::GetOriginTrafficAnalysis",
                    "GetOriginTrafficAnalysis::to_timestamp",
                ],
                lints: &["inherent_method_missing", "method_parameter_count_changed"],
                tag: "to-timestamp-required",
                blind: None,
            },
            Edit {
                what: "required parameter added",
                apply: |d| {
                    push(
                        op(d, "/v1/dataset/ip", "get")?,
                        "parameters",
                        json!({ "in": "query", "name": "kind", "required": true, "schema": { "type": "string" } }),
                    )
                },
                rule: &rules::PARAMETER_ADDED_REQUIRED,
                claims: vec![Claim::at("GET /v1/dataset/ip", "query parameter kind")],
                items: &["Client::list_datasets", "request::ListDatasets"],
                lints: &["method_parameter_count_changed"],
                tag: "datasets-kind",
                blind: None,
            },
            Edit {
                what: "required request field added (top level)",
                apply: |d| {
                    add_property(
                        schema(d, "Body_disable_origin_token_v1_origin_token_disable_put")?,
                        "reason",
                        json!({ "type": "string" }),
                        true,
                    )
                },
                rule: &rules::REQUEST_PROPERTY_ADDED_REQUIRED,
                claims: vec![Claim::at(
                    "PUT /v1/origin_token/disable",
                    "request body: reason",
                )],
                items: &[
                    "Client::disable_origin_token",
                    "request::DisableOriginToken",
                    "types::BodyDisableOriginTokenV1OriginTokenDisablePut",
                ],
                lints: &["method_parameter_count_changed"],
                tag: "disable-reason",
                blind: None,
            },
            Edit {
                what: "required request field added (nested input)",
                apply: |d| {
                    add_property(
                        schema(d, "PrivateAclGroupListInput")?,
                        "owner",
                        json!({ "type": "string" }),
                        true,
                    )
                },
                rule: &rules::REQUEST_PROPERTY_ADDED_REQUIRED,
                claims: vec![Claim::property("PrivateAclGroupListInput", "owner")],
                items: &[
                    "types::PrivateAclGroupListInput",
                    "PrivateAclGroupListInput::new",
                ],
                lints: &["method_parameter_count_changed"],
                tag: "acl-owner",
                blind: None,
            },
            Edit {
                what: "request maximum lowered (page_size 100 to 50)",
                apply: |d| {
                    param(d, "/v1/origin/cookies", "get", "page_size")?["maximum"] = json!(50);
                    Ok(())
                },
                rule: &rules::REQUEST_CONSTRAINT_TIGHTENED,
                claims: vec![Claim::at("GET /v1/origin/cookies", "query parameter page_size")],
                items: &["Client::list_origin_cookie_statuses", "request::ListOriginCookieStatuses", "ListOriginCookieStatuses::page_size"],
                lints: &[],
                tag: "page-size-lowered",
                blind: None,
            },
            Edit {
                what: "request maxItems lowered (an assessment batch, 500 to 250)",
                apply: |d| {
                    op(d, "/v1/assess/ip", "post")?["requestBody"]["content"]["application/json"]["schema"]["maxItems"] =
                        json!(250);
                    Ok(())
                },
                rule: &rules::REQUEST_CONSTRAINT_TIGHTENED,
                claims: vec![Claim::at("POST /v1/assess/ip", "request body")],
                items: &["Client::assess_ips", "request::AssessIps"],
                lints: &[],
                tag: "batch-lowered",
                blind: None,
            },
            Edit {
                // typify: no bound is i64, `minimum: 0` u64.
                what: "integer bound that moves typify's type (minimum 0 added)",
                apply: |d| {
                    param(d, "/v1/log/ip/{ip_address}", "get", "logged_after")?["minimum"] = json!(0);
                    Ok(())
                },
                rule: &rules::PARAMETER_RETYPED,
                claims: vec![Claim::at("GET /v1/log/ip/{ip_address}", "query parameter logged_after")],
                items: &["ListLogChangesOfIp::logged_after"],
                lints: &[],
                tag: "after-unsigned",
                blind: Some("cargo-semver-checks 0.51 compares no argument types"),
            },
            Edit {
                what: "security requirement added that the bearer key does not meet",
                apply: |d| {
                    d["components"]["securitySchemes"]["ApiKeyHeader"] =
                        json!({ "type": "apiKey", "in": "header", "name": "X-API-Key" });
                    op(d, "/v1/ua/{user_agent_urlencoded}", "get")?["security"] = json!([{ "ApiKeyHeader": [] }]);
                    Ok(())
                },
                rule: &rules::SECURITY_ADDED_UNMET,
                claims: vec![Claim::at("GET /v1/ua/{user_agent_urlencoded}", "security")],
                items: &["Client::parse_user_agent", "request::ParseUserAgent"],
                lints: &[],
                tag: "ua-security",
                blind: None,
            },
            Edit {
                what: "required text answer field removed",
                apply: |d| {
                    let geo = schema(d, "GeoIPOutput")?;
                    geo["properties"]
                        .as_object_mut()
                        .and_then(|p| p.remove("postal_code"))
                        .ok_or_else(|| anyhow!("GeoIPOutput has no postal_code"))?;
                    unrequire(geo, "postal_code")?;
                    Ok(())
                },
                rule: &rules::RESPONSE_SCALAR_REMOVED_REQUIRED,
                claims: vec![Claim::property("GeoIPOutput", "postal_code")],
                items: &["GeoIpOutput::postal_code", "field postal_code of struct GeoIpOutput"],
                lints: &["struct_pub_field_missing"],
                tag: "postal-removed",
                blind: None,
            },
            Edit {
                what: "required text answer field made optional",
                apply: |d| {
                    unrequire(schema(d, "GeoIPOutput")?, "city_name")
                },
                rule: &rules::RESPONSE_SCALAR_MADE_OPTIONAL,
                claims: vec![Claim::property("GeoIPOutput", "city_name")],
                items: &["GeoIpOutput::city_name"],
                lints: &[],
                tag: "city-optional",
                blind: Some("cargo-semver-checks 0.51 compares no field types"),
            },
            Edit {
                what: "operationId changed",
                apply: |d| {
                    op(d, "/v1/origin/client/analysis", "get")?["operationId"] =
                        json!("get_origin_client_breakdown");
                    Ok(())
                },
                rule: &rules::OPERATION_RENAMED,
                claims: vec![Claim::at("GET /v1/origin/client/analysis", "operation")],
                items: &[
                    "Client::get_origin_client_analysis",
                    "request::GetOriginClientAnalysis",
                    "OperationId::GET_ORIGIN_CLIENT_ANALYSIS",
                    "GetOriginClientAnalysisInterval",
                ],
                lints: &["enum_missing", "inherent_associated_pub_const_missing", "inherent_method_missing", "struct_missing"],
                tag: "client-analysis-renamed",
                blind: None,
            },
            Edit {
                what: "required parameter removed",
                apply: |d| remove_param(op(d, "/v1/origin", "get")?, "query"),
                rule: &rules::PARAMETER_REMOVED_REQUIRED,
                claims: vec![Claim::at("GET /v1/origin", "query parameter query")],
                items: &["Client::get_origin", "request::GetOrigin"],
                lints: &["method_parameter_count_changed"],
                tag: "origin-query-removed",
                blind: None,
            },
            Edit {
                what: "optional parameter removed",
                apply: |d| remove_param(op(d, "/v1/log/ip/{ip_address}", "get")?, "dataset"),
                rule: &rules::PARAMETER_REMOVED_OPTIONAL,
                claims: vec![Claim::at("GET /v1/log/ip/{ip_address}", "query parameter dataset")],
                items: &["ListLogChangesOfIp::dataset", "types::ListLogChangesOfIpDataset"],
                lints: &["inherent_method_missing", "struct_missing"],
                tag: "log-dataset-removed",
                blind: None,
            },
            Edit {
                what: "required parameter made optional",
                apply: |d| {
                    let params = op(d, "/v1/origin/status", "post")?["parameters"]
                        .as_array_mut()
                        .ok_or_else(|| anyhow!("no parameters"))?;
                    let query = params
                        .iter_mut()
                        .find(|p| p["name"] == "query")
                        .ok_or_else(|| anyhow!("no query"))?;
                    query["required"] = json!(false);
                    Ok(())
                },
                rule: &rules::PARAMETER_MADE_OPTIONAL,
                claims: vec![Claim::at("POST /v1/origin/status", "query parameter query")],
                items: &["Client::check_origin_status", "request::CheckOriginStatus", "CheckOriginStatus::query"],
                lints: &["method_parameter_count_changed"],
                tag: "origin-status-query-optional",
                blind: None,
            },
            Edit {
                what: "required request field removed",
                apply: |d| {
                    let body = schema(d, "Body_change_status_of_the_origin_denylist_v1_denylist_private__denylist_id__origin_put")?;
                    remove(&mut body["properties"], "status")?;
                    unrequire(body, "status")
                },
                rule: &rules::REQUEST_PROPERTY_REMOVED_REQUIRED,
                claims: vec![Claim::at("PUT /v1/denylist/private/{denylist_id}/origin", "request body: status")],
                items: &[
                    "Client::set_private_denylist_origin_status",
                    "SetPrivateDenylistOriginStatusBodyStatus",
                    "field status of struct SetPrivateDenylistOriginStatusBody",
                ],
                lints: &["enum_missing", "method_parameter_count_changed", "struct_pub_field_missing"],
                tag: "denylist-origin-status-removed",
                blind: None,
            },
            Edit {
                what: "optional request field removed",
                apply: |d| {
                    remove(
                        &mut schema(d, "Body_update_private_denylist_of_the_user_v1_denylist_private__denylist_id__put")?["properties"],
                        "ttl",
                    )
                    .map(drop)
                },
                rule: &rules::REQUEST_PROPERTY_REMOVED_OPTIONAL,
                claims: vec![Claim::at("PUT /v1/denylist/private/{denylist_id}", "request body: ttl")],
                items: &["UpdatePrivateDenylist::ttl", "field ttl of struct UpdatePrivateDenylistBody"],
                lints: &["inherent_method_missing", "struct_pub_field_missing"],
                tag: "denylist-ttl-removed",
                blind: None,
            },
            Edit {
                what: "optional request field made required",
                apply: |d| push(schema(d, "Body_update_origin_status_v1_origin_status_put")?, "required", json!("status")),
                rule: &rules::REQUEST_PROPERTY_MADE_REQUIRED,
                claims: vec![Claim::at("PUT /v1/origin/status", "request body: status")],
                items: &["Client::set_origin_status", "SetOriginStatus::status"],
                lints: &["inherent_method_missing", "method_parameter_count_changed"],
                tag: "origin-status-required",
                blind: None,
            },
            Edit {
                what: "request enum value removed",
                apply: |d| {
                    schema(d, "Body_update_origin_status_v1_origin_status_put")?["properties"]["scope"]["enum"]
                        .as_array_mut()
                        .ok_or_else(|| anyhow!("scope has no enum"))?
                        .retain(|v| v != "cookie");
                    Ok(())
                },
                rule: &rules::REQUEST_ENUM_VALUE_REMOVED,
                claims: vec![Claim::at("PUT /v1/origin/status", "request body: scope")],
                items: &["SetOriginStatusBodyScope"],
                lints: &["enum_variant_missing"],
                tag: "scope-value-removed",
                blind: None,
            },
            Edit {
                what: "required request field made optional",
                apply: |d| unrequire(schema(d, "OriginTokenInput")?, "origin"),
                rule: &rules::REQUEST_PROPERTY_MADE_OPTIONAL,
                claims: vec![Claim::at("POST /v1/origin_token/new", "request body: origin")],
                items: &["Client::create_origin_token", "request::CreateOriginToken", "CreateOriginToken::origin"],
                lints: &["method_parameter_count_changed"],
                tag: "token-origin-optional",
                blind: None,
            },
            Edit {
                what: "request field retyped (text to integer)",
                apply: |d| {
                    schema(d, "Body_query_origin_token_info_v1_origin_token_post")?["properties"]["origin_token_id"]["type"] =
                        json!("integer");
                    Ok(())
                },
                rule: &rules::REQUEST_PROPERTY_RETYPED,
                claims: vec![Claim::at("POST /v1/origin_token", "request body: origin_token_id")],
                items: &["Client::get_origin_token", "GetOriginTokenBody::origin_token_id"],
                lints: &[],
                tag: "token-id-retyped",
                blind: Some("cargo-semver-checks 0.51 compares no argument types"),
            },
            Edit {
                what: "required answer field added (a list)",
                apply: |d| {
                    add_property(
                        schema(d, "DeviceOutput")?,
                        "aliases",
                        json!({ "type": "array", "items": { "type": "string" } }),
                        true,
                    )
                },
                rule: &rules::RESPONSE_PROPERTY_ADDED_REQUIRED,
                claims: vec![Claim::property("DeviceOutput", "aliases")],
                items: &["DeviceOutput::aliases"],
                lints: &[],
                tag: "device-aliases",
                blind: None,
            },
            Edit {
                what: "optional text answer field made required",
                apply: |d| push(schema(d, "DatacenterOutput")?, "required", json!("description")),
                rule: &rules::RESPONSE_SCALAR_MADE_REQUIRED,
                claims: vec![Claim::property("DatacenterOutput", "description")],
                items: &["DatacenterOutput::description"],
                lints: &[],
                tag: "datacenter-description-required",
                blind: Some("cargo-semver-checks 0.51 compares no field types"),
            },
            Edit {
                what: "optional answer field made required (an enum)",
                apply: |d| push(schema(d, "DatacenterOutput")?, "required", json!("risk")),
                rule: &rules::RESPONSE_PROPERTY_MADE_REQUIRED,
                claims: vec![Claim::property("DatacenterOutput", "risk")],
                items: &["DatacenterOutput::risk"],
                lints: &[],
                tag: "datacenter-risk-required",
                blind: Some("cargo-semver-checks 0.51 compares no field types"),
            },
            Edit {
                what: "required answer field made optional (an enum)",
                apply: |d| unrequire(schema(d, "IPLogOutput")?, "action"),
                rule: &rules::RESPONSE_PROPERTY_MADE_OPTIONAL,
                claims: vec![Claim::property("IPLogOutput", "action")],
                items: &["IpLogOutput::action"],
                lints: &[],
                tag: "log-action-optional",
                blind: Some("cargo-semver-checks 0.51 compares no field types"),
            },
            Edit {
                what: "required answer field removed (an enum)",
                apply: |d| {
                    let node = schema(d, "TypeOutput")?;
                    remove(&mut node["properties"], "type")?;
                    unrequire(node, "type")
                },
                rule: &rules::RESPONSE_PROPERTY_REMOVED_REQUIRED,
                claims: vec![Claim::property("TypeOutput", "type")],
                items: &["field type_ of struct TypeOutput", "TypeOutputType"],
                lints: &["enum_missing", "struct_pub_field_missing"],
                tag: "ua-type-removed",
                blind: None,
            },
            Edit {
                what: "optional answer field removed",
                apply: |d| remove(&mut schema(d, "IPLogOutput")?["properties"], "cidr").map(drop),
                rule: &rules::RESPONSE_PROPERTY_REMOVED_OPTIONAL,
                claims: vec![Claim::property("IPLogOutput", "cidr")],
                items: &["field cidr of struct IpLogOutput"],
                lints: &["struct_pub_field_missing"],
                tag: "log-cidr-removed",
                blind: None,
            },
            Edit {
                what: "answer enum value removed",
                apply: |d| {
                    schema(d, "DatasetTypeOutput")?["properties"]["status"]["enum"]
                        .as_array_mut()
                        .ok_or_else(|| anyhow!("status has no enum"))?
                        .retain(|v| v != "DISABLED");
                    Ok(())
                },
                rule: &rules::RESPONSE_ENUM_VALUE_REMOVED,
                claims: vec![Claim::property("DatasetTypeOutput", "status")],
                items: &["DatasetTypeOutputStatus"],
                lints: &["enum_variant_missing"],
                tag: "dataset-status-value",
                blind: None,
            },
            Edit {
                what: "the only success status removed (the result becomes ())",
                apply: |d| remove(&mut op(d, "/v1/origin/status/details", "get")?["responses"], "200").map(drop),
                rule: &rules::SUCCESS_RESULT_CHANGED,
                claims: vec![Claim::at("GET /v1/origin/status/details", "result")],
                items: &["Client::list_origin_statuses", "request::ListOriginStatuses"],
                lints: &[],
                tag: "statuses-result",
                blind: Some("cargo-semver-checks 0.51 compares no return types"),
            },
            Edit {
                // Left unused by the edit above: the component, and with it the type, goes.
                what: "schema removed (its only use went with the result)",
                apply: |d| remove(&mut d["components"]["schemas"], "OriginStatusDetailsCollectionOutput").map(drop),
                rule: &rules::SCHEMA_REMOVED,
                claims: vec![Claim::schema("OriginStatusDetailsCollectionOutput")],
                items: &["types::OriginStatusDetailsCollectionOutput"],
                lints: &["struct_missing"],
                tag: "statuses-schema-removed",
                blind: None,
            },
            Edit {
                what: "request body kind changed (the body, JSON, removed)",
                apply: |d| remove(op(d, "/v1/origin_token", "delete")?, "requestBody").map(drop),
                rule: &rules::REQUEST_BODY_KIND_CHANGED,
                claims: vec![Claim::at("DELETE /v1/origin_token", "request body")],
                items: &["Client::delete_origin_token", "request::DeleteOriginToken", "types::DeleteOriginTokenBody"],
                lints: &["method_parameter_count_changed", "struct_missing"],
                tag: "delete-token-body",
                blind: None,
            },
            Edit {
                what: "answer body kind changed (JSON to text)",
                apply: |d| {
                    op(d, "/v1/asn/status/all", "get")?["responses"]["200"]["content"] =
                        json!({ "text/plain": { "schema": { "type": "string" } } });
                    Ok(())
                },
                rule: &rules::RESPONSE_BODY_KIND_CHANGED,
                claims: vec![Claim::at("GET /v1/asn/status/all", "response 200")],
                items: &["Client::list_registry_statuses", "request::ListRegistryStatuses"],
                lints: &[],
                tag: "statuses-text",
                blind: Some("cargo-semver-checks 0.51 compares no return types"),
            },
            Edit {
                what: "answer media type added (text beside JSON)",
                apply: |d| {
                    op(d, "/v1/ua/os/{code}", "get")?["responses"]["200"]["content"]["text/plain"] =
                        json!({ "schema": { "type": "string" } });
                    Ok(())
                },
                rule: &rules::RESPONSE_MEDIA_TYPE_ADDED,
                claims: vec![Claim::at("GET /v1/ua/os/{code}", "response 200")],
                items: &["Client::get_ua_os", "request::GetUaOs"],
                lints: &[],
                tag: "ua-os-text",
                blind: None,
            },
            Edit {
                what: "answer media type removed (text/plain of the reported list)",
                apply: |d| remove(&mut op(d, "/v1/denylist/reported/ip", "get")?["responses"]["200"]["content"], "text/plain").map(drop),
                rule: &rules::RESPONSE_MEDIA_TYPE_REMOVED,
                claims: vec![Claim::at("GET /v1/denylist/reported/ip", "response 200")],
                items: &["Client::list_reported_ips", "request::ListReportedIps"],
                lints: &[],
                tag: "reported-plain",
                blind: None,
            },
            Edit {
                what: "answer constraint kept by the decoder tightened (maxLength 64 to 16 of a string a request shares)",
                apply: |d| {
                    schema(d, SHARED)?["maxLength"] = json!(16);
                    Ok(())
                },
                rule: &rules::RESPONSE_CONSTRAINT_ENFORCED,
                claims: vec![
                    Claim::at("GET /v1/ua/family/{code}", "response 200: note"),
                    // The request that shares the schema sees the same change.
                    Claim::at(
                        "PUT /v1/allowlist/public/{allowlist_id}/origin",
                        "request body: note",
                    )
                    .ranked(&rules::REQUEST_CONSTRAINT_TIGHTENED),
                ],
                items: &["Client::get_ua_family", "request::GetUaFamily", "types::SharedNote"],
                lints: &[],
                tag: "shared-note-length",
                blind: None,
            },
        ],
    }
}

/// A user's code, written against the face of the spec of record. A line that
/// uses what an edit touches carries the edit's tag in a comment: against the
/// additive release the program must compile unchanged; against the breaking
/// one the compiler must reject a line of every edit, and only such lines.
const DOWNSTREAM: &str = r#"
use threatjammer::types::{AutonomousSystemOutputRisk, GetOriginTrafficAnalysisInterval, IpAssessmentOutputRisk, PrivateAclGroupListInput, PrivateAclGroupListInputResourceType};
use threatjammer::{Client, Error};

pub fn input() -> PrivateAclGroupListInput {
    PrivateAclGroupListInput::new("blocked scanners", "scanners", PrivateAclGroupListInputResourceType::Cidr, Vec::new()).ttl(3600) // acl-input-field acl-owner
}

pub async fn calls(tj: &Client) -> Result<u32, Error> {
    let ip: std::net::IpAddr = "212.231.12.22".parse().unwrap();
    let a = tj.assess_ip(ip).await?; // confidence
    let level = match a.risk { IpAssessmentOutputRisk::High => 3, IpAssessmentOutputRisk::Low => 1, _ => 0 }; // risk-value
    let score: Option<i64> = a.score; // score-retyped
    let asn = tj.get_asn(15704).await?; // get-asn-param
    let high = matches!(asn.risk, Some(AutonomousSystemOutputRisk::High)); // risk-value
    let log = tj.list_log_changes_of_ip(ip).logged_after(0).await?; // log-param
    tj.update_origin_config("https://example.com").await?; // origin-config-field
    tj.create_private_allowlist(input()).await?; // acl-input-field
    tj.delete_all_reported_ips().await?; // operation-removed
    let datasets = tj.list_datasets().await?; // datasets-kind
    tj.disable_origin_token("token").await?; // disable-reason
    let traffic = tj.get_origin_traffic_analysis(0, GetOriginTrafficAnalysisInterval::Hourly, "https://example.com").to_timestamp(60).await?; // to-timestamp-required
    let geo = tj.geolocate_ip(ip).await?; // geo-security metro-name
    let postal = geo.postal_code.len(); // postal-removed
    let city: String = geo.city_name.clone(); // city-optional
    let reason = a.reason.len(); // reason-pattern
    let tokens = tj.list_token_activity().page_size(150).await?; // page-size-raised
    let cookies = tj.list_origin_cookie_statuses("https://example.com").page_size(80).await?; // page-size-lowered
    let since: i64 = 0;
    let older = tj.list_log_changes_of_ip(ip).logged_after(since).await?; // after-unsigned
    let ua = tj.parse_user_agent("curl/8.0").await?; // ua-security
    let reported = tj.list_reported_ips().await?; // csv-schema
    let _ = (score, high, log, datasets, traffic, postal, city, reason, tokens, cookies, older, ua, reported);
    Ok(level)
}

use threatjammer::types as t;

pub struct Paths { pub list: threatjammer::Uuid, pub origin: t::SetPrivateDenylistOriginStatusBodyOrigin, pub kind: t::GetUaTypeCode, pub device: t::GetUaDeviceCode, pub os: t::GetUaOsCode, pub datacenter: t::GetDatacenterDatacenterId, pub dataset: t::GetDatasetName, pub registry: t::GetRegistryCode, pub source: t::GetSourceSource }

pub async fn more(tj: &Client, p: Paths, dataset: t::ListLogChangesOfIpDataset) -> Result<usize, Error> { // log-dataset-removed
    let Paths { list, origin, kind, device, os, datacenter, dataset: name, registry, source } = p;
    let ip: std::net::IpAddr = "212.231.12.22".parse().unwrap();
    tj.get_origin_client_analysis(0, t::GetOriginClientAnalysisInterval::Hourly, "https://example.com").await?; // client-analysis-renamed
    tj.get_origin("https://example.com").await?; // origin-query-removed
    tj.list_log_changes_of_ip(ip).dataset(dataset).await?; // log-dataset-removed
    tj.check_origin_status("https://example.com").await?; // origin-status-query-optional
    tj.set_private_denylist_origin_status(list, origin, t::SetPrivateDenylistOriginStatusBodyStatus::Active).await?; // denylist-origin-status-removed
    tj.update_private_denylist(list).ttl(60).await?; // denylist-ttl-removed
    tj.set_origin_status("https://example.com").status(t::SetOriginStatusBodyStatus::Block).await?; // origin-status-required
    let scope = t::SetOriginStatusBodyScope::Cookie; // scope-value-removed
    tj.create_origin_token("https://example.com").await?; // token-origin-optional
    tj.get_origin_token("token").await?; // token-id-retyped
    let device = tj.get_ua_device(device).await?; // device-aliases
    let datacenter = tj.get_datacenter(datacenter).await?; // datacenter-404
    let described = datacenter.description.is_some(); // datacenter-description-required
    let risky = datacenter.risk.is_some(); // datacenter-risk-required
    let change = tj.get_log_change(1).await?;
    let action = change.action.to_string(); // log-action-optional
    let cidr = change.cidr.is_some(); // log-cidr-removed
    let agent_type = tj.get_ua_type(kind).await?.type_; // ua-type-removed
    let dataset = tj.get_dataset(name).await?; // dataset-203
    let disabled = matches!(dataset.status, t::DatasetTypeOutputStatus::Disabled); // dataset-status-value
    let details: Option<t::OriginStatusDetailsCollectionOutput> = None; // statuses-schema-removed
    let statuses = tj.list_origin_statuses().await?.list.len(); // statuses-result
    tj.enable_origin_token("token").await?; // enable-form
    tj.delete_origin_token("token").await?; // delete-token-body
    let first = tj.list_registry_statuses().await?.first().map(|s| s.code.clone()); // statuses-text
    tj.create_private_denylist(input()).await?; // denylist-202
    tj.get_registry(registry).await?; // registry-409
    tj.get_source(source).await?; // source-deprecated
    let os = tj.get_ua_os(os).await?; // ua-os-text
    let traffic = tj.get_origin_traffic_analysis(0, t::GetOriginTrafficAnalysisInterval::Hourly, "https://example.com").await?; // interval-value to-timestamp-required
    let _ = (scope, device, described, risky, action, cidr, agent_type, disabled, details, first, os, traffic);
    Ok(statuses)
}
"#;

/// The tags on a line of `DOWNSTREAM`.
fn line_tags(line: &str) -> Vec<&str> {
    line.split_once("// ")
        .map(|(_, tags)| tags.split_whitespace().collect())
        .unwrap_or_default()
}

/// The compiler's errors on the downstream program, by line: `(line, code)`
/// from cargo's short message format (`src/lib.rs:12:5: error[E0599]: ...`).
fn compile_errors(messages: &str) -> Vec<(usize, String)> {
    messages
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("src/lib.rs:")?;
            let (line, rest) = rest.split_once(':')?;
            let (_, rest) = rest.split_once(": ")?;
            let code = rest.strip_prefix("error")?;
            let code = code
                .strip_prefix('[')
                .and_then(|c| c.split_once(']'))
                .map_or("error", |(c, _)| c);
            Some((line.parse().ok()?, code.to_string()))
        })
        .collect()
}

/// A variant's spec: the baseline with every edit applied, and a version of its own.
fn variant_spec(base: &Value, variant: &Variant) -> Result<Value> {
    let mut doc = base.clone();
    for edit in &variant.edits {
        (edit.apply)(&mut doc).with_context(|| format!("{}: {}", variant.name, edit.what))?;
    }
    let version = doc["info"]["version"].as_str().unwrap_or("0").to_string();
    doc["info"]["version"] = json!(format!("{version}-{}", variant.name));
    Ok(doc)
}

/// What one variant came to.
pub struct Outcome {
    pub name: &'static str,
    pub report: Report,
    pub findings: Findings,
    pub build: Duration,
    /// One line per edit: what it is, its rule and ranks, the lints it drew.
    pub rows: Vec<Row>,
    pub problems: Vec<String>,
}

pub struct Row {
    pub what: &'static str,
    pub rule: &'static str,
    pub source_breaking: bool,
    /// Deny-level lints: the tool's verdict.
    pub lints: BTreeSet<String>,
    /// Warn-level lints that call for a major release: reported, not the verdict.
    pub warnings: BTreeSet<String>,
    /// The compiler's error codes on the downstream program's lines for the change.
    pub rustc: BTreeSet<String>,
}

/// Whether `item` (`Client::get_asn`, `OperationId`) occurs in `line` as whole
/// path segments: `Client::get_asn` is in `threatjammer::Client::get_asn now
/// takes`, not in `Client::get_asn_of_ip`.
fn names(line: &str, item: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(item).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + item.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Holds one variant's model report against the tool's findings and the
/// compiler's verdict on the downstream program.
fn judge(
    variant: &Variant,
    report: &Report,
    findings: &Findings,
    errors: &[(usize, String)],
) -> (Vec<Row>, Vec<String>) {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut claimed = vec![false; report.changes.len()];
    let instances: Vec<(&semver_checks::Lint, &String)> = findings
        .lints
        .iter()
        .flat_map(|l| l.instances.iter().map(move |i| (l, i)))
        .collect();
    let mut owners = vec![Vec::new(); instances.len()];
    let lines: Vec<&str> = DOWNSTREAM.lines().collect();
    let mut explained = vec![false; errors.len()];
    for edit in &variant.edits {
        // Each change of this edit, with the rule its first claim expects there.
        let mine: Vec<(usize, &Rule)> = (0..report.changes.len())
            .filter_map(|i| {
                let c = &report.changes[i];
                let claim = edit.claims.iter().find(|claim| {
                    claim.claims(c.operation.as_deref(), &c.location, c.schema.as_deref())
                })?;
                Some((i, claim.rule.unwrap_or(edit.rule)))
            })
            .collect();
        if mine.is_empty() {
            problems.push(format!("{}: spec diff does not report it", edit.what));
        }
        for &(i, expected) in &mine {
            claimed[i] = true;
            let change = &report.changes[i];
            if change.rule != expected {
                problems.push(format!(
                    "{}: spec diff ranks {:?} at {} by `{}`, expected `{}`",
                    edit.what, change.operation, change.location, change.rule.id, expected.id
                ));
            }
        }
        let model_breaking = mine
            .iter()
            .any(|&(i, _)| report.changes[i].rule.source_breaking);

        let mut lints = BTreeSet::new();
        let mut warnings = BTreeSet::new();
        for (n, (lint, line)) in instances.iter().enumerate() {
            if edit.items.iter().any(|item| names(line, item)) {
                owners[n].push(edit.what);
                match lint.level {
                    LintLevel::Failure => lints.insert(lint.id.clone()),
                    LintLevel::Warning => warnings.insert(lint.id.clone()),
                };
            }
        }
        let expected: BTreeSet<String> = edit.lints.iter().map(|s| s.to_string()).collect();
        if lints != expected {
            problems.push(format!(
                "{}: cargo-semver-checks reports {lints:?}, the table says {expected:?}",
                edit.what
            ));
        }

        let mut rustc = BTreeSet::new();
        for (e, (line, code)) in errors.iter().enumerate() {
            if lines
                .get(line - 1)
                .is_some_and(|l| line_tags(l).contains(&edit.tag))
            {
                explained[e] = true;
                rustc.insert(code.clone());
            }
        }
        if model_breaking == rustc.is_empty() {
            problems.push(format!(
                "{}: spec diff ranks it {}, but the compiler {} the downstream program's `// {}` lines",
                edit.what,
                if model_breaking { "source-breaking" } else { "not source-breaking" },
                if rustc.is_empty() { "accepts" } else { "rejects" },
                edit.tag
            ));
        }
        // The tool and the model must agree, except where the tool has no lint
        // for the change at all; there the compiler's verdict above is the
        // proof, and the tool must still report nothing (when it learns to see
        // the change, the exception goes).
        if let Some(why) = edit.blind {
            if !lints.is_empty() {
                problems.push(format!(
                    "{}: cargo-semver-checks now reports {lints:?}; drop the exception ({why})",
                    edit.what
                ));
            }
        } else if model_breaking == lints.is_empty() {
            problems.push(format!(
                "{}: spec diff ranks it {}, cargo-semver-checks reports {}",
                edit.what,
                if model_breaking {
                    "source-breaking"
                } else {
                    "not source-breaking"
                },
                if lints.is_empty() {
                    "no major change".to_string()
                } else {
                    format!("{lints:?}")
                }
            ));
        }
        rows.push(Row {
            what: edit.what,
            rule: edit.rule.id,
            source_breaking: edit.rule.source_breaking,
            lints,
            warnings,
            rustc,
        });
    }
    for (i, change) in report.changes.iter().enumerate() {
        if !claimed[i] {
            problems.push(format!(
                "spec diff reports a change no edit made: `{}` at {:?} {}",
                change.rule.id, change.operation, change.location
            ));
        }
    }
    for (n, (lint, line)) in instances.iter().enumerate() {
        let level = match lint.level {
            LintLevel::Failure => "",
            LintLevel::Warning => " (warning)",
        };
        match owners[n].len() {
            0 => problems.push(format!(
                "{}{level}: no change of the release names this item: {line}",
                lint.id
            )),
            1 => {}
            _ => problems.push(format!(
                "{}{level}: several changes name this item ({:?}): {line}",
                lint.id, owners[n]
            )),
        }
    }
    for (e, (line, code)) in errors.iter().enumerate() {
        if !explained[e] {
            problems.push(format!(
                "the downstream program fails on its line {line} ({code}), which no change of the release is tagged on: {}",
                lines.get(line - 1).unwrap_or(&"?").trim()
            ));
        }
    }
    (rows, problems)
}

/// The rule → lint table, as docs/regenerating.md keeps it.
pub fn table(outcomes: &[Outcome]) -> String {
    let list = |set: &BTreeSet<String>| {
        if set.is_empty() {
            "none".to_string()
        } else {
            set.iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut out = String::from(
        "| change | release | rule | source | cargo-semver-checks (deny) | (warn) | rustc on the downstream program |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for outcome in outcomes {
        for row in &outcome.rows {
            out += &format!(
                "| {} | {} | `{}` | {} | {} | {} | {} |\n",
                row.what,
                outcome.name,
                row.rule,
                if row.source_breaking {
                    "breaking"
                } else {
                    "no"
                },
                list(&row.lints),
                list(&row.warnings),
                if row.rustc.is_empty() {
                    "compiles".to_string()
                } else {
                    list(&row.rustc)
                }
            );
        }
    }
    out
}

pub fn run(args: &Args, root: &Path) -> Result<bool> {
    let tool = Tool::find()?.ok_or_else(|| {
        anyhow!(
            "cargo-semver-checks {v} is not installed (.ci/run installs it; or \
             cargo install --locked cargo-semver-checks --version {v})",
            v = semver_checks::TOOL_VERSION
        )
    })?;
    // The wire check needs Prism; in CI its absence is a failure, not a skip.
    let prism = crate::wire::find_prism();
    if prism.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        let hint = "Prism is not installed (.ci/prism-install installs it; or set THREATJAMMER_PRISM to its path)";
        if ci {
            anyhow::bail!("{hint}: the wire check cannot run");
        }
        println!("semver-model: {hint}; the wire check is skipped and the measured ranks are not checked");
    }
    let started = Instant::now();
    let target = args
        .target_dir
        .clone()
        .unwrap_or_else(semver_checks::default_target_dir);
    let scratch = tempfile_dir()?;
    let bench = Workbench::new(root, &scratch, &target)?;
    let base_text = std::fs::read_to_string(root.join("openapi/threatjammer.json"))
        .context("reading the spec of record")?;
    let base = baseline(&spec_io::parse_document(&base_text)?)?;
    let base_text = spec_io::canonical_text(&base);

    println!(
        "semver-model: building rustdoc JSON in {}",
        target.display()
    );
    let (base_json, base_took) = bench.rustdoc(&base_text, "baseline")?;
    println!("  baseline: rustdoc {:.0} s", base_took.as_secs_f64());
    let mut problems = Vec::new();
    // The compiler's errors on the downstream program against the copy as it
    // was last built; the baseline must have none (else the program is stale).
    let downstream = |name: &str| -> Result<Vec<(usize, String)>> {
        let checked = Instant::now();
        let result = bench.check_downstream(DOWNSTREAM)?;
        let errors = match &result {
            Ok(()) => Vec::new(),
            Err(messages) => compile_errors(messages),
        };
        println!(
            "  {name}: the downstream program: {} error(s) ({:.0} s)",
            errors.len(),
            checked.elapsed().as_secs_f64()
        );
        if let (Err(messages), true) = (&result, errors.is_empty()) {
            anyhow::bail!("the downstream program fails without an error on a line:\n{messages}");
        }
        Ok(errors)
    };
    let base_errors = downstream("baseline")?;
    // The wire check's client program, built on each copy right after its
    // rustdoc, while the copy holds that spec.
    let client = |name: &str| -> Result<Option<PathBuf>> {
        if prism.is_none() {
            return Ok(None);
        }
        let (path, took) = bench.build_client(crate::wire::CLIENT, name)?;
        println!("  {name}: the wire client ({:.0} s)", took.as_secs_f64());
        Ok(Some(path))
    };
    let base_client = client("baseline")?;
    if !base_errors.is_empty() {
        let result = bench.check_downstream(DOWNSTREAM)?;
        problems.push(format!(
            "baseline: the downstream program does not compile against the spec of record's face (update DOWNSTREAM):\n{}",
            result.err().unwrap_or_default()
        ));
    }

    let mut outcomes = Vec::new();
    let mut measured = Vec::new();
    let mut wire_problems = Vec::new();
    for variant in [additive(), breaking()] {
        let doc = variant_spec(&base, &variant)?;
        let text = spec_io::canonical_text(&doc);
        std::fs::write(scratch.join(format!("{}.json", variant.name)), &text)?;
        let report = diff::compare(&base, &doc);
        let (json, took) = bench.rustdoc(&text, variant.name)?;
        let errors = downstream(variant.name)?;
        if let (Some(prism), Some(old_client), Some(new_client)) =
            (&prism, &base_client, client(variant.name)?)
        {
            let checked = Instant::now();
            let sides = crate::wire::Sides {
                old_client,
                new_client: &new_client,
                old_doc: &base,
                new_doc: &doc,
            };
            measured.extend(crate::wire::measure(
                prism,
                &scratch,
                &variant,
                &sides,
                &mut wire_problems,
            )?);
            println!(
                "  {}: the wire check ({:.0} s)",
                variant.name,
                checked.elapsed().as_secs_f64()
            );
        }
        let findings = tool.major_findings(&base_json, &json)?;
        println!(
            "  {}: cargo-semver-checks {:.1} s",
            variant.name,
            findings.took.as_secs_f64()
        );
        let (rows, problems) = judge(&variant, &report, &findings, &errors);
        outcomes.push(Outcome {
            name: variant.name,
            report,
            findings,
            build: took,
            rows,
            problems,
        });
    }

    for outcome in &outcomes {
        println!(
            "\n## {} (rustdoc {:.0} s): {} change(s), {} source-breaking; cargo-semver-checks: {} deny-level and {} warn-level major lint(s)",
            outcome.name,
            outcome.build.as_secs_f64(),
            outcome.report.changes.len(),
            outcome.report.source_breaking(),
            outcome.findings.lints.iter().filter(|l| l.level == LintLevel::Failure).count(),
            outcome.findings.lints.iter().filter(|l| l.level == LintLevel::Warning).count()
        );
        for line in outcome.findings.lines() {
            println!("  {line}");
        }
    }
    let table = table(&outcomes);
    println!("\n{table}");
    problems.extend(
        outcomes
            .iter()
            .flat_map(|o| o.problems.iter().map(move |p| format!("{}: {p}", o.name))),
    );
    problems.extend(additive_bump_problem(&outcomes));
    problems.extend(wire_problems);
    problems.extend(crate::wire::disagreements(&measured));
    let docs_path = root.join("docs/regenerating.md");
    let mut docs = std::fs::read_to_string(&docs_path).context("reading docs/regenerating.md")?;
    if prism.is_some() {
        let record = crate::wire::record(&measured);
        let kept = threatjammer_spec::diff::read_measured(root)?;
        if record != kept && args.write_docs {
            std::fs::write(
                root.join(crate::wire::MEASURED),
                serde_json::to_string_pretty(&record)? + "\n",
            )
            .with_context(|| format!("writing {}", crate::wire::MEASURED))?;
            println!(
                "wrote the measured wire ranks into {}",
                crate::wire::MEASURED
            );
            // The rule table shows them.
            if let Some(updated) = threatjammer_spec::diff::render::with_region(
                &docs,
                threatjammer_spec::diff::RULES_MARKER,
                &threatjammer_spec::diff::render::rules_table(&record),
            ) {
                std::fs::write(&docs_path, &updated).context("writing docs/regenerating.md")?;
                docs = updated;
            }
        } else if record != kept {
            problems.push(format!(
                "{} does not hold the wire ranks this run measured (--write-docs puts them there)",
                crate::wire::MEASURED
            ));
        }
    }
    match with_table(&docs, &table) {
        None => problems.push(format!(
            "docs/regenerating.md has no <!-- {TABLE_MARKER} --> markers"
        )),
        Some(updated) if updated != docs && args.write_docs => {
            std::fs::write(&docs_path, updated).context("writing docs/regenerating.md")?;
            println!("wrote the table into docs/regenerating.md");
        }
        Some(updated) if updated != docs => problems.push(
            "docs/regenerating.md does not hold the rule → lint table above (--write-docs puts it there)"
                .to_string(),
        ),
        Some(_) => {}
    }
    println!("took {:.0} s", started.elapsed().as_secs_f64());
    if args.keep {
        println!("kept {}", scratch.display());
    } else {
        std::fs::remove_dir_all(&scratch).ok();
    }
    if problems.is_empty() {
        println!("semver-model: the model agrees with cargo-semver-checks");
        Ok(true)
    } else {
        for p in &problems {
            eprintln!("semver-model: {p}");
        }
        Ok(false)
    }
}

/// The additive release must come out of `spec bump`'s gate as a patch release
/// of a 0.x crate, with the tool's verdict, not only the model's.
fn additive_bump_problem(outcomes: &[Outcome]) -> Option<String> {
    let outcome = outcomes.iter().find(|o| o.name == "additive")?;
    let current = semver::Version::parse("0.1.0").expect("a version");
    let result = diff::suggest(&outcome.report, &current).and_then(|s| {
        threatjammer_spec::bump::gate(&outcome.report, &s, Some(&outcome.findings))?;
        Ok(s)
    });
    match result {
        Ok(s) if s.next.major == 0 && s.next.minor == 1 && s.next.patch == 1 => None,
        Ok(s) => Some(format!(
            "additive: spec bump would release {} from 0.1.0, not 0.1.1",
            s.next
        )),
        Err(e) => Some(format!("additive: spec bump refuses it: {e:#}")),
    }
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("threatjammer-semver-model-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec of record with the prelude, as `run` builds its baseline.
    fn spec_of_record() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../openapi/threatjammer.json"
        );
        baseline(&spec_io::read_document(Path::new(path)).unwrap()).unwrap()
    }

    /// The part of the check that needs no build: each edit applies to today's
    /// spec of record, and `spec diff` reports exactly the edits, by the rules
    /// they name. (A stale edit would otherwise surface only in CI's long step.)
    #[test]
    fn the_synthetic_releases_are_what_the_model_expects() {
        let base = spec_of_record();
        for variant in [additive(), breaking()] {
            let doc = variant_spec(&base, &variant).unwrap();
            let report = diff::compare(&base, &doc);
            let none = Findings {
                lints: Vec::new(),
                took: Duration::ZERO,
            };
            let (_, problems) = judge(&variant, &report, &none, &[]);
            // Without the tool's findings only the model's side can be judged:
            // the claims, and that each edit's rule is the expected one.
            let model: Vec<&String> = problems
                .iter()
                .filter(|p| !p.contains("cargo-semver-checks") && !p.contains("the compiler"))
                .collect();
            assert!(model.is_empty(), "{}: {model:#?}", variant.name);
        }
    }

    #[test]
    fn the_additive_release_is_not_source_breaking_in_the_model() {
        let base = spec_of_record();
        let doc = variant_spec(&base, &additive()).unwrap();
        let report = diff::compare(&base, &doc);
        let breaking: Vec<_> = report
            .changes
            .iter()
            .filter(|c| c.rule.source_breaking || c.rule.wire_breaking)
            .map(|c| (c.rule.id, c.location.clone()))
            .collect();
        assert!(breaking.is_empty(), "{breaking:#?}");
    }

    #[test]
    fn every_rule_has_an_edit() {
        let edits: Vec<Edit> = additive()
            .edits
            .into_iter()
            .chain(breaking().edits)
            .collect();
        for rule in rules::ALL {
            assert!(
                edits.iter().any(|e| e.rule == *rule),
                "{}: needs an edit in a synthetic release",
                rule.id
            );
        }
    }

    #[test]
    fn a_lint_is_attributed_by_whole_path_segments() {
        let line = "threatjammer::Client::list_datasets_of_things now takes 2 parameters";
        assert!(names(line, "Client::list_datasets_of_things"));
        assert!(!names(line, "Client::list_datasets"));
        assert!(!names(line, "Client::list_datasets_of"));
        assert!(names("variant OperationId::GetAsn 27 -> 28", "OperationId"));
        assert!(!names(
            "variant OperationId::GetAsn 27 -> 28",
            "request::GetAsn"
        ));
    }

    #[test]
    fn every_tag_in_the_downstream_program_is_an_edit_and_every_breaking_edit_has_one() {
        let edits: Vec<Edit> = additive()
            .edits
            .into_iter()
            .chain(breaking().edits)
            .collect();
        let used: BTreeSet<&str> = DOWNSTREAM.lines().flat_map(line_tags).collect();
        for tag in &used {
            assert!(edits.iter().any(|e| e.tag == *tag), "unknown tag {tag}");
        }
        for edit in edits.iter().filter(|e| e.rule.source_breaking) {
            assert!(
                used.contains(edit.tag),
                "{}: no line of DOWNSTREAM uses it",
                edit.what
            );
        }
    }

    #[test]
    fn the_table_goes_between_the_markers() {
        let docs =
            format!("intro\n<!-- {TABLE_MARKER} -->\n| old |\n<!-- /{TABLE_MARKER} -->\nafter\n");
        assert_eq!(
            with_table(&docs, "| new |\n").unwrap(),
            format!("intro\n<!-- {TABLE_MARKER} -->\n| new |\n<!-- /{TABLE_MARKER} -->\nafter\n")
        );
        assert!(with_table("no markers", "| new |\n").is_none());
        let ours = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/regenerating.md"
        ))
        .unwrap();
        assert!(
            with_table(&ours, "").is_some(),
            "docs/regenerating.md lost its table markers"
        );
    }

    #[test]
    fn compiler_errors_are_read_by_line() {
        let messages = "src/lib.rs:12:5: error[E0599]: no method named `delete_all_reported_ips` found\n\
                        src/lib.rs:14:20: error[E0061]: this method takes 2 arguments but 1 argument was supplied\n\
                        src/lib.rs:3:1: warning: unused import\n\
                        error: could not compile `downstream` (lib) due to 2 previous errors\n";
        assert_eq!(
            compile_errors(messages),
            [(12, "E0599".to_string()), (14, "E0061".to_string())]
        );
    }
}

//! The wire check: each edit's wire rank, measured.
//!
//! docs/regenerating.md defines a change as wire-breaking when a program fails
//! because client and server are on different versions, either way round: a
//! client built on OLD against a server of NEW, or a client built on NEW
//! against a server of OLD. This check runs exactly that. The crate copy the
//! source check builds on each spec also builds a small client program
//! (`wire-client.rs`, with the `dynamic` feature, so every operation is
//! reachable by its id and its answer goes through that version's decoder),
//! and Prism (an independent mock that refuses requests its document does not
//! allow and answers with the document's examples) serves each version's
//! document. For an edit, a probe names one operation; each client calls it
//! on both servers. A direction breaks when the call across versions fails,
//! and not the way its reference call within one version does (`Direction`);
//! an edit is wire-breaking when a direction breaks, and that must be its
//! rule's rank.
//!
//! What a client sends is the least its own document asks for (the required
//! parameters and body fields, sampled from their schemas), adjusted by the
//! probe where the edit is about an optional input; what a server answers is
//! the least its document allows (required fields only, the way a server may
//! leave out any optional one), adjusted by the probe where the edit is about
//! a value (an enum value, a field's type). The least answer is the one that
//! shows a field made optional or a required one missing, which Prism's own
//! generated answers (every field filled) never do.

use crate::semver_model::{Edit, Variant};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use threatjammer_spec::diff::rules::{self, Rule};
use threatjammer_spec::spec_io;

/// The client program built against every crate copy.
pub const CLIENT: &str = include_str!("../wire-client.rs");

/// The Prism release .ci/prism-install installs (a test keeps the two equal).
const PRISM_VERSION: &str = "5.16.0";

/// Where the measured outcomes are kept, for the rule table of
/// docs/regenerating.md (`cargo xtask spec rules` renders them).
pub use threatjammer_spec::diff::MEASURED;

/// Rules no probe measures, each with why; every other rule's edits have
/// probes (a test holds the lists together).
pub const UNMEASURED: &[(&str, &str)] = &[
    (
        "schema-added",
        "a type alone sends and receives nothing; the operations that use it are ranked on \
         their own",
    ),
    (
        "schema-removed",
        "a type alone sends and receives nothing; the operations that used it are ranked on \
         their own",
    ),
];

/// The calls one edit is measured by.
pub struct Probe {
    /// The edit's tag (`Edit::tag`).
    pub tag: &'static str,
    method: &'static str,
    path: &'static str,
    /// Adjusts what the client on OLD sends, from the least its document asks.
    old_args: fn(&mut Map<String, Value>),
    /// Adjusts what the client on NEW sends.
    new_args: fn(&mut Map<String, Value>),
    /// Adjusts the answer the server of OLD sends, from the least its document allows.
    old_answer: fn(&mut Value),
    /// Adjusts the answer the server of NEW sends.
    new_answer: fn(&mut Value),
    /// The success status the server of OLD answers with, when not its first.
    old_status: Option<&'static str>,
    /// The success status the server of NEW answers with, when not its first.
    new_status: Option<&'static str>,
    /// The servers answer with an error status (`old_status`, `new_status`)
    /// that they would send any client: a direction then breaks only when its
    /// client fails otherwise than the server's own client does.
    refusal: bool,
    /// Adjusts the document the server of NEW serves, for what Prism cannot
    /// otherwise be asked to send.
    serve_new: fn(&mut Value),
}

impl Probe {
    fn call(tag: &'static str, method: &'static str, path: &'static str) -> Probe {
        Probe {
            tag,
            method,
            path,
            old_args: |_| {},
            new_args: |_| {},
            old_answer: |_| {},
            new_answer: |_| {},
            old_status: None,
            new_status: None,
            refusal: false,
            serve_new: |_| {},
        }
    }

    /// The servers refuse with these error statuses, as they would any client.
    fn refuses(self, old: Option<&'static str>, new: Option<&'static str>) -> Probe {
        Probe {
            refusal: true,
            ..self.statuses(old, new)
        }
    }

    fn serve_new(self, adjust: fn(&mut Value)) -> Probe {
        Probe {
            serve_new: adjust,
            ..self
        }
    }

    /// The servers answer with these statuses (asked for with `Prefer: code=`).
    fn statuses(self, old: Option<&'static str>, new: Option<&'static str>) -> Probe {
        Probe {
            old_status: old,
            new_status: new,
            ..self
        }
    }

    fn old_args(self, adjust: fn(&mut Map<String, Value>)) -> Probe {
        Probe {
            old_args: adjust,
            ..self
        }
    }

    fn new_args(self, adjust: fn(&mut Map<String, Value>)) -> Probe {
        Probe {
            new_args: adjust,
            ..self
        }
    }

    /// Both sides send the same adjustment.
    fn args(self, adjust: fn(&mut Map<String, Value>)) -> Probe {
        self.old_args(adjust).new_args(adjust)
    }

    fn answers(self, old: fn(&mut Value), new: fn(&mut Value)) -> Probe {
        Probe {
            old_answer: old,
            new_answer: new,
            ..self
        }
    }
}

/// A batch of `count` distinct addresses.
fn batch(count: u32) -> Value {
    (0..count)
        .map(|i| json!(format!("10.0.{}.{}", i / 256, i % 256)))
        .collect()
}

fn body(args: &mut Map<String, Value>) -> &mut Value {
    args.entry("body").or_insert_with(|| json!({}))
}

/// The probes, by edit tag, for both releases.
pub fn probes() -> Vec<Probe> {
    vec![
        // The additive release.
        Probe::call("get-asn-param", "get", "/v1/asn/{number}"),
        Probe::call("log-param", "get", "/v1/log/ip/{ip_address}"),
        Probe::call("origin-config-field", "put", "/v1/origin"),
        Probe::call("acl-input-field", "post", "/v1/allowlist/private"),
        Probe::call("confidence", "get", "/v1/assess/ip/{ip_address}")
            .answers(|_| {}, |a| a["confidence"] = json!(80)),
        Probe::call("risk-value", "get", "/v1/assess/ip/{ip_address}")
            .answers(|_| {}, |a| a["risk"] = json!("CRITICAL")),
        // A value only the new bound allows would be a new feature, not
        // something both versions share; both send the old bound.
        Probe::call("page-size-raised", "get", "/v1/token/activity")
            .args(|a| drop(a.insert("page_size".into(), json!(100)))),
        Probe::call("reason-pattern", "get", "/v1/assess/ip/{ip_address}")
            .answers(|_| {}, |a| a["reason"] = json!("")),
        Probe::call("score-nullable", "get", "/v1/assess/ip/{ip_address}")
            .answers(|a| a["score"] = json!(7), |a| a["score"] = Value::Null),
        Probe::call("csv-schema", "get", "/v1/denylist/reported/ip"),
        Probe::call("metro-name", "get", "/v1/geo/{ip_address}"),
        Probe::call("geo-security", "get", "/v1/geo/{ip_address}"),
        Probe::call("interval-value", "get", "/v1/origin/traffic/analysis"),
        // The server of NEW answers with the status it added.
        Probe::call("dataset-203", "get", "/v1/dataset/ip/{name}").statuses(None, Some("203")),
        // The server of OLD answers with the status NEW removed.
        Probe::call("denylist-202", "post", "/v1/denylist/private").statuses(Some("202"), None),
        Probe::call("source-deprecated", "get", "/v1/source/ip/{source}"),
        // Each client sends JSON, which both servers declare.
        Probe::call("enable-form", "put", "/v1/origin_token/enable"),
        Probe::call(
            "denylist-origin-form",
            "put",
            "/v1/denylist/public/{denylist_id}/origin",
        ),
        // Only the client on NEW has it; against the server of OLD it meets a
        // 404, which is not a break (no program shared by both versions calls it).
        Probe::call("operation-added", "get", "/v1/asn/{number}/peers"),
        // The server of NEW refuses with the status it added (a client on OLD
        // reads it as an unexpected response, the one on NEW as a typed error).
        Probe::call("registry-409", "get", "/v1/asn/registry/{code}").refuses(None, Some("409")),
        // The server of OLD refuses with the status NEW no longer declares.
        Probe::call("datacenter-404", "get", "/v1/datacenter/{datacenter_id}")
            .refuses(Some("404"), None),
        // The breaking release.
        Probe::call("score-retyped", "get", "/v1/assess/ip/{ip_address}")
            .answers(|a| a["score"] = json!(7), |a| a["score"] = json!("7")),
        Probe::call(
            "to-timestamp-required",
            "get",
            "/v1/origin/traffic/analysis",
        ),
        Probe::call("datasets-kind", "get", "/v1/dataset/ip"),
        Probe::call("disable-reason", "put", "/v1/origin_token/disable"),
        Probe::call("acl-owner", "post", "/v1/denylist/private"),
        // Each client sends what its own document allows (the new one checks
        // the new bound before sending).
        Probe::call("page-size-lowered", "get", "/v1/origin/cookies")
            .old_args(|a| drop(a.insert("page_size".into(), json!(80))))
            .new_args(|a| drop(a.insert("page_size".into(), json!(40)))),
        Probe::call("batch-lowered", "post", "/v1/assess/ip")
            .old_args(|a| drop(a.insert("body".into(), batch(300))))
            .new_args(|a| drop(a.insert("body".into(), batch(200)))),
        // The old client may send any integer; the new one's is unsigned.
        Probe::call("after-unsigned", "get", "/v1/log/ip/{ip_address}")
            .old_args(|a| drop(a.insert("logged_after".into(), json!(-1))))
            .new_args(|a| drop(a.insert("logged_after".into(), json!(0)))),
        Probe::call("ua-security", "get", "/v1/ua/{user_agent_urlencoded}"),
        // Each of the three answers the others' changes in full, so that
        // they do not measure one another (they share the operation).
        Probe::call("postal-removed", "get", "/v1/geo/{ip_address}")
            .answers(|_| {}, |a| a["city_name"] = json!("Madrid")),
        Probe::call("city-optional", "get", "/v1/geo/{ip_address}"),
        Probe::call(
            "client-analysis-renamed",
            "get",
            "/v1/origin/client/analysis",
        ),
        Probe::call("origin-query-removed", "get", "/v1/origin"),
        Probe::call("log-dataset-removed", "get", "/v1/log/ip/{ip_address}")
            .old_args(|a| drop(a.insert("dataset".into(), json!("TOR")))),
        Probe::call("origin-status-query-optional", "post", "/v1/origin/status")
            .new_args(|a| drop(a.insert("query".into(), json!("https://example.com")))),
        Probe::call(
            "denylist-origin-status-removed",
            "put",
            "/v1/denylist/private/{denylist_id}/origin",
        ),
        Probe::call(
            "denylist-ttl-removed",
            "put",
            "/v1/denylist/private/{denylist_id}",
        )
        .old_args(|a| {
            drop(
                body(a)
                    .as_object_mut()
                    .map(|b| b.insert("ttl".into(), json!(60))),
            )
        }),
        Probe::call("origin-status-required", "put", "/v1/origin/status"),
        // `cookie`, the value the new document no longer lists.
        Probe::call("scope-value-removed", "put", "/v1/origin/status").old_args(|a| {
            drop(
                body(a)
                    .as_object_mut()
                    .map(|b| b.insert("scope".into(), json!("cookie"))),
            )
        }),
        Probe::call("token-origin-optional", "post", "/v1/origin_token/new").new_args(|a| {
            drop(
                body(a)
                    .as_object_mut()
                    .map(|b| b.insert("origin".into(), json!("https://example.com"))),
            )
        }),
        Probe::call("token-id-retyped", "post", "/v1/origin_token"),
        Probe::call("device-aliases", "get", "/v1/ua/device/{code}"),
        // The two datacenter edits share the operation: each probe's answers
        // fill the other's field.
        Probe::call(
            "datacenter-description-required",
            "get",
            "/v1/datacenter/{datacenter_id}",
        )
        .answers(|a| a["risk"] = json!("LOW"), |_| {}),
        Probe::call(
            "datacenter-risk-required",
            "get",
            "/v1/datacenter/{datacenter_id}",
        )
        .answers(|a| a["description"] = json!("A"), |_| {}),
        Probe::call("log-action-optional", "get", "/v1/log/ip/id/{logchange_id}"),
        // The action, made optional by another edit, is sent: this probe is about the cidr.
        Probe::call("log-cidr-removed", "get", "/v1/log/ip/id/{logchange_id}").answers(
            |a| a["cidr"] = json!("10.0.0.0/8"),
            |a| a["action"] = json!("ADD"),
        ),
        Probe::call("ua-type-removed", "get", "/v1/ua/type/{code}"),
        Probe::call("dataset-status-value", "get", "/v1/dataset/ip/{name}")
            .answers(|a| a["status"] = json!("DISABLED"), |_| {}),
        Probe::call("delete-token-body", "delete", "/v1/origin_token"),
        Probe::call("statuses-text", "get", "/v1/asn/status/all"),
        // The old client's `DELETE .../ip/all` meets `DELETE .../ip/{ip_address}`
        // on the server of NEW, which refuses `all` as an address.
        Probe::call(
            "operation-removed",
            "delete",
            "/v1/denylist/reported/ip/all",
        ),
        // The release declares no success status: its server succeeds without
        // a body, served as a 204 Prism can be asked for.
        Probe::call("statuses-result", "get", "/v1/origin/status/details")
            .statuses(None, Some("204"))
            .serve_new(|d| {
                d["paths"]["/v1/origin/status/details"]["get"]["responses"]["204"] =
                    json!({ "description": "Success, without a body" });
            }),
        // Both clients ask for `application/json` and both servers answer it.
        Probe::call("ua-os-text", "get", "/v1/ua/os/{code}"),
        Probe::call("reported-plain", "get", "/v1/denylist/reported/ip"),
        // The server of OLD answers a note the old bound allows and the new
        // one does not; the client on NEW checks the new bound as it decodes.
        Probe::call("shared-note-length", "get", "/v1/ua/family/{code}")
            .answers(|a| a["note"] = json!("a".repeat(40)), |_| {}),
    ]
}

/// Why a rule is not measured, when it is not.
pub fn unmeasured(rule: &str) -> Option<&'static str> {
    UNMEASURED
        .iter()
        .find(|(id, _)| *id == rule)
        .map(|(_, why)| *why)
}

/// What one call did.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// How it failed (`refused (422)`, `undecodable`, ...), and the client's message.
    Failed(String, String),
}

impl Outcome {
    /// How the call failed, or None when it succeeded.
    fn failure(&self) -> Option<&str> {
        match self {
            Outcome::Ok => None,
            Outcome::Failed(kind, _) => Some(kind),
        }
    }
}

/// One direction of one probe: the call across versions, against a reference
/// call to the same server's version: the same client's call to its own
/// version's server, or, where the servers refuse on purpose (`refusal`), the
/// server's own client's call to it. The direction breaks when the call across
/// fails, and not the way the reference does; a reference that fails the same
/// way (a requirement the key does not meet refuses the new client on the new
/// server too) shows nothing.
#[derive(Debug)]
struct Direction {
    across: Outcome,
    reference: Outcome,
    /// False for a client on NEW calling an operation OLD does not have: a
    /// program that uses only what both versions share makes no such call.
    shared: bool,
}

impl Direction {
    fn breaks(&self) -> bool {
        self.shared
            && self.across.failure().is_some()
            && self.across.failure() != self.reference.failure()
    }

    /// `ok`, or how the call across versions failed (and why that is no break).
    fn word(&self) -> String {
        let word = self.across.failure().unwrap_or("ok").to_string();
        if !self.shared {
            format!("{word}, an operation only NEW has")
        } else if self.across.failure().is_some() && !self.breaks() {
            format!("{word}, as within one version")
        } else {
            word
        }
    }
}

/// An edit's measured outcome.
pub struct Measured {
    pub rule: &'static Rule,
    pub what: &'static str,
    /// The client on OLD against the server of NEW; None when it has no such operation.
    old_to_new: Option<Direction>,
    /// The client on NEW against the server of OLD.
    new_to_old: Option<Direction>,
}

impl Measured {
    pub fn wire_breaking(&self) -> bool {
        [&self.old_to_new, &self.new_to_old]
            .into_iter()
            .flatten()
            .any(Direction::breaks)
    }
}

/// Prism: `$THREATJAMMER_PRISM`, or where .ci/prism-install puts it; None when
/// it is in neither place.
pub fn find_prism() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("THREATJAMMER_PRISM") {
        return Some(PathBuf::from(path));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let prism = cache.join(format!(
        "threatjammer-ci/prism-{PRISM_VERSION}/node_modules/.bin/prism"
    ));
    prism.exists().then_some(prism)
}

/// Two loopback ports nothing listens on now (held together while chosen, so
/// they differ): two runs of the check on one machine, or .ci/prism's mock,
/// must not meet on fixed ones.
fn free_ports() -> Result<[u16; 2]> {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port");
    let held = [bind()?, bind()?];
    Ok([held[0].local_addr()?.port(), held[1].local_addr()?.port()])
}

/// A Prism mock serving one document; stopped when dropped.
struct Mock {
    child: Child,
    port: u16,
}

impl Mock {
    fn start(prism: &Path, document: &Path, port: u16, log: &Path) -> Result<Mock> {
        let log_file = std::fs::File::create(log)?;
        let child = Command::new(prism)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(document)
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", prism.display()))?;
        Ok(Mock { child, port })
    }

    /// Waits until the mock takes connections (Prism takes a few seconds to
    /// read a document), or fails with its log after a minute.
    fn ready(&mut self, log: &Path) -> Result<()> {
        let started = Instant::now();
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            let ended = self.child.try_wait()?.is_some();
            if ended || started.elapsed() > Duration::from_secs(60) {
                bail!(
                    "Prism did not start on port {}:\n{}",
                    self.port,
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Ok(())
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Prism does not know the format `ip` the service checks its address
/// parameters against, and would take any word where the service refuses it;
/// the served documents spell the format as the characters an address may
/// hold (looser than the service's check, strict enough to refuse a word).
fn spell_address_formats(doc: &mut Value) {
    let operations = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    let parameters = operations
        .filter_map(|operation| operation.get_mut("parameters")?.as_array_mut())
        .flatten();
    for schema in parameters.filter_map(|p| p.get_mut("schema")?.as_object_mut()) {
        let address = matches!(
            schema.get("format").and_then(Value::as_str),
            Some("ip" | "ipv4" | "ipv6" | "ipvanyaddress")
        );
        if address && !schema.contains_key("pattern") {
            schema.insert("pattern".into(), json!("^[0-9A-Fa-f:.]+$"));
        }
    }
}

/// Follows a local `$ref`.
fn resolve<'d>(doc: &'d Value, node: &'d Value) -> &'d Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .map_or(node, |target| resolve(doc, target)),
        None => node,
    }
}

/// The least value `schema` allows: an object's required properties only, an
/// array of its `minItems`, the first enum value, the lower bound of a number,
/// a string fit for its format (`A` otherwise, which the spec's patterns of
/// codes and names take). A link is the empty string the API sends for none.
fn least(doc: &Value, schema: &Value) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = ["allOf", "anyOf", "oneOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array)?.first())
    {
        return least(doc, first);
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let number = |fallback: i64| {
        schema
            .get("minimum")
            .cloned()
            .unwrap_or_else(|| json!(fallback))
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut out = Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                if let Some(name) = name.as_str() {
                    out.insert(name.into(), least(doc, &schema["properties"][name]));
                }
            }
            Value::Object(out)
        }
        Some("array") => {
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = least(doc, &schema["items"]);
            Value::Array((0..count).map(|_| item.clone()).collect())
        }
        Some("integer") => number(1),
        Some("number") => number(1),
        Some("boolean") => json!(false),
        _ if schema.get("x-threatjammer-value").and_then(Value::as_str) == Some("link") => {
            json!("")
        }
        _ => json!(match schema.get("format").and_then(Value::as_str) {
            Some("ip" | "ipv4" | "ipvanyaddress") => "212.231.12.22",
            Some("ipvanynetwork" | "ipvanyinterface") => "212.231.0.0/19",
            Some("uuid") => "00000000-0000-4000-8000-000000000000",
            Some("uri" | "url") => "https://example.com",
            Some("date-time") => "2026-01-01T00:00:00Z",
            Some("date") => "2026-01-01",
            Some("email") => "someone@example.com",
            _ => "A",
        }),
    }
}

/// The operation a probe names in `doc`, if the document has it.
fn operation<'d>(doc: &'d Value, probe: &Probe) -> Option<&'d Value> {
    doc.pointer(&format!(
        "/paths/{}/{}",
        probe.path.replace('~', "~0").replace('/', "~1"),
        probe.method
    ))
}

/// The call a client built on `doc` makes for `probe`: the operation's id
/// and the least arguments the document asks for, adjusted. (What the server
/// answers, `prefer`, depends on the server's document.)
fn call(doc: &Value, probe: &Probe, adjust: fn(&mut Map<String, Value>)) -> Option<Value> {
    let op = operation(doc, probe)?;
    let mut args = Map::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let p = resolve(doc, p);
        if p["required"] == true {
            if let Some(name) = p["name"].as_str() {
                args.insert(name.into(), least(doc, &p["schema"]));
            }
        }
    }
    // The client sends JSON when the body declares it, else the multipart
    // form, whose parts are arguments by their names.
    let request = resolve(doc, &op["requestBody"]);
    if let Some(schema) = request.pointer("/content/application~1json/schema") {
        args.insert("body".into(), least(doc, schema));
    } else if let Some(schema) = request.pointer("/content/multipart~1form-data/schema") {
        if let Value::Object(parts) = least(doc, schema) {
            args.extend(parts);
        }
    }
    adjust(&mut args);
    Some(json!({ "operation": op["operationId"], "args": args }))
}

/// Gives every JSON success answer of the probed operation in `doc` an
/// example named after the probe: the least answer its schema allows,
/// adjusted. Probes of one operation each get theirs, and each call asks for
/// its own with `Prefer: example=<tag>`.
fn give_answer(doc: &mut Value, probe: &Probe, adjust: fn(&mut Value)) -> Result<()> {
    let Some(op) = operation(doc, probe) else {
        return Ok(());
    };
    let answers: Vec<(String, Value)> = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .filter_map(|(status, r)| {
            let schema = resolve(doc, r).pointer("/content/application~1json/schema")?;
            let mut example = least(doc, schema);
            adjust(&mut example);
            Some((status.clone(), example))
        })
        .collect();
    let path = probe.path.replace('~', "~0").replace('/', "~1");
    for (status, example) in answers {
        let pointer = format!(
            "/paths/{path}/{}/responses/{status}/content/application~1json",
            probe.method
        );
        let media = doc
            .pointer_mut(&pointer)
            .ok_or_else(|| anyhow!("{} {} has no {status} answer", probe.method, probe.path))?;
        if !media["examples"].is_object() || media["examples"].get(WIRE_MARK).is_none() {
            // The document's own examples go: only the probes' are served.
            media["examples"] = json!({ WIRE_MARK: { "value": {} } });
        }
        media["examples"][probe.tag] = json!({ "value": example });
    }
    Ok(())
}

/// A named example that marks an answer's examples as the probes' (Prism
/// needs no such entry; it keeps a later probe from clearing earlier ones).
const WIRE_MARK: &str = "wire-check";

/// The `Prefer` header that asks the server of `doc` for the probe's answer:
/// its example, where the document has it, and its status, where the probe
/// names one.
fn prefer(doc: &Value, probe: &Probe, status: Option<&str>) -> Option<String> {
    let has_example = |r: &Value| {
        resolve(doc, r)
            .pointer(&format!(
                "/content/application~1json/examples/{}",
                probe.tag
            ))
            .is_some()
    };
    // Prism takes a named example over the status asked for, so it is asked
    // for only where the status's answer has it.
    let example = operation(doc, probe).is_some_and(|op| match status {
        Some(code) => op["responses"].get(code).is_some_and(has_example),
        None => op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .any(|(_, r)| has_example(r)),
    });
    let parts: Vec<String> = status
        .map(|code| format!("code={code}"))
        .into_iter()
        .chain(example.then(|| format!("example={}", probe.tag)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
/// Runs `client` against `server` with `calls`; one outcome per call.
fn run_client(client: &Path, server: &str, calls: &Path, count: usize) -> Result<Vec<Outcome>> {
    let out = Command::new(client)
        .arg(server)
        .arg(calls)
        .output()
        .with_context(|| format!("running {}", client.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            client.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let outcomes: Vec<Outcome> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)?;
            Ok(match v["outcome"].as_str() {
                Some("ok") => Outcome::Ok,
                kind => Outcome::Failed(
                    kind.unwrap_or("failed").to_string(),
                    v["error"].as_str().unwrap_or_default().to_string(),
                ),
            })
        })
        .collect::<Result<_>>()?;
    anyhow::ensure!(
        outcomes.len() == count,
        "{} answered {} of {count} calls",
        client.display(),
        outcomes.len()
    );
    Ok(outcomes)
}

/// The two clients and the two documents of one release against the spec of record.
pub struct Sides<'a> {
    pub old_client: &'a Path,
    pub new_client: &'a Path,
    pub old_doc: &'a Value,
    pub new_doc: &'a Value,
}

/// Measures every probed edit of `variant`; problems (a probe whose own-version
/// call fails, so it measures nothing) go to `problems`.
pub fn measure(
    prism: &Path,
    scratch: &Path,
    variant: &Variant,
    sides: &Sides,
    problems: &mut Vec<String>,
) -> Result<Vec<Measured>> {
    let all = probes();
    let probed: Vec<(&Edit, &Probe)> = variant
        .edits
        .iter()
        .filter_map(|e| all.iter().find(|p| p.tag == e.tag).map(|p| (e, p)))
        .collect();
    // The documents the two servers serve: each version's, with the answers
    // the probes give.
    let mut served = [sides.old_doc.clone(), sides.new_doc.clone()];
    for (_, probe) in &probed {
        (probe.serve_new)(&mut served[1]);
        give_answer(&mut served[0], probe, probe.old_answer)?;
        give_answer(&mut served[1], probe, probe.new_answer)?;
    }
    for doc in &mut served {
        spell_address_formats(doc);
    }
    let dir = scratch.join(format!("wire-{}", variant.name));
    std::fs::create_dir_all(&dir)?;
    let mut mocks = Vec::new();
    for ((doc, side), port) in served.iter().zip(["old", "new"]).zip(free_ports()?) {
        let path = dir.join(format!("{side}.json"));
        let log = dir.join(format!("{side}.log"));
        std::fs::write(&path, spec_io::canonical_text(doc))?;
        mocks.push((Mock::start(prism, &path, port, &log)?, log));
    }
    for (mock, log) in &mut mocks {
        mock.ready(log)?;
    }
    // What a client on `side` sends, with what it asks of the server on
    // `server`; None where the client's document has no such operation.
    let calls = |side: usize, server: usize| -> Vec<Option<Value>> {
        probed
            .iter()
            .map(|(_, p)| {
                let adjust = if side == 1 { p.new_args } else { p.old_args };
                let mut made = call(&served[side], p, adjust)?;
                let status = if server == 1 {
                    p.new_status
                } else {
                    p.old_status
                };
                if let Some(prefer) = prefer(&served[server], p, status) {
                    made["prefer"] = json!(prefer);
                }
                Some(made)
            })
            .collect()
    };
    let run = |side: usize, server: usize, client: &Path| -> Result<Vec<Option<Outcome>>> {
        let made = calls(side, server);
        let list: Vec<&Value> = made.iter().flatten().collect();
        let file = dir.join(format!("calls-{side}-{server}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&list)?)?;
        let mut outcomes =
            run_client(client, &mocks[server].0.url(), &file, list.len())?.into_iter();
        Ok(made
            .iter()
            .map(|c| c.as_ref().and_then(|_| outcomes.next()))
            .collect())
    };
    // Each client's calls to its own version's server, and across.
    let own = [run(0, 0, sides.old_client)?, run(1, 1, sides.new_client)?];
    let across = [run(0, 1, sides.old_client)?, run(1, 0, sides.new_client)?];
    let mut measured = Vec::new();
    for (n, (edit, probe)) in probed.iter().enumerate() {
        // The client on `side` against the other version's server.
        let direction = |side: usize| -> Option<Direction> {
            let reference = if probe.refusal { 1 - side } else { side };
            Some(Direction {
                across: across[side][n].clone()?,
                reference: own[reference][n].clone()?,
                shared: side == 0 || operation(&served[0], probe).is_some(),
            })
        };
        let (old_to_new, new_to_old) = (direction(0), direction(1));
        let shown = [&old_to_new, &new_to_old]
            .into_iter()
            .flatten()
            .any(|d| d.reference == Outcome::Ok);
        if !shown {
            problems.push(format!(
                "wire: {} ({}): neither reference call succeeds, so the probe measures nothing: {:?} {:?}",
                edit.what, probe.tag, old_to_new, new_to_old
            ));
        }
        measured.push(Measured {
            rule: edit.rule,
            what: edit.what,
            old_to_new,
            new_to_old,
        });
    }
    Ok(measured)
}

/// The measured outcomes, as tools/spec/wire-measured.json keeps them: per
/// rule, the measured rank and each edit's two directions, or why not measured.
pub fn record(measured: &[Measured]) -> Value {
    let mut out = BTreeMap::new();
    for rule in rules::ALL {
        let edits: Vec<&Measured> = measured.iter().filter(|m| m.rule.id == rule.id).collect();
        let entry = if edits.is_empty() {
            json!({ "not_measured": unmeasured(rule.id).unwrap_or("no probe") })
        } else {
            let breaking = edits.iter().any(|m| m.wire_breaking());
            let word =
                |d: &Option<Direction>| d.as_ref().map_or("no call".to_string(), Direction::word);
            json!({
                "wire": if breaking { "breaking" } else { "no" },
                "edits": edits.iter().map(|m| json!({
                    "edit": m.what,
                    "old client, new server": word(&m.old_to_new),
                    "new client, old server": word(&m.new_to_old),
                })).collect::<Vec<_>>(),
            })
        };
        out.insert(rule.id, entry);
    }
    json!({
        "about": "Written by `cargo xtask semver-model --write-docs`: each rule's wire rank as the wire check measured it (tools/semver-model/src/wire.rs); `cargo xtask spec rules --write` renders it into docs/regenerating.md.",
        "prism": PRISM_VERSION,
        "rules": out,
    })
}

/// Problems: an edit whose measured wire outcome is not its rule's rank.
pub fn disagreements(measured: &[Measured]) -> Vec<String> {
    measured
        .iter()
        .filter(|m| m.wire_breaking() != m.rule.wire_breaking)
        .map(|m| {
            format!(
                "wire: {} measures {} (old client, new server: {}; new client, old server: {}) but `{}` ranks it {}",
                m.what,
                if m.wire_breaking() { "breaking" } else { "not breaking" },
                m.old_to_new.as_ref().map_or("no call".into(), |d| format!("{:?}", d)),
                m.new_to_old.as_ref().map_or("no call".into(), |d| format!("{:?}", d)),
                m.rule.id,
                if m.rule.wire_breaking { "breaking" } else { "not breaking" },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probe_names_an_edit_and_every_rule_is_measured_or_says_why_not() {
        let variants = [
            crate::semver_model::additive(),
            crate::semver_model::breaking(),
        ];
        let edits: Vec<&Edit> = variants.iter().flat_map(|v| &v.edits).collect();
        for probe in probes() {
            assert!(
                edits.iter().any(|e| e.tag == probe.tag),
                "the probe {} names no edit",
                probe.tag
            );
        }
        let probed: Vec<&'static str> = probes().iter().map(|p| p.tag).collect();
        for rule in rules::ALL {
            let has_probe = edits
                .iter()
                .any(|e| e.rule.id == rule.id && probed.contains(&e.tag));
            assert!(
                has_probe != unmeasured(rule.id).is_some(),
                "{}: {}",
                rule.id,
                if has_probe {
                    "has a probe, so it leaves UNMEASURED"
                } else {
                    "needs a probe, or a reason in UNMEASURED"
                }
            );
        }
    }

    #[test]
    fn ci_installs_the_pinned_prism() {
        let script = include_str!("../../../.ci/prism-install");
        assert!(
            script.contains(&format!("PRISM_VERSION={PRISM_VERSION}\n")),
            ".ci/prism-install installs another Prism than wire.rs expects"
        );
    }

    #[test]
    fn the_least_answer_leaves_out_what_is_optional() {
        let doc = json!({ "components": { "schemas": { "A": {
            "type": "object",
            "required": ["code", "link", "n", "kind", "tags"],
            "properties": {
                "code": { "type": "string" },
                "link": { "type": "string", "x-threatjammer-value": "link" },
                "n": { "type": "integer", "minimum": 5 },
                "kind": { "enum": ["X", "Y"] },
                "tags": { "type": "array", "minItems": 1, "items": { "type": "string", "format": "ip" } },
                "note": { "type": "string" }
            }
        } } } });
        assert_eq!(
            least(&doc, &json!({ "$ref": "#/components/schemas/A" })),
            json!({ "code": "A", "link": "", "n": 5, "kind": "X", "tags": ["212.231.12.22"] })
        );
    }
}

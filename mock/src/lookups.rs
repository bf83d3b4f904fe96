//! The operations the mock answers for any value rather than from fixtures,
//! found in the spec of record by their shape, not by their ids: a `GET` of one
//! value, the last segment of its path, or a JSON list of values in the body;
//! answered with a schema the mock can derive from a value (src/synth.rs), one
//! of them or `{"self", "results"}` holding one per value. An operation of
//! either shape added upstream with such an answer is answered without a
//! change here; a multipart upload of a file of values is not of either shape
//! and stays with the fixtures.

use serde_json::Value;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;
use threatjammer::operations::{Operation, OPERATIONS};
use threatjammer::Link;
use threatjammer_fixtures::{decoded, resolve};

/// What the mock derives answers of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// One answer per IP address.
    Address(AddressAnswer),
    /// An analysis of any string as a user agent.
    UserAgent,
}

/// The answers about an address the mock derives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AddressAnswer {
    Assessment,
    Location,
}

impl Kind {
    /// The kind whose answers are the schema `name` of the spec of record:
    /// the one thing here said by name, since it is what src/synth.rs writes.
    fn answering(name: &str) -> Option<Kind> {
        match name {
            "IPAssessmentOutput" => Some(Kind::Address(AddressAnswer::Assessment)),
            "GeoIPOutput" => Some(Kind::Address(AddressAnswer::Location)),
            "UAOutput" => Some(Kind::UserAgent),
            _ => None,
        }
    }
}

/// An operation the mock answers for any value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lookup {
    /// A `GET` of the value its path ends with, answered with one answer.
    One {
        kind: Kind,
        /// The path parameter that holds the value, as a refusal names it.
        parameter: &'static str,
    },
    /// A JSON list of values, answered with an answer per value under
    /// `results` and the operation's path as `self`.
    Many { kind: Kind, path: &'static str },
}

/// How the mock answers the operation `id` for any value, if it does.
pub(super) fn of(id: &str) -> Option<Lookup> {
    static TABLE: OnceLock<HashMap<&'static str, Lookup>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        OPERATIONS
            .iter()
            .filter_map(|op| Some((op.id, shape(op)?)))
            .collect()
    });
    table.get(id).copied()
}

/// The node a `$ref` names, or the node itself.
fn resolved(node: &'static Value) -> &'static Value {
    let target = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| super::contract::document().pointer(pointer));
    target.unwrap_or(node)
}

/// The name of the component schema a `$ref` names.
fn schema_name(node: &Value) -> Option<&str> {
    node["$ref"].as_str()?.strip_prefix("#/components/schemas/")
}

fn shape(op: &'static Operation) -> Option<Lookup> {
    let spec = &super::contract::document()["paths"][op.path][op.method.to_ascii_lowercase()];
    let answer = &resolved(&spec["responses"]["200"])["content"]["application/json"]["schema"];
    if op.method == "GET" {
        let (_, last) = op.path.rsplit_once('/')?;
        let parameter = last.strip_prefix('{')?.strip_suffix('}')?;
        // The value is the only placeholder: the path says nothing else.
        if op.path.matches('{').count() != 1 {
            return None;
        }
        let kind = Kind::answering(schema_name(answer)?)?;
        return Some(Lookup::One { kind, parameter });
    }
    let body = resolved(&resolved(&spec["requestBody"])["content"]["application/json"]["schema"]);
    let is_text = resolved(&body["items"])["type"] == "string";
    if body["type"] != "array" || !is_text {
        return None;
    }
    let results = &resolved(resolved(answer))["properties"]["results"]["items"];
    let kind = Kind::answering(schema_name(results)?)?;
    Some(Lookup::Many {
        kind,
        path: op.path,
    })
}

/// The address a link names when it links to a lookup of one address
/// answered with `answer`, as the client's bulk methods read such a link to
/// match a result with the address asked for: any spelling the client reads
/// ([`Link::parse`]), the address in its canonical form.
pub(super) fn address_named(answer: AddressAnswer, link: &str) -> Option<IpAddr> {
    let link = Link::parse(link)?;
    // Only links the client recognises; `Link::Unknown` has no kind.
    link.resource_kind()?;
    let written = link.to_string();
    let Lookup::One { kind, .. } = of(resolve("GET", &written)?.id)? else {
        return None;
    };
    if kind != Kind::Address(answer) {
        return None;
    }
    let (_, value) = written.rsplit_once('/')?;
    let ip: IpAddr = decoded(value).parse().ok()?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec of record has one operation of each shape for each kind; a
    /// change to the shapes' reading that finds more or fewer shows here.
    #[test]
    fn the_lookups_of_the_spec_of_record() {
        let assessment = Kind::Address(AddressAnswer::Assessment);
        let location = Kind::Address(AddressAnswer::Location);
        let mut found: Vec<(&str, Lookup)> = OPERATIONS
            .iter()
            .filter_map(|op| Some((op.id, of(op.id)?)))
            .collect();
        found.sort_by_key(|(id, _)| *id);
        let one = |kind, parameter| Lookup::One { kind, parameter };
        let many = |kind, path| Lookup::Many { kind, path };
        assert_eq!(
            found,
            [
                ("assess_ip", one(assessment, "ip_address")),
                ("assess_ips", many(assessment, "/v1/assess/ip")),
                ("geolocate_ip", one(location, "ip_address")),
                ("geolocate_ips", many(location, "/v1/geo")),
                (
                    "parse_user_agent",
                    one(Kind::UserAgent, "user_agent_urlencoded")
                ),
                ("parse_user_agents", many(Kind::UserAgent, "/v1/ua")),
            ]
        );
    }

    #[test]
    fn links_name_addresses_in_any_spelling() {
        let assessed = |link| address_named(AddressAnswer::Assessment, link);
        let six: IpAddr = "2001:4860::8888".parse().unwrap();
        for link in [
            "/v1/assess/ip/2001:4860::8888",
            "/v1/assess/ip/2001%3A4860%3A%3A8888",
            "/v1/assess/ip/2001:4860:0:0:0:0:0:8888",
        ] {
            assert_eq!(assessed(link), Some(six), "{link}");
        }
        let mapped = address_named(AddressAnswer::Location, "/v1/geo/::ffff:8.8.8.8");
        assert_eq!(mapped, Some(IpAddr::from([8, 8, 8, 8])));
        for nothing in [
            "/v1/assess/ip/nonsense",
            "/v1/assess/ip/8.8.8.8/",
            "/x/v1/assess/ip/8.8.8.8",
            "string",
            "",
            // A link to another kind of answer names none of its addresses.
            "/v1/geo/8.8.8.8",
            "/v1/asn/ip/8.8.8.8",
        ] {
            assert_eq!(assessed(nothing), None, "{nothing}");
        }
    }
}

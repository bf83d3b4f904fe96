//! Arguments checked against the spec of record before a request is sent.
//!
//! build/arguments.rs reads what each operation's parameters and request body
//! must be (bounds, lengths, item counts, uniqueness, formats) and writes a
//! [`check`] into the request builder of every argument that has a rule its
//! Rust type does not already guarantee. A value the service would refuse
//! with `422` or `413` is [`Error::Argument`] instead, naming the argument,
//! and nothing is sent (nor counted against the quota).
//!
//! The value is looked at as the JSON it is sent as, so one walk serves every
//! argument type. The messages name positions and bounds, never the value,
//! which may be anything a caller passed.

use crate::Error;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// A bound on a number: `value` itself allowed unless `exclusive`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// What a value must be; what a field does not say is `None`, `false` or empty.
#[derive(Debug)]
pub(crate) struct Rule {
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique: bool,
    pub format: Option<&'static str>,
    pub items: Option<&'static Rule>,
    pub properties: &'static [(&'static str, Rule)],
}

/// Checks the argument `name` of `operation` against `rule`.
pub(crate) fn check<T: Serialize + ?Sized>(
    operation: &'static str,
    name: &'static str,
    value: &T,
    rule: &Rule,
) -> Result<(), Error> {
    // Every argument type serialises (it is about to be sent as JSON or text).
    let Ok(json) = serde_json::to_value(value) else {
        return Ok(());
    };
    walk(&json, rule).map_err(|message| Error::Argument {
        operation: operation.to_string(),
        name: name.to_string(),
        message,
    })
}

fn walk(value: &Value, rule: &Rule) -> Result<(), String> {
    match value {
        // An optional argument left unset, or a null the schema allows.
        Value::Null | Value::Bool(_) => Ok(()),
        Value::Number(n) => n.as_f64().map_or(Ok(()), |n| number(n, rule)),
        Value::String(text) => string(text, rule),
        Value::Array(items) => array(items, rule),
        Value::Object(fields) => {
            for (name, field_rule) in rule.properties {
                if let Some(field) = fields.get(*name) {
                    walk(field, field_rule).map_err(|m| format!("field `{name}`: {m}"))?;
                }
            }
            Ok(())
        }
    }
}

fn number(n: f64, rule: &Rule) -> Result<(), String> {
    if let Some(Bound { value, exclusive }) = rule.minimum {
        if n < value || (exclusive && n == value) {
            let bound = if exclusive { "above" } else { "at least" };
            return Err(format!("is {n}; it must be {bound} {value}"));
        }
    }
    if let Some(Bound { value, exclusive }) = rule.maximum {
        if n > value || (exclusive && n == value) {
            let bound = if exclusive { "below" } else { "at most" };
            return Err(format!("is {n}; it must be {bound} {value}"));
        }
    }
    if let Some(step) = rule.multiple_of.filter(|s| *s > 0.0) {
        let times = n / step;
        if (times - times.round()).abs() > 1e-9 {
            return Err(format!("is {n}; it must be a multiple of {step}"));
        }
    }
    Ok(())
}

fn string(text: &str, rule: &Rule) -> Result<(), String> {
    if rule.min_length.is_some() || rule.max_length.is_some() {
        let length = text.chars().count() as u64;
        if let Some(min) = rule.min_length.filter(|min| length < *min) {
            return Err(format!(
                "is {length} characters long; it must be at least {min}"
            ));
        }
        if let Some(max) = rule.max_length.filter(|max| length > *max) {
            return Err(format!(
                "is {length} characters long; it must be at most {max}"
            ));
        }
    }
    match rule.format {
        Some(format) if canonical(format, text).is_none() => {
            Err(format!("is not {}", described(format)))
        }
        _ => Ok(()),
    }
}

fn array(items: &[Value], rule: &Rule) -> Result<(), String> {
    let count = items.len() as u64;
    if let Some(min) = rule.min_items.filter(|min| count < *min) {
        return Err(format!("holds {count} items; it must hold at least {min}"));
    }
    if let Some(max) = rule.max_items.filter(|max| count > *max) {
        return Err(format!("holds {count} items; it may hold at most {max}"));
    }
    if let Some(item_rule) = rule.items {
        for (i, item) in items.iter().enumerate() {
            walk(item, item_rule).map_err(|m| format!("item {i} {m}"))?;
        }
    }
    if rule.unique {
        // Items are compared as the service compares them: addresses and
        // networks by value (`::1` is `0::1`), anything else as written.
        let format = rule.items.and_then(|r| r.format);
        let mut seen = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let key = match (item, format) {
                (Value::String(text), Some(format)) => {
                    canonical(format, text).unwrap_or_else(|| Canonical::Text(text.clone()))
                }
                _ => Canonical::Text(item.to_string()),
            };
            if let Some(first) = seen.insert(key, i) {
                return Err(format!(
                    "holds the same value as items {first} and {i}; its items must be unique"
                ));
            }
        }
    }
    Ok(())
}

/// A value as its format reads it, so that two spellings of one value are
/// equal (`::1` and `0::1`).
#[derive(Hash, PartialEq, Eq)]
enum Canonical {
    Address(std::net::IpAddr),
    Network(ipnet::IpNet),
    Uuid(uuid::Uuid),
    Text(String),
}

/// The value `text` names in `format`, or `None` when it is not of the
/// format. Formats build/arguments.rs does not list are not checked.
fn canonical(format: &str, text: &str) -> Option<Canonical> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let network = |text: &str| {
        text.parse::<ipnet::IpNet>()
            .ok()
            .or_else(|| text.parse::<IpAddr>().ok().map(ipnet::IpNet::from))
    };
    Some(match format {
        "ip" | "ipvanyaddress" => Canonical::Address(text.parse().ok()?),
        "ipv4" => Canonical::Address(text.parse::<Ipv4Addr>().ok()?.into()),
        "ipv6" => Canonical::Address(text.parse::<Ipv6Addr>().ok()?.into()),
        "ipvanynetwork" => Canonical::Network(network(text)?),
        "ipv4network" => Canonical::Network(network(text).filter(|n| n.addr().is_ipv4())?),
        "ipv6network" => Canonical::Network(network(text).filter(|n| n.addr().is_ipv6())?),
        "uuid" => Canonical::Uuid(uuid::Uuid::parse_str(text).ok()?),
        "uri" => Canonical::Text(url::Url::parse(text).ok()?.into()),
        "date-time" => Canonical::Text(text.parse::<jiff::Timestamp>().ok()?.to_string()),
        _ => Canonical::Text(text.to_string()),
    })
}

fn described(format: &str) -> &'static str {
    match format {
        "ip" | "ipvanyaddress" => "an IP address",
        "ipv4" => "an IPv4 address",
        "ipv6" => "an IPv6 address",
        "ipvanynetwork" => "an IP network or address",
        "ipv4network" => "an IPv4 network or address",
        "ipv6network" => "an IPv6 network or address",
        "uuid" => "a UUID",
        "uri" => "an absolute URI",
        "date-time" => "an RFC 3339 date and time",
        _ => "of its format",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Rule = Rule {
        minimum: None,
        maximum: None,
        multiple_of: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        unique: false,
        format: None,
        items: None,
        properties: &[],
    };

    #[test]
    fn addresses_are_compared_by_value() {
        const ITEM: Rule = Rule {
            format: Some("ipvanyaddress"),
            ..NONE
        };
        let rule = Rule {
            unique: true,
            items: Some(&ITEM),
            ..NONE
        };
        let same = serde_json::json!(["::1", "0:0::1"]);
        assert!(walk(&same, &rule).unwrap_err().contains("items 0 and 1"));
        let bad = serde_json::json!(["1.2.3.4", "not an address"]);
        assert_eq!(
            walk(&bad, &rule).unwrap_err(),
            "item 1 is not an IP address"
        );
        assert!(walk(&serde_json::json!(["1.2.3.4", "1.2.3.5"]), &rule).is_ok());
    }

    #[test]
    fn exclusive_bounds_exclude_themselves() {
        let rule = Rule {
            minimum: Some(Bound {
                value: 0.0,
                exclusive: true,
            }),
            ..NONE
        };
        assert!(number(0.0, &rule).is_err());
        assert!(number(0.5, &rule).is_ok());
    }
}

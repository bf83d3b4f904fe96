//! The table of operations and their facts: what the spec of record says of
//! each operation under `x-threatjammer` (openapi/operations.overlay.yaml
//! explains each fact), and what it says of the operation's request itself
//! where code depends on it (the `maxItems` of a list body). Everything the
//! crate knows per operation is generated from here: the public operation
//! table, the typed operation id, retry safety, the path check's segment
//! counts, the bulk methods' batch sizes, page streams (build/builders.rs) and
//! links (build/links.rs).
//!
//! An upstream release brings operations the overlays do not know yet; they
//! must not stop the build. Every fact the overlay lacks takes its most
//! cautious value: not safe to repeat, not paged, not cached, changing no
//! lists, serving no link, counted by the quota guard, in the area its tag
//! gives ([`area_of_tags`]), named by the rule in build/names.rs
//! ([`prepare`]). `spec bump` lists what is left to decide, and
//! tests/operation_facts.rs fails until it is.

#[path = "names.rs"]
mod names;

use crate::spec::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// One operation of the spec of record.
pub struct Operation {
    pub id: String,
    /// Upper case.
    pub method: String,
    pub path: String,
    /// Whether the build generates its method (every operation's, the
    /// multipart uploads included since adaptation 1 sets only their bodies aside).
    pub generated: bool,
    pub area: String,
    pub repeatable: bool,
    /// Whether the quota guard counts it (all but reading the token, which is
    /// how the client learns the month started again).
    pub counted: bool,
    pub pages: Option<Pages>,
    /// The `link` fact as written, read by build/links.rs.
    pub link: Option<Value>,
    /// What the spec says its arguments must be (build/arguments.rs).
    pub rules: Vec<crate::arguments::ArgumentRule>,
    /// The `cache` fact: seconds an answer stays fresh, and whether it
    /// depends on the caller's lists.
    pub cache: Option<(u64, bool)>,
    /// The `changes_lists` fact.
    pub changes_lists: bool,
    /// The `maxItems` of a JSON request body that is a list: the most entries
    /// one request may carry.
    pub max_items: Option<u64>,
}

/// A listing walked with `page` and `page_size`.
pub struct Pages {
    /// The answer's fields that hold the entries.
    pub items: Vec<String>,
    /// Whether the answer echoes the page number and size it answered with.
    pub numbered: bool,
}

/// What generation needs of an operation nobody prepared, done to the
/// document before anything reads it: every operation gets the method name
/// the rule in build/names.rs gives (the project's own id is kept, FastAPI's
/// becomes its handler's name), so progenitor generates the name the table
/// holds; and an optional cookie parameter, which progenitor 0.15 refuses to
/// generate, is left out (the request goes without it, as a caller who never
/// set it would send it). A required one cannot be left out: the build stops,
/// naming it.
pub fn prepare(doc: &mut Value) -> Result<(), String> {
    let found: Vec<(String, String, String)> = operations_of(doc)
        .map(|(method, path, op)| {
            let id = op["operationId"]
                .as_str()
                .ok_or_else(|| format!("{method} {path} has no operationId"))?;
            Ok((method.to_string(), path.to_string(), id.to_string()))
        })
        .collect::<Result<_, String>>()?;
    let listed: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|(m, p, i)| (m.as_str(), p.as_str(), i.as_str()))
        .collect();
    for ((method, path, _), name) in found.iter().zip(names::method_names(&listed)) {
        let op = &mut doc["paths"][path][method];
        op["operationId"] = Value::String(name);
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            if let Some(required) = params
                .iter()
                .find(|p| p["in"] == "cookie" && p["required"] == true)
            {
                return Err(format!(
                    "{method} {path}: the required cookie parameter {} cannot be generated (progenitor 0.15 has no cookies)",
                    required["name"]
                ));
            }
            params.retain(|p| p["in"] != "cookie");
        }
    }
    Ok(())
}

/// The area of an operation without an `area` fact, from its first tag: the
/// area most of the operations with that tag are in (the first of them on a
/// tie), or for a tag no operation has an area for (a new part of the API),
/// the tag itself in snake case. Without a tag: `other`.
fn area_of_tags(doc: &Value, op: &Value) -> String {
    let Some(tag) = op["tags"][0].as_str() else {
        return "other".to_string();
    };
    let mut areas: Vec<(&str, usize)> = Vec::new();
    for (_, _, other) in operations_of(doc) {
        let area = other["x-threatjammer"]["area"].as_str();
        if let (Some(area), Some(t)) = (area, other["tags"][0].as_str()) {
            if t == tag {
                match areas.iter_mut().find(|(a, _)| *a == area) {
                    Some((_, n)) => *n += 1,
                    None => areas.push((area, 1)),
                }
            }
        }
    }
    // `max_by_key` keeps the last of equals; the first is wanted.
    match areas.iter().rev().max_by_key(|(_, n)| *n) {
        Some((area, _)) => area.to_string(),
        None => names::snake_case(tag),
    }
}

/// Reads every operation and its facts, each missing one at its most
/// cautious value (the module's header); tests/operation_facts.rs is what
/// names an operation that lacks one.
pub fn operation_table(doc: &Value) -> Result<Vec<Operation>, String> {
    operations_of(doc)
        .map(|(method, path, op)| {
            let id = op["operationId"]
                .as_str()
                .ok_or_else(|| format!("{method} {path} has no operationId"))?
                .to_string();
            let facts = &op["x-threatjammer"];
            let pages = match facts.get("pages") {
                None => None,
                Some(pages) => Some(Pages {
                    items: pages["items"]
                        .as_array()
                        .ok_or_else(|| format!("{id}: pages.items is not a list"))?
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect::<Option<_>>()
                        .ok_or_else(|| format!("{id}: pages.items holds a non-string"))?,
                    numbered: pages["numbered"].as_bool().unwrap_or(false),
                }),
            };
            Ok(Operation {
                method: method.to_uppercase(),
                path: path.to_string(),
                generated: true,
                area: match facts["area"].as_str() {
                    Some(area) => area.to_string(),
                    None => area_of_tags(doc, op),
                },
                repeatable: facts["repeatable"].as_bool().unwrap_or(false),
                counted: !facts["quota_exempt"].as_bool().unwrap_or(false),
                pages,
                link: facts.get("link").cloned(),
                rules: crate::arguments::rules_of(doc, op),
                cache: match facts.get("cache") {
                    None => None,
                    Some(cache) => Some((
                        cache["ttl"]
                            .as_u64()
                            .ok_or_else(|| format!("{id}: cache.ttl is not a number of seconds"))?,
                        cache["lists"].as_bool().unwrap_or(true),
                    )),
                },
                changes_lists: facts["changes_lists"].as_bool().unwrap_or(false),
                max_items: crate::arguments::body_max_items(doc, op),
                id,
            })
        })
        .collect()
}

/// The public table, the typed id and the cache's per-operation lookups (the
/// call pipeline's own constants are written with the builders, build/builders.rs).
pub fn operations_tokens(operations: &[Operation]) -> TokenStream {
    let rows = operations.iter().map(|op| {
        let Operation {
            id,
            method,
            path,
            generated,
            area,
            repeatable,
            ..
        } = op;
        let paged = op.pages.is_some();
        quote! {
            crate::operations::Operation {
                id: #id, method: #method, path: #path, generated: #generated,
                area: #area, repeatable: #repeatable, paged: #paged,
            }
        }
    });
    let count = operations.len();
    let consts: Vec<_> = operations
        .iter()
        .map(|op| format_ident!("{}", op.id.to_uppercase()))
        .collect();
    let ids: Vec<_> = operations.iter().map(|op| op.id.as_str()).collect();
    let indexes = 0..operations.len();
    let const_docs = operations
        .iter()
        .map(|op| format!("`{}`: `{} {}`", op.id, op.method, op.path));
    let cached: Vec<_> = operations
        .iter()
        .filter_map(|op| op.cache.map(|c| (op.id.as_str(), c)))
        .collect();
    let cached_ids = cached.iter().map(|(id, _)| *id);
    let cached_ttls = cached.iter().map(|(_, (ttl, _))| *ttl);
    let cached_lists = cached.iter().map(|(_, (_, lists))| *lists);
    let list_changes = operations
        .iter()
        .filter(|op| op.changes_lists)
        .map(|op| op.id.as_str());
    let limited: Vec<_> = operations
        .iter()
        .filter_map(|op| Some((op, op.max_items?)))
        .collect();
    let limited_consts = limited
        .iter()
        .map(|(op, _)| format_ident!("{}", op.id.to_uppercase()));
    let limited_docs = limited.iter().map(|(op, limit)| {
        format!(
            "`{}` (`{} {}`): at most {limit} entries.",
            op.id, op.method, op.path
        )
    });
    // Unsuffixed: the constants are `usize`s of the target, not of the machine building.
    let limits = limited
        .iter()
        .map(|(_, limit)| proc_macro2::Literal::u64_unsuffixed(*limit));
    quote! {
        /// Every operation of the spec of record, in the spec's order.
        pub const OPERATIONS: [crate::operations::Operation; #count] = [#(#rows),*];

        /// An operation of the User API, by its id: `OperationId::GET_ASN` is
        /// `"get_asn"`, the name of the client's method. A struct of constants
        /// rather than an enum, so that an operation added upstream is a new
        /// constant and changes nothing about the others (an enum's variants
        /// would be renumbered). Ordered by id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct OperationId(&'static str);

        impl OperationId {
            #(#[doc = #const_docs] pub const #consts: OperationId = OperationId(#ids);)*

            /// Every operation, in the spec's order.
            pub const ALL: &'static [OperationId] = &[#(OperationId::#consts),*];

            /// The id as the spec of record spells it.
            pub const fn as_str(self) -> &'static str {
                self.0
            }

            /// The operation this id names, with its facts.
            pub fn operation(self) -> &'static crate::operations::Operation {
                let index = match self.0 {
                    #(#ids => #indexes,)*
                    _ => unreachable!("an OperationId is only made from the table"),
                };
                &OPERATIONS[index]
            }
        }

        impl ::std::fmt::Display for OperationId {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.0)
            }
        }

        impl ::std::str::FromStr for OperationId {
            type Err = crate::operations::UnknownOperation;
            fn from_str(id: &str) -> ::std::result::Result<Self, Self::Err> {
                match id {
                    #(#ids => Ok(OperationId::#consts),)*
                    _ => Err(crate::operations::UnknownOperation(id.into())),
                }
            }
        }

        /// The `cache` fact: how many seconds an answer stays fresh unless the
        /// cache policy says otherwise, and whether it depends on the caller's
        /// lists; `None` for an operation whose answers are not cached.
        #[allow(dead_code)] // read only with the `cache` feature
        pub(crate) fn cache_fact(operation_id: &str) -> ::std::option::Option<(u64, bool)> {
            match operation_id {
                #(#cached_ids => ::std::option::Option::Some((#cached_ttls, #cached_lists)),)*
                _ => ::std::option::Option::None,
            }
        }

        /// Whether the operation changes the caller's lists (the `changes_lists` fact).
        #[allow(dead_code)] // read only with the `cache` feature
        pub(crate) fn changes_lists(operation_id: &str) -> bool {
            matches!(operation_id, #(#list_changes)|*)
        }

        /// The `maxItems` of each operation whose JSON request body is a
        /// list, by its id as `OperationId` spells it: constants, so that code
        /// sizing a request by one fails to compile if the spec drops the limit.
        pub(crate) mod max_items {
            #(#[doc = #limited_docs] pub(crate) const #limited_consts: usize = #limits;)*
        }
    }
}

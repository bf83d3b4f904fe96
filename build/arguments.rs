//! What the spec of record says an operation's arguments must be (bounds,
//! lengths, item counts, uniqueness, formats), read from its parameters and
//! its JSON request body, and turned into the checks a request builder makes
//! before it sends anything (build/builders.rs calls [`check_tokens`]).
//!
//! Patterns are not read here: typify makes every string with a `pattern` a
//! newtype whose constructor checks it, so such a value cannot be built wrong.
//! Formats a Rust type already guarantees (`ip` as `IpAddr`, `uuid` as
//! `Uuid`) are dropped where the argument has that type, so that the common
//! calls (an address in the path) check nothing at run time.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// What one argument must be, as the spec says it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    multiple_of: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    unique: bool,
    format: Option<String>,
    items: Option<Box<Rule>>,
    properties: Vec<(String, Rule)>,
}

/// An argument of an operation that carries a rule.
pub struct ArgumentRule {
    /// As the spec names it: a parameter, a top-level property of the body,
    /// or `body` for a body that is not an object.
    pub name: String,
    /// A top-level property of the request body.
    pub in_body: bool,
    pub rule: Rule,
}

/// The formats a run-time check knows (src/arguments.rs); others are not checked.
const FORMATS: &[&str] = &[
    "ip",
    "ipv4",
    "ipv6",
    "ipvanyaddress",
    "ipvanynetwork",
    "ipv4network",
    "ipv6network",
    "uuid",
    "uri",
    "date-time",
];

/// The argument rules of the operation `op` of `doc`.
pub fn rules_of(doc: &Value, op: &Value) -> Vec<ArgumentRule> {
    let mut rules = Vec::new();
    for parameter in op["parameters"].as_array().into_iter().flatten() {
        let parameter = resolve(doc, parameter, 0);
        let (Some(name), Some(schema)) = (parameter["name"].as_str(), parameter.get("schema"))
        else {
            continue;
        };
        let rule = read(doc, schema, 0);
        if !rule.is_empty() {
            rules.push(ArgumentRule {
                name: name.to_string(),
                in_body: false,
                rule,
            });
        }
    }
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        let body = read(doc, schema, 0);
        if body.properties.is_empty() {
            if !body.is_empty() {
                rules.push(ArgumentRule {
                    name: "body".to_string(),
                    in_body: false,
                    rule: body,
                });
            }
        } else {
            for (name, rule) in body.properties {
                rules.push(ArgumentRule {
                    name,
                    in_body: true,
                    rule,
                });
            }
        }
    }
    rules
}

/// The `maxItems` of the operation's JSON request body when the body is a
/// list, read as the body's rule is (through `$ref` and `allOf`): the most
/// entries one request may carry.
pub fn body_max_items(doc: &Value, op: &Value) -> Option<u64> {
    let schema = op.pointer("/requestBody/content/application~1json/schema")?;
    read(doc, schema, 0).max_items
}

/// Follows `$ref`s to what they name. Deeper than a document nests, a
/// reference cycle is taken to say nothing.
fn resolve<'a>(doc: &'a Value, schema: &'a Value, depth: usize) -> &'a Value {
    let mut schema = schema;
    for _ in depth..depth + 32 {
        let Some(reference) = schema["$ref"].as_str() else {
            return schema;
        };
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
        else {
            return &Value::Null;
        };
        schema = target;
    }
    &Value::Null
}

fn read(doc: &Value, schema: &Value, depth: usize) -> Rule {
    if depth > 16 {
        return Rule::default();
    }
    let schema = resolve(doc, schema, depth);
    let mut rule = Rule::default();
    // An `allOf` is every one of its parts; `anyOf`/`oneOf` say nothing a
    // value must always be, except when the other branch is only `null`.
    for part in schema["allOf"].as_array().into_iter().flatten() {
        rule.merge(read(doc, part, depth + 1));
    }
    for choice in ["anyOf", "oneOf"] {
        if let Some(branches) = schema[choice].as_array() {
            let real: Vec<_> = branches
                .iter()
                .filter(|b| b["type"].as_str() != Some("null"))
                .collect();
            if let [only] = real.as_slice() {
                rule.merge(read(doc, only, depth + 1));
            }
        }
    }
    let number = |key: &str| schema[key].as_f64();
    let count = |key: &str| schema[key].as_u64();
    // OpenAPI 3.0 writes an exclusive bound as a flag beside it; 3.1 as the bound itself.
    let bound = |key: &str, exclusive: &str| match (number(key), &schema[exclusive]) {
        (_, Value::Number(n)) => n.as_f64().map(|n| (n, true)),
        (Some(n), flag) => Some((n, flag.as_bool().unwrap_or(false))),
        (None, _) => None,
    };
    rule.minimum = bound("minimum", "exclusiveMinimum").or(rule.minimum);
    rule.maximum = bound("maximum", "exclusiveMaximum").or(rule.maximum);
    rule.multiple_of = number("multipleOf").or(rule.multiple_of);
    rule.min_length = count("minLength").or(rule.min_length);
    rule.max_length = count("maxLength").or(rule.max_length);
    rule.min_items = count("minItems").or(rule.min_items);
    rule.max_items = count("maxItems").or(rule.max_items);
    rule.unique |= schema["uniqueItems"].as_bool().unwrap_or(false);
    if let Some(format) = schema["format"].as_str().filter(|f| FORMATS.contains(f)) {
        rule.format = Some(format.to_string());
    }
    if let Some(items) = schema.get("items") {
        let items = read(doc, items, depth + 1);
        if !items.is_empty() {
            rule.items = Some(Box::new(items));
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let property = read(doc, property, depth + 1);
        if !property.is_empty() {
            rule.properties.push((name.clone(), property));
        }
    }
    rule
}

impl Rule {
    fn is_empty(&self) -> bool {
        *self == Rule::default()
    }

    fn merge(&mut self, other: Rule) {
        let Rule {
            minimum,
            maximum,
            multiple_of,
            min_length,
            max_length,
            min_items,
            max_items,
            unique,
            format,
            items,
            properties,
        } = other;
        self.minimum = self.minimum.or(minimum);
        self.maximum = self.maximum.or(maximum);
        self.multiple_of = self.multiple_of.or(multiple_of);
        self.min_length = self.min_length.or(min_length);
        self.max_length = self.max_length.or(max_length);
        self.min_items = self.min_items.or(min_items);
        self.max_items = self.max_items.or(max_items);
        self.unique |= unique;
        self.format = self.format.take().or(format);
        self.items = self.items.take().or(items);
        self.properties.extend(properties);
    }

    /// The rule `crate::arguments::Rule` is written as.
    fn tokens(&self) -> TokenStream {
        fn option<T: quote::ToTokens>(value: &Option<T>) -> TokenStream {
            match value {
                Some(v) => quote!(::std::option::Option::Some(#v)),
                None => quote!(::std::option::Option::None),
            }
        }
        let bound = |b: &Option<(f64, bool)>| match b {
            Some((value, exclusive)) => quote! {
                ::std::option::Option::Some(crate::arguments::Bound { value: #value, exclusive: #exclusive })
            },
            None => quote!(::std::option::Option::None),
        };
        let (minimum, maximum) = (bound(&self.minimum), bound(&self.maximum));
        let multiple_of = option(&self.multiple_of);
        let min_length = option(&self.min_length);
        let max_length = option(&self.max_length);
        let min_items = option(&self.min_items);
        let max_items = option(&self.max_items);
        let unique = self.unique;
        let format = option(&self.format.as_deref());
        let items = match &self.items {
            Some(items) => {
                let items = items.tokens();
                quote!(::std::option::Option::Some(&#items))
            }
            None => quote!(::std::option::Option::None),
        };
        let properties = self.properties.iter().map(|(name, rule)| {
            let rule = rule.tokens();
            quote!((#name, #rule))
        });
        quote! {
            crate::arguments::Rule {
                minimum: #minimum,
                maximum: #maximum,
                multiple_of: #multiple_of,
                min_length: #min_length,
                max_length: #max_length,
                min_items: #min_items,
                max_items: #max_items,
                unique: #unique,
                format: #format,
                items: #items,
                properties: &[#(#properties),*],
            }
        }
    }
}

/// Rust types whose values always have the format their parameter declares.
const TYPED_FORMATS: &[&str] = &[
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "Uuid",
    "IpNet",
    "Timestamp",
];

/// Whether `ty` (or the type an `Option` or `Vec` of it holds) is one of
/// [`TYPED_FORMATS`].
fn typed_format(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if TYPED_FORMATS.iter().any(|t| last.ident == t) {
        return true;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().any(|a| match a {
            syn::GenericArgument::Type(inner) => typed_format(inner),
            _ => false,
        }),
        _ => false,
    }
}

/// The check of one builder argument `local`, stored as `stored`, before the
/// request `operation` is sent; nothing when its type already guarantees
/// everything its rule says.
pub fn check_tokens(
    operation: &str,
    argument: &ArgumentRule,
    local: &syn::Ident,
    stored: &syn::Type,
) -> Result<Option<TokenStream>, String> {
    let mut rule = argument.rule.clone();
    if typed_format(stored) {
        rule.format = None;
        if let Some(items) = &mut rule.items {
            items.format = None;
        }
    }
    if rule.is_empty() {
        return Ok(None);
    }
    let name = &argument.name;
    let rule = rule.tokens();
    Ok(Some(quote! {
        crate::arguments::check(#operation, #name, &#local, &#rule)?;
    }))
}

//! Adaptation 14: answer fields hold what their values are (a time, a
//! link), as `x-threatjammer-value` in the spec of
//! record says (openapi/values.overlay.yaml).
//!
//! typify sees only the JSON type, so the spec side reads the extension and
//! the code side changes the generated field's type and adds the serde glue
//! that reads and writes the wire form (src/time.rs, src/links.rs). With the
//! `schemars` feature the field's schema stays the wire type's.

use crate::spec_passes::final_name;
use crate::syntax::{is_primitive, is_string, option_inner, serde_value, types_module, vec_inner};
use crate::types_passes::each_answer_field;
use quote::quote;
use serde_json::Value;

/// What the extension says a value is.
#[derive(Clone, Copy, Debug)]
enum Meaning {
    TimestampMs,
    Link,
}

impl Meaning {
    fn of(word: &str) -> Option<Meaning> {
        Some(match word {
            "timestamp-ms" => Meaning::TimestampMs,
            "link" => Meaning::Link,
            _ => return None,
        })
    }
}

/// One field to retype: the generated struct, the property's JSON name.
pub struct TypedField {
    schema: String,
    rust_type: String,
    property: String,
    value: Meaning,
}

/// The spec side: every property of a component schema that carries the
/// extension. An unknown word fails the build, naming the property.
pub fn typed_fields(doc: &Value, renames: &[(String, String)]) -> Result<Vec<TypedField>, String> {
    let mut fields = Vec::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (schema, body) in schemas.into_iter().flatten() {
        let properties = body["properties"].as_object();
        for (property, p) in properties.into_iter().flatten() {
            let Some(word) = p.get("x-threatjammer-value") else {
                continue;
            };
            let value = word.as_str().and_then(Meaning::of).ok_or_else(|| {
                format!(
                    "{schema}.{property}: x-threatjammer-value {word} is none of \
                     timestamp-ms, link"
                )
            })?;
            fields.push(TypedField {
                schema: schema.clone(),
                rust_type: final_name(schema, renames),
                property: property.clone(),
                value,
            });
        }
    }
    Ok(fields)
}

/// How typify wrote the field: the value itself, optional, or a list of them.
#[derive(Clone, Copy)]
enum Shape {
    One,
    Optional,
    List,
}

/// The code side. A fact whose struct or field generation did not make, or
/// whose field has a JSON type the value cannot be, fails the build.
pub fn typed_values(
    file: &mut syn::File,
    fields: &[TypedField],
    schemas: bool,
) -> Result<(), String> {
    let Some(items) = types_module(file) else {
        return Err("adaptation 14: no `mod types` in the generated code".into());
    };
    for fact in fields {
        let name = format!("{}.{}", fact.schema, fact.property);
        let field = items
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == fact.rust_type => Some(s),
                _ => None,
            })
            .ok_or_else(|| format!("{name}: no generated struct {}", fact.rust_type))?
            .fields
            .iter_mut()
            .find(|f| wire_name(f).as_deref() == Some(fact.property.as_str()))
            .ok_or_else(|| format!("{name}: no generated field of that name"))?;
        let wire = field.ty.clone();
        let i64_ = |t: &syn::Type| is_primitive(t, &["i64"]);
        let (shape, scalar) = if i64_(&wire) {
            (Shape::One, "i64")
        } else if option_inner(&wire).is_some_and(i64_) {
            (Shape::Optional, "i64")
        } else if is_string(&wire) {
            (Shape::One, "text")
        } else if option_inner(&wire).is_some_and(is_string) {
            (Shape::Optional, "text")
        } else if vec_inner(&wire).is_some_and(is_string) {
            (Shape::List, "text")
        } else {
            return Err(format!(
                "{name}: a {:?} cannot be held in {}",
                fact.value,
                quote!(#wire)
            ));
        };
        let (ty, with): (syn::Type, Option<&str>) = match (fact.value, shape, scalar) {
            (Meaning::TimestampMs, Shape::One, "i64") => (
                syn::parse_quote!(::jiff::Timestamp),
                Some("crate::time::millis"),
            ),
            (Meaning::TimestampMs, Shape::Optional, "i64") => (
                syn::parse_quote!(::std::option::Option<::jiff::Timestamp>),
                Some("crate::time::millis::option"),
            ),
            // A single link may be empty, the service's "none".
            (Meaning::Link, Shape::One | Shape::Optional, "text") => (
                syn::parse_quote!(::std::option::Option<crate::Link>),
                Some("crate::links::wire"),
            ),
            (Meaning::Link, Shape::List, "text") => {
                (syn::parse_quote!(::std::vec::Vec<crate::Link>), None)
            }
            (value, _, _) => {
                return Err(format!(
                    "{name}: a {value:?} cannot be held in {}",
                    quote!(#wire)
                ))
            }
        };
        if let Some(with) = with {
            if matches!(shape, Shape::Optional) {
                // `with` turns off serde's own "absent is None".
                field.attrs.push(syn::parse_quote!(#[serde(default)]));
            }
            if matches!(fact.value, Meaning::Link) {
                // Written as `""` when `None`, as the service writes "no link".
                drop_skip_serializing(field);
            }
            field.attrs.push(syn::parse_quote!(#[serde(with = #with)]));
        }
        if schemas {
            // Written out as a string, as schemars' attribute takes it.
            let wire = quote!(#wire).to_string();
            field
                .attrs
                .push(syn::parse_quote!(#[schemars(with = #wire)]));
        }
        field.ty = ty;
    }
    Ok(())
}

/// typify leaves an optional list out when it is empty, so an answer's `[]`
/// would not be written back; in answers it always is.
pub fn answer_lists_written(file: &mut syn::File, answers: &std::collections::BTreeSet<String>) {
    each_answer_field(file, answers, |field| {
        if vec_inner(&field.ty).is_some() {
            drop_skip_serializing(field);
        }
    });
}

/// The field's name on the wire.
fn wire_name(field: &syn::Field) -> Option<String> {
    serde_value(&field.attrs, "rename").or_else(|| field.ident.as_ref().map(|i| i.to_string()))
}

fn drop_skip_serializing(field: &mut syn::Field) {
    let attrs = std::mem::take(&mut field.attrs);
    for attr in attrs {
        let metas = attr.path().is_ident("serde").then(|| {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
        });
        let Some(Ok(metas)) = metas else {
            field.attrs.push(attr);
            continue;
        };
        let kept: Vec<_> = metas
            .into_iter()
            .filter(|m| !m.path().is_ident("skip_serializing_if"))
            .collect();
        if !kept.is_empty() {
            field.attrs.push(syn::parse_quote!(#[serde(#(#kept),*)]));
        }
    }
}

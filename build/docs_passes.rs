//! Adaptation 15: documentation typify does not write. The generated module
//! denies `missing_docs` (src/generated.rs), so an item this pass misses
//! fails the build instead of reaching docs.rs bare.
//!
//! Everything said here comes from the spec of record as the generated code
//! carries it: the wire value of each enum variant, which operation and
//! parameter a parameter type belongs to, and the `area` fact that picks the
//! section of src/areas.rs a method links to. Descriptions of schemas and
//! properties are the overlay's (openapi/schemas.overlay.yaml) and typify
//! already writes them; this pass does not touch a doc that is there.

use crate::facts::Operation;
use quote::quote;

/// Links each generated method to its area's example, and documents enum
/// variants and the parameter types that carry only their name.
pub fn document_generated(file: &mut syn::File, operations: &[Operation]) -> Result<(), String> {
    link_areas(file, operations)?;
    let uses = parameter_uses(file, operations);
    let patterns = patterns_of(file);
    let Some(items) = crate::code_passes::types_module(file) else {
        return Ok(());
    };
    for item in items.iter_mut() {
        let (ident, attrs, is_enum) = match item {
            syn::Item::Enum(e) => {
                for variant in e.variants.iter_mut() {
                    if !has_doc(&variant.attrs) {
                        // Through `concat!`, which rustdoc reads and schemars'
                        // derive does not (it takes only a literal): a variant
                        // with a description would turn the type's JSON Schema
                        // from the spec's `enum` into a `oneOf`, one entry per
                        // variant (tests/conformance_types.rs compares them).
                        let doc = variant_doc(variant);
                        variant
                            .attrs
                            .insert(0, syn::parse_quote!(#[doc = concat!(#doc)]));
                    }
                }
                (&e.ident, &mut e.attrs, true)
            }
            syn::Item::Struct(s) => (&s.ident, &mut s.attrs, false),
            _ => continue,
        };
        let name = ident.to_string();
        if !only_its_name(attrs, &name) {
            continue;
        }
        let Some(sites) = uses.get(&name) else {
            continue;
        };
        let mut doc = parameter_doc(sites);
        if let Some(pattern) = patterns.get(&name) {
            doc.push_str(&format!(
                " Text matching `{pattern}`, checked when the value is made \
                 (`parse`, `try_from`), before anything is sent."
            ));
        } else if is_enum {
            doc.push_str(" One of the values the spec of record lists.");
        }
        attrs.retain(|a| !a.path().is_ident("doc"));
        attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
    }
    Ok(())
}

/// The section of src/areas.rs that has the example for each `area` fact
/// (openapi/operations.overlay.yaml), as rustdoc spells the heading's anchor.
const AREA_SECTIONS: &[(&str, &str, &str)] = &[
    ("assess", "IP assessment", "ip-assessment"),
    ("asn", "Autonomous systems", "autonomous-systems"),
    ("datacenter", "Datacenters", "datacenters"),
    ("geo", "Geolocation", "geolocation"),
    ("dataset", "Datasets", "datasets"),
    ("source", "Sources", "sources"),
    ("log", "Logs", "logs"),
    (
        "allowlist",
        "Allowlists and denylists",
        "allowlists-and-denylists",
    ),
    (
        "denylist",
        "Allowlists and denylists",
        "allowlists-and-denylists",
    ),
    (
        "reported",
        "Allowlists and denylists",
        "allowlists-and-denylists",
    ),
    ("ua", "User agents", "user-agents"),
    ("origin", "Origins", "origins"),
    ("origin_token", "Origins", "origins"),
    ("token", "Tokens", "tokens"),
];

/// Ends each generated method's doc (which the face method copies) with a
/// link to its area's example.
fn link_areas(file: &mut syn::File, operations: &[Operation]) -> Result<(), String> {
    // progenitor's methods are the only `async` ones in the file's inherent impls.
    let methods = crate::code_passes::inherent_methods(file).filter(|f| f.sig.asyncness.is_some());
    for f in methods {
        let id = f.sig.ident.to_string();
        let Some(op) = operations.iter().find(|op| op.id == id) else {
            continue;
        };
        // An area upstream added since src/areas.rs was written has no
        // example yet; the method links to the page, and the build goes on.
        let doc = match AREA_SECTIONS.iter().find(|(a, ..)| *a == op.area) {
            Some((_, heading, anchor)) => format!("Example: [{heading}](crate::areas#{anchor})."),
            None => "Examples: [the areas](crate::areas) (none yet for this one).".to_string(),
        };
        f.attrs.push(syn::parse_quote!(#[doc = ""]));
        f.attrs.push(syn::parse_quote!(#[doc = #doc]));
    }
    Ok(())
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// typify's fallback doc for a schema without a description is the type's
/// name in backticks, which tells a reader nothing the heading does not.
fn only_its_name(attrs: &[syn::Attribute], name: &str) -> bool {
    let docs: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    docs.len() == 1 && docs[0].trim() == format!("`{name}`")
}

/// A variant's doc: its wire value for a named one (what a user matches on
/// and what they would see in a fixture or a log), the shape it holds for a
/// variant of an untagged union.
fn variant_doc(variant: &syn::Variant) -> String {
    if let Some(wire) = renamed_to(&variant.attrs) {
        return format!("`{wire}`, as the API spells it.");
    }
    let ident = variant.ident.to_string();
    if matches!(variant.fields, syn::Fields::Unit) {
        return format!("`{ident}`, as the API spells it.");
    }
    let held = variant
        .fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            match quote!(#ty).to_string().as_str() {
                ":: std :: string :: String" => "text".to_string(),
                "i64" | "u64" | "i32" | "u32" => "an integer".to_string(),
                "f64" | "f32" => "a number".to_string(),
                "bool" => "a boolean".to_string(),
                other => format!("`{}`", other.replace(' ', "")),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("The value when the API sends it as {held}.")
}

/// The `rename` of `#[serde(rename = "...")]`: the value on the wire.
fn renamed_to(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find_map(|a| {
            let mut found = None;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    found = Some(value.value());
                } else if meta.input.peek(syn::Token![=]) {
                    // Skip the value of any other key, so parsing goes on.
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            found
        })
}

/// One parameter a type is taken as: the operation and the parameter's name.
struct Site<'a> {
    op: &'a Operation,
    param: String,
}

/// For each type of `mod types` that a generated method takes, the
/// parameters it is taken as.
fn parameter_uses<'a>(
    file: &syn::File,
    operations: &'a [Operation],
) -> std::collections::BTreeMap<String, Vec<Site<'a>>> {
    let mut uses: std::collections::BTreeMap<String, Vec<Site<'a>>> = Default::default();
    for f in crate::face::generated_methods(file) {
        let id = f.sig.ident.to_string();
        let Some(op) = operations.iter().find(|op| op.id == id) else {
            continue;
        };
        for input in f.sig.inputs.iter().skip(1) {
            let syn::FnArg::Typed(pt) = input else {
                continue;
            };
            let syn::Pat::Ident(pi) = &*pt.pat else {
                continue;
            };
            if pi.ident == "body" {
                continue;
            }
            let ty = &pt.ty;
            let words: Vec<String> = quote!(#ty)
                .to_string()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            for pair in words.windows(3) {
                if pair[0] == "types" && pair[1] == "::" {
                    uses.entry(pair[2].clone()).or_default().push(Site {
                        op,
                        param: pi.ident.to_string(),
                    });
                }
            }
        }
    }
    uses
}

fn parameter_doc(sites: &[Site<'_>]) -> String {
    let described = sites
        .iter()
        .map(|site| {
            let place = if site.op.path.contains(&format!("{{{}}}", site.param)) {
                "path"
            } else {
                "query"
            };
            format!(
                "the {place} parameter `{}` of [`Client::{id}`](crate::Client::{id}) (`{} {}`)",
                site.param,
                site.op.method,
                site.op.path,
                id = site.op.id,
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut doc = described;
    if let Some(first) = doc.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    doc.push('.');
    doc
}

/// The pattern each newtype's `FromStr` checks, by type name: typify writes
/// it as the one string literal given to `regress::Regex::new`.
fn patterns_of(file: &syn::File) -> std::collections::BTreeMap<String, String> {
    let mut patterns = std::collections::BTreeMap::new();
    let items = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items);
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_from_str = imp
            .trait_
            .as_ref()
            .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "FromStr"));
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        if !is_from_str {
            continue;
        }
        let Some(name) = p.path.get_ident() else {
            continue;
        };
        let text = quote!(#imp).to_string();
        let Some(at) = text.find("Regex :: new (") else {
            continue;
        };
        let rest = &text[at + "Regex :: new (".len()..];
        if let Ok(syn::Lit::Str(lit)) = syn::parse_str::<syn::Lit>(
            rest.split_once(") . unwrap")
                .map(|(lit, _)| lit.trim())
                .unwrap_or(""),
        ) {
            patterns.insert(name.to_string(), lit.value());
        }
    }
    patterns
}

/// `Client::call` exists only with the `dynamic` feature, but build/face.rs
/// decides that while generating, so no `#[cfg]` is left for docs.rs to show;
/// the badge is said explicitly. The face's other items need no feature.
pub fn feature_badges(face: proc_macro2::TokenStream) -> Result<proc_macro2::TokenStream, String> {
    let mut items: syn::File =
        syn::parse2(face).map_err(|e| format!("adaptation 15: parsing the face: {e}"))?;
    for item in &mut items.items {
        let syn::Item::Impl(imp) = item else { continue };
        for impl_item in &mut imp.items {
            if let syn::ImplItem::Fn(f) = impl_item {
                if f.sig.ident == "call" {
                    f.attrs.push(syn::parse_quote!(
                        #[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
                    ));
                }
            }
        }
    }
    Ok(quote!(#items))
}

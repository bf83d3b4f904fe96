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
use crate::interface::Method;
use crate::syntax::{
    is_primitive, is_string, last_ident, names_in, serde_value, types_module, types_of,
};

/// Links each generated method to its area's example, and documents enum
/// variants and the parameter types that carry only their name.
pub fn document_generated(
    file: &mut syn::File,
    methods: &mut [Method],
    operations: &[Operation],
) -> Result<(), String> {
    link_areas(methods, operations)?;
    let uses = parameter_uses(methods, operations);
    let patterns = patterns_of(file);
    let Some(items) = types_module(file) else {
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

/// The module whose sections hold the examples, from the package root, where
/// a build script runs.
const AREAS: &str = "src/areas.rs";

/// A section of src/areas.rs: its heading, rustdoc's anchor for it, and the
/// `area` facts (openapi/operations.overlay.yaml) it shows, which the
/// `<!-- areas: … -->` line under the heading names.
struct AreaSection {
    heading: String,
    anchor: String,
    areas: Vec<String>,
}

/// Reads the sections of src/areas.rs; an areas line that follows no heading,
/// or an area named by two sections, fails the build.
fn area_sections() -> Result<Vec<AreaSection>, String> {
    println!("cargo:rerun-if-changed={AREAS}");
    let text = std::fs::read_to_string(AREAS).map_err(|e| format!("reading {AREAS}: {e}"))?;
    let mut sections: Vec<AreaSection> = Vec::new();
    let mut previous = "";
    for line in text.lines() {
        let doc = line.strip_prefix("//!").map(str::trim);
        if let Some(areas) = doc
            .and_then(|d| d.strip_prefix("<!-- areas:"))
            .and_then(|d| d.strip_suffix("-->"))
        {
            let Some(heading) = previous.strip_prefix("//! # ") else {
                return Err(format!(
                    "{AREAS}: `{line}` does not follow a section heading"
                ));
            };
            for area in areas.split_whitespace() {
                if let Some(other) = sections.iter().find(|s| s.areas.iter().any(|a| a == area)) {
                    return Err(format!(
                        "{AREAS}: the area `{area}` is under both `{}` and `{heading}`",
                        other.heading
                    ));
                }
            }
            sections.push(AreaSection {
                heading: heading.to_string(),
                anchor: anchor_of(heading),
                areas: areas.split_whitespace().map(str::to_string).collect(),
            });
        }
        previous = line;
    }
    Ok(sections)
}

/// The id rustdoc gives a heading: lower case, a space as `-`, punctuation left out.
fn anchor_of(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            c if c.is_ascii_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

/// Ends each operation's doc (which its builder method carries) with a
/// link to its area's example. An area upstream added since src/areas.rs
/// was written has no section yet; its methods link to the guide's top.
fn link_areas(methods: &mut [Method], operations: &[Operation]) -> Result<(), String> {
    let sections = area_sections()?;
    for f in methods {
        let id = f.id.clone();
        let Some(op) = operations.iter().find(|op| op.id == id) else {
            continue;
        };
        // An area upstream added since src/areas.rs was written has no
        // example yet; the method links to the page, and the build goes on.
        let doc = match sections.iter().find(|s| s.areas.contains(&op.area)) {
            Some(AreaSection {
                heading, anchor, ..
            }) => format!("Example: [{heading}](crate::areas#{anchor})."),
            None => "Examples: [the areas](crate::areas) (none yet for this one).".to_string(),
        };
        f.docs.push(syn::parse_quote!(#[doc = ""]));
        f.docs.push(syn::parse_quote!(#[doc = #doc]));
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
    if let Some(wire) = serde_value(&variant.attrs, "rename") {
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
            if is_string(ty) {
                "text".to_string()
            } else if is_primitive(ty, &["i64", "u64", "i32", "u32"]) {
                "an integer".to_string()
            } else if is_primitive(ty, &["f64", "f32"]) {
                "a number".to_string()
            } else if is_primitive(ty, &["bool"]) {
                "a boolean".to_string()
            } else {
                match last_ident(ty) {
                    Some(name) => format!("`{name}`"),
                    None => "a value".to_string(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("The value when the API sends it as {held}.")
}

/// One parameter a type is taken as: the operation and the parameter's name.
struct Site<'a> {
    op: &'a Operation,
    param: String,
}

/// For each type of `mod types` that a generated method takes, the
/// parameters it is taken as.
fn parameter_uses<'a>(
    methods: &[Method],
    operations: &'a [Operation],
) -> std::collections::BTreeMap<String, Vec<Site<'a>>> {
    let mut uses: std::collections::BTreeMap<String, Vec<Site<'a>>> = Default::default();
    for f in methods {
        let Some(op) = operations.iter().find(|op| op.id == f.id) else {
            continue;
        };
        for (ident, ty) in &f.args {
            if ident == "body" {
                continue;
            }
            let mut names = Vec::new();
            names_in(ty, &mut names);
            for pair in names.windows(2) {
                if pair[0] == "types" {
                    uses.entry(pair[1].clone()).or_default().push(Site {
                        op,
                        param: ident.to_string(),
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

/// The pattern each newtype's `FromStr` checks, by type name: typify passes
/// it as the one string literal given to `regress::Regex::new`.
fn patterns_of(file: &syn::File) -> std::collections::BTreeMap<String, String> {
    struct Pattern(Option<String>);
    impl<'ast> syn::visit::Visit<'ast> for Pattern {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            let is_regex_new = matches!(&*call.func, syn::Expr::Path(p)
                if p.path.segments.len() >= 2
                    && p.path.segments.iter().rev().take(2).map(|s| s.ident.to_string()).eq(["new", "Regex"]));
            if let (
                true,
                Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                })),
            ) = (is_regex_new, call.args.first())
            {
                self.0.get_or_insert(lit.value());
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut patterns = std::collections::BTreeMap::new();
    for item in types_of(file) {
        let syn::Item::Impl(imp) = item else { continue };
        let is_from_str = imp
            .trait_
            .as_ref()
            .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "FromStr"));
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let (true, Some(name)) = (is_from_str, p.path.get_ident()) else {
            continue;
        };
        let mut found = Pattern(None);
        syn::visit::visit_item_impl(&mut found, imp);
        if let Some(pattern) = found.0 {
            patterns.insert(name.to_string(), pattern);
        }
    }
    patterns
}

//! Reading types and attributes as syntax: what the build asks of the code
//! typify and progenitor wrote, answered from the syntax tree, never from its
//! printed text, so that a release that prints differently changes nothing.

/// Whether `ty` is the path `segments` (`["std", "string", "String"]`),
/// written with or without its leading `::`, and without generic arguments.
pub fn is_path(ty: &syn::Type, segments: &[&str]) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.segments.len() == segments.len()
        && p.path
            .segments
            .iter()
            .zip(segments)
            .all(|(s, want)| s.ident == want && s.arguments.is_none())
}

/// `String` in any of the spellings typify uses.
pub fn is_string(ty: &syn::Type) -> bool {
    is_path(ty, &["std", "string", "String"]) || is_path(ty, &["String"])
}

/// One of the primitive scalar types (`i64`, `bool`, ...).
pub fn is_primitive(ty: &syn::Type, names: &[&str]) -> bool {
    names.iter().any(|name| is_path(ty, &[name]))
}

/// The last segment's name of a path type.
pub fn last_ident(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

pub fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, "Option")
}

pub fn vec_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, "Vec")
}

/// `T` of `Box<T>` written with its whole path (`::std::boxed::Box<T>`), so
/// that a schema titled `Box` (`types::Box`) is not taken for one.
pub fn boxed(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    (names == ["std", "boxed", "Box"])
        .then(|| first_generic(ty))
        .flatten()
}

fn generic_of<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    if p.path.segments.last()?.ident != wrapper {
        return None;
    }
    first_generic(ty)
}

pub fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// `X` of `types::X`.
pub fn types_ident(ty: &syn::Type) -> Option<&syn::Ident> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<_> = p.path.segments.iter().collect();
    match segments.as_slice() {
        [module, name] if module.ident == "types" && name.arguments.is_none() => Some(&name.ident),
        _ => None,
    }
}

/// Every name a type mentions as a path segment, generic arguments included
/// (`Option<Vec<types::X>>` mentions `Option`, `Vec`, `types`, `X`).
pub fn names_in(ty: &syn::Type, into: &mut Vec<String>) {
    match ty {
        syn::Type::Path(p) => {
            for segment in &p.path.segments {
                into.push(segment.ident.to_string());
                if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::Type(t) = arg {
                            names_in(t, into);
                        }
                    }
                }
            }
        }
        syn::Type::Reference(r) => names_in(&r.elem, into),
        syn::Type::Slice(s) => names_in(&s.elem, into),
        syn::Type::Array(a) => names_in(&a.elem, into),
        syn::Type::Tuple(t) => t.elems.iter().for_each(|e| names_in(e, into)),
        syn::Type::Paren(p) => names_in(&p.elem, into),
        syn::Type::Group(g) => names_in(&g.elem, into),
        _ => {}
    }
}

/// Whether a `#[serde(...)]` attribute among `attrs` holds the item `name`
/// (`default`, `default = "..."`, `skip_serializing_if = "..."`).
pub fn serde_has(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident(name) {
                    found = true;
                }
                // Skip a value (`= "..."`) or a nested list without reading it.
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let _ = meta.parse_nested_meta(|_| Ok(()));
                }
                Ok(())
            });
            found
        })
}

/// The value of `#[serde(name = "...")]`, when `attrs` hold one.
pub fn serde_value(attrs: &[syn::Attribute], name: &str) -> Option<String> {
    let mut value = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(syn::Token![=]) {
                let lit: syn::Expr = meta.value()?.parse()?;
                if meta.path.is_ident(name) {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = lit
                    {
                        value = Some(s.value());
                    }
                }
            } else if meta.input.peek(syn::token::Paren) {
                let _ = meta.parse_nested_meta(|_| Ok(()));
            }
            Ok(())
        });
    }
    value
}

/// The items of `mod types`, where typify puts every type.
pub fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The items of `mod types`, read only.
pub fn types_of(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                m.content.as_ref().map(|(_, items)| &items[..])
            }
            _ => None,
        })
        .unwrap_or(&[])
}

//! Passes over the types typify wrote in `mod types` (adaptations 4, 11 and
//! 13's drift side), on the syntax tree.

use crate::syntax::{names_in, types_module, types_of};
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// Adaptation 4. typify puts every type in `mod types`; that module is all
/// this pass looks at.
pub fn open_enums(file: &mut syn::File, schemas: bool) {
    let Some(items) = types_module(file) else {
        return;
    };
    let mut opened = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        let is_string_enum = !e.variants.is_empty()
            && e.variants.iter().all(|v| {
                matches!(v.fields, syn::Fields::Unit)
                    && v.attrs.iter().any(|a| a.path().is_ident("serde"))
            });
        if !is_string_enum {
            continue;
        }
        let mut catch_all: syn::Variant = syn::parse_quote! {
            /// A value this version of the spec does not list, kept as sent. The
            /// service may add values before the spec says so; decoding keeps going
            /// rather than failing the whole response.
            Unrecognized(::std::string::String)
        };
        if schemas {
            catch_all.attrs.push(syn::parse_quote!(#[schemars(skip)]));
        } else {
            // Only schemars still reads the variants' `#[serde(rename)]`.
            for v in e.variants.iter_mut() {
                v.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
        e.variants.push(catch_all);
        // The wire form is the text typify's Display and FromStr already spell
        // out, so serde's derives (five matches over every variant, and the
        // buffering an untagged fallback needs) are left out: a tenth of the
        // library's compile time went to them. A String inside rules out Copy.
        for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            if let Ok(paths) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) {
                let is_serde =
                    |p: &syn::Path| p.segments.first().is_some_and(|s| s.ident == "serde");
                let kept = paths.iter().filter(|p| !p.is_ident("Copy") && !is_serde(p));
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
        opened.push(e.ident.clone());
    }
    // typify's Display matches every variant; give the new one its arm.
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let is_display = imp
            .trait_
            .as_ref()
            .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "Display"));
        let for_opened = matches!(&*imp.self_ty, syn::Type::Path(p) if opened.iter().any(|o| p.path.is_ident(o)));
        if !(is_display && for_opened) {
            continue;
        }
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            for stmt in &mut f.block.stmts {
                if let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt {
                    m.arms.push(syn::parse_quote! {
                        Self::Unrecognized(ref value) => f.write_str(value),
                    });
                }
            }
        }
    }
    // Written as its Display, read by its FromStr, and any other text kept as
    // the catch-all, which tells drift observation (crate::drift) that the
    // answer needs a look.
    for name in &opened {
        items.push(syn::parse_quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }
        });
        items.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::drift::open_enum(deserializer, Self::Unrecognized)
                }
            }
        });
    }
}

/// Adaptation 11: `#[non_exhaustive]` on every struct and enum typify wrote
/// in `mod types` (its own `error` module is left as it is).
pub fn non_exhaustive(file: &mut syn::File) {
    let Some(items) = types_module(file) else {
        return;
    };
    for item in items.iter_mut() {
        let attrs = match item {
            syn::Item::Struct(s) => &mut s.attrs,
            syn::Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        attrs.push(syn::parse_quote!(#[non_exhaustive]));
    }
}

/// Runs `f` on every field of the types an operation's result holds
/// (request bodies are left as they are).
pub fn each_answer_field(
    file: &mut syn::File,
    answers: &BTreeSet<String>,
    mut f: impl FnMut(&mut syn::Field),
) {
    let Some(items) = types_module(file) else {
        return;
    };
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        if answers.contains(&s.ident.to_string()) {
            s.fields.iter_mut().for_each(&mut f);
        }
    }
}

/// The names of the types in `mod types` that an operation's result holds,
/// directly or nested.
pub fn answer_types(file: &syn::File, methods: &[crate::interface::Method]) -> BTreeSet<String> {
    let mut todo = Vec::new();
    for method in methods {
        if let crate::interface::Answer::Json(ty) = &method.answer {
            names_in(ty, &mut todo);
        }
    }
    // What each type's fields or variants mention.
    let mut mentions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in types_of(file) {
        let (name, fields): (_, Vec<&syn::Field>) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), s.fields.iter().collect()),
            syn::Item::Enum(e) => (
                e.ident.to_string(),
                e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
            ),
            _ => continue,
        };
        let mut names = Vec::new();
        for field in fields {
            names_in(&field.ty, &mut names);
        }
        mentions.insert(name, names);
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if let Some(names) = mentions.get(&name) {
            if seen.insert(name) {
                todo.extend(names.iter().cloned());
            }
        }
    }
    seen
}

/// Adaptation 4 and 13, drift side: `crate::drift::Unlisted` for every answer
/// type, saying whether a decoded answer holds a value its enum does not list
/// (the catch-all `Unrecognized`), so that drift observation knows which
/// answers to look at closely without the decoder reporting anything beside
/// the value it returns. A field is looked into only when its type mentions
/// another answer type.
pub fn unlisted(file: &syn::File, answers: &BTreeSet<String>) -> proc_macro2::TokenStream {
    let mentions_answer = |ty: &syn::Type| {
        let mut names = Vec::new();
        names_in(ty, &mut names);
        names.iter().any(|n| answers.contains(n))
    };
    let mut impls = Vec::new();
    for item in types_of(file) {
        let (ident, body) = match item {
            syn::Item::Struct(s) if answers.contains(&s.ident.to_string()) => {
                let checks = s
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| mentions_answer(&f.ty))
                    .map(|(i, f)| match &f.ident {
                        Some(name) => quote!(self.#name.unlisted()),
                        None => {
                            let index = syn::Index::from(i);
                            quote!(self.#index.unlisted())
                        }
                    });
                (&s.ident, quote!(false #(|| #checks)*))
            }
            syn::Item::Enum(e) if answers.contains(&e.ident.to_string()) => {
                let arms = e.variants.iter().map(|v| {
                    let name = &v.ident;
                    if name == "Unrecognized" {
                        return quote!(Self::#name(..) => true,);
                    }
                    match &v.fields {
                        syn::Fields::Unit => quote!(Self::#name => false,),
                        syn::Fields::Unnamed(fields) => {
                            let binds: Vec<_> = (0..fields.unnamed.len())
                                .map(|i| format_ident!("v{i}"))
                                .collect();
                            let checks = fields
                                .unnamed
                                .iter()
                                .zip(&binds)
                                .filter(|(f, _)| mentions_answer(&f.ty))
                                .map(|(_, b)| quote!(#b.unlisted()));
                            quote!(Self::#name(#(#binds),*) => false #(|| #checks)*,)
                        }
                        syn::Fields::Named(fields) => {
                            let names = fields.named.iter().map(|f| &f.ident);
                            let checks = fields
                                .named
                                .iter()
                                .filter(|f| mentions_answer(&f.ty))
                                .map(|f| {
                                    let n = &f.ident;
                                    quote!(#n.unlisted())
                                });
                            quote!(Self::#name { #(#names),* } => false #(|| #checks)*,)
                        }
                    }
                });
                (
                    &e.ident,
                    quote!(#[allow(unused_variables)] match self { #(#arms)* }),
                )
            }
            _ => continue,
        };
        impls.push(quote! {
            impl crate::drift::Unlisted for types::#ident {
                fn unlisted(&self) -> bool {
                    #body
                }
            }
        });
    }
    quote!(#(#impls)*)
}

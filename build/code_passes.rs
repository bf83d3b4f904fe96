//! Passes over the code progenitor generated (adaptations 4, 8, 9, 10, 11, 12, 13).

use quote::quote;

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

/// Adaptation 8: drop `encode_path` from the generated file's import of
/// progenitor_client and import the crate's own under the same name.
pub fn own_path_encoding(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Use(u) = item else { continue };
        let syn::UseTree::Path(p) = &mut u.tree else {
            continue;
        };
        if p.ident != "progenitor_client" {
            continue;
        }
        if let syn::UseTree::Group(g) = &mut *p.tree {
            let kept: Vec<syn::UseTree> = g
                .items
                .iter()
                .filter(|t| !matches!(t, syn::UseTree::Name(n) if n.ident == "encode_path"))
                .cloned()
                .collect();
            g.items = kept.into_iter().collect();
        }
    }
    file.items.push(syn::parse_quote! {
        #[allow(unused_imports)]
        use crate::path::encode_path;
    });
    // Addresses, UUIDs and integers print nothing a segment escapes, so they
    // go into the URL as they print: no copy to encode on every request.
    const PLAIN: &[&str] = &[
        ":: std :: net :: IpAddr",
        ":: uuid :: Uuid",
        "i64",
        "u32",
        "u64",
    ];
    for f in inherent_methods(file) {
        let plain: Vec<String> = f
            .sig
            .inputs
            .iter()
            .filter_map(|arg| {
                let syn::FnArg::Typed(arg) = arg else {
                    return None;
                };
                let syn::Pat::Ident(name) = &*arg.pat else {
                    return None;
                };
                let ty = &arg.ty;
                let ty = quote!(#ty).to_string();
                PLAIN
                    .iter()
                    .any(|p| ty.ends_with(p))
                    .then(|| name.ident.to_string())
            })
            .collect();
        // Only `let url = format!(..)` writes the path.
        let writes_url = |stmt: &syn::Stmt| {
            matches!(stmt, syn::Stmt::Local(l)
                if matches!(&l.pat, syn::Pat::Ident(p) if p.ident == "url"))
        };
        for stmt in f
            .block
            .stmts
            .iter_mut()
            .filter(|s| !plain.is_empty() && writes_url(s))
        {
            let text = quote!(#stmt).to_string();
            let written = plain.iter().fold(text.clone(), |text, name| {
                text.replace(&format!("encode_path (& {name} . to_string ())"), name)
            });
            // Left encoded should it not parse: encoding them is never wrong.
            if let Ok(written) = syn::parse_str(&written) {
                *stmt = written;
            }
        }
    }
}

/// Adaptation 9: the statement that appends `api-version` to each generated
/// method's headers is dropped. Finding none means progenitor changed how it
/// writes them, and the adaptation must be looked at again.
pub fn no_api_version_header(file: &mut syn::File) -> Result<(), String> {
    let mut dropped = 0;
    for f in inherent_methods(file) {
        let stmts = &mut f.block.stmts;
        let before = stmts.len();
        stmts.retain(|stmt| !quote!(#stmt).to_string().contains("\"api-version\""));
        dropped += before - stmts.len();
        // With no header left to add, the map is not made at all: merging an
        // empty one into the request still walked and dropped it on every call.
        let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
        if !stmts
            .iter()
            .any(|s| text(s).contains("header_map . append"))
        {
            stmts.retain(|s| !text(s).starts_with("let mut header_map ="));
            for stmt in stmts.iter_mut() {
                let written = text(stmt).replace(". headers (header_map)", "");
                if written != text(stmt) {
                    *stmt = syn::parse_str(&written)
                        .map_err(|e| format!("adaptation 9: {e}: {written}"))?;
                }
            }
        }
    }
    if dropped == 0 {
        return Err("adaptation 9: no `api-version` header found in the generated methods".into());
    }
    Ok(())
}

/// Adaptation 10: the four statements progenitor writes to send a request
/// (`self.pre(..)`, `let result = self.exec(..)`, `self.post(..)`,
/// `let response = result?`) become one call, which is given the number of
/// `/` in the operation's path template for the request hook's path check
/// (a literal, so no call looks it up by name). Finding none means
/// progenitor changed how it writes them, and the adaptation must be looked
/// at again.
pub fn one_round_trip(
    file: &mut syn::File,
    operations: &[crate::facts::Operation],
) -> Result<(), String> {
    let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
    let sequence = [
        "self . pre (& mut request , & info) . await ?",
        "let result = self . exec (request , & info) . await ;",
        "self . post (& result , & info) . await ?",
        "let response = result ? ;",
    ];
    let mut replaced = 0;
    for f in inherent_methods(file) {
        let stmts = &mut f.block.stmts;
        let Some(at) = stmts.windows(4).position(|w| {
            w.iter()
                .zip(sequence)
                .all(|(stmt, expected)| text(stmt).starts_with(expected))
        }) else {
            continue;
        };
        let id = f.sig.ident.to_string();
        let Some(op) = operations.iter().find(|op| op.id == id) else {
            return Err(format!("adaptation 10: {id} is not in the operation table"));
        };
        // Only text from data can cost a path its segments; a path of
        // literals, addresses, UUIDs and integers (adaptation 8 writes those
        // without `encode_path`) is the template's, and is not checked again.
        let slashes = op.path.matches('/').count();
        let checked = if stmts.iter().any(|s| text(s).contains("encode_path (")) {
            quote!(::std::option::Option::Some(#slashes))
        } else {
            quote!(::std::option::Option::None)
        };
        let call: syn::Stmt = syn::parse_quote! {
            let response = crate::call::round_trip(self, request, &info, #checked).await?;
        };
        stmts.splice(at..at + 4, [call]);
        replaced += 1;
    }
    if replaced == 0 {
        return Err(
            "adaptation 10: no pre/exec/post sequence found in the generated methods".into(),
        );
    }
    Ok(())
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

/// The methods of the generated file's inherent `impl` blocks, progenitor's
/// client methods among them.
pub fn inherent_methods(file: &mut syn::File) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp.items.iter_mut()),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        })
}

/// The items of `mod types`, where typify puts every type.
pub fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Adaptation 12, code side: the arm of each generated method that decodes
/// its one declared success (`200u16 => ...`) becomes an arm for every 2xx
/// status, decoded by `crate::call::json` (or `crate::call::empty` for an
/// answer without a body), which also reports a status or content type the
/// spec of record does not declare. Finding no such arm means progenitor
/// changed how it writes them, and the adaptation must be looked at again.
///
/// A decoded answer is boxed where it is decoded (the method returns
/// `ResponseValue<Box<T>>`, the face unboxes it once): an answer of several
/// hundred bytes is otherwise copied by every layer of the call on its way
/// out, which was the largest cost the client added to a request
/// (docs/performance.md).
pub fn every_success_decodes(file: &mut syn::File) -> Result<(), String> {
    let mut replaced = 0;
    for f in inherent_methods(file) {
        let mut decoded = false;
        for stmt in &mut f.block.stmts {
            let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt else {
                continue;
            };
            let mut empty = None;
            m.arms.retain(|arm| {
                let syn::Pat::Lit(syn::PatLit {
                    lit: syn::Lit::Int(status),
                    ..
                }) = &arm.pat
                else {
                    return true;
                };
                if !status.base10_digits().starts_with('2') {
                    return true;
                }
                let body = &arm.body;
                empty = Some(quote!(#body).to_string().contains("ResponseValue :: empty"));
                false
            });
            let arm: syn::Arm = match empty {
                None => continue,
                Some(true) => syn::parse_quote! {
                    200u16..=299u16 => crate::call::empty(self, response, info.operation_id),
                },
                Some(false) => {
                    decoded = true;
                    syn::parse_quote! {
                        200u16..=299u16 => crate::call::json(self, response, info.operation_id).await,
                    }
                }
            };
            m.arms.insert(0, arm);
            merge_identical_arms(&mut m.arms);
            replaced += 1;
        }
        if decoded {
            let name = f.sig.ident.to_string();
            let answer = crate::face::answer_type_mut(&mut f.sig.output)
                .ok_or_else(|| format!("adaptation 12: {name}: unexpected return type"))?;
            *answer = syn::parse_quote!(::std::boxed::Box<#answer>);
        }
    }
    if replaced == 0 {
        return Err("adaptation 12: no success arm found in the generated methods".into());
    }
    Ok(())
}

/// Neighbouring arms with the same body become one arm with an or-pattern:
/// progenitor writes an arm per documented error status, each awaiting the
/// same decoder, and every await is one more state of the method's future for
/// the compiler to check (docs/build-cost.md).
fn merge_identical_arms(arms: &mut Vec<syn::Arm>) {
    let mut merged: Vec<syn::Arm> = Vec::with_capacity(arms.len());
    for arm in arms.drain(..) {
        if let Some(last) = merged.last_mut() {
            let (body, last_body) = (&arm.body, &last.body);
            // Status literals only: a guard or a binding would change meaning.
            let plain = |pat: &syn::Pat| matches!(pat, syn::Pat::Lit(_) | syn::Pat::Or(_));
            if plain(&arm.pat)
                && plain(&last.pat)
                && quote!(#body).to_string() == quote!(#last_body).to_string()
            {
                let (pat, last_pat) = (arm.pat, &last.pat);
                last.pat = syn::parse_quote!(#last_pat | #pat);
                continue;
            }
        }
        merged.push(arm);
    }
    *arms = merged;
}

/// Adaptation 13, code side: a required text, number or boolean field of an
/// answer's type decodes to its empty value (`""`, `0`, `false`) when the
/// service leaves it out, through `crate::drift::absent`, which tells drift
/// observation the answer needs a look. A field of any other type (an enum, a
/// list, a nested object) stays required: an answer without its `results` or
/// its `risk` is not one decoding can go on with. Request bodies keep their
/// required fields as they are.
pub fn missing_fields_observed(file: &mut syn::File) {
    each_answer_field(file, |field| {
        let ty = &field.ty;
        let ty = quote!(#ty).to_string();
        // The typed values of adaptation 14 that have an empty value too.
        let has_empty = [
            "i64",
            "f64",
            "bool",
            ":: std :: string :: String",
            ":: jiff :: Timestamp",
            ":: std :: option :: Option < crate :: Link >",
        ]
        .contains(&ty.as_str());
        let defaulted = field
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("default"));
        if has_empty && !defaulted {
            // Named with its type: schemars calls the default on its own
            // to show it, where nothing else says what type it makes.
            let ty = &field.ty;
            let default = format!("crate::drift::absent::<{}>", quote!(#ty));
            field
                .attrs
                .push(syn::parse_quote!(#[serde(default = #default)]));
        }
    });
}

/// Runs `f` on every field of the types an operation's result holds
/// (request bodies are left as they are).
pub fn each_answer_field(file: &mut syn::File, mut f: impl FnMut(&mut syn::Field)) {
    let answers = answer_types(file);
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
fn answer_types(file: &syn::File) -> std::collections::BTreeSet<String> {
    let words = |tokens: String| -> Vec<String> {
        tokens
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut todo: Vec<String> = crate::face::generated_methods(file)
        .filter_map(|f| crate::face::success_type(&f.sig.output))
        .flat_map(|t| words(t.to_string()))
        .collect();
    let mut fields_of = std::collections::BTreeMap::new();
    for item in file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
    {
        let (name, tokens) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), {
                let fields = &s.fields;
                quote!(#fields).to_string()
            }),
            syn::Item::Enum(e) => (e.ident.to_string(), {
                let variants = &e.variants;
                quote!(#variants).to_string()
            }),
            _ => continue,
        };
        fields_of.insert(name, tokens);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if let Some(tokens) = fields_of.get(&name) {
            if seen.insert(name) {
                todo.extend(words(tokens.clone()));
            }
        }
    }
    seen
}

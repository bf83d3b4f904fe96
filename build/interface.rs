//! What progenitor is asked for: the types of `mod types`, and each
//! operation's typed interface, read from its positional method's signature
//! (argument names and types, the answer's type, the description). Its
//! method bodies, client struct and hooks are not used: the request builders
//! (build/builders.rs) write each request from the spec and the operation
//! table, and send it through the crate's one call pipeline (src/call.rs).

use crate::syntax::{boxed, first_generic, types_ident};

/// One operation's positional method, as progenitor declared it.
pub struct Method {
    pub id: String,
    /// The description progenitor gave the method (`#[doc]` attributes).
    pub docs: Vec<syn::Attribute>,
    /// The arguments after `&self`, in progenitor's order.
    pub args: Vec<(syn::Ident, syn::Type)>,
    /// What a success decodes into.
    pub answer: Answer,
}

/// What an operation's success carries, as generation saw it.
#[derive(Clone)]
pub enum Answer {
    /// JSON of this type (written with `types::` made absolute).
    Json(syn::Type),
    /// Nothing the operation returns.
    Empty,
}

/// Splits progenitor's output into `mod types`, which stays in `file`, and
/// the methods' interfaces, which are returned; everything else (progenitor's
/// client, its hooks, its re-exports) is dropped.
pub fn split(file: &mut syn::File) -> Result<Vec<Method>, String> {
    let mut methods = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for item in &imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            // progenitor's operation methods are its only `async` ones.
            if f.sig.asyncness.is_none() {
                continue;
            }
            methods.push(method_of(f)?);
        }
    }
    if methods.is_empty() {
        return Err("progenitor declared no operation methods".into());
    }
    file.items
        .retain(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"));
    Ok(methods)
}

fn method_of(f: &syn::ImplItemFn) -> Result<Method, String> {
    let id = f.sig.ident.to_string();
    let mut args = Vec::new();
    for input in f.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(pt) = input else {
            return Err(format!("{id}: an argument that is not typed"));
        };
        let syn::Pat::Ident(pi) = &*pt.pat else {
            return Err(format!("{id}: an argument that is not a name"));
        };
        args.push((pi.ident.clone(), (*pt.ty).clone()));
    }
    Ok(Method {
        answer: answer_of(&f.sig.output).ok_or_else(|| {
            format!("{id}: progenitor's method no longer returns Result<ResponseValue<T>, _>")
        })?,
        docs: f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        args,
        id,
    })
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn answer_of(output: &syn::ReturnType) -> Option<Answer> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = first_generic(ty)?; // ResponseValue<T>
    let inner = first_generic(value)?; // T
    let inner = boxed(inner).unwrap_or(inner);
    // progenitor answers `ByteStream` for an operation that declares no
    // success: nothing the operation returns is known, as for `()`.
    let unknown = matches!(inner, syn::Type::Path(p) if p.path.is_ident("ByteStream"));
    if unknown || matches!(inner, syn::Type::Tuple(t) if t.elems.is_empty()) {
        return Some(Answer::Empty);
    }
    Some(Answer::Json(absolute(inner)))
}

/// `ty` with a leading `types::` made `crate::generated::types::`, so that
/// it can be named from any module.
pub fn absolute(ty: &syn::Type) -> syn::Type {
    match types_ident(ty) {
        Some(name) => syn::parse_quote!(crate::generated::types::#name),
        None => {
            let mut ty = ty.clone();
            if let syn::Type::Path(p) = &mut ty {
                for segment in p.path.segments.iter_mut() {
                    if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                        for arg in args.args.iter_mut() {
                            if let syn::GenericArgument::Type(t) = arg {
                                *t = absolute(t);
                            }
                        }
                    }
                }
            }
            ty
        }
    }
}

//! The face: the methods on `crate::Client` users call (adaptation 5).

use proc_macro2::TokenStream;
use quote::quote;

/// Adaptation 5: a face method per generated method. Its arguments are the
/// generated method's, except that IP addresses are taken by value (they are
/// `Copy`, and `tj.assess_ip("1.2.3.4".parse()?)` reads better than a borrow).
pub fn face_methods(file: &syn::File) -> Result<(TokenStream, Vec<String>), String> {
    let mut methods = Vec::new();
    let mut arms = Vec::new();
    let mut names = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || imp.trait_.is_some() {
            continue;
        }
        for impl_item in &imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let (method, arm) = face_method(f)?;
            methods.push(method);
            arms.push(arm);
            names.push(f.sig.ident.to_string());
        }
    }
    // `Client::call` only with the `dynamic` feature: without it none of the
    // by-name dispatch (an arm and argument decoding per operation) is compiled.
    let dynamic = std::env::var_os("CARGO_FEATURE_DYNAMIC").is_some();
    let call = dynamic.then(|| {
        quote! {
            impl crate::Client {
                /// Calls the operation `operation` (its id, as in [`crate::operations::OPERATIONS`])
                /// with arguments named as the method's parameters (`body` for the request body),
                /// and returns the decoded answer re-serialised as JSON. Strings are accepted for
                /// numbers and booleans, as they come from a URL or a command line.
                pub async fn call(
                    &self,
                    operation: &str,
                    args: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
                ) -> ::std::result::Result<::serde_json::Value, crate::Error> {
                    use crate::dispatch::{arg, to_json};
                    let answer = match operation {
                        #(#arms)*
                        _ => crate::dispatch::call_hand_written(self, operation, args).await,
                    };
                    // Argument errors quote what the caller passed, which may be anything.
                    answer.map_err(|e| e.redacted(&self.generated.inner.redactor))
                }
            }
        }
    });
    let face = quote! {
        impl crate::Client {
            #(#methods)*
        }
        #call
    };
    Ok((face, names))
}

fn face_method(f: &syn::ImplItemFn) -> Result<(TokenStream, TokenStream), String> {
    let name = &f.sig.ident;
    let id = name.to_string();
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let generics = &f.sig.generics;
    let mut params = Vec::new();
    let mut args = Vec::new();
    let mut dispatch_reads = Vec::new();
    let mut dispatch_args = Vec::new();
    for input in f.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(pt) = input else {
            continue;
        };
        let syn::Pat::Ident(pi) = &*pt.pat else {
            return Err(format!("{name}: unexpected argument pattern"));
        };
        let ident = &pi.ident;
        let ty = &*pt.ty;
        match ty {
            syn::Type::Reference(r) if is_ip_addr(&r.elem) => {
                let inner = &r.elem;
                params.push(quote! { #ident: #inner });
                args.push(quote! { &#ident });
            }
            _ => {
                params.push(quote! { #ident: #ty });
                args.push(quote! { #ident });
            }
        }
        let (owned, pass) = owned_argument(ty, ident);
        let arg_name = ident.to_string();
        dispatch_reads.push(quote! { let #ident: #owned = arg(#id, args, #arg_name)?; });
        dispatch_args.push(pass);
    }
    let value =
        success_type(&f.sig.output).ok_or_else(|| format!("{name}: unexpected return type"))?;
    let method = quote! {
        #(#docs)*
        pub async fn #name #generics (&'a self, #(#params),*) -> ::std::result::Result<#value, crate::Error> {
            crate::call::settle(&self.generated.inner.redactor, #id, self.generated.#name(#(#args),*)).await
        }
    };
    let arm = quote! {
        #id => {
            #(#dispatch_reads)*
            to_json(self.#name(#(#dispatch_args),*).await?)
        }
    };
    Ok((method, arm))
}

/// For `Client::call`: the owned type an argument is decoded into, and how it
/// is passed on to the face method (which borrows where the generated one does).
fn owned_argument(ty: &syn::Type, ident: &syn::Ident) -> (TokenStream, TokenStream) {
    match ty {
        syn::Type::Reference(r) if is_ip_addr(&r.elem) => {
            let inner = &r.elem;
            (quote!(#inner), quote!(#ident))
        }
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Path(p) if p.path.is_ident("str") => {
                (quote!(::std::string::String), quote!(&#ident))
            }
            inner => (quote!(#inner), quote!(&#ident)),
        },
        syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option") => {
            match first_generic(ty) {
                Some(syn::Type::Reference(r)) => match &*r.elem {
                    syn::Type::Path(p) if p.path.is_ident("str") => (
                        quote!(Option<::std::string::String>),
                        quote!(#ident.as_deref()),
                    ),
                    inner => (quote!(Option<#inner>), quote!(#ident.as_ref())),
                },
                _ => (quote!(#ty), quote!(#ident)),
            }
        }
        _ => (quote!(#ty), quote!(#ident)),
    }
}

fn is_ip_addr(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "IpAddr"))
}

/// `T` out of `Result<ResponseValue<T>, Error<E>>`, with `types::` made absolute.
pub fn success_type(output: &syn::ReturnType) -> Option<TokenStream> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = first_generic(ty)?; // ResponseValue<T>
    let inner = first_generic(value)?; // T
    let tokens = quote!(#inner).to_string();
    Some(if let Some(rest) = tokens.strip_prefix("types ::") {
        let rest: TokenStream = rest.parse().ok()?;
        quote!(crate::generated::types::#rest)
    } else if tokens == "ByteStream" {
        quote!(crate::generated::ByteStream)
    } else {
        quote!(#inner)
    })
}

fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}


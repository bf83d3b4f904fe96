//! Generates the client from the spec of record, `openapi/threatjammer.json`.
//!
//! progenitor turns the spec into types and one method per operation; this file
//! then adds the project's face methods on `crate::Client`. The output goes to
//! `$OUT_DIR/generated.rs` and is included by `src/generated.rs`. Nothing
//! generated is checked in.
//!
//! The few things progenitor/typify cannot take as the spec says are handled in
//! `ADAPTATIONS` below, each with its reason. The reconciliations of upstream
//! defects that *can* be said in OpenAPI live in `openapi/reconcile.overlay.yaml`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use std::path::Path;

const SPEC: &str = "openapi/threatjammer.json";

/// Build-time adaptations, in the order they run.
///
/// 1. `multipart`: operations whose request body is `multipart/form-data`
///    (the three CSV uploads) are removed before generation: progenitor 0.15
///    rejects that content type and fails the build (DESIGN.md defect 2). They
///    are hand-written in `src/csv_upload.rs` on the same client.
/// 2. `problem`: the shared error schema `Problem` is replaced by the
///    hand-written `crate::problem::Problem`, because the service spells one key
///    both `type` and `"type:"`; typify would make two fields with the same Rust
///    name and the build fails (defect 6).
/// 3. `body names`: request-body schemas named by FastAPI
///    (`Body_create_private_allowlist_of_the_user_v1_allowlist_private_post`)
///    are renamed after the operation (`CreatePrivateAllowlistBody`) (defect 12).
/// 4. `open enums`: every string enum gets a catch-all `Unrecognized` variant
///    (`#[serde(other)]`), so a value the spec does not list yet does not make
///    a whole response undecodable (defect 8). It is skipped by serialisation
///    and by schemars, so requests never carry it and the schema stays the spec's.
/// 5. `face`: for every generated method, a method of the same name on
///    `crate::Client` that returns the decoded value or `crate::Error`, and an
///    arm of `Client::call`, which calls an operation by id with named JSON
///    arguments (the conformance runner, the mock and the command-line tool
///    reach every operation through it).
const _ADAPTATIONS: () = ();

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(message) = generate() {
        // A build script reports failure by exiting non-zero; the message is what the user sees.
        eprintln!("threatjammer build.rs: {message}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(SPEC).map_err(|e| format!("reading {SPEC}: {e}"))?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| format!("parsing {SPEC}: {e}"))?;

    let operations = operation_table(&doc);
    remove_multipart_operations(&mut doc);
    let body_renames = body_schema_renames(&doc);

    let spec: openapiv3::OpenAPI =
        serde_json::from_value(doc).map_err(|e| format!("{SPEC} is not OpenAPI 3.0: {e}"))?;

    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Positional)
        .with_inner_type(quote!(crate::runtime::Runtime))
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        .with_replacement("Problem", "crate::problem::Problem", std::iter::empty());
    for (from, to) in &body_renames {
        settings.with_patch(from, progenitor_impl::TypePatch::default().with_rename(to));
    }
    let tokens = progenitor_impl::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;

    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("parsing generated code: {e}"))?;
    open_enums(&mut file.items);
    let (face, face_names) = face_methods(&file)?;
    let table = operations_tokens(&operations, &face_names);

    let out = Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("generated.rs");
    // Unformatted on purpose: rustfmt/prettyplease would cost build time and nobody reads this file.
    let all = quote! { #file #face #table };
    std::fs::write(&out, all.to_string()).map_err(|e| format!("writing {}: {e}", out.display()))?;
    Ok(())
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

fn operations_of(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (*m, path.as_str(), op)))
        })
}

/// (operation id, METHOD, path template, generated?) for every operation of the spec.
fn operation_table(doc: &Value) -> Vec<(String, String, String, bool)> {
    operations_of(doc)
        .map(|(method, path, op)| {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            (
                id,
                method.to_uppercase(),
                path.to_string(),
                !is_multipart(op),
            )
        })
        .collect()
}

fn is_multipart(op: &Value) -> bool {
    op.pointer("/requestBody/content/multipart~1form-data")
        .is_some()
}

/// Adaptation 1.
fn remove_multipart_operations(doc: &mut Value) {
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.retain(|_, op| !is_multipart(op));
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|i| METHODS.iter().any(|m| i.contains_key(*m)))
        });
    }
}

/// Adaptation 3: (typify's name for the FastAPI body schema, name after the operation).
fn body_schema_renames(doc: &Value) -> Vec<(String, String)> {
    operations_of(doc)
        .filter_map(|(_, _, op)| {
            let reference = op
                .pointer("/requestBody/content/application~1json/schema/$ref")?
                .as_str()?;
            let schema = reference.strip_prefix("#/components/schemas/")?;
            if !schema.starts_with("Body_") {
                return None;
            }
            let id = op["operationId"].as_str()?;
            Some((pascal_case(schema), format!("{}Body", pascal_case(id))))
        })
        .collect()
}

/// typify's way of turning a schema name into a type name, for the cases in this spec.
fn pascal_case(name: &str) -> String {
    name.split(|c: char| c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
            first
                .chain(chars.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect()
}

/// Adaptation 4. typify puts every type at the top of `mod types`, so walking
/// module items reaches them all (without syn's `visit-mut`, which only this
/// would need and which costs a build a larger syn).
fn open_enums(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Enum(item) => open_enum(item),
            syn::Item::Impl(item) => add_unrecognized_display_arm(item),
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &mut module.content {
                    open_enums(items);
                }
            }
            _ => {}
        }
    }
}

fn open_enum(item: &mut syn::ItemEnum) {
    let is_string_enum = !item.variants.is_empty()
        && item.variants.iter().all(|v| {
            matches!(v.fields, syn::Fields::Unit)
                && v.attrs.iter().any(|a| a.path().is_ident("serde"))
        });
    if is_string_enum {
        item.variants.push(syn::parse_quote! {
            /// A value this version of the spec does not list. The service may add values
            /// before the spec says so; decoding keeps going rather than failing the response.
            #[serde(other, skip_serializing)]
            #[schemars(skip)]
            Unrecognized
        });
    }
}

/// typify's Display matches every variant; give the new one its arm.
fn add_unrecognized_display_arm(item: &mut syn::ItemImpl) {
    let is_display = item.trait_.as_ref().is_some_and(|t| {
        let p = &t.0;
        p.segments.last().is_some_and(|s| s.ident == "Display")
    });
    if !is_display {
        return;
    }
    for impl_item in &mut item.items {
        if let syn::ImplItem::Fn(f) = impl_item {
            for stmt in &mut f.block.stmts {
                if let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt {
                    let unit_arms = m.arms.iter().all(|a| matches!(a.pat, syn::Pat::Path(_)));
                    if unit_arms {
                        m.arms.push(syn::parse_quote! { Self::Unrecognized => f.write_str("(unrecognized)"), });
                    }
                }
            }
        }
    }
}

/// Adaptation 5: a face method per generated method. Its arguments are the
/// generated method's, except that IP addresses are taken by value (they are
/// `Copy`, and `tj.assess_ip("1.2.3.4".parse()?)` reads better than a borrow).
fn face_methods(file: &syn::File) -> Result<(TokenStream, Vec<String>), String> {
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
    let face = quote! {
        impl crate::Client {
            #(#methods)*

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
                match operation {
                    #(#arms)*
                    _ => crate::dispatch::call_hand_written(self, operation, args).await,
                }
            }
        }
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
            crate::error::settle(#id, self.generated.#name(#(#args),*)).await
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
fn success_type(output: &syn::ReturnType) -> Option<TokenStream> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = first_generic(ty)?; // ResponseValue<T>
    let inner = first_generic(value)?; // T
    let tokens = quote!(#inner).to_string();
    Some(if tokens.starts_with("types ::") {
        let rest: TokenStream = tokens["types ::".len()..].parse().ok()?;
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

fn operations_tokens(
    operations: &[(String, String, String, bool)],
    face_names: &[String],
) -> TokenStream {
    let rows = operations.iter().map(|(id, method, path, generated)| {
        quote! { crate::operations::Operation { id: #id, method: #method, path: #path, generated: #generated } }
    });
    let count = operations.len();
    let face_count = face_names.len();
    quote! {
        /// Every operation of the spec of record, in the spec's order.
        pub const OPERATIONS: [crate::operations::Operation; #count] = [#(#rows),*];
        /// The face methods build.rs generated, one per generated operation.
        pub const FACE_METHODS: [&str; #face_count] = [#(#face_names),*];
    }
}

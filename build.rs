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
//! "Defect N" is the numbering of `docs/upstream-defects.md`, which also says
//! which defect each adaptation answers.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use std::path::Path;

const SPEC: &str = "openapi/threatjammer.json";

/// Build-time adaptations, in the order they run.
///
/// 1. `multipart`: operations whose request body is `multipart/form-data`
///    (the three CSV uploads) are removed before generation: progenitor 0.15
///    rejects that content type and fails the build (defect 2). They
///    are hand-written in `src/csv_upload.rs` on the same client.
/// 2. `problem`: the shared error schema `Problem` is replaced by the
///    hand-written `crate::problem::Problem`, because the service spells one key
///    both `type` and `"type:"`; typify would make two fields with the same Rust
///    name and the build fails (defect 6).
/// 3. `body names`: request-body schemas named by FastAPI
///    (`Body_create_private_allowlist_of_the_user_v1_allowlist_private_post`)
///    are renamed after the operation (`CreatePrivateAllowlistBody`) (defect 12).
/// 4. `open enums`: every string enum gets a catch-all `Unrecognized(String)`
///    variant (`#[serde(untagged)]`, tried after the named ones), so a value the
///    spec does not list yet does not make a whole response undecodable
///    (defect 8), and is written back exactly as it came. schemars (feature
///    `schemars`) skips it, so the schema stays the spec's.
/// 5. `face`: for every generated method, a method of the same name on
///    `crate::Client` that returns the decoded value or `crate::Error`, and,
///    with the `dynamic` feature, an arm of `Client::call`, which calls an
///    operation by id with named JSON arguments (the conformance runner and
///    the command-line tool's `op` reach every operation through it).
/// 6. `unique titles`: typify names an inline enum after its `title` and
///    gives every later enum with the same title the first one's type, so the
///    token's `status` (ENABLED/DISABLED) decoded as a list's (ACTIVE/...).
///    Where one title covers different schemas, each gets a title from where
///    it is first used (`TokenOutputStatus`, `ListPrivateAllowlistsByTypeResourceType`).
/// 7. `module names`: FastAPI qualifies two same-named models with their module
///    (`v1__models__token__SourceOutput`); they become `SourceOutput` and
///    `TokenSourceOutput`.
/// 8. `path encoding`: the generated methods encode path parameters with
///    `crate::path::encode_path`, the crate's one path codec, instead of
///    progenitor's, which leaves `\` raw; reqwest's URL parser reads it as `/`
///    and a user agent could send the request to another path (see
///    src/path.rs). The operation table gives the request hook the number of
///    segments of each operation's path, so a path that lost or gained
///    segments on the way (an argument of `..`) is refused before it is sent.
/// 9. `no api-version header`: progenitor adds `api-version: <info.version>`
///    to every request, a Dropshot convention. The User API defines no such
///    header, so the generated methods do not send it: the requests are the
///    ones the spec describes, and none carries a header the service ignores.
/// 10. `one round trip`: progenitor writes the hook sequence (`pre`, `exec`,
///     `post`) into every method; it is replaced by one call of
///     `crate::call::round_trip`, which the hand-written operations
///     (src/call/send.rs) call as well, so the sequence is written once.
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
    retitle_colliding_schemas(&mut doc);
    let mut renames = body_schema_renames(&doc);
    renames.extend(module_qualified_renames(&doc));

    let spec: openapiv3::OpenAPI =
        serde_json::from_value(doc).map_err(|e| format!("{SPEC} is not OpenAPI 3.0: {e}"))?;

    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Positional)
        .with_inner_type(quote!(crate::call::HookState))
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_derive("PartialEq")
        .with_replacement("Problem", "crate::problem::Problem", std::iter::empty());
    // JSON Schema derives are about a fifth of the library's compile time and
    // few users need them: only with the `schemars` feature.
    let schemas = std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some();
    if schemas {
        settings.with_derive("schemars::JsonSchema");
    }
    for (from, to) in &renames {
        settings.with_patch(from, progenitor_impl::TypePatch::default().with_rename(to));
    }
    let tokens = progenitor_impl::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;

    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("parsing generated code: {e}"))?;
    open_enums(&mut file, schemas);
    own_path_encoding(&mut file);
    no_api_version_header(&mut file)?;
    one_round_trip(&mut file)?;
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

/// Adaptation 6.
fn retitle_colliding_schemas(doc: &mut Value) {
    // (where it is used, JSON pointer) for every titled inline enum or pattern.
    let mut sites: Vec<(String, String)> = Vec::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            for (prop, _) in schema["properties"].as_object().into_iter().flatten() {
                let site = format!("{}{}", pascal_case(name), pascal_case(prop));
                let base = format!(
                    "/components/schemas/{}/properties/{}",
                    escape(name),
                    escape(prop)
                );
                sites.push((site.clone(), base.clone()));
                sites.push((site, format!("{base}/items")));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op["operationId"].as_str().unwrap_or_default();
            for (i, param) in op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let name = param["name"].as_str().unwrap_or_default();
                let pointer = format!("/paths/{}/{method}/parameters/{i}/schema", escape(path));
                sites.push((format!("{}{}", pascal_case(id), pascal_case(name)), pointer));
            }
        }
    }
    // title -> distinct schema bodies (title left out) -> the sites using each.
    type Uses = Vec<(String, String)>;
    let mut by_title: std::collections::BTreeMap<String, Vec<(String, Uses)>> = Default::default();
    for (site, pointer) in sites {
        let Some(schema) = doc.pointer(&pointer).and_then(Value::as_object) else {
            continue;
        };
        let Some(title) = schema.get("title").and_then(Value::as_str) else {
            continue;
        };
        if !(schema.contains_key("enum") || schema.contains_key("pattern")) {
            continue;
        }
        let mut body = schema.clone();
        body.remove("title");
        let body = Value::Object(body).to_string();
        let bodies = by_title.entry(title.to_string()).or_default();
        match bodies.iter_mut().find(|(b, _)| *b == body) {
            Some((_, uses)) => uses.push((site, pointer)),
            None => bodies.push((body, vec![(site, pointer)])),
        }
    }
    for bodies in by_title.values().filter(|bodies| bodies.len() > 1) {
        for (_, uses) in bodies {
            let title = uses[0].0.clone();
            for (_, pointer) in uses {
                if let Some(schema) = doc.pointer_mut(pointer) {
                    schema["title"] = Value::String(title.clone());
                }
            }
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Adaptation 7.
fn module_qualified_renames(doc: &Value) -> Vec<(String, String)> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .filter_map(|(key, _)| {
            let rest = key.strip_prefix("v1__models__")?;
            let (module, name) = rest.split_once("__")?;
            let module = pascal_case(module);
            let short = if name.starts_with(&module) {
                name.to_string()
            } else {
                format!("{module}{name}")
            };
            Some((pascal_case(key), short))
        })
        .collect()
}

/// A schema or operation name as typify spells it in a type name (heck's
/// UpperCamelCase: `IPAssessmentOutput` -> `IpAssessmentOutput`).
fn pascal_case(name: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(name)
}

/// Adaptation 4. typify puts every type in `mod types`; that module is all
/// this pass looks at.
fn open_enums(file: &mut syn::File, schemas: bool) {
    let types = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    });
    let Some(items) = types else { return };
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
        // serde tries the named variants first and falls back to an untagged
        // one, which keeps the text and writes it back unchanged.
        let mut catch_all: syn::Variant = syn::parse_quote! {
            /// A value this version of the spec does not list, kept as sent. The
            /// service may add values before the spec says so; decoding keeps going
            /// rather than failing the whole response.
            #[serde(untagged)]
            Unrecognized(::std::string::String)
        };
        if schemas {
            catch_all.attrs.push(syn::parse_quote!(#[schemars(skip)]));
        }
        e.variants.push(catch_all);
        // A String inside rules out Copy.
        for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            if let Ok(paths) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) {
                let kept = paths.iter().filter(|p| !p.is_ident("Copy"));
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
}

/// Adaptation 8: drop `encode_path` from the generated file's import of
/// progenitor_client and import the crate's own under the same name.
fn own_path_encoding(file: &mut syn::File) {
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
}

/// Adaptation 9: the statement that appends `api-version` to each generated
/// method's headers is dropped. Finding none means progenitor changed how it
/// writes them, and the adaptation must be looked at again.
fn no_api_version_header(file: &mut syn::File) -> Result<(), String> {
    let mut dropped = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            let stmts = &mut f.block.stmts;
            let before = stmts.len();
            stmts.retain(|stmt| !quote!(#stmt).to_string().contains("\"api-version\""));
            dropped += before - stmts.len();
            // With no header left to add, the map needs no room (nor `mut`):
            // an empty HeaderMap does not allocate.
            let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
            if !stmts
                .iter()
                .any(|s| text(s).contains("header_map . append"))
            {
                for stmt in stmts.iter_mut() {
                    if text(stmt).starts_with("let mut header_map =") {
                        *stmt = syn::parse_quote! {
                            let header_map = ::reqwest::header::HeaderMap::new();
                        };
                    }
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
/// `let response = result?`) become one call. Finding none means progenitor
/// changed how it writes them, and the adaptation must be looked at again.
fn one_round_trip(file: &mut syn::File) -> Result<(), String> {
    let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
    let sequence = [
        "self . pre (& mut request , & info) . await ?",
        "let result = self . exec (request , & info) . await ;",
        "self . post (& result , & info) . await ?",
        "let response = result ? ;",
    ];
    let mut replaced = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            let stmts = &mut f.block.stmts;
            let Some(at) = stmts.windows(4).position(|w| {
                w.iter()
                    .zip(sequence)
                    .all(|(stmt, expected)| text(stmt).starts_with(expected))
            }) else {
                continue;
            };
            let call: syn::Stmt = syn::parse_quote! {
                let response = crate::call::round_trip(self, request, &info).await?;
            };
            stmts.splice(at..at + 4, [call]);
            replaced += 1;
        }
    }
    if replaced == 0 {
        return Err(
            "adaptation 10: no pre/exec/post sequence found in the generated methods".into(),
        );
    }
    Ok(())
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
fn success_type(output: &syn::ReturnType) -> Option<TokenStream> {
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

fn operations_tokens(
    operations: &[(String, String, String, bool)],
    face_names: &[String],
) -> TokenStream {
    let rows = operations.iter().map(|(id, method, path, generated)| {
        quote! { crate::operations::Operation { id: #id, method: #method, path: #path, generated: #generated } }
    });
    let count = operations.len();
    let face_count = face_names.len();
    let slashes = operations.iter().map(|(id, _, path, _)| {
        let count = path.matches('/').count();
        quote! { #id => ::std::option::Option::Some(#count), }
    });
    quote! {
        /// Every operation of the spec of record, in the spec's order.
        pub const OPERATIONS: [crate::operations::Operation; #count] = [#(#rows),*];
        /// The face methods build.rs generated, one per generated operation.
        pub const FACE_METHODS: [&str; #face_count] = [#(#face_names),*];
        /// How many `/` an operation's path template has, for the request hook's
        /// check that a path kept its segments (a `match`, so no table is searched
        /// per request).
        pub(crate) fn path_slashes(operation_id: &str) -> ::std::option::Option<usize> {
            match operation_id {
                #(#slashes)*
                _ => ::std::option::Option::None,
            }
        }
    }
}

//! The request builders (adaptation 5), written from the spec of record, the
//! operation table and the typed interface progenitor declared
//! (build/interface.rs): for every operation, a method on `crate::Client`
//! taking the required arguments and returning a builder in
//! `crate::request`, with a setter for each optional argument, per-call
//! options, and the request itself: its URL, query, headers and body, written
//! here as syntax and sent through `crate::call::run`, the one call pipeline.
//! Also the pipeline's per-operation constants and, with the `dynamic`
//! feature, `Client::call`.

use crate::facts::Operation;
use crate::interface::{Answer, Method};
use crate::spec::pascal_case;
use crate::syntax::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// The builders' own methods and fields, which no argument may be named.
const RESERVED: &[&str] = &[
    "client",
    "options",
    "timeout",
    "retry",
    "send",
    "send_with_response",
    "send_text",
    "answer",
    "pages",
    "into_future",
];

/// Where the spec puts one argument of an operation.
#[derive(Clone, PartialEq)]
pub enum Place {
    Path(String),
    Query(String),
    Header(String),
    /// A top-level field of a JSON request body that is an object.
    BodyField,
    /// A JSON request body taken whole (one that is not an object of fields).
    Body,
    /// A file part of a `multipart/form-data` body (`CsvInput`).
    File(String),
}

/// What the spec of record says of one operation's request, read before
/// generation (the multipart bodies are set aside for progenitor).
pub struct Wire {
    pub id: String,
    /// `(name, place)` of every parameter, as the spec spells the names.
    pub parameters: Vec<(String, Place)>,
    /// The file parts of a multipart body.
    pub files: Vec<String>,
    /// Whether a success may also be text (`text/csv`, `text/plain`).
    pub text: bool,
}

/// Reads every operation's request as the spec of record describes it.
pub fn wires(doc: &Value) -> Vec<Wire> {
    crate::spec::operations_of(doc)
        .map(|(_, _, op)| {
            let parameters = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let p = crate::spec::resolve(doc, p);
                    let name = p["name"].as_str()?.to_string();
                    let place = match p["in"].as_str()? {
                        "path" => Place::Path(name.clone()),
                        "query" => Place::Query(name.clone()),
                        "header" => Place::Header(name.clone()),
                        // progenitor declares no argument for a cookie; none is sent.
                        _ => return None,
                    };
                    Some((name, place))
                })
                .collect();
            // A body that declares JSON is sent as JSON, whatever else it declares.
            let form = &op["requestBody"]["content"]["multipart/form-data"]["schema"];
            let form = crate::spec::resolve(doc, form);
            let files = form["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|_| crate::spec::is_multipart(op))
                .filter(|(_, s)| s["format"] == "binary")
                .map(|(name, _)| name.clone())
                .collect();
            let text = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .flat_map(|(_, r)| r["content"].as_object().into_iter().flatten())
                .any(|(media, _)| media.starts_with("text/"));
            Wire {
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                parameters,
                files,
                text,
            }
        })
        .collect()
}

/// One argument of an operation, as the builder holds it.
struct Arg {
    ident: syn::Ident,
    /// The type the builder stores: owned, `Option<_>` for an optional one.
    stored: syn::Type,
    /// What the method or setter takes.
    taken: TokenStream,
    /// Whether a taken value is stored through `Into` (text, files).
    into: bool,
    required: bool,
    /// Whether the stored value is the taken one in `Some`.
    some: bool,
    place: Place,
}

impl Arg {
    /// How the taken value, in the local `value`, becomes the stored one.
    fn store(&self, value: &syn::Ident) -> TokenStream {
        let converted = if self.into {
            quote!(#value.into())
        } else {
            quote!(#value)
        };
        if self.some {
            quote!(::std::option::Option::Some(#converted))
        } else {
            converted
        }
    }
}

/// The generated face: builder methods, builders, page streams, the call
/// pipeline's constants and, with the `dynamic` feature, `Client::call`.
pub fn builders(
    types: &syn::File,
    methods: &[Method],
    operations: &[Operation],
    wires: &[Wire],
) -> Result<TokenStream, String> {
    let structs = structs_of_types(types);
    let mut methods_out = Vec::new();
    let mut builders = Vec::new();
    let mut arms = Vec::new();
    let mut names = Vec::new();
    let mut inputs = Vec::new();
    let mut calls = Vec::new();
    let mut page_impls: Vec<(Vec<String>, TokenStream)> = Vec::new();
    for (index, op) in operations.iter().enumerate() {
        let method = methods
            .iter()
            .find(|m| m.id == op.id)
            .ok_or_else(|| format!("{}: progenitor declared no method for it", op.id))?;
        let wire = wires
            .iter()
            .find(|w| w.id == op.id)
            .ok_or_else(|| format!("{}: not in the spec's operations", op.id))?;
        let face = Face::of(method, op, wire, index, &structs)?;
        inputs.extend(face.nested_inputs.iter().cloned());
        if let (Some(pages), Answer::Json(value)) = (&op.pages, &method.answer) {
            // One impl per answer type, however many listings answer with it.
            let mut key = Vec::new();
            names_in(value, &mut key);
            if !page_impls.iter().any(|(v, _)| *v == key) {
                page_impls.push((key, page_impl(value, pages)));
            }
        }
        calls.push(face.call_constant());
        methods_out.push(face.method());
        builders.push(face.builder()?);
        arms.push(face.arm());
        names.push(op.id.clone());
    }
    let page_impls = page_impls.into_iter().map(|(_, tokens)| tokens);
    inputs.sort();
    inputs.dedup();
    let constructors = inputs
        .iter()
        .map(|name| input_constructor(name, &structs))
        .collect::<Result<Vec<_>, _>>()?;
    let face_count = names.len();
    let ids = operations.iter().map(|op| &op.id);
    let indexes = 0..operations.len();
    // `Client::call` only with the `dynamic` feature: without it none of the
    // by-name dispatch (an arm and argument decoding per operation) is compiled.
    let dynamic = std::env::var_os("CARGO_FEATURE_DYNAMIC").is_some();
    let call = dynamic.then(|| {
        quote! {
            impl crate::Client {
                /// Calls the operation `operation` (its id, as in [`crate::operations::OPERATIONS`])
                /// with arguments named as the method's parameters (`body` for the request body,
                /// as JSON; a file's text by its part's name), and returns the decoded answer
                /// re-serialised as JSON. Strings are accepted for numbers and booleans, as they
                /// come from a URL or a command line.
                #[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
                pub async fn call(
                    &self,
                    operation: &str,
                    args: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
                ) -> ::std::result::Result<::serde_json::Value, crate::Error> {
                    use crate::dispatch::{arg, to_json};
                    let answer = match operation {
                        #(#arms)*
                        _ => ::std::result::Result::Err(crate::dispatch::no_such(operation)),
                    };
                    // Argument errors quote what the caller passed, which may be anything.
                    answer.map_err(|e| e.redacted(&self.state().redactor))
                }
            }
        }
    });
    Ok(quote! {
        /// The request builders of the operations (see `crate::request`).
        pub mod request {
            // Field types are written as typify wrote them inside `types`.
            use super::types::{self, *};
            impl crate::Client {
                #(#methods_out)*
            }
            #(#builders)*
            #(#constructors)*
        }
        #(#page_impls)*
        /// The methods build/builders.rs generated, one per operation.
        pub const FACE_METHODS: [&str; #face_count] = [#(#names),*];
        /// What the call pipeline knows of each operation, in the table's order.
        pub(crate) static CALLS: [crate::call::Op; #face_count] = [#(#calls),*];
        /// The call pipeline's constants of the operation `id`.
        pub(crate) fn call_op(id: &str) -> ::std::option::Option<&'static crate::call::Op> {
            match id {
                #(#ids => ::std::option::Option::Some(&CALLS[#indexes]),)*
                _ => ::std::option::Option::None,
            }
        }
        #call
    })
}

/// The named-field structs of `mod types`.
fn structs_of_types(types: &syn::File) -> Vec<&syn::ItemStruct> {
    types_of(types)
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => Some(s),
            _ => None,
        })
        .collect()
}

/// Whether a struct field may be left out: an `Option`, or a field serde
/// fills with its default.
fn is_optional_field(field: &syn::Field) -> bool {
    option_inner(&field.ty).is_some() || serde_has(&field.attrs, "default")
}

struct Face<'a> {
    method: &'a Method,
    op: &'a Operation,
    wire: &'a Wire,
    index: usize,
    builder: syn::Ident,
    args: Vec<Arg>,
    /// The request body's struct, when its fields are the builder's.
    body: Option<syn::Ident>,
    /// Input structs nested in the body, which get constructors.
    nested_inputs: Vec<String>,
}

impl<'a> Face<'a> {
    fn of(
        method: &'a Method,
        op: &'a Operation,
        wire: &'a Wire,
        index: usize,
        structs: &[&syn::ItemStruct],
    ) -> Result<Face<'a>, String> {
        let id = &op.id;
        let mut args = Vec::new();
        let mut body = None;
        let mut nested_inputs = Vec::new();
        for (ident, ty) in &method.args {
            if ident == "body" {
                let body_struct = match ty {
                    syn::Type::Reference(r) => types_ident(&r.elem),
                    _ => None,
                }
                .and_then(|n| structs.iter().find(|s| s.ident == *n));
                let Some(s) = body_struct else {
                    args.push(parameter(ident.clone(), ty, Place::Body));
                    continue;
                };
                body = Some(s.ident.clone());
                for field in &s.fields {
                    let ident = field.ident.clone().expect("named field");
                    nested_inputs.extend(nested_struct_names(&field.ty, structs));
                    args.push(body_field(ident, field));
                }
                continue;
            }
            let place = wire
                .parameters
                .iter()
                .find(|(name, _)| same_name(name, ident))
                .map(|(_, place)| place.clone())
                .ok_or_else(|| {
                    format!("{id}: progenitor's argument `{ident}` names no parameter of the spec")
                })?;
            args.push(parameter(ident.clone(), ty, place));
        }
        for file in &wire.files {
            let ident = format_ident!("{}", heck::ToSnakeCase::to_snake_case(file.as_str()));
            args.push(Arg {
                ident,
                stored: syn::parse_quote!(crate::CsvInput),
                taken: quote!(impl ::std::convert::Into<crate::CsvInput>),
                into: true,
                required: true,
                some: false,
                place: Place::File(file.clone()),
            });
        }
        if wire.files.len() > 1 {
            return Err(format!(
                "{id}: a multipart body of {} files; the builders send one",
                wire.files.len()
            ));
        }
        for arg in &args {
            let text = arg.ident.to_string();
            if RESERVED.contains(&text.as_str()) {
                return Err(format!(
                    "{id}: argument `{text}` clashes with a builder method"
                ));
            }
            if args.iter().filter(|a| a.ident == arg.ident).count() > 1 {
                return Err(format!(
                    "{id}: `{text}` is both a parameter and a body field"
                ));
            }
        }
        // Required arguments first, in progenitor's order.
        args.sort_by_key(|a| !a.required);
        Ok(Face {
            builder: format_ident!("{}", pascal_case(id)),
            method,
            op,
            wire,
            index,
            args,
            body,
            nested_inputs,
        })
    }

    fn ident(&self) -> syn::Ident {
        format_ident!("{}", self.op.id)
    }

    /// The success type, as the builder returns it.
    fn value(&self) -> TokenStream {
        match &self.method.answer {
            Answer::Json(ty) => quote!(#ty),
            Answer::Empty => quote!(()),
        }
    }

    /// The pipeline's constant for this operation.
    fn call_constant(&self) -> TokenStream {
        let id = &self.op.id;
        let repeatable = self.op.repeatable;
        let counted = self.op.counted;
        // Only text from data can cost a path its segments; a path of literals,
        // addresses, UUIDs and integers is the template's, and is not checked again.
        let checked = if self
            .args
            .iter()
            .any(|a| matches!(a.place, Place::Path(_)) && !prints_plainly(&a.stored))
        {
            let slashes = self.op.path.matches('/').count();
            quote!(::std::option::Option::Some(#slashes))
        } else {
            quote!(::std::option::Option::None)
        };
        quote! {
            crate::call::Op {
                id: #id,
                repeatable: #repeatable,
                counted: #counted,
                checked_slashes: #checked,
            }
        }
    }

    fn method(&self) -> TokenStream {
        let name = self.ident();
        let builder = &self.builder;
        let docs = &self.method.docs;
        let params = self.args.iter().filter(|a| a.required).map(|a| {
            let (ident, taken) = (&a.ident, &a.taken);
            quote!(#ident: #taken)
        });
        let fields = self.args.iter().map(|a| {
            let ident = &a.ident;
            if a.required {
                let store = a.store(ident);
                quote!(#ident: #store)
            } else {
                quote!(#ident: ::std::default::Default::default())
            }
        });
        quote! {
            #(#docs)*
            ///
            /// Returns the request: set optional arguments on it, then `.await` it.
            pub fn #name(&self, #(#params),*) -> #builder<'_> {
                #builder {
                    client: self,
                    options: ::std::default::Default::default(),
                    #(#fields,)*
                }
            }
        }
    }

    /// The request of one attempt, from the builder's locals: a closure of
    /// the HTTP client and the base URL, as `crate::call::run` takes it.
    fn request(&self) -> TokenStream {
        let method = format_ident!("{}", self.op.method.to_uppercase());
        // The URL: the template's text, with each placeholder's argument.
        let mut format = String::from("{}");
        let mut values = Vec::new();
        let mut rest = self.op.path.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            format.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
            format.push_str("{}");
            let name = &rest[open + 1..close];
            let arg = self
                .args
                .iter()
                .find(|a| a.place == Place::Path(name.to_string()));
            values.push(match arg {
                Some(a) if prints_plainly(&a.stored) => {
                    let ident = &a.ident;
                    quote!(#ident)
                }
                Some(a) if is_string(&a.stored) => {
                    let ident = &a.ident;
                    quote!(crate::path::encode_path(&#ident))
                }
                Some(a) => {
                    let ident = &a.ident;
                    quote!(crate::path::encode_path(&#ident.to_string()))
                }
                // A placeholder no argument fills is sent as written; the
                // service answers it as it would any unknown path.
                None => quote!(#name),
            });
            rest = &rest[(close + 1).min(rest.len())..];
        }
        format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        let mut steps = Vec::new();
        for a in &self.args {
            let ident = &a.ident;
            match &a.place {
                Place::Query(name) => steps.push(quote! {
                    let request = request.query(&::progenitor_client::QueryParam::new(#name, &#ident));
                }),
                Place::Header(name) if a.some => steps.push(quote! {
                    let request = match &#ident {
                        ::std::option::Option::Some(value) => request.header(#name, value.to_string()),
                        ::std::option::Option::None => request,
                    };
                }),
                Place::Header(name) => steps.push(quote! {
                    let request = request.header(#name, #ident.to_string());
                }),
                Place::Body => steps.push(quote! { let request = request.json(&#ident); }),
                _ => {}
            }
        }
        if self.body.is_some() {
            steps.push(quote! { let request = request.json(&body); });
        }
        let finish = if self.wire.files.is_empty() {
            quote!(::std::option::Option::Some(request))
        } else {
            quote!(upload.attach(request))
        };
        quote! {
            |http: &::reqwest::Client, base: &str| {
                let request = http.request(::reqwest::Method::#method, format!(#format, base, #(#values),*));
                #(#steps)*
                #finish
            }
        }
    }

    fn builder(&self) -> Result<TokenStream, String> {
        let id = &self.op.id;
        let index = self.index;
        let builder = &self.builder;
        let value = self.value();
        let struct_doc = format!(
            "A request to `{id}` ({} `{}`), made by [`Client::{id}`](crate::Client::{id}). \
             Awaiting it sends it.",
            self.op.method, self.op.path
        );
        let field_defs = self.args.iter().map(|a| {
            let (ident, stored) = (&a.ident, &a.stored);
            quote!(#ident: #stored)
        });
        let setters = self.args.iter().filter(|a| !a.required).map(|a| {
            let (ident, taken) = (&a.ident, &a.taken);
            let store = a.store(ident);
            let doc = format!(
                "Sets the optional {} `{ident}`.",
                if a.place == Place::BodyField {
                    "body field"
                } else {
                    "parameter"
                }
            );
            quote! {
                #[doc = #doc]
                pub fn #ident(mut self, #ident: #taken) -> Self {
                    self.#ident = #store;
                    self
                }
            }
        });
        let locals: Vec<_> = self.args.iter().map(|a| &a.ident).collect();
        let body = self.body.as_ref().map(|body| {
            let body_fields = self
                .args
                .iter()
                .filter(|a| a.place == Place::BodyField)
                .map(|a| &a.ident);
            quote! { let body = types::#body { #(#body_fields),* }; }
        });
        let checks = self.checks()?;
        let checks = (!checks.is_empty()).then(|| {
            quote! {
                if client.state().check_arguments {
                    #(#checks)*
                }
            }
        });
        // A file is read into memory when it is text already, and can be sent
        // again; a file or reader is streamed once.
        let (upload, repeatable) = match self
            .args
            .iter()
            .find(|a| matches!(a.place, Place::File(_)))
        {
            Some(file) => {
                let (ident, Place::File(part)) = (&file.ident, &file.place) else {
                    unreachable!("found by its place")
                };
                let repeatable = self.op.repeatable;
                (
                    Some(
                        quote! { let mut upload = crate::upload::Upload::new(#part, #ident).await?; },
                    ),
                    quote!(#repeatable && upload.repeatable()),
                )
            }
            None => (None, {
                let repeatable = self.op.repeatable;
                quote!(#repeatable)
            }),
        };
        let request = self.request();
        let boxed = matches!(self.method.answer, Answer::Json(_));
        let (raw, unbox, unbox_response) = if boxed {
            (
                quote!(::std::boxed::Box<#value>),
                quote!(.map(|answer| *answer.value)),
                quote!(.map(|answer| answer.map(|value| *value))),
            )
        } else {
            (value.clone(), quote!(.map(|answer| answer.value)), quote!())
        };
        let sent = quote!(self.answer::<#raw>().await #unbox);
        // With the `cache` feature, a cached lookup may be answered without
        // sending, and a change to the caller's lists drops what depends on them.
        let cached = std::env::var_os("CARGO_FEATURE_CACHE").is_some()
            && (self.op.cache.is_some() || self.op.changes_lists);
        let send_body = if cached {
            let fields = self.args.iter().map(|a| &a.ident);
            quote! {
                let lookup = crate::cache::Lookup::new(self.client, #id, &(#(&self.#fields,)*));
                lookup.run(async move { #sent }).await
            }
        } else {
            sent
        };
        let send_text = self.wire.text.then(|| {
            quote! {
                /// Sends the request and returns the answer as the text it came as,
                /// for an operation that may answer text (`text/csv`, `text/plain`).
                pub(crate) async fn send_text(self) -> ::std::result::Result<::std::string::String, crate::Error> {
                    self.answer::<::std::string::String>().await.map(|answer| answer.value)
                }
            }
        });
        let pages = self.pages();
        let debug = (!self.wire.files.is_empty()).then(|| quote!(#[derive(Debug)]));
        Ok(quote! {
            #[doc = #struct_doc]
            #[must_use = "a request is sent only when it is awaited"]
            #debug
            pub struct #builder<'a> {
                client: &'a crate::Client,
                options: crate::call::CallOptions,
                #(#field_defs,)*
            }

            impl<'a> #builder<'a> {
                #(#setters)*

                /// How long each attempt may take, in place of the client's timeout.
                pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                    self.options.timeout = ::std::option::Option::Some(timeout);
                    self
                }

                /// How this call is repeated after a transient failure, in place of the
                /// client's policy.
                pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                    self.options.retry = ::std::option::Option::Some(policy);
                    self
                }

                /// Sends the request, repeating it as the retry policy allows, and
                /// decodes the answer. `.await` on the builder does the same.
                pub async fn send(self) -> ::std::result::Result<#value, crate::Error> {
                    #send_body
                }

                /// Like `send`, with the answer's status and headers beside the
                /// decoded value.
                pub async fn send_with_response(
                    self,
                ) -> ::std::result::Result<crate::request::Response<#value>, crate::Error> {
                    self.answer::<#raw>().await #unbox_response
                }

                #send_text

                /// The arguments checked, then the call with its attempts.
                async fn answer<A: crate::call::Answer>(
                    self,
                ) -> ::std::result::Result<crate::request::Response<A>, crate::Error> {
                    let Self { client, options, #(#locals),* } = self;
                    #checks
                    #body
                    #upload
                    crate::call::run(client, &super::CALLS[#index], #repeatable, &options, #request).await
                }

                #pages
            }

            impl<'a> ::std::future::IntoFuture for #builder<'a> {
                type Output = ::std::result::Result<#value, crate::Error>;
                type IntoFuture = crate::request::Pending<'a, #value>;
                // Inline, so that the boxed future's code is compiled in the
                // crate that awaits it, for the operations it uses: a vtable
                // made here would compile every operation's call into the library.
                #[inline]
                fn into_future(self) -> Self::IntoFuture {
                    ::std::boxed::Box::pin(self.send())
                }
            }
        })
    }

    /// The checks `send` makes of its arguments before anything is sent: one
    /// per argument the spec constrains beyond what its type guarantees
    /// (build/arguments.rs). A rule whose argument is not found fails the
    /// build rather than go unchecked.
    fn checks(&self) -> Result<Vec<TokenStream>, String> {
        let id = &self.op.id;
        let mut checks = Vec::new();
        for rule in &self.op.rules {
            let arg = self
                .args
                .iter()
                .find(|a| {
                    (a.place == Place::BodyField) == rule.in_body && same_name(&rule.name, &a.ident)
                })
                .ok_or_else(|| {
                    format!(
                        "{id}: the spec constrains `{}`, which the request builder does not hold",
                        rule.name
                    )
                })?;
            checks.extend(crate::arguments::check_tokens(
                id,
                rule,
                &arg.ident,
                &arg.stored,
            )?);
        }
        Ok(checks)
    }

    /// `pages()` for a paged listing: a stream of every page, from the first.
    fn pages(&self) -> Option<TokenStream> {
        self.op.pages.as_ref()?;
        let id = &self.op.id;
        let builder = &self.builder;
        let value = self.value();
        let others: Vec<_> = self
            .args
            .iter()
            .map(|a| &a.ident)
            .filter(|i| *i != "page" && *i != "page_size")
            .collect();
        Some(quote! {
            /// Every page of the listing, from the first to the last (see
            /// `crate::pages` for how the end is found); a page already set is ignored.
            pub fn pages(self) -> impl ::futures_util::Stream<Item = ::std::result::Result<#value, crate::Error>> + Send + 'static {
                let Self { client, options, page_size, #(#others,)* .. } = self;
                let client = client.clone();
                crate::pages::walk(#id, page_size, crate::pages::MAX_PAGES, move |page| {
                    let client = client.clone();
                    let options = options.clone();
                    #(let #others = #others.clone();)*
                    async move {
                        #builder {
                            client: &client,
                            options,
                            page: ::std::option::Option::Some(page),
                            page_size,
                            #(#others,)*
                        }
                        .send()
                        .await
                    }
                })
            }
        })
    }

    /// The arm of `Client::call`: arguments decoded by name, the body as a
    /// whole, a file as its text.
    fn arm(&self) -> TokenStream {
        let id = &self.op.id;
        let mut reads = Vec::new();
        for a in &self.args {
            let ident = &a.ident;
            match &a.place {
                Place::BodyField => {}
                Place::File(part) => reads.push(quote! {
                    let #ident: ::std::string::String = arg(#id, args, #part)?;
                }),
                _ => {
                    let (stored, arg_name) = (&a.stored, ident.to_string());
                    reads.push(quote! { let #ident: #stored = arg(#id, args, #arg_name)?; });
                }
            }
        }
        if let Some(body) = &self.body {
            let fields = self
                .args
                .iter()
                .filter(|a| a.place == Place::BodyField)
                .map(|a| &a.ident);
            reads.push(quote! {
                let types::#body { #(#fields,)* .. } = arg(#id, args, "body")?;
            });
        }
        let required = self.args.iter().filter(|a| a.required).map(|a| &a.ident);
        let optional = self.args.iter().filter(|a| !a.required).map(|a| {
            let ident = &a.ident;
            if a.some {
                quote! { if let Some(value) = #ident { request = request.#ident(value); } }
            } else {
                quote! { request = request.#ident(#ident); }
            }
        });
        let method = self.ident();
        quote! {
            #id => {
                #(#reads)*
                #[allow(unused_mut)]
                let mut request = self.#method(#(#required),*);
                #(#optional)*
                to_json(request.await?)
            }
        }
    }
}

/// Whether the spec's name `name` is the argument `ident`, as progenitor
/// and typify spell names: snake case, a keyword given a trailing `_`.
fn same_name(name: &str, ident: &syn::Ident) -> bool {
    let wanted = heck::ToSnakeCase::to_snake_case(name);
    let ident = ident.to_string();
    let ident = ident.trim_start_matches("r#").trim_end_matches('_');
    ident == wanted.trim_end_matches('_')
}

/// Whether a value of `ty` goes into a URL as it prints: addresses, UUIDs and
/// integers print nothing a segment escapes, so no copy is encoded.
fn prints_plainly(ty: &syn::Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    is_primitive(ty, &["i64", "i32", "u32", "u64"])
        || is_path(ty, &["std", "net", "IpAddr"])
        || is_path(ty, &["uuid", "Uuid"])
}

/// How a page walk counts the entries of a page and reads its numbering.
fn page_impl(value: &syn::Type, pages: &crate::facts::Pages) -> TokenStream {
    let items = pages.items.iter().map(|i| format_ident!("{i}"));
    let numbering = if pages.numbered {
        quote!(::std::option::Option::Some((self.page, self.page_size)))
    } else {
        quote!(::std::option::Option::None)
    };
    quote! {
        impl crate::pages::Page for #value {
            fn entries(&self) -> usize {
                0 #(+ self.#items.len())*
            }
            fn numbering(&self) -> ::std::option::Option<(i64, i64)> {
                #numbering
            }
        }
    }
}

/// A parameter (or a body taken whole), as the builder holds it: references
/// progenitor takes become owned values.
fn parameter(ident: syn::Ident, ty: &syn::Type, place: Place) -> Arg {
    let (inner, required) = match option_inner(ty) {
        Some(inner) => (inner, false),
        None => (ty, true),
    };
    let owned: syn::Type = match inner {
        syn::Type::Reference(r) if is_path(&r.elem, &["str"]) => {
            syn::parse_quote!(::std::string::String)
        }
        syn::Type::Reference(r) => (*r.elem).clone(),
        other => other.clone(),
    };
    let (taken, into) = taking(&owned);
    Arg {
        stored: if required {
            owned
        } else {
            syn::parse_quote!(::std::option::Option<#owned>)
        },
        taken,
        into,
        required,
        some: !required,
        place,
        ident,
    }
}

/// A top-level field of a request body.
fn body_field(ident: syn::Ident, field: &syn::Field) -> Arg {
    let required = !is_optional_field(field);
    let inner = option_inner(&field.ty).filter(|_| !required);
    let (taken, into) = taking(inner.unwrap_or(&field.ty));
    Arg {
        stored: field.ty.clone(),
        taken,
        into,
        required,
        some: inner.is_some(),
        place: Place::BodyField,
        ident,
    }
}

/// What a method takes for a value stored as `owned`: text as
/// `impl Into<String>` (a `&str` or a `String`), everything else as itself,
/// so that `tj.assess_ip("1.2.3.4".parse()?)` infers its type.
fn taking(owned: &syn::Type) -> (TokenStream, bool) {
    if is_string(owned) {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            true,
        )
    } else {
        (quote!(#owned), false)
    }
}

/// A constructor of the required fields and setters for the optional ones,
/// for a struct a request body holds: `#[non_exhaustive]` rules out building
/// it with a literal outside this crate.
fn input_constructor(name: &str, structs: &[&syn::ItemStruct]) -> Result<TokenStream, String> {
    let s = structs
        .iter()
        .find(|s| s.ident == name)
        .ok_or_else(|| format!("input {name} is not a struct"))?;
    let ident = &s.ident;
    let fields: Vec<Arg> = s
        .fields
        .iter()
        .map(|f| body_field(f.ident.clone().expect("named field"), f))
        .collect();
    let params = fields.iter().filter(|a| a.required).map(|a| {
        let (field, taken) = (&a.ident, &a.taken);
        quote!(#field: #taken)
    });
    let inits = fields.iter().filter(|a| a.required).map(|a| {
        let field = &a.ident;
        let store = a.store(field);
        quote!(#field: #store)
    });
    let defaults = fields.iter().filter(|a| !a.required).map(|a| &a.ident);
    let setters = fields.iter().filter(|a| !a.required).map(|a| {
        let (field, taken) = (&a.ident, &a.taken);
        let store = a.store(field);
        let doc = format!("Sets the optional `{field}`.");
        quote! {
            #[doc = #doc]
            pub fn #field(mut self, #field: #taken) -> Self {
                self.#field = #store;
                self
            }
        }
    });
    let doc = format!("A `{name}` of its required fields; the others are set with their setters.");
    Ok(quote! {
        impl types::#ident {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                types::#ident {
                    #(#inits,)*
                    #(#defaults: ::std::default::Default::default(),)*
                }
            }
            #(#setters)*
        }
    })
}

/// The structs of `types` a field's type holds (directly, or in an `Option` or `Vec`).
fn nested_struct_names(ty: &syn::Type, structs: &[&syn::ItemStruct]) -> Vec<String> {
    let inner = option_inner(ty).or_else(|| vec_inner(ty)).unwrap_or(ty);
    let Some(last) = last_ident(inner) else {
        return Vec::new();
    };
    structs
        .iter()
        .filter(|s| s.ident == *last)
        .map(|s| s.ident.to_string())
        .collect()
}

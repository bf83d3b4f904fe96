//! The face (adaptation 5): for every generated operation, a method on
//! `crate::Client` taking the required arguments and returning a request
//! builder in `crate::request`, which holds the optional ones as setters and
//! sends when awaited. The generated positional methods stay underneath as
//! the one place a request is built; the builder calls one per attempt.

use crate::facts::Operation;
use crate::spec::pascal_case;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The builders' own methods and fields, which no argument may be named.
const RESERVED: &[&str] = &[
    "client",
    "options",
    "timeout",
    "retry",
    "send",
    "send_with_response",
    "answer",
    "pages",
    "into_future",
];

/// One argument of an operation, as the builder holds it.
struct Arg {
    ident: syn::Ident,
    /// The type the builder stores: owned, `Option<_>` for an optional parameter.
    stored: TokenStream,
    /// What the method or setter takes.
    taken: TokenStream,
    /// How a taken value `value` becomes the stored one.
    store: TokenStream,
    required: bool,
    /// Whether the stored value is the taken one in `Some`.
    some: bool,
    /// A top-level field of the request body (rather than a parameter).
    in_body: bool,
    /// How the stored value `x` is handed to the generated method, per attempt.
    pass: TokenStream,
}

/// The generated face: builder methods, builders, page streams and, with the
/// `dynamic` feature, `Client::call`.
pub fn face_methods(file: &syn::File, operations: &[Operation]) -> Result<TokenStream, String> {
    let structs = structs_of_types(file);
    let mut methods = Vec::new();
    let mut builders = Vec::new();
    let mut arms = Vec::new();
    let mut names = Vec::new();
    let mut inputs = Vec::new();
    let mut page_impls: Vec<(String, TokenStream)> = Vec::new();
    for f in generated_methods(file) {
        let id = f.sig.ident.to_string();
        let op = operations
            .iter()
            .find(|op| op.id == id)
            .ok_or_else(|| format!("{id}: generated but not in the operation table"))?;
        let face = Face::of(f, op, &structs)?;
        inputs.extend(face.nested_inputs.iter().cloned());
        if let Some(pages) = &op.pages {
            let value = face.value.to_string();
            if !page_impls.iter().any(|(v, _)| *v == value) {
                page_impls.push((value, page_impl(&face.value, pages)));
            }
        }
        methods.push(face.method());
        builders.push(face.builder()?);
        arms.push(face.arm());
        names.push(id);
    }
    let page_impls = page_impls.into_iter().map(|(_, tokens)| tokens);
    inputs.sort();
    inputs.dedup();
    let constructors = inputs
        .iter()
        .map(|name| input_constructor(name, &structs))
        .collect::<Result<Vec<_>, _>>()?;
    let face_count = names.len();
    // `Client::call` only with the `dynamic` feature: without it none of the
    // by-name dispatch (an arm and argument decoding per operation) is compiled.
    let dynamic = std::env::var_os("CARGO_FEATURE_DYNAMIC").is_some();
    let call = dynamic.then(|| {
        quote! {
            impl crate::Client {
                /// Calls the operation `operation` (its id, as in [`crate::operations::OPERATIONS`])
                /// with arguments named as the method's parameters (`body` for the request body,
                /// as JSON), and returns the decoded answer re-serialised as JSON. Strings are
                /// accepted for numbers and booleans, as they come from a URL or a command line.
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
    Ok(quote! {
        /// The request builders of the generated operations (see `crate::request`).
        pub mod request {
            // Field types are written as typify wrote them inside `types`.
            use super::types::{self, *};
            impl crate::Client {
                #(#methods)*
            }
            #(#builders)*
            #(#constructors)*
        }
        #(#page_impls)*
        /// The face methods build/face.rs generated, one per generated operation.
        pub const FACE_METHODS: [&str; #face_count] = [#(#names),*];
        #call
    })
}

/// progenitor's positional methods on its `Client`, one per operation.
pub fn generated_methods(file: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(imp)
                if imp.trait_.is_none()
                    && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client")) =>
            {
                Some(imp.items.iter())
            }
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.asyncness.is_some() => Some(f),
            _ => None,
        })
}

/// The named-field structs of `mod types`, by name.
fn structs_of_types(file: &syn::File) -> Vec<&syn::ItemStruct> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => Some(s),
            _ => None,
        })
        .collect()
}

/// Whether a struct field may be left out: an `Option`, or a field serde
/// fills with its default.
fn is_optional_field(field: &syn::Field) -> bool {
    option_inner(&field.ty).is_some()
        || field
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("default"))
}

struct Face<'a> {
    f: &'a syn::ImplItemFn,
    op: &'a Operation,
    builder: syn::Ident,
    value: TokenStream,
    args: Vec<Arg>,
    /// The request body's struct, when its fields are the builder's.
    body: Option<syn::Ident>,
    /// Input structs nested in the body, which get constructors.
    nested_inputs: Vec<String>,
}

impl<'a> Face<'a> {
    fn of(
        f: &'a syn::ImplItemFn,
        op: &'a Operation,
        structs: &[&syn::ItemStruct],
    ) -> Result<Face<'a>, String> {
        let name = &f.sig.ident;
        let value =
            success_type(&f.sig.output).ok_or_else(|| format!("{name}: unexpected return type"))?;
        let mut args = Vec::new();
        let mut body = None;
        let mut nested_inputs = Vec::new();
        for input in f.sig.inputs.iter().skip(1) {
            let syn::FnArg::Typed(pt) = input else {
                continue;
            };
            let syn::Pat::Ident(pi) = &*pt.pat else {
                return Err(format!("{name}: unexpected argument pattern"));
            };
            let ident = pi.ident.clone();
            let ty = &*pt.ty;
            let body_struct = (ident == "body")
                .then(|| referenced(ty))
                .flatten()
                .and_then(types_ident)
                .and_then(|n| structs.iter().find(|s| s.ident == n));
            if let Some(s) = body_struct {
                body = Some(s.ident.clone());
                let syn::Fields::Named(fields) = &s.fields else {
                    unreachable!("only named-field structs are collected")
                };
                for field in &fields.named {
                    let ident = field.ident.clone().expect("named field");
                    let ty = to_tokens(&field.ty);
                    for nested in nested_struct_names(&field.ty, structs) {
                        nested_inputs.push(nested);
                    }
                    args.push(if is_optional_field(field) {
                        match option_inner(&field.ty) {
                            Some(inner) => {
                                let inner = to_tokens(inner);
                                let (taken, store) = taking(&inner);
                                Arg {
                                    stored: ty,
                                    taken,
                                    store: quote!(::std::option::Option::Some(#store)),
                                    required: false,
                                    some: true,
                                    in_body: true,
                                    pass: quote!(),
                                    ident,
                                }
                            }
                            None => {
                                let (taken, store) = taking(&ty);
                                Arg {
                                    stored: ty,
                                    taken,
                                    store,
                                    required: false,
                                    some: false,
                                    in_body: true,
                                    pass: quote!(),
                                    ident,
                                }
                            }
                        }
                    } else {
                        let (taken, store) = taking(&ty);
                        Arg {
                            stored: ty,
                            taken,
                            store,
                            required: true,
                            some: false,
                            in_body: true,
                            pass: quote!(),
                            ident,
                        }
                    });
                }
                continue;
            }
            args.push(parameter(ident, ty));
        }
        for arg in &args {
            let text = arg.ident.to_string();
            if RESERVED.contains(&text.as_str()) {
                return Err(format!(
                    "{name}: argument `{text}` clashes with a builder method"
                ));
            }
            if args.iter().filter(|a| a.ident == arg.ident).count() > 1 {
                return Err(format!(
                    "{name}: `{text}` is both a parameter and a body field"
                ));
            }
        }
        // Required arguments first, in the generated method's order.
        args.sort_by_key(|a| !a.required);
        Ok(Face {
            builder: format_ident!("{}", pascal_case(&name.to_string())),
            f,
            op,
            value,
            args,
            body,
            nested_inputs,
        })
    }

    fn method(&self) -> TokenStream {
        let name = &self.f.sig.ident;
        let builder = &self.builder;
        let docs = self.f.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let required = self.args.iter().filter(|a| a.required);
        let params = required.clone().map(|a| {
            let (ident, taken) = (&a.ident, &a.taken);
            quote!(#ident: #taken)
        });
        let fields = self.args.iter().map(|a| {
            let ident = &a.ident;
            if a.required {
                let store = rebind(&a.store, ident);
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

    fn builder(&self) -> Result<TokenStream, String> {
        let name = &self.f.sig.ident;
        let id = name.to_string();
        let builder = &self.builder;
        let value = &self.value;
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
            let store = rebind(&a.store, ident);
            let doc = format!(
                "Sets the optional {} `{ident}`.",
                if a.in_body { "body field" } else { "parameter" }
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
            let body_fields = self.args.iter().filter(|a| a.in_body).map(|a| &a.ident);
            quote! { let body = types::#body { #(#body_fields),* }; }
        });
        let checks = self.checks()?;
        let checks = (!checks.is_empty()).then(|| {
            quote! {
                if client.hook_state().check_arguments {
                    #(#checks)*
                }
            }
        });
        let passes = self.call_arguments();
        let boxed = is_boxed(&self.f.sig.output);
        let unbox = boxed.then(|| quote!(.map(|answer| *answer)));
        let unbox_response = boxed.then(|| quote!(.map(|answer| answer.map(|value| *value))));
        let raw = if boxed {
            quote!(::std::boxed::Box<#value>)
        } else {
            value.clone()
        };
        let sent = quote!(self.answer().await.map(|answer| answer.into_inner()) #unbox);
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
        let repeatable = self.op.repeatable;
        let pages = self.pages();
        Ok(quote! {
            #[doc = #struct_doc]
            #[must_use = "a request is sent only when it is awaited"]
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
                    self.answer().await.map(crate::request::Response::of) #unbox_response
                }

                /// The arguments checked, then the call with its attempts.
                async fn answer(
                    self,
                ) -> ::std::result::Result<::progenitor_client::ResponseValue<#raw>, crate::Error> {
                    let Self { client, options, #(#locals),* } = self;
                    #checks
                    #body
                    let api = &client.generated;
                    crate::call::run(client, #id, #repeatable, &options, || api.#name(#(#passes),*)).await
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
    /// (build/arguments.rs). An argument is found by its name as progenitor
    /// and typify spell it, in snake case; a rule whose argument is not found
    /// fails the build rather than go unchecked.
    fn checks(&self) -> Result<Vec<TokenStream>, String> {
        let id = &self.op.id;
        let mut checks = Vec::new();
        for rule in &self.op.rules {
            let wanted = heck::ToSnakeCase::to_snake_case(rule.name.as_str());
            let arg = self
                .args
                .iter()
                .find(|a| {
                    let ident = a.ident.to_string();
                    let ident = ident.trim_start_matches("r#").trim_end_matches('_');
                    a.in_body == rule.in_body && ident == wanted.trim_end_matches('_')
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

    /// The generated method's arguments, in its order, from the locals `send` holds.
    fn call_arguments(&self) -> Vec<TokenStream> {
        let mut passes = Vec::new();
        let mut body_passed = false;
        for input in self.f.sig.inputs.iter().skip(1) {
            let syn::FnArg::Typed(pt) = input else {
                continue;
            };
            let syn::Pat::Ident(pi) = &*pt.pat else {
                continue;
            };
            match self.args.iter().find(|a| a.ident == pi.ident && !a.in_body) {
                Some(arg) => passes.push(rebind(&arg.pass, &arg.ident)),
                None if !body_passed => {
                    body_passed = true;
                    passes.push(quote!(&body));
                }
                None => {}
            }
        }
        passes
    }

    /// `pages()` for a paged listing: a stream of every page, from the first.
    fn pages(&self) -> Option<TokenStream> {
        self.op.pages.as_ref()?;
        let id = &self.op.id;
        let builder = &self.builder;
        let value = &self.value;
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

    /// The arm of `Client::call`: arguments decoded by name, the body as a whole.
    fn arm(&self) -> TokenStream {
        let name = &self.f.sig.ident;
        let id = name.to_string();
        let mut reads = Vec::new();
        for a in self.args.iter().filter(|a| !a.in_body) {
            let (ident, stored) = (&a.ident, &a.stored);
            let arg_name = ident.to_string();
            reads.push(quote! { let #ident: #stored = arg(#id, args, #arg_name)?; });
        }
        if let Some(body) = &self.body {
            let fields = self.args.iter().filter(|a| a.in_body).map(|a| &a.ident);
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
        quote! {
            #id => {
                #(#reads)*
                #[allow(unused_mut)]
                let mut request = self.#name(#(#required),*);
                #(#optional)*
                to_json(request.await?)
            }
        }
    }
}

/// How a walk counts the entries of a page and reads its numbering.
fn page_impl(value: &TokenStream, pages: &crate::facts::Pages) -> TokenStream {
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

/// A path or query parameter of the generated method, as the builder holds it.
fn parameter(ident: syn::Ident, ty: &syn::Type) -> Arg {
    let (inner, required) = match option_inner(ty) {
        Some(inner) => (inner, false),
        None => (ty, true),
    };
    let (owned, pass) = match inner {
        syn::Type::Reference(r) if is_str(&r.elem) => (
            quote!(::std::string::String),
            if required {
                quote!(&x)
            } else {
                quote!(x.as_deref())
            },
        ),
        syn::Type::Reference(r) => {
            let elem = to_tokens(&r.elem);
            (
                elem,
                if required {
                    quote!(&x)
                } else {
                    quote!(x.as_ref())
                },
            )
        }
        other => (to_tokens(other), quote!(x.clone())),
    };
    let (taken, store) = taking(&owned);
    Arg {
        stored: if required {
            owned
        } else {
            quote!(::std::option::Option<#owned>)
        },
        taken,
        store: if required {
            store
        } else {
            quote!(::std::option::Option::Some(#store))
        },
        required,
        some: !required,
        in_body: false,
        pass,
        ident,
    }
}

/// What a method takes for a value stored as `owned`, and how it is stored:
/// text as `impl Into<String>` (a `&str` or a `String`), everything else as
/// itself, so that `tj.assess_ip("1.2.3.4".parse()?)` infers its type.
fn taking(owned: &TokenStream) -> (TokenStream, TokenStream) {
    if owned.to_string() == quote!(::std::string::String).to_string() {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(value.into()),
        )
    } else {
        (owned.clone(), quote!(value))
    }
}

/// `tokens` with the placeholder local (`value` or `x`) renamed to `ident`.
fn rebind(tokens: &TokenStream, ident: &syn::Ident) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) if i == "value" || i == "x" => {
                proc_macro2::TokenTree::Ident(ident.clone())
            }
            proc_macro2::TokenTree::Group(g) => proc_macro2::TokenTree::Group(
                proc_macro2::Group::new(g.delimiter(), rebind(&g.stream(), ident)),
            ),
            other => other,
        })
        .collect()
}

/// A constructor of the required fields and setters for the optional ones,
/// for a struct a request body holds: `#[non_exhaustive]` rules out building
/// it with a literal outside this crate.
fn input_constructor(name: &str, structs: &[&syn::ItemStruct]) -> Result<TokenStream, String> {
    let s = structs
        .iter()
        .find(|s| s.ident == name)
        .ok_or_else(|| format!("input {name} is not a struct"))?;
    let syn::Fields::Named(fields) = &s.fields else {
        unreachable!("only named-field structs are collected")
    };
    let ident = &s.ident;
    let (required, optional): (Vec<_>, Vec<_>) =
        fields.named.iter().partition(|f| !is_optional_field(f));
    let params = required.iter().map(|f| {
        let (field, ty) = (f.ident.as_ref(), to_tokens(&f.ty));
        let (taken, _) = taking(&ty);
        quote!(#field: #taken)
    });
    let inits = required.iter().map(|f| {
        let field = f.ident.as_ref().expect("named field");
        let (_, store) = taking(&to_tokens(&f.ty));
        let store = rebind(&store, field);
        quote!(#field: #store)
    });
    let defaults = optional.iter().map(|f| f.ident.as_ref());
    let setters = optional.iter().map(|f| {
        let field = f.ident.as_ref().expect("named field");
        let (inner, wrap) = match option_inner(&f.ty) {
            Some(inner) => (to_tokens(inner), true),
            None => (to_tokens(&f.ty), false),
        };
        let (taken, store) = taking(&inner);
        let store = rebind(&store, field);
        let store = if wrap {
            quote!(::std::option::Option::Some(#store))
        } else {
            store
        };
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
    let syn::Type::Path(p) = inner else {
        return Vec::new();
    };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    structs
        .iter()
        .filter(|s| s.ident == last.ident)
        .map(|s| s.ident.to_string())
        .collect()
}

fn to_tokens(ty: &syn::Type) -> TokenStream {
    quote!(#ty)
}

fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, "Option")
}

fn vec_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, "Vec")
}

fn generic_of<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    first_generic(ty)
}

fn referenced(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Reference(r) => Some(&r.elem),
        _ => None,
    }
}

/// `X` of `types::X`.
fn types_ident(ty: &syn::Type) -> Option<syn::Ident> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<_> = p.path.segments.iter().collect();
    match segments.as_slice() {
        [module, name] if module.ident == "types" => Some(name.ident.clone()),
        _ => None,
    }
}

fn is_str(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("str"))
}

/// `T` out of `Result<ResponseValue<T>, Error<E>>` (or of `ResponseValue<Box<T>>`,
/// adaptation 12), with `types::` made absolute.
pub fn success_type(output: &syn::ReturnType) -> Option<TokenStream> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = first_generic(ty)?; // ResponseValue<T>
    let inner = first_generic(value)?; // T
    let inner = boxed(inner).unwrap_or(inner);
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

/// Whether the method's answer is boxed (adaptation 12), so that the face unboxes it.
pub fn is_boxed(output: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    first_generic(ty)
        .and_then(first_generic)
        .and_then(boxed)
        .is_some()
}

/// `T` of the `::std::boxed::Box<T>` adaptation 12 writes; matched by its whole
/// path, so that a schema titled `Box` (`types::Box`) is not taken for one.
fn boxed(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let path: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    (p.path.leading_colon.is_some() && path == ["std", "boxed", "Box"])
        .then(|| first_generic(ty))
        .flatten()
}

/// The `T` of `Result<ResponseValue<T>, Error<E>>`, to be rewritten.
pub fn answer_type_mut(output: &mut syn::ReturnType) -> Option<&mut syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    first_generic_mut(first_generic_mut(ty)?)
}

fn first_generic_mut(ty: &mut syn::Type) -> Option<&mut syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &mut p.path.segments.last_mut()?.arguments
    else {
        return None;
    };
    args.args.iter_mut().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
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

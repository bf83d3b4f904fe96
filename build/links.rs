//! Links: `Link`, its `Display` and recogniser, `Link::resource_kind`,
//! `Resource`, its `LinkTarget` impls and the requests `Client::follow` makes,
//! all from the `link` facts of the spec of record (the header of
//! openapi/operations.overlay.yaml describes the fact). The output is
//! `$OUT_DIR/links.rs`, included by src/links.rs, whose helpers (`name`,
//! `network`, `segment`, `get_path`, ...) it calls.

use crate::interface::{Answer, Method};
use crate::syntax::names_in;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeMap;

/// What the spec says about links: the facts, and the paths of every
/// operation, which links to other operations must not be taken for.
pub struct Links {
    facts: Vec<LinkFact>,
    /// Every operation's id and path.
    paths: Vec<(String, Vec<Pattern>)>,
}

struct LinkFact {
    op: String,
    followed: Followed,
    variant: String,
    doc: String,
    /// The link's path, without its leading `/`.
    template: Vec<Segment>,
    resource: String,
    resource_doc: Option<String>,
}

enum Followed {
    /// `GET` of the link as written.
    Get,
    /// `POST` to the operation with these body fields, each holding the text
    /// of the placeholder named.
    Post(Vec<(String, String)>),
}

enum Segment {
    Literal(String),
    /// A value the variant keeps.
    Value {
        name: String,
        kind: Kind,
        doc: Option<String>,
    },
    /// The last segment, read and dropped.
    Discarded,
}

#[derive(Clone, Copy)]
enum Kind {
    U32,
    U64,
    IpAddr,
    IpNet,
    Uuid,
    Name,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "u32" => Kind::U32,
            "u64" => Kind::U64,
            "IpAddr" => Kind::IpAddr,
            "IpNet" => Kind::IpNet,
            "Uuid" => Kind::Uuid,
            "String" => Kind::Name,
            _ => return None,
        })
    }

    fn rust_type(self) -> TokenStream {
        match self {
            Kind::U32 => quote!(u32),
            Kind::U64 => quote!(u64),
            Kind::IpAddr => quote!(::std::net::IpAddr),
            Kind::IpNet => quote!(::ipnet::IpNet),
            Kind::Uuid => quote!(::uuid::Uuid),
            Kind::Name => quote!(::std::string::String),
        }
    }

    /// The value out of a decoded segment `seg`, or `None` from the
    /// recogniser when it is not one (src/links.rs has the parsers that are
    /// more than `FromStr`).
    fn parse(self, seg: &syn::Ident) -> TokenStream {
        match self {
            Kind::U32 => quote!(#seg.parse::<u32>().ok()?),
            Kind::U64 => quote!(log_id(#seg)?),
            Kind::IpAddr => quote!(#seg.parse::<::std::net::IpAddr>().ok()?),
            Kind::IpNet => quote!(network(#seg)?),
            Kind::Uuid => quote!(#seg.parse::<::uuid::Uuid>().ok()?),
            Kind::Name => quote!(name(#seg)?),
        }
    }

    /// The value written as a segment of a link (src/links.rs says why only
    /// names and networks need more than their `Display`).
    fn write(self, value: &syn::Ident) -> TokenStream {
        match self {
            Kind::IpNet => quote!(network_segment(#value)),
            Kind::Name => quote!(segment(#value)),
            Kind::U32 | Kind::U64 | Kind::IpAddr | Kind::Uuid => quote!(#value),
        }
    }

    /// Two values a test writes and reads back (see `link_samples`): the
    /// edges of the numbers, both address families, a name full of what
    /// a segment must escape.
    fn samples(self) -> [TokenStream; 2] {
        let parsed = |text: &str| quote!(#text.parse().unwrap());
        match self {
            Kind::U32 => [quote!(0), quote!(u32::MAX)],
            Kind::U64 => [quote!(0), quote!(i64::MAX as u64)],
            Kind::IpAddr => [parsed("212.231.12.22"), parsed("2001:db8::1")],
            Kind::IpNet => [parsed("212.231.0.0/16"), parsed("2001:db8::/32")],
            Kind::Uuid => [
                quote!(::uuid::Uuid::nil()),
                parsed("0b5e3f0c-3c8e-4f7e-9b1a-2f7d6c1e4a90"),
            ],
            Kind::Name => [
                quote!("MICROSOFT_CORPORATION".to_string()),
                quote!("Mozilla/5.0 (X11; Linux) 100% ?#\\|[] é".to_string()),
            ],
        }
    }
}

fn segments_of(path: &str) -> Option<Vec<&str>> {
    Some(path.strip_prefix('/')?.split('/').collect())
}

fn placeholder(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// A path template as a recogniser matches it.
fn path_pattern(path: &str) -> Option<Vec<Pattern>> {
    Some(
        segments_of(path)?
            .into_iter()
            .map(|s| match placeholder(s) {
                Some(_) => Pattern::Any,
                None => Pattern::Word(s.to_string()),
            })
            .collect(),
    )
}

/// Reads every operation's `link` fact and checks it, each error naming the
/// operation.
pub fn read_links(operations: &[crate::facts::Operation]) -> Result<Links, String> {
    let mut facts = Vec::new();
    let mut paths = Vec::new();
    for op in operations {
        let id = op.id.clone();
        let pattern = path_pattern(&op.path)
            .ok_or_else(|| format!("{id}: the path {} does not start with /", op.path))?;
        if let Some(fact) = &op.link {
            let method = op.method.to_lowercase();
            let fact = read_fact(&id, &method, &op.path, &pattern, fact)
                .map_err(|e| format!("{id}: link: {e}"))?;
            facts.push(fact);
        }
        paths.push((id, pattern));
    }
    check_together(&facts)?;
    Ok(Links { facts, paths })
}

fn read_fact(
    id: &str,
    method: &str,
    own_path: &str,
    own_pattern: &[Pattern],
    fact: &Value,
) -> Result<LinkFact, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        match fact.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{key}` is not a string")),
        }
    };
    let required = |key: &str| text(key)?.ok_or_else(|| format!("`{key}` is missing"));
    let empty = serde_json::Map::new();
    let types = match fact.get("segments") {
        None => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return Err("`segments` is not a map".into()),
    };
    let path = text("path")?;
    let path = path.as_deref().unwrap_or(own_path);
    let written =
        segments_of(path).ok_or_else(|| format!("the path {path} does not start with /"))?;
    let mut template = Vec::new();
    for (at, s) in written.iter().enumerate() {
        let Some(name) = placeholder(s) else {
            if s.is_empty() || s.contains(['{', '}']) {
                return Err(format!(
                    "the segment {s:?} is neither a word nor a placeholder"
                ));
            }
            template.push(Segment::Literal(s.to_string()));
            continue;
        };
        let (kind, doc) = match types.get(name) {
            Some(Value::String(t)) => (t.as_str(), None),
            Some(Value::Object(o)) => (
                o.get("type").and_then(Value::as_str).unwrap_or_default(),
                o.get("doc").and_then(Value::as_str).map(str::to_string),
            ),
            _ => return Err(format!("`segments` gives no type for {{{name}}}")),
        };
        if kind == "discard" {
            if at + 1 != written.len() {
                return Err(format!(
                    "{{{name}}}: only the last segment can be discarded"
                ));
            }
            template.push(Segment::Discarded);
            continue;
        }
        let kind = Kind::of(kind).ok_or_else(|| format!("{{{name}}}: no such type {kind:?}"))?;
        syn::parse_str::<syn::Ident>(name)
            .map_err(|_| format!("the placeholder {{{name}}} is not a Rust name"))?;
        template.push(Segment::Value {
            name: name.to_string(),
            kind,
            doc,
        });
    }
    for name in types.keys() {
        if !written.contains(&format!("{{{name}}}").as_str()) {
            return Err(format!(
                "`segments` names {name}, which the path does not have"
            ));
        }
    }
    let kept = kept(&template);
    let documented = kept.iter().filter(|(_, _, doc)| doc.is_some()).count();
    if kept.len() > 1 && documented != kept.len() {
        return Err("a variant of several values needs a doc for each".into());
    }
    if kept.len() == 1 && documented > 0 {
        return Err("the one value of a variant has no doc of its own".into());
    }
    let body = match fact.get("body") {
        None => None,
        Some(Value::Object(map)) => Some(
            map.iter()
                .map(|(field, from)| {
                    let from = from.as_str().unwrap_or_default();
                    if !kept.iter().any(|(name, _, _)| *name == from) {
                        return Err(format!(
                            "`body`: {field} is given {from:?}, not a placeholder"
                        ));
                    }
                    Ok((field.clone(), from.to_string()))
                })
                .collect::<Result<Vec<_>, String>>()?,
        ),
        Some(_) => return Err("`body` is not a map".into()),
    };
    let followed = match (method, body) {
        ("get", None) => {
            // The link is sent as written (without what is discarded), so it
            // must have the operation's segments: the request hook checks the
            // path against them.
            let sent: Vec<Pattern> = pattern(&template)
                .into_iter()
                .take(
                    template
                        .iter()
                        .filter(|s| !matches!(s, Segment::Discarded))
                        .count(),
                )
                .collect();
            if sent != own_pattern {
                return Err("a GET's link path must be the operation's path".into());
            }
            Followed::Get
        }
        ("post", Some(body)) => Followed::Post(body),
        ("post", None) => return Err("a POST is followed with a `body`".into()),
        ("get", Some(_)) => return Err("a GET is followed without a `body`".into()),
        _ => {
            return Err(format!(
                "{} operations are not followed",
                method.to_uppercase()
            ))
        }
    };
    let variant = required("variant")?;
    syn::parse_str::<syn::Ident>(&variant)
        .map_err(|_| format!("the variant {variant:?} is not a Rust name"))?;
    if variant == "Unknown" {
        return Err("`Link::Unknown` is the variant of no operation".into());
    }
    let resource = required("resource")?;
    syn::parse_str::<syn::Ident>(&resource)
        .map_err(|_| format!("the resource {resource:?} is not a Rust name"))?;
    Ok(LinkFact {
        op: id.to_string(),
        followed,
        variant,
        doc: required("doc")?,
        template,
        resource,
        resource_doc: text("resource_doc")?,
    })
}

/// The placeholders whose values the variant keeps: (name, kind, doc).
fn kept(template: &[Segment]) -> Vec<(&str, Kind, Option<&str>)> {
    template
        .iter()
        .filter_map(|s| match s {
            Segment::Value { name, kind, doc } => Some((name.as_str(), *kind, doc.as_deref())),
            _ => None,
        })
        .collect()
}

fn check_together(facts: &[LinkFact]) -> Result<(), String> {
    let mut variants = BTreeMap::new();
    let mut docs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for fact in facts {
        if let Some(other) = variants.insert(fact.variant.as_str(), fact.op.as_str()) {
            return Err(format!(
                "{} and {other} both give Link::{}",
                fact.op, fact.variant
            ));
        }
        let documented = docs.entry(fact.resource.as_str()).or_default();
        if fact.resource_doc.is_some() {
            documented.push(fact.op.as_str());
        }
    }
    for (resource, ops) in docs {
        if ops.len() != 1 {
            return Err(format!(
                "Resource::{resource} needs its resource_doc on exactly one operation, not on {ops:?}"
            ));
        }
    }
    Ok(())
}

/// What a recogniser arm matches: a literal word or any one segment.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pattern {
    // Declared first so that sorting puts literals before placeholders.
    Word(String),
    Any,
}

fn pattern(segments: &[Segment]) -> Vec<Pattern> {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => Pattern::Word(l.clone()),
            Segment::Value { .. } | Segment::Discarded => Pattern::Any,
        })
        .collect()
}

/// Whether some path matches both.
fn overlap(a: &[Pattern], b: &[Pattern]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| match (a, b) {
            (Pattern::Word(a), Pattern::Word(b)) => a == b,
            _ => true,
        })
}

fn ident(name: &str) -> syn::Ident {
    format_ident!("{name}")
}

/// The generated code. `methods` are the operations' typed interfaces, for
/// the answer types and the bodies of the POSTs links are followed with.
pub fn links_tokens(links: &Links, methods: &[Method]) -> Result<TokenStream, String> {
    let mut link_variants = Vec::new();
    let mut display_arms = Vec::new();
    let mut kind_arms = Vec::new();
    let mut discarding_arms = Vec::new();
    let mut follow_arms = Vec::new();
    let mut samples = Vec::new();
    // The recogniser's arms, by the pattern each matches, and whose link it is.
    let mut recognised: Vec<(Vec<Pattern>, TokenStream, &str)> = Vec::new();
    // Resource variants in order of first use: (name, answer type, doc).
    let mut resources: Vec<(&str, syn::Type, &str)> = Vec::new();

    for fact in &links.facts {
        let op = fact.op.as_str();
        let method = methods
            .iter()
            .find(|f| f.id == op)
            .ok_or_else(|| format!("{op}: link: no generated method of that name"))?;
        let Answer::Json(answer) = method.answer.clone() else {
            return Err(format!(
                "{op}: link: its answer carries nothing to follow to"
            ));
        };
        let names = |ty: &syn::Type| {
            let mut names = Vec::new();
            names_in(ty, &mut names);
            names
        };
        // One type per variant, and one variant per type (it is the type's LinkTarget::KIND).
        for (name, ty, _) in &resources {
            let same_type = names(ty) == names(&answer);
            if (*name == fact.resource) != same_type {
                return Err(format!(
                    "{op}: link: Resource::{name} holds {}; {op} answers {} into Resource::{}",
                    quote!(#ty),
                    quote!(#answer),
                    fact.resource
                ));
            }
        }
        match resources
            .iter_mut()
            .find(|(name, _, _)| *name == fact.resource)
        {
            Some((_, _, doc)) => {
                if let Some(d) = &fact.resource_doc {
                    *doc = d;
                }
            }
            None => resources.push((
                &fact.resource,
                answer,
                fact.resource_doc.as_deref().unwrap_or_default(),
            )),
        }
        let resource = ident(&fact.resource);

        let variant = ident(&fact.variant);
        let doc = &fact.doc;
        let kept = kept(&fact.template);
        let values: Vec<syn::Ident> = (0..kept.len()).map(|i| format_ident!("v{i}")).collect();
        let types = kept.iter().map(|(_, kind, _)| kind.rust_type());
        let fields: Vec<_> = kept.iter().map(|(name, _, _)| ident(name)).collect();
        // `shape(values)` is the variant holding `values`: as a pattern, an
        // expression or (with types) its declaration.
        let shape = |values: &[TokenStream]| match kept.len() {
            0 => quote!(#variant),
            1 => quote!(#variant(#(#values),*)),
            _ => quote!(#variant { #(#fields: #values),* }),
        };
        let bound = shape(&values.iter().map(|v| quote!(#v)).collect::<Vec<_>>());
        let declared = match kept.len() {
            2.. => {
                let field_docs = kept.iter().map(|(_, _, doc)| doc.unwrap_or_default());
                quote!(#variant { #(#[doc = #field_docs] #fields: #types),* })
            }
            _ => shape(&types.collect::<Vec<_>>()),
        };
        link_variants.push(quote!(#[doc = #doc] #declared));

        let mut format = String::new();
        let mut written = Vec::new();
        let mut parsed = Vec::new();
        let mut discard = None;
        let segment_names: Vec<syn::Ident> = (0..fact.template.len())
            .map(|i| format_ident!("s{i}"))
            .collect();
        for (s, seg) in fact.template.iter().zip(&segment_names) {
            match s {
                Segment::Literal(word) => {
                    format.push('/');
                    format.push_str(word);
                }
                Segment::Value { kind, .. } => {
                    format.push_str("/{}");
                    written.push(kind.write(&values[written.len()]));
                    parsed.push(kind.parse(seg));
                }
                // Checked as a name would be, so that no link holds an empty or dot segment.
                Segment::Discarded => discard = Some(quote!(name(#seg)?;)),
            }
        }
        display_arms.push(quote!(Link::#bound => write!(f, #format #(, #written)*),));
        let kind_name = &fact.resource;
        // Any value of the variant, as a pattern.
        let any = match kept.len() {
            0 => quote!(Link::#variant),
            _ => quote!(Link::#variant { .. }),
        };
        kind_arms.push(quote!(#any => #kind_name,));

        let built = shape(&parsed);
        let full = pattern(&fact.template);
        if discard.is_some() {
            discarding_arms.push(quote!(#any => true,));
            // Written without the discarded segment, so read without it too.
            let short = &full[..full.len() - 1];
            let slice = slice_pattern(short, Some(&segment_names));
            recognised.push((short.to_vec(), quote!(#slice => Link::#built,), op));
        }
        let slice = slice_pattern(&full, Some(&segment_names));
        recognised.push((full, quote!(#slice => { #discard Link::#built }), op));

        follow_arms.push(match &fact.followed {
            Followed::Get => {
                quote!(#any => Resource::#resource(self.get_path(#op, &path).await?),)
            }
            Followed::Post(body) => {
                if body_type(method).is_none() {
                    return Err(format!(
                        "{op}: link: the generated method takes more than a body"
                    ));
                }
                // Through the request builder, whose arguments are the body's
                // required fields: the call is retried and traced like any other.
                let texts = body.iter().map(|(_, from)| {
                    let at = kept.iter().position(|(name, _, _)| name == from);
                    let value = &values[at.unwrap_or_default()];
                    quote!(#value.to_string())
                });
                let method = format_ident!("{}", method.id);
                quote! {
                    Link::#bound => Resource::#resource(self.#method(#(#texts),*).await?),
                }
            }
        });

        for i in 0..2 {
            let sample = shape(
                &kept
                    .iter()
                    .map(|(_, kind, _)| kind.samples()[i].clone())
                    .collect::<Vec<_>>(),
            );
            samples.push(quote!((#op, Link::#sample)));
        }
    }

    for (i, (a, _, op_a)) in recognised.iter().enumerate() {
        if let Some((_, _, op_b)) = recognised[i + 1..].iter().find(|(b, _, _)| a == b) {
            return Err(format!(
                "the links of {op_a} and {op_b} are written the same way"
            ));
        }
    }
    // Another operation's path is no link even where a link's placeholder
    // would take it (`/v1/asn/registry/all`, `/v1/ua/csv`): it gets an arm of
    // its own, which its literal words put before the link's.
    let link_patterns: Vec<Vec<Pattern>> = recognised.iter().map(|(p, _, _)| p.clone()).collect();
    for (op, path) in &links.paths {
        if link_patterns.contains(path) || !link_patterns.iter().any(|l| overlap(l, path)) {
            continue;
        }
        let slice = slice_pattern(path, None);
        recognised.push((path.clone(), quote!(#slice => return None,), op));
    }
    // Rust takes the first arm that matches; sorted, literal words come
    // before placeholders at the first segment where two patterns differ.
    recognised.sort_by(|a, b| a.0.cmp(&b.0));
    let recognise_arms = recognised.iter().map(|(_, arm, _)| arm);
    let max_segments = recognised.iter().map(|(p, ..)| p.len()).max().unwrap_or(0);

    let resource_variants = resources.iter().map(|(name, ty, doc)| {
        let name = ident(name);
        quote!(#[doc = #doc] #name(#ty))
    });
    let resource_kinds = resources.iter().map(|(name, _, _)| {
        let variant = ident(name);
        quote!(Resource::#variant(_) => #name,)
    });
    let targets = resources.iter().map(|(name, ty, _)| {
        let variant = ident(name);
        quote! {
            impl LinkTarget for #ty {
                const KIND: &'static str = #name;
                fn from_resource(resource: Resource) -> Option<Self> {
                    match resource {
                        Resource::#variant(value) => Some(value),
                        _ => None,
                    }
                }
            }
        }
    });

    Ok(quote! {
        /// A link found in a response, by what it points at.
        ///
        /// ```
        /// use threatjammer::Link;
        /// let link = Link::parse("/v1/asn/prefix/212.231.0.0%252F16").unwrap();
        /// assert_eq!(link, Link::AsnPrefix("212.231.0.0/16".parse().unwrap()));
        /// assert_eq!(Link::parse(""), None);
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Link {
            #(#link_variants,)*
            /// A link this client does not know how to follow, or one that does not
            /// parse (a network with five octets), as the response held it.
            Unknown(String),
        }

        /// What `Link::resource_kind` gives.
        fn resource_kind_of(link: &Link) -> Option<&'static str> {
            Some(match link {
                #(#kind_arms)*
                Link::Unknown(_) => return None,
            })
        }

        /// Whether links of this kind drop a segment they are read with (the
        /// token's key), so that any spelling of one must be read as one.
        fn drops_a_segment(link: &Link) -> bool {
            match link {
                #(#discarding_arms)*
                _ => false,
            }
        }

        /// The link's path in the form the service writes it (prefixes doubly encoded),
        /// so that `Link::parse(&link.to_string())` gives the link back.
        impl ::std::fmt::Display for Link {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#display_arms)*
                    Link::Unknown(text) => f.write_str(text),
                }
            }
        }

        /// No link with more segments names anything: the longest path the
        /// recogniser matches. src/links.rs cuts links into this many at most.
        const MAX_SEGMENTS: usize = #max_segments;

        /// The link a path names, from its segments decoded once.
        fn recognise_segments(segments: &[&str]) -> Option<Link> {
            Some(match segments {
                #(#recognise_arms)*
                _ => return None,
            })
        }

        /// What a followed link points at: the decoded answer of the operation
        /// that fetches it.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Resource {
            #(#resource_variants,)*
        }

        impl Resource {
            /// The variant's name, as [`Link::resource_kind`] gives it.
            pub fn kind(&self) -> &'static str {
                match self {
                    #(#resource_kinds)*
                }
            }
        }

        #(#targets)*

        impl Client {
            /// Sends the request that fetches what `link` points at and decodes
            /// the answer.
            async fn fetch_link(&self, link: Link) -> Result<Resource, Error> {
                let path = link.to_string();
                Ok(match link {
                    #(#follow_arms)*
                    Link::Unknown(text) => return Err(self.unknown_link(&text)),
                })
            }
        }

        /// Two links of every kind, with the operation that serves it, for the
        /// test that each reads back as written.
        #[cfg(test)]
        fn link_samples() -> Vec<(&'static str, Link)> {
            vec![#(#samples),*]
        }
    })
}

/// A slice pattern binding each placeholder to its name in `names`, or
/// to nothing.
fn slice_pattern(pattern: &[Pattern], names: Option<&[syn::Ident]>) -> TokenStream {
    let items = pattern.iter().enumerate().map(|(at, p)| match (p, names) {
        (Pattern::Word(word), _) => quote!(#word),
        (Pattern::Any, Some(names)) => {
            let name = &names[at];
            quote!(#name)
        }
        (Pattern::Any, None) => quote!(_),
    });
    quote!([#(#items),*])
}

/// The body type of an operation whose one argument is `body: &Body`.
fn body_type(method: &Method) -> Option<&syn::Type> {
    match method.args.as_slice() {
        [(name, syn::Type::Reference(r))] if name == "body" => Some(&r.elem),
        _ => None,
    }
}

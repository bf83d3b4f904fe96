//! The server-relative links responses are full of (`/v1/asn/15704`), as a
//! type that knows what each one points at, and [`Client::follow`] to fetch it.
//!
//! The service writes a network's `/` doubly encoded (`212.231.0.0%252F16`),
//! so a prefix segment is decoded until no escape is left. Links that name
//! nothing this client can fetch, or name it wrongly (the service documents
//! `212.231.0.0.0%252F16`, a "network" of five octets), are kept as
//! [`Link::Unknown`] rather than rejected, so reading a response never fails
//! on a link; only following one does.

use crate::path::{decode_segment, encode_as_service, is_dot_segment};
use crate::{Client, Error};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

// `Link` and its `Display`, `resource_kind_of`, `recognise_segments`,
// `Resource` and its `LinkTarget` impls, and `Client::fetch_link`: one arm or
// variant per `link` fact of the spec of record (build/links.rs).
include!(concat!(env!("OUT_DIR"), "/links.rs"));

impl Link {
    /// Reads a link as a response holds it. An empty string (the service's way
    /// of saying "none") is `None`; anything unrecognised is [`Link::Unknown`].
    pub fn parse(link: &str) -> Option<Link> {
        let link = link.trim();
        if link.is_empty() {
            return None;
        }
        Some(
            recognise(link)
                .or_else(|| respelled(link))
                .unwrap_or_else(|| Link::Unknown(crate::redact::by_shape(link).into_owned())),
        )
    }

    /// The name of the [`Resource`] variant that following this link gives, or
    /// `None` for [`Link::Unknown`].
    pub fn resource_kind(&self) -> Option<&'static str> {
        resource_kind_of(self)
    }
}

fn recognise(link: &str) -> Option<Link> {
    // Only server-relative paths: an absolute URL could name another host. (A
    // `//host` path has an empty first segment, which no operation's path has.)
    let path = link.strip_prefix('/')?;
    // Answers are full of links, so they are cut in one pass over the bytes,
    // into segments on the stack; `?` and `#` end a path, so no link has them.
    let mut raw = [""; MAX_SEGMENTS];
    let (mut count, mut start, mut escaped) = (0, 0, false);
    for (i, byte) in path.bytes().enumerate() {
        match byte {
            b'/' => {
                *raw.get_mut(count)? = &path[start..i];
                count += 1;
                start = i + 1;
            }
            b'%' => escaped = true,
            b'?' | b'#' => return None,
            _ => {}
        }
    }
    *raw.get_mut(count)? = &path[start..];
    count += 1;
    if !escaped {
        return recognise_segments(&raw[..count]);
    }
    let mut decoded: [Cow<'_, str>; MAX_SEGMENTS] = Default::default();
    for (d, segment) in decoded.iter_mut().zip(&raw[..count]) {
        *d = decode_segment(segment)?;
    }
    let segments: [&str; MAX_SEGMENTS] = std::array::from_fn(|i| &*decoded[i]);
    recognise_segments(&segments[..count])
}

/// A link of a kind that drops a segment it is read with (the token's, whose
/// last segment is the key), in a spelling the recogniser does not follow:
/// an absolute URL (`https://host/v1/token/KEY`, `//host/…`), a trailing
/// slash, a query or a fragment. It is read as its kind, so that the key is
/// dropped whichever way a service or a gateway spelt the link; written back,
/// it takes the service's own spelling. Links of other kinds in these
/// spellings stay [`Link::Unknown`]: following one could go to another host.
fn respelled(link: &str) -> Option<Link> {
    let without_origin = match link.strip_prefix("//") {
        Some(authority_on) => authority_on,
        None => match link.split_once("://") {
            Some((scheme, rest)) if scheme.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
            _ => link,
        },
    };
    let path = if without_origin.len() != link.len() {
        &without_origin[without_origin.find('/')?..]
    } else {
        link
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    recognise(path).filter(drops_a_segment)
}

/// A name from a link. Empty and dot segments name nothing: followed, they
/// would be resolved away and the request would go elsewhere.
fn name(segment: &str) -> Option<String> {
    (!segment.is_empty() && !is_dot_segment(segment)).then(|| segment.to_string())
}

/// Log ids are non-negative and travel as the API's 64-bit signed integers.
fn log_id(segment: &str) -> Option<u64> {
    segment.parse::<i64>().ok()?.try_into().ok()
}

/// A network as the service writes it: its `/` escaped once more than the
/// segment needs, so decoding goes on while escapes are left (at most twice more).
fn network(segment: &str) -> Option<IpNet> {
    let mut text = segment.to_string();
    for _ in 0..2 {
        if !text.contains('%') {
            break;
        }
        text = decode_segment(&text)?.into_owned();
    }
    text.parse().ok()
}

/// A name written as one segment of a link, spelled as the service spells
/// it, so that an answer written back holds the links it came with. Numbers,
/// addresses and UUIDs are written as they print: they hold nothing a segment
/// must escape (an IPv6 address's `:` is allowed in a path), and the service
/// writes them so (`/v1/assess/ip/2a03:2880:f10c:83:face:b00c:0:25de`).
fn segment(name: &str) -> impl fmt::Display + '_ {
    encode_as_service(name)
}

/// A network written as the service writes it, its `/` encoded twice
/// (`2.58.148.0%252F22`); the rest of a network's text needs no escaping.
fn network_segment(net: &IpNet) -> String {
    format!("{}%252F{}", net.addr(), net.prefix_len())
}

/// Written as the service writes it ([`Link`]'s `Display`).
impl Serialize for Link {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read with [`Link::parse`]. Never fails on text: an empty string in a list
/// of links is a `Link::Unknown("")`, so the list keeps its length.
impl<'de> Deserialize<'de> for Link {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Link, D::Error> {
        d.deserialize_str(LinkText)
            .map(|link| link.unwrap_or_else(|| Link::Unknown(String::new())))
    }
}

/// Reads the text without copying it first; `None` for the empty link.
struct LinkText;

impl serde::de::Visitor<'_> for LinkText {
    type Value = Option<Link>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a link, as text")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Option<Link>, E> {
        Ok(Link::parse(text))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Option<Link>, E> {
        Ok(None)
    }
}

/// `#[serde(with = "crate::links::wire")]` on an `Option<Link>` field: the
/// service's `""` (or a `null`) is `None`, and `None` is written as `""`.
pub(crate) mod wire {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(link: &Option<Link>, s: S) -> Result<S::Ok, S::Error> {
        match link {
            Some(link) => link.serialize(s),
            None => s.serialize_str(""),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Link>, D::Error> {
        d.deserialize_any(LinkText)
    }
}

/// Anything that names a link: a [`Link`], or the string a response holds.
pub trait AsLink {
    /// The link, or `None` for an empty one.
    fn as_link(&self) -> Option<Link>;
}

impl AsLink for Link {
    fn as_link(&self) -> Option<Link> {
        Some(self.clone())
    }
}

impl AsLink for str {
    fn as_link(&self) -> Option<Link> {
        Link::parse(self)
    }
}

impl AsLink for String {
    fn as_link(&self) -> Option<Link> {
        Link::parse(self)
    }
}

impl AsLink for Option<Link> {
    fn as_link(&self) -> Option<Link> {
        self.clone()
    }
}

impl<T: AsLink + ?Sized> AsLink for &T {
    fn as_link(&self) -> Option<Link> {
        (**self).as_link()
    }
}

/// A typed answer [`Client::follow_as`] can return: the output of one of the
/// operations links point at.
pub trait LinkTarget: Sized {
    /// The name of the [`Resource`] variant that holds it.
    const KIND: &'static str;
    /// Takes it out of a resource of its kind.
    fn from_resource(resource: Resource) -> Option<Self>;
}

impl Client {
    /// Fetches what a link points at and decodes it as the operation that
    /// serves it. An empty link is `Ok(None)`: the service writes `""` when
    /// there is nothing to point at (an address in no datacenter).
    ///
    /// Links to networks are followed with the prefix lookups (`POST
    /// /v1/asn/prefix`, `POST /v1/datacenter/prefix`), since the service has no
    /// `GET` for the paths it writes. A [`Link::Unknown`] is an
    /// [`Error::Link`], and nothing is sent.
    ///
    /// ```no_run
    /// # async fn demo(tj: threatjammer::Client) -> Result<(), threatjammer::Error> {
    /// let a = tj.assess_ip("212.231.12.22".parse().unwrap()).await?;
    /// if let Some(threatjammer::Resource::Asn(asn)) = tj.follow(&a.asn).await? {
    ///     println!("{} {:?}", asn.name, asn.risk);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn follow(&self, link: &(impl AsLink + ?Sized)) -> Result<Option<Resource>, Error> {
        let Some(link) = link.as_link() else {
            return Ok(None);
        };
        self.fetch_link(link).await.map(Some)
    }

    /// Like [`Client::follow`], for a link whose kind is known:
    /// `tj.follow_as::<types::AutonomousSystemOutput>(&assessment.asn)`.
    /// A link to another kind of resource is an [`Error::Link`], found before
    /// anything is sent.
    pub async fn follow_as<T: LinkTarget>(
        &self,
        link: &(impl AsLink + ?Sized),
    ) -> Result<Option<T>, Error> {
        let Some(link) = link.as_link() else {
            return Ok(None);
        };
        if link.resource_kind() != Some(T::KIND) {
            let reason = format!(
                "it points to {}, not {}",
                link.resource_kind()
                    .unwrap_or("nothing this client can fetch"),
                T::KIND
            );
            return Err(self.link_error(&link.to_string(), reason));
        }
        match self.follow(&link).await? {
            None => Ok(None),
            Some(resource) => {
                let kind = resource.kind();
                T::from_resource(resource).map(Some).ok_or_else(|| {
                    self.link_error(
                        &link.to_string(),
                        format!("it gave {kind}, not {}", T::KIND),
                    )
                })
            }
        }
    }

    fn unknown_link(&self, link: &str) -> Error {
        self.link_error(link, "it names nothing this client can fetch".into())
    }

    /// The link came from a response, so it may hold anything a server chose,
    /// the key included.
    fn link_error(&self, link: &str, reason: String) -> Error {
        Error::Link {
            link: link.to_string(),
            reason,
        }
        .redacted(&self.state().redactor)
    }

    /// `GET` of a path built from a link, as the operation that serves it.
    ///
    /// Hand-built rather than through the generated methods because the path is
    /// already in hand, exactly as the service wrote it: decoding it into typed
    /// arguments only to encode them again could only lose something.
    async fn get_path<T>(&self, operation_id: &'static str, path: &str) -> Result<T, Error>
    where
        T: serde::de::DeserializeOwned + crate::drift::Unlisted + Send + 'static,
    {
        // Checked before sending: a link is data a server wrote, and a segment
        // the URL parser would resolve away must not send the key elsewhere.
        if let Err(refused) = self.state().check_path(path) {
            return Err(self.link_error(path, refused.to_string()));
        }
        let Some(op) = crate::generated::call_op(operation_id) else {
            return Err(self.unknown_link(path));
        };
        let options = crate::call::CallOptions::default();
        crate::call::run::<Box<T>>(self, op, op.repeatable, &options, |http, base| {
            Some(http.get(format!("{base}{path}")))
        })
        .await
        .map(|answer| *answer.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_links_parse() {
        let cases = [
            ("/v1/asn/15704", Link::Asn(15704)),
            ("/v1/asn/15169/prefixes", Link::AsnPrefixes(15169)),
            (
                "/v1/asn/prefix/212.231.0.0%252F16",
                Link::AsnPrefix("212.231.0.0/16".parse().unwrap()),
            ),
            (
                "/v1/asn/prefix/2.58.148.0%2F22",
                Link::AsnPrefix("2.58.148.0/22".parse().unwrap()),
            ),
            ("/v1/asn/registry/arin", Link::Registry("arin".into())),
            (
                "/v1/asn/status/assigned",
                Link::RegistryStatus("assigned".into()),
            ),
            (
                "/v1/datacenter/MICROSOFT_CORPORATION",
                Link::Datacenter("MICROSOFT_CORPORATION".into()),
            ),
            ("/v1/log/ip/id/3394366", Link::LogChange(3394366)),
            (
                "/v1/dataset/ip/FORUM_ACCOUNT_ABUSE",
                Link::Dataset("FORUM_ACCOUNT_ABUSE".into()),
            ),
            (
                "/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D",
                Link::SourceRange {
                    source: "STOPFORUMSPAM_TOXIC".into(),
                    range: "7D".into(),
                },
            ),
            ("/v1/ua/family/CHROME", Link::UaFamily("CHROME".into())),
            (
                "/v1/ua/Mozilla%2F5.0%20%28X11%29",
                Link::UserAgent("Mozilla/5.0 (X11)".into()),
            ),
            (
                "/v1/assess/ip/212.231.12.22",
                Link::Assessment("212.231.12.22".parse().unwrap()),
            ),
            (
                "/v1/denylist/reported/ip/2001:db8::1",
                Link::ReportedIp("2001:db8::1".parse().unwrap()),
            ),
            (
                "/v1/token/tja_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
                Link::Token,
            ),
        ];
        for (text, link) in cases {
            assert_eq!(Link::parse(text), Some(link.clone()), "{text}");
            // The canonical form reads back as the same link.
            assert_eq!(Link::parse(&link.to_string()), Some(link), "{text}");
        }
    }

    #[test]
    fn odd_links_are_unknown_or_none() {
        assert_eq!(Link::parse(""), None);
        assert_eq!(Link::parse("  "), None);
        for text in [
            "/v1/asn/prefix/212.231.0.0.0%252F16",
            "/v1/asn/not-a-number",
            "/v1/asn/registry/all",
            "/v1/log/ip/id/-4",
            "/v1/origin/addresses?query=https://example.com",
            "https://elsewhere.example/v1/asn/1",
            "/v2/asn/1",
            "/v1/datacenter/",
            "/v1/allowlist/private/not-a-uuid",
            // Paths of operations that serve no links, where a link's placeholder would take them.
            "/v1/token/activity",
            "/v1/ua/csv",
            "/v1/datacenter/prefix",
            "/v1/asn/status/all",
            // The token's key is not kept, but a dot segment is still no link. (An
            // empty one, `/v1/token/`, is the token link with a trailing slash:
            // reading it so keeps nothing, and following it asks for `/v1/token`.)
            "/v1/token/..",
            "//elsewhere.example/v1/asn/1",
        ] {
            assert_eq!(
                Link::parse(text),
                Some(Link::Unknown(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn every_link_kind_reads_back_as_written() {
        for (op, link) in link_samples() {
            let text = link.to_string();
            assert_eq!(Link::parse(&text), Some(link.clone()), "{op}: {text}");
            // A link followed with a GET is sent as written, so it must keep the
            // segments of its operation's path (the request hook's check).
            let operation = crate::operations::OPERATIONS
                .iter()
                .find(|o| o.id == op)
                .unwrap_or_else(|| panic!("{op} is no operation"));
            if operation.method == "GET" {
                let slashes = operation.path.matches('/').count();
                assert_eq!(crate::path::check(slashes, &text), Ok(()), "{op}: {text}");
            }
        }
    }
}

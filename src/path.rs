//! The one codec for path segments: how every path the client sends is cut
//! into segments and put back together.
//!
//! Request builders (build.rs, adaptation 8), [`crate::Link`]'s `Display` and
//! `follow`, and bulk's matching of answers to inputs all go through here, so
//! the set of escaped characters cannot drift apart again. The mock server
//! writes its links through [`crate::Link`], so it spells them as the client does.
//!
//! Why the set is larger than progenitor's: progenitor leaves `\`, `|`, `^`,
//! `[` and `]` raw. RFC 3986 does not allow them in a path, and the URL parser
//! reqwest uses reads `\` as `/`, so a user agent such as `..\..\v1\token`
//! would become extra segments, the `..` steps would be resolved, and the
//! request would go to another path of the same host, key included.
//!
//! No encoding can save a segment that is exactly `.` or `..` (WHATWG URL
//! parsing resolves them, and treats `%2E` like `.`), nor an empty one (the
//! service's router never matches it). Those are refused before sending:
//! [`check`] compares what the URL parser made of a path with what it was
//! built from.

use percent_encoding::{
    percent_decode_str, utf8_percent_encode, AsciiSet, PercentEncode, CONTROLS,
};
use std::borrow::Cow;

/// Everything that would end, split or escape a segment, plus what RFC 3986
/// does not allow raw in one, plus `,` and `;`: RFC 3986 allows them, but
/// servers that read path parameters in OpenAPI's styles (Prism, validating
/// gateways) split a `simple` parameter at `,` and start `matrix` ones at `;`,
/// and a user agent holds both. Letters, digits and `!$&'()*+=:@-._~` stay.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b',')
    .add(b';')
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\')
    .add(b'|')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Encodes one path segment. The generated code formats the result straight
/// into the URL, so no intermediate string is made.
pub(crate) fn encode_path(segment: &str) -> PercentEncode<'_> {
    utf8_percent_encode(segment, SEGMENT)
}

/// Encodes a segment the way the service writes names into its links: every
/// byte but letters, digits and `-._~` (the documented user agent link has
/// `%28`, `%3B`, `%2C`). [`crate::Link`] writes its names so; the client
/// reads any spelling, since all decode to the same text.
pub(crate) fn encode_as_service(segment: &str) -> PercentEncode<'_> {
    const UNRESERVED_KEPT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(segment, UNRESERVED_KEPT)
}

/// Decodes one segment as sent. `None` when the bytes it stands for are not
/// UTF-8: such a segment names nothing this API has, and decoding it lossily
/// would make a different segment when encoded again.
pub(crate) fn decode_segment(segment: &str) -> Option<Cow<'_, str>> {
    // Most segments hold no escape, and are already the text they stand for:
    // answers are full of links, and decoding would check their UTF-8 again.
    if !segment.contains('%') {
        return Some(Cow::Borrowed(segment));
    }
    percent_decode_str(segment).decode_utf8().ok()
}

/// Why a path was not sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// A segment built from data was empty, `.` or `..`.
    Segment,
    /// The URL parser made something else of the path than it was built from.
    Changed,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Segment => {
                "a path segment that is empty, `.` or `..` would not reach the operation"
            }
            Refused::Changed => "the path would not keep the segments it was built from",
        })
    }
}

/// Checks a path as the URL parser left it (`sent`, the base URL's own path
/// already removed) against the number of `/` in the operation's path
/// template, whose `{name}` placeholders were filled from data.
///
/// Counting is enough: [`encode_path`] keeps `/` out of every value, and the
/// parser's resolving of a `..` or a `.` in the middle removes segments. What
/// is left is a value that is empty (`//` stays) or a final `.` (it becomes a
/// trailing `/`). This runs before every request, so it is one pass over the
/// path; the template's count is worked out by build/facts.rs.
pub(crate) fn check(template_slashes: usize, sent: &str) -> Result<(), Refused> {
    // Whole-string searches rather than one branchy pass over the bytes:
    // this runs on every request, and these compile to vectorised scans.
    if sent.contains("//") {
        return Err(Refused::Segment);
    }
    if sent.bytes().filter(|&b| b == b'/').count() != template_slashes {
        return Err(Refused::Changed);
    }
    if sent.ends_with('/') {
        return Err(Refused::Segment);
    }
    Ok(())
}

/// A segment the URL parser would resolve away. Only the raw dots: `%2E`
/// cannot reach the parser, since [`encode_path`] escapes its `%`.
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    matches!(segment, "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(segment: &str) -> String {
        encode_path(segment).to_string()
    }

    #[test]
    fn separators_stay_inside_the_segment() {
        assert_eq!(
            encoded(r"..\..\windows\win.ini"),
            "..%5C..%5Cwindows%5Cwin.ini"
        );
        assert_eq!(encoded("a/b?c#d%e"), "a%2Fb%3Fc%23d%25e");
        assert_eq!(encoded("x|y^[z]"), "x%7Cy%5E%5Bz%5D");
        // What RFC 3986 allows in a segment is left alone, as progenitor
        // does, but for the separators of OpenAPI's parameter styles.
        assert_eq!(
            encoded("Mozilla/5.0 (X11; Linux) like Gecko, Chrome"),
            "Mozilla%2F5.0%20(X11%3B%20Linux)%20like%20Gecko%2C%20Chrome"
        );
    }

    #[test]
    fn decoding_gives_back_what_was_encoded() {
        for text in [r"..\x", "a/b%2Fc", "ünï code", "%252F"] {
            assert_eq!(decode_segment(&encoded(text)).as_deref(), Some(text));
        }
        assert_eq!(decode_segment("%FF"), None);
    }

    #[test]
    fn paths_that_lost_or_gained_segments_are_refused() {
        // `/v1/datacenter/{id}/prefixes`
        let template = 4;
        assert_eq!(check(template, "/v1/datacenter/MS/prefixes"), Ok(()));
        // `{id}` = `.` and `..`, as the URL parser resolves them.
        assert_eq!(
            check(template, "/v1/datacenter/prefixes"),
            Err(Refused::Changed)
        );
        assert_eq!(check(template, "/v1/prefixes"), Err(Refused::Changed));
        // `{id}` empty, and a final `.`.
        assert_eq!(
            check(template, "/v1/datacenter//prefixes"),
            Err(Refused::Segment)
        );
        // `/v1/ua/{user_agent}`
        assert_eq!(check(3, "/v1/ua/"), Err(Refused::Segment));
        assert_eq!(check(3, "/v1/ua/a/b"), Err(Refused::Changed));
        assert!(is_dot_segment("..") && is_dot_segment(".") && !is_dot_segment("..."));
    }
}

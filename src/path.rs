//! The one codec for path segments: how every path the client sends, and every
//! path the mock routes, is cut into segments and put back together.
//!
//! Generated methods (build.rs, adaptation 8), [`crate::Link`]'s `Display` and
//! `follow`, bulk's matching of answers to inputs and the mock's router all go
//! through here, so the set of escaped characters cannot drift apart again.
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
/// does not allow raw in one. Letters, digits and `!$&'()*+,;=:@-._~` stay.
const SEGMENT: &AsciiSet = &CONTROLS
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

/// Encodes a segment the way the service writes one into its links: every
/// byte but letters, digits and `-._~`. The mock writes its links so; the
/// client reads either spelling, since both decode to the same text.
#[cfg(feature = "mock")]
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
    percent_decode_str(segment).decode_utf8().ok()
}

/// Decodes for comparison, as the mock matches requests with fixtures: text
/// that does not decode to UTF-8 is compared as sent.
#[cfg(feature = "mock")]
pub(crate) fn decoded_or_raw(text: &str) -> Cow<'_, str> {
    decode_segment(text).unwrap_or(Cow::Borrowed(text))
}

/// Why a path was not sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// A segment built from data is empty, `.` or `..`.
    Segment(String),
    /// The URL parser made something else of the path than it was built from.
    Changed,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Segment(s) if s.is_empty() => {
                f.write_str("an empty path segment would not reach the operation")
            }
            Refused::Segment(s) => write!(
                f,
                "a path segment of `{s}` would be resolved away and send the request elsewhere"
            ),
            Refused::Changed => {
                f.write_str("the path would not keep the segments it was built from")
            }
        }
    }
}

/// Checks a path as the URL parser left it (`sent`, the base URL's own path
/// already removed) against what it was built from: `template` with `{name}`
/// placeholders for the segments that came from data, or a whole path built
/// from data (a link's), which must then come out unchanged.
///
/// Literal segments must be equal and as many; a placeholder's segment must
/// not be empty, `.` or `..`.
pub(crate) fn check(template: &str, sent: &str) -> Result<(), Refused> {
    let mut expected = template.split('/');
    let mut actual = sent.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return Ok(()),
            (Some(t), Some(s)) if t.starts_with('{') => {
                if s.is_empty() || is_dot_segment(s) {
                    return Err(Refused::Segment(s.to_string()));
                }
            }
            (Some(t), Some(s)) if t == s => {}
            _ => return Err(Refused::Changed),
        }
    }
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
        // What RFC 3986 allows in a segment is left alone, as progenitor does.
        assert_eq!(
            encoded("Mozilla/5.0 (X11; Linux)"),
            "Mozilla%2F5.0%20(X11;%20Linux)"
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
        let template = "/v1/datacenter/{id}/prefixes";
        assert_eq!(check(template, "/v1/datacenter/MS/prefixes"), Ok(()));
        // `{id}` = `.` and `..`, as the URL parser resolves them.
        assert_eq!(
            check(template, "/v1/datacenter/prefixes"),
            Err(Refused::Changed)
        );
        assert_eq!(check(template, "/v1/prefixes"), Err(Refused::Changed));
        assert_eq!(
            check("/v1/ua/{user_agent}", "/v1/ua/"),
            Err(Refused::Segment(String::new()))
        );
        assert_eq!(check("/v1/ua/{x}", "/v1/ua/a/b"), Err(Refused::Changed));
        assert_eq!(check("/v1/ua/a%5Cb", "/v1/ua/a%5Cb"), Ok(()));
        assert_eq!(check("/v1/ua/a%5Cb", "/v1/ua/a/b"), Err(Refused::Changed));
        assert!(is_dot_segment("..") && is_dot_segment(".") && !is_dot_segment("..."));
    }
}

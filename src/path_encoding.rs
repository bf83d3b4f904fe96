//! Percent-encoding of path parameters, used by the generated code in place of
//! progenitor's (build.rs, adaptation 8).
//!
//! progenitor leaves `\`, `|`, `^`, `[` and `]` as they are. RFC 3986 does not
//! allow them raw in a path, and the URL parser reqwest uses reads `\` as `/`:
//! a user agent like `..\..\windows\win.ini` would become extra path segments,
//! `..` steps would be resolved, and the request would go to another path of
//! the host. Encoding them keeps every parameter inside its own segment.
//!
//! One case no encoding can save: a parameter that is exactly `.` or `..`.
//! WHATWG URL parsing treats `%2E` like `.`, so such a segment is resolved away.

use percent_encoding::{utf8_percent_encode, AsciiSet, PercentEncode, CONTROLS};

/// progenitor's set plus the characters above.
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

#[cfg(test)]
mod tests {
    use super::encode_path;

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
}

//! Masking the API key in text that reaches an error, a tracing field or a panic.
//!
//! Two masks, applied together. By value: the client knows its own key, so
//! every spelling of it a server could echo (as sent, JSON- or
//! `Debug`-escaped, percent-encoded) is masked, whatever shape a private
//! deployment's keys have. By shape: anything that looks like a public key
//! (`tja_` and 36 letters or digits) is masked too, since a proxy may echo
//! another caller's.
//!
//! Only text that is about to be kept in an error or recorded is looked at;
//! a successful call never passes through here.

use crate::problem::{Problem, ProblemDetail};
use crate::types::{ValidationError, ValidationErrorLocItem};
use std::borrow::Cow;
use std::sync::Arc;

/// What a masked key is replaced with.
const MASK: &str = "<redacted>";
/// What a key-shaped string is replaced with: the prefix says what it was.
const SHAPE_MASK: &str = "tja_…";

/// Masks one client's key. Cloning shares the spellings.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// Every spelling of the key that is looked for, longest first, so that a
    /// spelling holding another is masked whole.
    forms: Arc<[Box<str>]>,
    /// Whether the key has the public shape, whose every spelling holds
    /// `tja`, so that an answer without it need not be looked at further
    /// ([`Redactor::answer`]).
    public_shape: bool,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} spellings)", self.forms.len())
    }
}

impl Redactor {
    pub(crate) fn new(key: &str) -> Redactor {
        if key.is_empty() {
            return Redactor::default();
        }
        let debug = format!("{key:?}");
        let json = serde_json::to_string(key).unwrap_or_default();
        let path = crate::path::encode_path(key).to_string();
        let every_byte =
            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let form: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
        let mut forms: Vec<String> = vec![
            key.to_string(),
            unquote(&debug).to_string(),
            unquote(&json).to_string(),
        ];
        for encoded in [path, every_byte, form] {
            forms.push(lower_hex(&encoded));
            forms.push(encoded);
        }
        forms.retain(|f| !f.is_empty());
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        Redactor {
            forms: forms.into_iter().map(String::into_boxed_str).collect(),
            public_shape: matches!(by_shape(key), Cow::Owned(ref masked) if masked == SHAPE_MASK),
        }
    }

    /// A success answer's body with the key masked before it is decoded. The
    /// service's one answer that holds the key is the token's `self` link,
    /// which `Link` reads without it; a gateway or a private deployment may
    /// put it anywhere. For a public-shaped key, an answer without `tja` in
    /// it (every answer but the token's) is passed on after that one search;
    /// a key of another shape is looked for in every spelling. Text that is
    /// not UTF-8 would not decode as JSON anyway and is left as it is.
    pub(crate) fn answer(&self, body: bytes::Bytes) -> bytes::Bytes {
        if self.forms.is_empty() {
            return body;
        }
        let Ok(text) = std::str::from_utf8(&body) else {
            return body;
        };
        // Every spelling of a public key starts `tja` (`_` is unreserved in
        // paths and forms; `tja%5F` when every byte is escaped).
        if self.public_shape && !text.contains("tja") {
            return body;
        }
        match self.text(text) {
            Cow::Borrowed(_) => body,
            Cow::Owned(masked) => bytes::Bytes::from(masked),
        }
    }

    /// `text` with the key masked; borrowed when there was nothing to mask.
    pub(crate) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.holds_key(text) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_string();
        // Masking can join the text on either side of a mask into the key
        // again only if the key overlaps the mask; a few rounds settle it, and
        // text that still holds the key after them is given up whole.
        for _ in 0..4 {
            for form in self.forms.iter() {
                if out.contains(&**form) {
                    out = out.replace(&**form, MASK);
                }
            }
            if let Cow::Owned(masked) = by_shape(&out) {
                out = masked;
            }
            if !self.holds_key(&out) {
                return Cow::Owned(out);
            }
        }
        Cow::Owned(MASK.to_string())
    }

    /// Masks `text` in place.
    pub(crate) fn string(&self, text: &mut String) {
        if let Cow::Owned(masked) = self.text(text) {
            *text = masked;
        }
    }

    /// Masks `text` in place, then cuts it to [`TEXT_LIMIT`] bytes: what an
    /// error keeps of any text that came from the network. Masking comes
    /// first, so a cut can never leave part of a key behind.
    pub(crate) fn keep(&self, text: &mut String) {
        self.string(text);
        cut(text);
    }

    fn holds_key(&self, text: &str) -> bool {
        self.forms.iter().any(|f| text.contains(&**f)) || matches!(by_shape(text), Cow::Owned(_))
    }

    /// A problem as an error keeps it: masked, each text cut, its lists bounded.
    pub(crate) fn problem(&self, problem: &mut Problem) {
        for text in [&mut problem.title, &mut problem.kind]
            .into_iter()
            .flatten()
        {
            self.keep(text);
        }
        match &mut problem.detail {
            Some(ProblemDetail::Text(text)) => self.keep(text),
            Some(ProblemDetail::Validation(errors)) => self.validation(errors),
            Some(ProblemDetail::Other(value)) => {
                self.json(value);
                bound_json(value);
            }
            None => {}
        }
    }

    /// Validation failures as an error keeps them: masked, each text cut, at
    /// most [`LIST_LIMIT`] failures and [`LOC_LIMIT`] `loc` items each. When more
    /// came, the last one kept says how many were left out.
    pub(crate) fn validation(&self, errors: &mut Vec<ValidationError>) {
        let dropped = errors.len().saturating_sub(LIST_LIMIT);
        errors.truncate(LIST_LIMIT);
        for error in errors.iter_mut() {
            error.loc.truncate(LOC_LIMIT);
            for item in &mut error.loc {
                if let ValidationErrorLocItem::String(text) = item {
                    self.keep(text);
                }
            }
            self.keep(&mut error.msg);
            self.keep(&mut error.type_);
        }
        if dropped > 0 {
            if let Some(last) = errors.last_mut() {
                last.msg = format!("{} (and {dropped} more failures, not kept)", last.msg);
            }
        }
    }

    /// Every string and every key of a JSON value.
    fn json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(text) => self.string(text),
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (mut key, mut item) in entries {
                    self.string(&mut key);
                    self.json(&mut item);
                    map.insert(key, item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// The most bytes of one text an error keeps from the network: a problem's
/// title, detail and type, each part of a validation failure, a decode
/// message and its path, a link, an unexpected body, a transport message.
/// The README's Security table states it.
pub(crate) const TEXT_LIMIT: usize = 512;

/// The most validation failures an error keeps.
pub(crate) const LIST_LIMIT: usize = 16;

/// The most `loc` items a validation failure keeps (a field's depth).
pub(crate) const LOC_LIMIT: usize = 8;

/// Cuts `text` to at most [`TEXT_LIMIT`] bytes on a character boundary,
/// marking the cut with `…`.
pub(crate) fn cut(text: &mut String) {
    const MARK: &str = "…";
    if text.len() <= TEXT_LIMIT {
        return;
    }
    let mut end = TEXT_LIMIT - MARK.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(MARK);
}

/// A JSON value an error keeps, bounded like text: when written out it is
/// longer than [`TEXT_LIMIT`], the cut text of it is kept instead.
fn bound_json(value: &mut serde_json::Value) {
    let written = value.to_string();
    if written.len() > TEXT_LIMIT {
        let mut text = written;
        cut(&mut text);
        *value = serde_json::Value::String(text);
    }
}

fn unquote(quoted: &str) -> &str {
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted)
}

/// `%5C` as `%5c`: servers differ in the case of their escapes.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut after_percent = 0;
    for c in encoded.chars() {
        if c == '%' {
            after_percent = 2;
            out.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Masks anything shaped like a public API key (`tja_` and exactly 36
/// letters or digits).
pub(crate) fn by_shape(text: &str) -> Cow<'_, str> {
    const BODY: usize = 36;
    if !text.contains("tja_") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut masked = false;
    while let Some(at) = rest.find("tja_") {
        let after = &rest[at + 4..];
        let run = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        out.push_str(&rest[..at]);
        if run == BODY {
            out.push_str(SHAPE_MASK);
            masked = true;
        } else {
            out.push_str(&rest[at..at + 4 + run]);
        }
        rest = &after[run..];
    }
    if !masked {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shaped_strings_are_masked_and_nothing_else() {
        let none = Redactor::default();
        let key = format!("tja_{}", "a1B2".repeat(9));
        assert_eq!(none.text(&format!("token {key} bad")), "token tja_… bad");
        assert_eq!(none.text(&format!("/v1/token/{key}")), "/v1/token/tja_…");
        // Too short or too long is not a key: left alone.
        assert_eq!(none.text("tja_short tja_"), "tja_short tja_");
        let long = format!("tja_{}", "x".repeat(37));
        assert_eq!(none.text(&long), long);
        assert_eq!(none.text("ünïcode tja_ü"), "ünïcode tja_ü");
        assert!(matches!(none.text("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_spelling_of_the_clients_key_is_masked() {
        let key = r#"private "key"/with\odd chars"#;
        let r = Redactor::new(key);
        let spellings = [
            key.to_string(),
            unquote(&format!("{key:?}")).to_string(),
            crate::path::encode_path(key).to_string(),
            lower_hex(&crate::path::encode_path(key).to_string()),
            url::form_urlencoded::byte_serialize(key.as_bytes()).collect(),
        ];
        for spelling in spellings {
            let echoed = format!("bad token Bearer {spelling}!");
            assert_eq!(
                r.text(&echoed),
                "bad token Bearer <redacted>!",
                "{spelling}"
            );
        }
    }

    #[test]
    fn a_key_that_overlaps_the_mask_is_still_gone() {
        // Masking "<redacted" + ">x" could form the key again at the seam.
        let r = Redactor::new(">x<redacted");
        let masked = r.text(">x>x<redacted<redacted");
        assert!(!masked.contains(">x<redacted"), "{masked}");
    }
}

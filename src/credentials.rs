//! The API key: kept out of every output channel.

use std::fmt;

/// A ThreatJammer API key (`tja_` followed by 36 letters and digits).
///
/// `Debug` and `Display` print `tja_…` and nothing of the secret, so a key
/// inside a configuration struct, an error or a log line stays private.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Why a string is not an API key. Never contains the string itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key does not start with `tja_`.
    #[error("the API key must start with `tja_`")]
    Prefix,
    /// The part after `tja_` is not 36 characters long.
    #[error("the API key must have 36 characters after `tja_`, this one has {0}")]
    Length(usize),
    /// The part after `tja_` holds something other than letters and digits.
    #[error("the API key may only hold letters and digits after `tja_`")]
    Alphabet,
}

impl ApiKey {
    /// Checks a key against the documented format.
    pub fn new(key: impl Into<String>) -> Result<ApiKey, KeyError> {
        let key = key.into();
        let trimmed = key.trim();
        let rest = trimmed.strip_prefix("tja_").ok_or(KeyError::Prefix)?;
        if !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(KeyError::Alphabet);
        }
        if rest.len() != 36 {
            return Err(KeyError::Length(rest.chars().count()));
        }
        Ok(ApiKey(trimmed.to_string()))
    }

    /// A key that is not checked against the format, for private deployments and
    /// mock servers that issue their own.
    pub fn unchecked(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The `Authorization` header value, marked sensitive so that reqwest and
    /// `http` leave it out of their own debug output.
    pub(crate) fn header_value(&self) -> Result<reqwest::header::HeaderValue, KeyError> {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.0))
            .map_err(|_| KeyError::Alphabet)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl ApiKey {
    /// The key itself, for hashing into a cache's key identity.
    #[cfg(feature = "cache")]
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// What masks this key wherever a server might echo it.
    pub(crate) fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(tja_…)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tja_…")
    }
}

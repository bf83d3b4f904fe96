//! One error type for every operation, generated or hand-written, and how
//! each kind of failure becomes one of its variants.

use crate::problem::{Problem, ProblemDetail};
use crate::redact::Redactor;
use crate::types::ValidationError;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How many bytes of an unexpected body are kept for diagnosis: as many as
/// of any other text an error keeps.
const BODY_PREFIX: usize = crate::redact::TEXT_LIMIT;

/// Everything that can go wrong when calling the User API.
///
/// Match on the variant to decide what to do; none of them needs the body read
/// again. The API key never appears in any of them: the client never puts it
/// there, and whatever a server echoes is masked before it is kept: this
/// client's key in any spelling, and anything shaped like a key.
///
/// An error's size does not follow what a server sends: every text it keeps
/// from the network is cut to 512 bytes (ending in `…`), a validation error
/// keeps at most 16 failures and 8 `loc` items each, and other JSON in a
/// problem's `detail` is kept as its cut text when it is longer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the key is missing, malformed, unknown, or was created for another region.
    #[error("unauthorized (401): {}; check THREATJAMMER_API_KEY and that the key belongs to this region", describe(.0))]
    Unauthorized(Problem),
    /// 403: the plan does not include this operation, or the resource is not yours to change.
    #[error("forbidden (403): {}; the subscription plan may not include this operation", describe(.0))]
    Forbidden(Problem),
    /// 404: the resource does not exist.
    #[error("not found (404): {}", describe(.0))]
    NotFound(Problem),
    /// 429: the quota (per minute or per month) is spent.
    #[error("rate limited (429): {}{}", describe(.problem), retry_hint(.retry_after))]
    RateLimited {
        /// What `Retry-After` said, in seconds or as an HTTP date (a date in the
        /// past is zero); `None` when it said nothing, or nothing readable.
        retry_after: Option<Duration>,
        /// The body of the answer (empty when the service sent none).
        problem: Problem,
    },
    /// 422: the service rejected the arguments.
    #[error("invalid request (422): {}", describe_validation(.0))]
    Validation(Vec<ValidationError>),
    /// Any other documented error status (400, 409, 413, ...).
    #[error("the service refused the request ({status}): {}", describe(.problem))]
    Api {
        /// The status of the answer.
        status: StatusCode,
        /// The body of the answer.
        problem: Problem,
    },
    /// A status the spec does not declare, or an error body that is not the documented JSON
    /// (an HTML error page from a proxy, an empty 500).
    #[error("unexpected response {status} ({}): {body:?}", content_type.as_deref().unwrap_or("no content type"))]
    UnexpectedResponse {
        /// The status of the answer.
        status: StatusCode,
        /// Its `Content-Type`, if any.
        content_type: Option<String>,
        /// The first bytes of the body, lossily decoded.
        body: String,
    },
    /// A success answer whose body does not match the operation's schema.
    #[error("could not decode the answer to {operation} at {path}: {message}")]
    Decode {
        /// The operation that was called.
        operation: &'static str,
        /// Where in the body decoding failed, as a JSON path (`results[3].risk`).
        path: String,
        /// What the decoder said.
        message: String,
    },
    /// No answer in time (connect or total timeout).
    #[error("timed out waiting for the service; ClientBuilder::timeout and connect_timeout set the limits")]
    Timeout,
    /// The connection could not be made or broke.
    #[error("connection failed: {0}")]
    Connection(String),
    /// The request could not be built or sent for another reason (TLS, redirect loop, unreadable upload).
    #[error("request failed: {0}")]
    Request(String),
    /// An argument is unusable, and nothing was sent: it breaks what the spec
    /// says of it (a bound, a length, an item count, unique items, a format);
    /// given by name (`Client::call`, feature `dynamic`), it is missing or has
    /// the wrong type; in a path (`name` is then `path`), it would not stay in
    /// its segment (`..`, or empty).
    #[error("argument `{name}` of {operation}: {message}")]
    Argument {
        /// The operation called.
        operation: String,
        /// The argument's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// The client's quota guard counted the plan's monthly requests as spent, so the
    /// request was not sent. [`crate::Client::fetch_quota`] re-reads the count from the service.
    #[error("the monthly quota of {limit} requests is spent (counted by this client); it resets in about {} h", resets_in.as_secs().div_ceil(3600))]
    QuotaExhausted {
        /// The plan's requests per month.
        limit: u64,
        /// How long until the month's count starts again, as far as the client knows.
        resets_in: Duration,
    },
    /// A link that cannot be followed: not one this client knows how to fetch, or it
    /// points at another kind of resource than was asked for.
    #[error("cannot follow the link {link}: {reason}")]
    Link {
        /// The link as the response held it.
        link: String,
        /// Why it cannot be followed.
        reason: String,
    },
    /// The answer's body was longer than [`crate::ClientBuilder::max_response_bytes`]
    /// allows; reading stopped there, so a server cannot fill the caller's memory.
    #[error("the answer was longer than the client's limit of {limit} bytes (ClientBuilder::max_response_bytes); reading stopped there")]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A paged listing was still returning full pages when the client's bound on pages was reached.
    #[error("{operation} still returned full pages after {pages} pages; stopped there")]
    TooManyPages {
        /// The paged operation.
        operation: &'static str,
        /// How many pages were read.
        pages: u64,
    },
}

impl Error {
    /// Whether repeating the same request later may succeed: rate limiting,
    /// transport failures and the gateway statuses 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        self.transient().is_some()
    }

    /// Why the error may pass (`"timeout"`, `"connection"`, `"rate limited"`,
    /// `"gateway"`), or `None` when it will not: the one classification the
    /// retry policy and [`Error::is_retryable`] both read.
    pub(crate) fn transient(&self) -> Option<&'static str> {
        match self {
            Error::Timeout => Some("timeout"),
            Error::Connection(_) => Some("connection"),
            Error::RateLimited { .. } => Some("rate limited"),
            Error::UnexpectedResponse { status, .. } | Error::Api { status, .. }
                if matches!(status.as_u16(), 502..=504) =>
            {
                Some("gateway")
            }
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        Some(match self {
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Api { status, .. } | Error::UnexpectedResponse { status, .. } => *status,
            _ => return None,
        })
    }

    /// The server's problem body, for the variants that carry one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Unauthorized(p) | Error::Forbidden(p) | Error::NotFound(p) => Some(p),
            Error::RateLimited { problem, .. } | Error::Api { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The same error as a caller may see it: the client's key masked in
    /// every text it holds (by value and by shape, see [`Redactor`]), then
    /// every text that came from the network cut to a bound and every list
    /// bounded (`crate::redact::TEXT_LIMIT`, `LIST_LIMIT`), so that an
    /// error's size does not follow what a server sends. Every error that
    /// reaches a caller has been through here; the match names every variant
    /// so that a new one cannot be forgotten.
    pub(crate) fn redacted(mut self, r: &Redactor) -> Error {
        match &mut self {
            Error::Unauthorized(problem)
            | Error::Forbidden(problem)
            | Error::NotFound(problem)
            | Error::RateLimited { problem, .. }
            | Error::Api { problem, .. } => r.problem(problem),
            Error::Validation(errors) => r.validation(errors),
            Error::UnexpectedResponse {
                content_type, body, ..
            } => {
                content_type.iter_mut().for_each(|t| r.keep(t));
                r.keep(body);
            }
            Error::Decode { path, message, .. } => {
                r.keep(path);
                r.keep(message);
            }
            Error::Connection(message) | Error::Request(message) => r.keep(message),
            Error::Argument {
                operation,
                name,
                message,
            } => {
                r.keep(operation);
                r.keep(name);
                r.keep(message);
            }
            Error::Link { link, reason } => {
                r.keep(link);
                r.keep(reason);
            }
            Error::Timeout
            | Error::QuotaExhausted { .. }
            | Error::ResponseTooLarge { .. }
            | Error::TooManyPages { .. } => {}
        }
        self
    }

    pub(crate) fn from_status(
        status: StatusCode,
        retry_after: Option<Duration>,
        problem: Problem,
    ) -> Error {
        match status.as_u16() {
            401 => Error::Unauthorized(problem),
            403 => Error::Forbidden(problem),
            404 => Error::NotFound(problem),
            429 => Error::RateLimited {
                retry_after,
                problem,
            },
            422 => match problem.detail {
                Some(ProblemDetail::Validation(errors)) => Error::Validation(errors),
                _ => Error::Api { status, problem },
            },
            _ => Error::Api { status, problem },
        }
    }

    /// `body_limit` is the limit the answer's body was read under, when one was
    /// (see [`crate::ClientBuilder::max_response_bytes`]).
    pub(crate) fn from_transport(error: &reqwest::Error, body_limit: Option<u64>) -> Error {
        let message = without_url(error);
        if let Some(limit) = body_limit.filter(|_| over_limit(error)) {
            Error::ResponseTooLarge { limit }
        } else if error.is_timeout() {
            Error::Timeout
        } else if error.is_connect()
            || error.is_body()
            || error.is_request()
            || broke_in_transit(error)
        {
            // `is_request` covers a connection reset or closed while the request was on its way.
            Error::Connection(message)
        } else {
            Error::Request(message)
        }
    }

    pub(crate) fn unexpected(
        status: StatusCode,
        content_type: Option<String>,
        body: &[u8],
    ) -> Error {
        let keep = &body[..body.len().min(BODY_PREFIX)];
        Error::UnexpectedResponse {
            status,
            content_type,
            body: String::from_utf8_lossy(keep).into_owned(),
        }
    }
}

/// Whether reading stopped because the body passed the client's limit.
fn over_limit(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Whether a body or I/O failure lies underneath. reqwest reports a connection
/// that breaks while the body is read as a *decoding* error whose cause is the
/// body error, so the kind alone would call it a malformed request.
fn broke_in_transit(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let is_body = cause
            .downcast_ref::<reqwest::Error>()
            .is_some_and(|e| e.is_body() || e.is_connect());
        if is_body || cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// reqwest's message names the URL; the URL never holds the key (it travels in a
/// header), but the message reads better without it and the cause chain added.
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn describe(problem: &Problem) -> String {
    let title = problem.title.as_deref();
    let detail = match &problem.detail {
        Some(ProblemDetail::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    match (title, detail) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t.to_string(),
        (None, Some(d)) => d.to_string(),
        (None, None) => "no details given".to_string(),
    }
}

fn describe_validation(errors: &[ValidationError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let loc: Vec<String> = e.loc.iter().map(|l| l.to_string()).collect();
            format!("{}: {}", loc.join("."), e.msg)
        })
        .collect();
    parts.join("; ")
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

/// What an answer's `Retry-After` said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryAfter {
    /// No `Retry-After`.
    Absent,
    /// Wait this long: whole seconds, or until an HTTP date (none if it is past).
    Wait(Duration),
    /// A value that is neither (or more seconds than fit): the service asked
    /// for a wait nobody can read, so the call is not repeated on a guess.
    Unreadable,
}

impl RetryAfter {
    /// The wait an error reports.
    pub(crate) fn wait(self) -> Option<Duration> {
        match self {
            RetryAfter::Wait(wait) => Some(wait),
            RetryAfter::Absent | RetryAfter::Unreadable => None,
        }
    }
}

/// Reads `Retry-After` in both forms RFC 9110 gives it: whole seconds, as the
/// service sends it, or an HTTP date, as gateways do (in any of its three
/// spellings).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> RetryAfter {
    let Some(value) = headers.get(reqwest::header::RETRY_AFTER) else {
        return RetryAfter::Absent;
    };
    let Ok(text) = value.to_str() else {
        return RetryAfter::Unreadable;
    };
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Digits alone past u64 are still seconds, just absurd ones.
        return text.parse::<u64>().map_or(RetryAfter::Unreadable, |s| {
            RetryAfter::Wait(Duration::from_secs(s))
        });
    }
    match httpdate::parse_http_date(text) {
        Ok(at) => RetryAfter::Wait(
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO),
        ),
        Err(_) => RetryAfter::Unreadable,
    }
}

/// Decodes again with serde_path_to_error to say where the body went wrong.
pub(crate) fn decode_error<T: DeserializeOwned>(
    operation: &'static str,
    bytes: &[u8],
    fallback: serde_json::Error,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Error::Decode {
            operation,
            path: e.path().to_string(),
            message: e.inner().to_string(),
        },
        Ok(_) => Error::Decode {
            operation,
            path: ".".into(),
            message: fallback.to_string(),
        },
    }
}

pub(crate) fn content_type(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn read(value: &str) -> RetryAfter {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        retry_after(&headers)
    }

    #[test]
    fn every_form_rfc_9110_gives_is_read() {
        // The three spellings of one date RFC 9110 (section 5.6.7) asks a
        // recipient to accept, all long past: wait nothing.
        for past in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(read(past), RetryAfter::Wait(Duration::ZERO), "{past}");
        }
        assert_eq!(read("120"), RetryAfter::Wait(Duration::from_secs(120)));
        assert_eq!(read(" 7 "), RetryAfter::Wait(Duration::from_secs(7)));
        let RetryAfter::Wait(wait) = read("Fri, 31 Dec 9999 23:59:59 GMT") else {
            panic!("a date far ahead is a long wait")
        };
        assert!(wait > Duration::from_secs(60 * 60 * 24 * 365 * 7000));
        for unreadable in ["18446744073709551616", "soon", "-1", "1.5", ""] {
            assert_eq!(read(unreadable), RetryAfter::Unreadable, "{unreadable:?}");
        }
        assert_eq!(retry_after(&HeaderMap::new()), RetryAfter::Absent);
    }
}

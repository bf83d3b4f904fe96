//! One error type for every operation, generated or hand-written.

use crate::problem::{Problem, ProblemDetail};
use crate::types::ValidationError;
use futures_util::future::{FutureExt, TryFutureExt};
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

/// How many bytes of an unexpected body are kept for diagnosis.
const BODY_PREFIX: usize = 512;

/// Everything that can go wrong when calling the User API.
///
/// Match on the variant to decide what to do; none of them needs the body read
/// again. The API key never appears in any of them: the client never puts it
/// there, and anything the server echoes that looks like a key is masked.
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
        /// What `Retry-After` said, when it said anything.
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
    /// An argument given by name ([`crate::Client::call`]) is missing or has the wrong type.
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
    /// request was not sent. [`crate::Client::quota`] re-reads the count from the service.
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
        match self {
            Error::RateLimited { .. } | Error::Timeout | Error::Connection(_) => true,
            Error::UnexpectedResponse { status, .. } | Error::Api { status, .. } => {
                matches!(status.as_u16(), 502..=504)
            }
            _ => false,
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

    pub(crate) fn from_status(
        status: StatusCode,
        retry_after: Option<Duration>,
        problem: Problem,
    ) -> Error {
        let problem = redact_problem(problem);
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

    pub(crate) fn from_transport(error: &reqwest::Error) -> Error {
        let message = redact(&without_url(error));
        if error.is_timeout() {
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
            body: redact(&String::from_utf8_lossy(keep)),
        }
    }
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

/// Masks anything shaped like an API key (`tja_` and 36 letters or digits).
/// The client never puts its key in an error, but a server or proxy may echo
/// one back in a body, and error values end up in logs.
pub(crate) fn redact(text: &str) -> String {
    const BODY: usize = 36;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("tja_") {
        let after = &rest[at + 4..];
        let run = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        out.push_str(&rest[..at]);
        if run == BODY {
            out.push_str("tja_…");
        } else {
            out.push_str(&rest[at..at + 4 + run]);
        }
        rest = &after[run..];
    }
    out.push_str(rest);
    out
}

fn redact_problem(mut problem: Problem) -> Problem {
    problem.title = problem.title.map(|t| redact(&t));
    problem.kind = problem.kind.map(|t| redact(&t));
    problem.detail = problem.detail.map(|detail| match detail {
        ProblemDetail::Text(t) => ProblemDetail::Text(redact(&t)),
        ProblemDetail::Validation(mut errors) => {
            for e in &mut errors {
                e.msg = redact(&e.msg);
            }
            ProblemDetail::Validation(errors)
        }
        ProblemDetail::Other(value) => {
            // Kept as the server sent it unless it holds something key-shaped.
            let text = value.to_string();
            let masked = redact(&text);
            if masked == text {
                ProblemDetail::Other(value)
            } else {
                ProblemDetail::Other(serde_json::Value::String(masked))
            }
        }
    });
    problem
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

/// Parses `Retry-After` as the service sends it: whole seconds.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What the transport saw of the final answer to a call, recorded by the
/// request hook. progenitor reports an undecodable error body without its
/// status or headers; this puts them back.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    pub(crate) fn of(response: &reqwest::Response) -> Answer {
        Answer {
            status: response.status(),
            content_type: content_type(response.headers()),
            retry_after: retry_after(response.headers()),
        }
    }
}

/// What the hooks learnt about one call that progenitor's error cannot carry.
#[derive(Debug, Default)]
pub(crate) struct CallNotes {
    /// The final answer, when one came and was not a success: only those can
    /// reach the error conversion without their status.
    pub answer: Option<Answer>,
    /// Set when the quota guard refused to send: (monthly limit, time until reset).
    pub refused: Option<(u64, Duration)>,
}

tokio::task_local! {
    // Boxed and empty until something is noted, so that entering and leaving
    // the scope on every poll moves one pointer.
    static CALL_NOTES: RefCell<Option<Box<CallNotes>>>;
}

/// Writes into the notes of the call in progress. Outside [`settle`] (a caller
/// using the generated client directly) there are no notes and nothing happens.
pub(crate) fn note(write: impl FnOnce(&mut CallNotes)) {
    let _ = CALL_NOTES.try_with(|notes| {
        if let Ok(mut notes) = notes.try_borrow_mut() {
            write(notes.get_or_insert_with(Box::default));
        }
    });
}

/// Runs one generated call and turns its outcome into the face's result.
///
/// Built from combinators rather than written as an `async fn`: an `async fn`
/// keeps its argument (the whole generated call, well over a kilobyte) and the
/// future it awaits side by side, which doubled the size of every face future
/// and the bytes copied per call. Here the call is stored once; a success
/// passes straight through, and only a failure builds (and boxes) the
/// conversion, which may have to read the rest of a body.
pub(crate) fn settle<T: DeserializeOwned + Send + 'static>(
    operation: &'static str,
    call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>>,
) -> impl Future<Output = Result<T, Error>> {
    // The notes are taken, on failure only, while the call's scope is still entered.
    let noted = call.map(|outcome| {
        outcome.map(ResponseValue::into_inner).map_err(|error| {
            let notes = CALL_NOTES.with(|notes| notes.take().map_or_else(Default::default, |n| *n));
            // Boxed, so that a success does not carry (and copy) room for a failure.
            Box::new((error, notes))
        })
    });
    CALL_NOTES
        .scope(RefCell::default(), noted)
        .or_else(move |failure| {
            let (error, notes) = *failure;
            convert::<T>(operation, error, notes).map(Err).boxed()
        })
}

async fn convert<T: DeserializeOwned>(
    operation: &'static str,
    error: progenitor_client::Error<Problem>,
    notes: CallNotes,
) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::ErrorResponse(value) => {
            let status = value.status();
            let wait = retry_after(value.headers());
            Error::from_status(status, wait, value.into_inner())
        }
        E::InvalidResponsePayload(bytes, json_error) => match notes.answer {
            // A 429 means rate limiting whatever its body says; Retry-After is what matters.
            Some(a) if a.status == StatusCode::TOO_MANY_REQUESTS => {
                Error::from_status(a.status, a.retry_after, Problem::default())
            }
            Some(a) if !a.status.is_success() => {
                Error::unexpected(a.status, a.content_type, &bytes)
            }
            _ => decode_error::<T>(operation, &bytes, json_error),
        },
        E::UnexpectedResponse(response) => {
            let status = response.status();
            let answer = Answer::of(&response);
            match response.bytes().await {
                // The documented global errors (401, 403, 404, 429, ...) can come from any
                // operation, declared or not; when the body is the documented problem, say so.
                Ok(body) if status.is_client_error() => {
                    match serde_json::from_slice::<Problem>(&body) {
                        Ok(problem) if problem != Problem::default() => {
                            Error::from_status(status, answer.retry_after, problem)
                        }
                        _ if status == StatusCode::TOO_MANY_REQUESTS => {
                            Error::from_status(status, answer.retry_after, Problem::default())
                        }
                        _ => Error::unexpected(status, answer.content_type, &body),
                    }
                }
                Ok(body) => Error::unexpected(status, answer.content_type, &body),
                Err(e) => Error::from_transport(&e),
            }
        }
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            Error::from_transport(&e)
        }
        E::Custom(message) => match notes.refused {
            Some((limit, resets_in)) => Error::QuotaExhausted { limit, resets_in },
            None => Error::Request(redact(&message)),
        },
        E::InvalidRequest(message) => Error::Request(redact(&message)),
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
            message: redact(&e.inner().to_string()),
        },
        Ok(_) => Error::Decode {
            operation,
            path: ".".into(),
            message: redact(&fallback.to_string()),
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
    use super::redact;

    #[test]
    fn key_shaped_strings_are_masked_and_nothing_else() {
        let key = format!("tja_{}", "a1B2".repeat(9));
        assert_eq!(redact(&format!("token {key} bad")), "token tja_… bad");
        assert_eq!(redact(&format!("/v1/token/{key}")), "/v1/token/tja_…");
        // Too short or too long is not a key: left alone.
        assert_eq!(redact("tja_short tja_"), "tja_short tja_");
        let long = format!("tja_{}", "x".repeat(37));
        assert_eq!(redact(&long), long);
        assert_eq!(redact("ünïcode tja_ü"), "ünïcode tja_ü");
    }
}

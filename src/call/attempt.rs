//! One attempt of a call: the checks before sending, the request sent once
//! within the quota guard's pace, and what came back, classified by status
//! and read. Everything it learns is in what it returns.

use super::{Answer, ClientState, Op};
use crate::error::{content_type, retry_after, without_url, RetryAfter};
use crate::problem::Problem;
use crate::request::Response;
use crate::{Client, Error};
use reqwest::StatusCode;
use std::time::Duration;
use tokio::time::Instant;

/// A failed attempt, as the retry loop sees it.
pub(super) struct Failure {
    pub error: Error,
    /// The answer asked for a wait that could not be read: repeating the call
    /// on a guess would only spend the quota the service is protecting.
    pub unreadable_wait: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            unreadable_wait: false,
        }
    }
}

/// Sends `request` once as an attempt of the call of `op`, and reads the
/// answer. `timeout` is the call's own limit for the attempt, when it has one.
pub(super) async fn attempt<A: Answer>(
    client: &Client,
    op: &'static Op,
    timeout: Option<Duration>,
    mut request: reqwest::Request,
) -> Result<Response<A>, Failure> {
    let state = client.state();
    admit(state, op, &request).map_err(|e| e.redacted(&state.redactor))?;
    // Added per request rather than as a default header of the reqwest client,
    // so a caller-supplied reqwest::Client authenticates too. reqwest drops it
    // when a redirect leads to another host, port or scheme.
    request
        .headers_mut()
        .insert(reqwest::header::AUTHORIZATION, state.auth.clone());
    if timeout.is_some() {
        *request.timeout_mut() = timeout;
    }
    // The call's span names the operation and the path, never headers: the key
    // travels in one. Paths hold arguments, which may be anything a caller was
    // handed, so they are masked; with no subscriber listening, nothing is.
    let span = tracing::Span::current();
    if !span.is_disabled() {
        span.record("method", request.method().as_str());
        span.record("path", &*state.redactor.text(request.url().path()));
    }
    // Only the `debug` events read the time taken.
    let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
    // The wait is boxed: a timer is large, and unboxed it would make every
    // call's future larger (and costlier to move) for a wait most calls never make.
    if let Some(guard) = &state.quota {
        if guard.try_admit().is_err() {
            Box::pin(guard.admit()).await;
        }
    }
    let elapsed_ms = || started.map_or(0, |s| s.elapsed().as_millis() as u64);
    let response = match client.http.execute(request).await {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(
                elapsed_ms = elapsed_ms(),
                error = &*state.redactor.text(&without_url(&error)),
                "no answer"
            );
            return Err(Error::from_transport(&error, None)
                .redacted(&state.redactor)
                .into());
        }
    };
    let status = response.status();
    span.record("status", status.as_u16());
    tracing::debug!(
        status = status.as_u16(),
        elapsed_ms = elapsed_ms(),
        "answered"
    );
    let (mut response, limit) = bounded(response, state.max_response_bytes);
    // The headers are moved out, not copied (copying them showed in the
    // instructions each request costs, docs/performance.md).
    let headers = std::mem::take(response.headers_mut());
    let body = if status.is_success() && !A::READS_BODY {
        bytes::Bytes::new()
    } else {
        response
            .bytes()
            .await
            .map_err(|e| Error::from_transport(&e, limit).redacted(&state.redactor))?
    };
    if status.is_success() {
        return A::read(state, op.id, status, &headers, body)
            .map(|value| Response {
                status,
                headers,
                value,
            })
            .map_err(|e| e.redacted(&state.redactor).into());
    }
    let told = retry_after(&headers);
    if told == RetryAfter::Unreadable {
        tracing::warn!(
            operation = op.id,
            "the answer's Retry-After is neither seconds nor an HTTP date; \
             the call is not repeated"
        );
    }
    let error = refusal(status, told, content_type(&headers), &body);
    Err(Failure {
        error: error.redacted(&state.redactor),
        unreadable_wait: told == RetryAfter::Unreadable,
    })
}

/// What a status other than a success means. Any `4xx` whose body is the
/// documented problem is the error its status names, whether or not the
/// operation documents that status (the global errors, 401, 403, 404, 429,
/// can come from any of them); a `429` is rate limiting whatever its body
/// says, and its `Retry-After` is what matters. Anything else is unexpected,
/// with the start of its body kept.
fn refusal(
    status: StatusCode,
    told: RetryAfter,
    content_type: Option<String>,
    body: &[u8],
) -> Error {
    if status.is_client_error() {
        match serde_json::from_slice::<Problem>(body) {
            Ok(problem) if problem != Problem::default() => {
                return Error::from_status(status, told.wait(), problem)
            }
            _ if status == StatusCode::TOO_MANY_REQUESTS => {
                return Error::from_status(status, told.wait(), Problem::default())
            }
            _ => {}
        }
    }
    Error::unexpected(status, content_type, body)
}

/// Refuses the call before anything is sent when its path would not reach
/// the operation with the segments it was built from (an argument of `..`),
/// or when the month's quota is spent: the service would answer `429` until
/// the month starts again. Reading the token is let through the quota, since
/// it is how [`crate::Client::fetch_quota`] learns that the month has started
/// again sooner than the client thought.
fn admit(state: &ClientState, op: &Op, request: &reqwest::Request) -> Result<(), Error> {
    if let Some(slashes) = op.checked_slashes {
        if let Err(refused) = state.check_sent(slashes, request.url().path()) {
            return Err(Error::Argument {
                operation: op.id.to_string(),
                name: "path".to_string(),
                message: refused.to_string(),
            });
        }
    }
    if !op.counted {
        return Ok(());
    }
    if let Some((limit, resets_in)) = state.quota.as_ref().and_then(|q| q.month_spent()) {
        tracing::warn!(
            operation = op.id,
            limit,
            "monthly quota spent; request not sent"
        );
        return Err(Error::QuotaExhausted { limit, resets_in });
    }
    Ok(())
}

/// Makes a body longer than `limit` end in an error instead of in memory,
/// and says whether it did. hyper already holds a body to the length it
/// declares, so only a body that declares none (chunked, or read to the
/// close) or more than the limit is wrapped; the common answer passes untouched.
fn bounded(response: reqwest::Response, limit: u64) -> (reqwest::Response, Option<u64>) {
    if response
        .content_length()
        .is_some_and(|length| length <= limit)
    {
        return (response, None);
    }
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let limited = http_body_util::Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    let response = reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap(limited),
    ));
    (response, Some(limit))
}

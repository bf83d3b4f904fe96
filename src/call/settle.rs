//! Turning what one attempt of a call gave (an answer, progenitor's error, the hooks'
//! notes) into the face's `Result<T, Error>`.

use super::notes::{Answer, CallNotes, Refusal, CALL_NOTES};
use crate::error::{decode_error, retry_after, RetryAfter};
use crate::problem::Problem;
use crate::redact::Redactor;
use crate::Error;
use futures_util::future::{FutureExt, TryFutureExt};
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

/// Runs one attempt of a call and turns its outcome into the face's result.
///
/// Built from combinators rather than written as an `async fn`: an `async fn`
/// keeps its argument (the whole generated call, well over a kilobyte) and the
/// future it awaits side by side, which doubled the size of every face future
/// and the bytes copied per call. Here the call is stored once; a success
/// passes straight through, and only a failure builds (and boxes) the
/// conversion, which may have to read the rest of a body.
pub(crate) fn settle<'r, T: DeserializeOwned + Send + 'static>(
    redactor: &'r Redactor,
    operation: &'static str,
    timeout: Option<Duration>,
    call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>> + 'r,
) -> impl Future<Output = Result<ResponseValue<T>, Failure>> + 'r {
    // The notes are taken, on failure only, while the call's scope is still entered.
    let noted = call.map(|outcome| {
        outcome.map_err(|error| {
            let notes = CALL_NOTES.with(|notes| notes.take().map_or_else(Default::default, |n| *n));
            // Boxed, so that a success does not carry (and copy) room for a failure.
            Box::new((error, notes))
        })
    });
    // Nothing is allocated for the notes unless there is something to note.
    let notes = timeout.map(|timeout| {
        Box::new(CallNotes {
            timeout: Some(timeout),
            ..CallNotes::default()
        })
    });
    CALL_NOTES
        .scope(RefCell::new(notes), noted)
        .or_else(move |failure| {
            let (error, notes) = *failure;
            let told = notes
                .answer
                .as_ref()
                .map_or(RetryAfter::Absent, |a| a.retry_after);
            convert::<T>(operation, error, notes)
                .map(move |error| {
                    let error = error.redacted(redactor);
                    if told == RetryAfter::Unreadable {
                        tracing::warn!(
                            operation,
                            "the answer's Retry-After is neither seconds nor an HTTP date; \
                             the call is not repeated"
                        );
                    }
                    Err(Failure {
                        error,
                        unreadable_wait: told == RetryAfter::Unreadable,
                    })
                })
                .boxed()
        })
}

/// A failed attempt, as the retry loop sees it.
pub(crate) struct Failure {
    pub error: Error,
    /// The answer asked for a wait that could not be read: repeating the call
    /// on a guess would only spend the quota the service is protecting.
    pub unreadable_wait: bool,
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
            let wait = retry_after(value.headers()).wait();
            Error::from_status(status, wait, value.into_inner())
        }
        E::InvalidResponsePayload(bytes, json_error) => match notes.answer {
            // A 429 means rate limiting whatever its body says; Retry-After is what matters.
            Some(a) if a.status == StatusCode::TOO_MANY_REQUESTS => {
                Error::from_status(a.status, a.retry_after.wait(), Problem::default())
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
                            Error::from_status(status, answer.retry_after.wait(), problem)
                        }
                        _ if status == StatusCode::TOO_MANY_REQUESTS => Error::from_status(
                            status,
                            answer.retry_after.wait(),
                            Problem::default(),
                        ),
                        _ => Error::unexpected(status, answer.content_type, &body),
                    }
                }
                Ok(body) => Error::unexpected(status, answer.content_type, &body),
                Err(e) => Error::from_transport(&e, notes.body_limit),
            }
        }
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            Error::from_transport(&e, notes.body_limit)
        }
        E::Custom(message) => match notes.refused {
            Some(Refusal::Quota { limit, resets_in }) => Error::QuotaExhausted { limit, resets_in },
            Some(Refusal::Path(reason)) => Error::Argument {
                operation: operation.to_string(),
                name: "path".to_string(),
                message: reason,
            },
            None => Error::Request(message),
        },
        E::InvalidRequest(message) => Error::Request(message),
    }
}

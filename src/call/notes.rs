//! What the request hooks learn about one call that progenitor's error
//! cannot carry, kept in a task-local for the duration of the call.

use crate::error::{content_type, retry_after, RetryAfter};
use reqwest::StatusCode;
use std::cell::RefCell;
use std::time::Duration;

/// What the transport saw of the final answer to a call, recorded by the
/// request hook. progenitor reports an undecodable error body without its
/// status or headers; this puts them back.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub retry_after: RetryAfter,
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
    /// Set when the request hook refused to send.
    pub refused: Option<Refusal>,
    /// Set when the answer's body was read under a limit, because it
    /// declared no length or more than the limit.
    pub body_limit: Option<u64>,
    /// The call's own timeout for each attempt, set on its request builder.
    pub timeout: Option<Duration>,
}

/// Why the request hook did not send a request.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The quota guard counts the month's requests as spent.
    Quota { limit: u64, resets_in: Duration },
    /// The path would not have kept the segments it was built from.
    Path(String),
}

tokio::task_local! {
    // Boxed and empty until something is noted, so that entering and leaving
    // the scope on every poll moves one pointer.
    pub(super) static CALL_NOTES: RefCell<Option<Box<CallNotes>>>;
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

/// Reads from the notes of the call in progress; `None` outside a call or
/// when nothing is noted.
pub(crate) fn read<T>(field: impl FnOnce(&CallNotes) -> Option<T>) -> Option<T> {
    CALL_NOTES
        .try_with(|notes| notes.try_borrow().ok()?.as_deref().and_then(field))
        .ok()
        .flatten()
}

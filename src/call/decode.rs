//! Reading a successful answer into what its operation returns. Every 2xx
//! status is a success (build adaptation 12): the spec of record documents
//! `202`/`204` beside upstream's `200`, and drift observation notes a status
//! or content type the operation does not declare instead of failing the call.

use super::ClientState;
use crate::error::decode_error;
use crate::Error;
use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

/// What a successful answer is read into, by its kind: JSON into a boxed
/// answer type, nothing into `()`, text into `String`.
pub(crate) trait Answer: Sized + Send + 'static {
    /// The `Accept` header the request carries.
    const ACCEPT: &'static str;

    /// Whether a success's body is read: one that carries nothing the
    /// operation returns is left unread, so that a connection that breaks
    /// after the status does not fail a call whose outcome is already known.
    const READS_BODY: bool = true;

    fn read(
        state: &ClientState,
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Self, Error>;
}

/// A JSON answer, decoded into its type and boxed where it is decoded: an
/// answer of several hundred bytes is otherwise copied by every layer of the
/// call on its way out, which was the largest cost the client added to a
/// request (docs/performance.md).
impl<T> Answer for Box<T>
where
    T: DeserializeOwned + crate::drift::Unlisted + Send + 'static,
{
    const ACCEPT: &'static str = "application/json";

    fn read(
        state: &ClientState,
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Self, Error> {
        let body = state.redactor.answer(body);
        let content_type = headers.get(CONTENT_TYPE);
        crate::drift::decode::<T>(state, operation, status, content_type, &body)
            .map(Box::new)
            .map_err(|e| decode_error::<T>(operation, &body, e))
    }
}

/// An answer whose body, if any, carries nothing the operation returns.
impl Answer for () {
    const ACCEPT: &'static str = "application/json";
    const READS_BODY: bool = false;

    fn read(
        state: &ClientState,
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        _body: Bytes,
    ) -> Result<Self, Error> {
        crate::drift::check_answer(state, operation, status, headers.get(CONTENT_TYPE));
        Ok(())
    }
}

/// A text answer (the reported-address export), as it came.
impl Answer for String {
    const ACCEPT: &'static str = "*/*";

    fn read(
        state: &ClientState,
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Self, Error> {
        crate::drift::check_answer(state, operation, status, headers.get(CONTENT_TYPE));
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

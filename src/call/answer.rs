//! Reading a successful answer: every 2xx status decodes into the
//! operation's result (build adaptation 12), and drift observation notes
//! what the answer carried that the spec of record does not describe.

use crate::generated;
use crate::problem::Problem;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use serde::de::DeserializeOwned;

type Answered<T> = Result<ResponseValue<T>, progenitor_client::Error<Problem>>;

/// A JSON answer, decoded. A success's headers are not kept: the face hands
/// out the value alone, and copying them showed in the instructions each
/// request costs (docs/performance.md).
pub(crate) async fn json<T: DeserializeOwned>(
    api: &generated::Client,
    response: reqwest::Response,
    operation: &'static str,
) -> Answered<T> {
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    let body = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    match crate::drift::decode(&api.inner, operation, status, content_type.as_ref(), &body) {
        Ok(value) => Ok(ResponseValue::new(value, status, HeaderMap::new())),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
    }
}

/// An answer whose body, if any, carries nothing the operation returns.
pub(crate) fn empty(
    api: &generated::Client,
    response: reqwest::Response,
    operation: &'static str,
) -> Answered<()> {
    let content_type = response.headers().get(CONTENT_TYPE);
    crate::drift::check_answer(&api.inner, operation, response.status(), content_type);
    Ok(ResponseValue::empty(response))
}

/// A text answer (the reported-address export), as it came.
pub(crate) async fn text(
    api: &generated::Client,
    response: reqwest::Response,
    operation: &'static str,
) -> Answered<String> {
    let status = response.status();
    crate::drift::check_answer(
        &api.inner,
        operation,
        status,
        response.headers().get(CONTENT_TYPE),
    );
    let text = response
        .text()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    Ok(ResponseValue::new(text, status, HeaderMap::new()))
}

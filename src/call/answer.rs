//! Reading a successful answer: every 2xx status decodes into the
//! operation's result (build adaptation 12), and drift observation notes
//! what the answer carried that the spec of record does not describe.

use crate::generated;
use crate::problem::Problem;
use progenitor_client::ResponseValue;
use reqwest::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

type Answered<T> = Result<ResponseValue<T>, progenitor_client::Error<Problem>>;

/// A JSON answer, decoded. The headers are moved out of the response
/// before its body is read, not copied (copying them showed in the
/// instructions each request costs, docs/performance.md), so that
/// `send_with_response` can hand them over.
pub(crate) async fn json<T: DeserializeOwned>(
    api: &generated::Client,
    mut response: reqwest::Response,
    operation: &'static str,
) -> Answered<T> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    let body = api.inner.redactor.answer(body);
    let content_type = headers.get(CONTENT_TYPE);
    match crate::drift::decode(&api.inner, operation, status, content_type, &body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
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
    // Its headers are not handed out (the export has no `send_with_response`).
    Ok(ResponseValue::new(text, status, Default::default()))
}

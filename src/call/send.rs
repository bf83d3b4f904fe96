//! Requests the generator does not write (the CSV uploads, following links),
//! sent through the same hooks as the generated ones so they get the same
//! authentication, quota guard, retries, tracing and error type.

use super::hooks::round_trip;
use super::settle::settle;
use crate::{Error, Problem};
use progenitor_client::{ClientInfo, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;

impl crate::Client {
    /// Sends the request `build` makes from the reqwest client and the base URL,
    /// as the operation `operation_id`, and decodes a `200` answer as `T`.
    pub(crate) async fn send<T: DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        self.exchange(operation_id, "application/json", build, |response| async {
            ResponseValue::from_response(response).await
        })
        .await
    }

    /// Like [`Client::send`](crate::Client), for an answer that is text, not JSON
    /// (the reported-address export in CSV or AWS WAF form).
    pub(crate) async fn send_for_text(
        &self,
        operation_id: &'static str,
        build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<String, Error> {
        self.exchange(operation_id, "*/*", build, |response| async {
            let status = response.status();
            let headers = response.headers().clone();
            let text = response
                .text()
                .await
                .map_err(progenitor_client::Error::ResponseBodyError)?;
            Ok(ResponseValue::new(text, status, headers))
        })
        .await
    }

    async fn exchange<T, F>(
        &self,
        operation_id: &'static str,
        accept: &'static str,
        build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
        read_ok: impl FnOnce(reqwest::Response) -> F,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned + Send + 'static,
        F: std::future::Future<
            Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>,
        >,
    {
        let api = &self.generated;
        let builder = build(api.client(), api.baseurl()).header(reqwest::header::ACCEPT, accept);
        let info = OperationInfo { operation_id };
        settle(&api.inner().redactor, operation_id, async {
            let response = round_trip(api, builder.build()?, &info).await?;
            // The classification the generated methods make: 200 is the answer, the
            // documented error statuses decode as a Problem, the rest is unexpected.
            match response.status().as_u16() {
                200 => read_ok(response).await,
                400..=499 => Err(progenitor_client::Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
            }
        })
        .await
    }
}

//! Requests the generator does not write (the CSV uploads, following links),
//! sent through the same hooks as the generated ones so they get the same
//! authentication, quota guard, retries, tracing and error type.

use crate::error::settle;
use crate::generated;
use crate::Error;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;

impl crate::Client {
    /// Sends the request `build` makes from the reqwest client and the base URL,
    /// as the operation `operation_id`, and decodes a `200` answer as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let api = &self.generated;
        let builder = build(api.client(), api.baseurl())
            .header(reqwest::header::ACCEPT, "application/json")
            .header("api-version", generated::Client::api_version());
        let info = OperationInfo { operation_id };
        settle(operation_id, async {
            let mut request = builder.build()?;
            api.pre(&mut request, &info).await?;
            let result = api.exec(request, &info).await;
            api.post(&result, &info).await?;
            let response = result?;
            // The classification the generated methods make: 200 decodes, the
            // documented error statuses decode as a Problem, the rest is unexpected.
            match response.status().as_u16() {
                200 => ResponseValue::from_response(response).await,
                400..=499 => Err(progenitor_client::Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
            }
        })
        .await
    }
}

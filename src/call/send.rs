//! Requests the generator does not write (the CSV uploads, following links),
//! sent through the same hooks as the generated ones so they get the same
//! authentication, quota guard, retries, tracing and error type.

use super::hooks::round_trip;
use super::CallOptions;
use crate::{Error, Problem};
use progenitor_client::{ClientInfo, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;

impl crate::Client {
    /// Sends the request `build` makes from the reqwest client and the base URL,
    /// as the operation `operation_id`, and decodes a `200` answer as `T`.
    /// `build` is called once per attempt.
    pub(crate) async fn send<T: DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        self.send_with(operation_id, &CallOptions::default(), build)
            .await
    }

    /// [`Client::send`](crate::Client) with a request builder's own options.
    pub(crate) async fn send_with<T: DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        options: &CallOptions,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let repeatable = crate::generated::repeatable(operation_id);
        self.exchange(
            operation_id,
            "application/json",
            repeatable,
            options,
            |http, base| Some(build(http, base)),
            super::answer::json,
        )
        .await
    }

    /// Like [`Client::send`](crate::Client), for a request whose body is
    /// streamed as it is read (a CSV file or reader): it is sent once.
    pub(crate) async fn send_once<T: DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        options: &CallOptions,
        build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let mut build = Some(build);
        self.exchange(
            operation_id,
            "application/json",
            false,
            options,
            |http, base| build.take().map(|build| build(http, base)),
            super::answer::json,
        )
        .await
    }

    /// Like [`Client::send`](crate::Client), for an answer that is text, not JSON
    /// (the reported-address export in CSV or AWS WAF form).
    pub(crate) async fn send_for_text(
        &self,
        operation_id: &'static str,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<String, Error> {
        let repeatable = crate::generated::repeatable(operation_id);
        self.exchange(
            operation_id,
            "*/*",
            repeatable,
            &CallOptions::default(),
            |http, base| Some(build(http, base)),
            super::answer::text,
        )
        .await
    }

    /// `build` gives `None` when the request cannot be made again (its body
    /// was streamed), which only a call that is not `repeatable` could ask for.
    async fn exchange<'s, T, F>(
        &'s self,
        operation_id: &'static str,
        accept: &'static str,
        repeatable: bool,
        options: &CallOptions,
        mut build: impl FnMut(&reqwest::Client, &str) -> Option<reqwest::RequestBuilder>,
        read_ok: impl Fn(&'s crate::generated::Client, reqwest::Response, &'static str) -> F,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned + Send + 'static,
        F: std::future::Future<
            Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>,
        >,
    {
        let api = &self.generated;
        let info = OperationInfo { operation_id };
        super::run(self, operation_id, repeatable, options, || {
            let request = build(api.client(), api.baseurl())
                .map(|b| b.header(reqwest::header::ACCEPT, accept).build());
            let (info, read_ok) = (&info, &read_ok);
            async move {
                let request = request.ok_or_else(|| {
                    progenitor_client::Error::InvalidRequest(
                        "the streamed body was sent already".into(),
                    )
                })??;
                let slashes = crate::generated::path_slashes(operation_id);
                let response = round_trip(api, request, info, slashes).await?;
                // The classification the generated methods make: every 2xx is the
                // answer, the documented error statuses decode as a Problem, the rest
                // is unexpected.
                match response.status().as_u16() {
                    200..=299 => read_ok(api, response, operation_id).await,
                    400..=499 => Err(progenitor_client::Error::ErrorResponse(
                        ResponseValue::from_response(response).await?,
                    )),
                    _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
                }
            }
        })
        .await
        .map(ResponseValue::into_inner)
    }
}

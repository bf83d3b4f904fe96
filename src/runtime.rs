//! What happens around every request, generated or hand-written: the hook
//! progenitor calls to send a request.

use crate::error::{content_type, Answer, LAST_ANSWER};
use crate::generated;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use std::time::Instant;
use tracing::Instrument;

/// Per-client state the request hook needs. progenitor keeps it in the
/// generated client as its "inner" value.
#[derive(Clone, Debug)]
pub struct Runtime {
    /// `Authorization: Bearer …`, its value marked sensitive so `Debug` prints `Sensitive`.
    auth: reqwest::header::HeaderMap,
}

impl Runtime {
    pub(crate) fn new(auth: reqwest::header::HeaderMap) -> Runtime {
        Runtime { auth }
    }
}

impl ClientHooks<Runtime> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // Added per request rather than as a default header of the reqwest client,
        // so a caller-supplied reqwest::Client authenticates too. reqwest drops it
        // when a redirect leads to another host.
        request.headers_mut().extend(self.inner().auth.clone());
        // The span names the operation and the path, never headers: the key travels in one.
        let span = tracing::debug_span!(
            "threatjammer.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
            let answer = Answer {
                status: response.status(),
                content_type: content_type(response.headers()),
            };
            // Outside `settle` (a caller using the generated client directly) there is no slot.
            let _ = LAST_ANSWER.try_with(|slot| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(answer);
                }
            });
        }
        result
    }
}

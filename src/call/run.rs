//! One call, from its first attempt to its outcome: the attempts the retry
//! policy allows, each of which sends, reads and decodes anew, under one span.

use super::settle::settle;
use crate::problem::Problem;
use crate::retry::RetryPolicy;
use crate::{Client, Error};
use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

/// What a request builder may set for its call alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    /// How long each attempt may take, in place of the client's timeout.
    pub timeout: Option<Duration>,
    /// In place of the client's retry policy.
    pub retry: Option<RetryPolicy>,
}

/// Runs the call `attempt` makes, again after each failure the retry policy
/// says may pass, as long as the operation is `repeatable` and the policy
/// allows. Each attempt builds its request afresh, so a connection that broke
/// while the answer was read is repeated like one that was refused.
pub(crate) async fn run<T, F, Fut>(
    client: &Client,
    operation: &'static str,
    repeatable: bool,
    options: &CallOptions,
    mut attempt: F,
) -> Result<T, Error>
where
    T: DeserializeOwned + Send + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>>,
{
    let state = client.hook_state();
    let policy = options.retry.as_ref().unwrap_or(&state.retry);
    let span = tracing::debug_span!(
        "threatjammer.request",
        operation,
        method = tracing::field::Empty,
        path = tracing::field::Empty,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    async move {
        let started = Instant::now();
        let mut number = 1;
        loop {
            let outcome = settle(&state.redactor, operation, options.timeout, attempt()).await;
            let wait = match &outcome {
                Err(error) if repeatable && month_left(client) => policy.next_wait(number, error),
                _ => None,
            };
            let Some((wait, reason)) = wait else {
                let span = tracing::Span::current();
                span.record("attempt", number);
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
                return outcome;
            };
            drop(outcome);
            tracing::debug!(
                attempt = number,
                reason,
                wait_ms = wait.as_millis() as u64,
                "repeating the request"
            );
            // Boxed: a timer is large, and most calls never wait.
            Box::pin(tokio::time::sleep(wait)).await;
            number += 1;
        }
    }
    .instrument(span)
    .await
}

/// Whether the month's quota, as the client counts it, has requests left: a
/// request that would only be refused is not worth waiting for.
fn month_left(client: &Client) -> bool {
    client
        .hook_state()
        .quota
        .as_ref()
        .is_none_or(|q| q.month_spent().is_none())
}

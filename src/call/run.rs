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
///
/// This is instantiated once per operation, so everything that does not
/// depend on the answer's type lives in [`Attempts`], compiled once.
pub(crate) async fn run<T, F, Fut>(
    client: &Client,
    operation: &'static str,
    repeatable: bool,
    options: &CallOptions,
    mut attempt: F,
) -> Result<ResponseValue<T>, Error>
where
    T: DeserializeOwned + Send + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<Problem>>>,
{
    let mut attempts = Attempts::start(client, operation, repeatable, options);
    let redactor = &client.hook_state().redactor;
    loop {
        let outcome = settle(redactor, operation, options.timeout, attempt())
            .instrument(attempts.span.clone())
            .await;
        let repeat = match &outcome {
            Err(failure) if !failure.unreadable_wait => attempts.after(Some(&failure.error)),
            _ => attempts.after(None),
        };
        match repeat {
            Some(wait) => {
                drop(outcome);
                attempts.wait(wait).await;
            }
            None => return outcome.map_err(|failure| failure.error),
        }
    }
}

/// The state of one call's attempts that does not depend on its answer.
struct Attempts<'c> {
    client: &'c Client,
    policy: &'c RetryPolicy,
    repeatable: bool,
    span: tracing::Span,
    started: Instant,
    number: u32,
}

impl<'c> Attempts<'c> {
    fn start(
        client: &'c Client,
        operation: &'static str,
        repeatable: bool,
        options: &'c CallOptions,
    ) -> Attempts<'c> {
        let state = client.hook_state();
        Attempts {
            client,
            policy: options.retry.as_ref().unwrap_or(&state.retry),
            repeatable,
            span: tracing::debug_span!(
                "threatjammer.request",
                operation,
                method = tracing::field::Empty,
                path = tracing::field::Empty,
                status = tracing::field::Empty,
                attempt = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            ),
            started: Instant::now(),
            number: 1,
        }
    }

    /// After an attempt that failed with `error` (or succeeded, `None`): how
    /// long to wait before the next one, or `None` when the outcome stands.
    fn after(&mut self, error: Option<&Error>) -> Option<Duration> {
        let wait = match error {
            Some(error) if self.repeatable && month_left(self.client) => {
                self.policy.next_wait(self.number, error)
            }
            _ => None,
        };
        let _entered = self.span.enter();
        match wait {
            Some((wait, reason)) => {
                tracing::debug!(
                    attempt = self.number,
                    reason,
                    wait_ms = wait.as_millis() as u64,
                    "repeating the request"
                );
                self.number += 1;
                Some(wait)
            }
            None => {
                self.span.record("attempt", self.number);
                self.span
                    .record("elapsed_ms", self.started.elapsed().as_millis() as u64);
                None
            }
        }
    }

    /// Boxed: a timer is large, and most calls never wait.
    async fn wait(&self, wait: Duration) {
        Box::pin(tokio::time::sleep(wait)).await;
    }
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

//! One call, from its first attempt to its outcome: the attempts the retry
//! policy allows, each of which builds, sends, reads and decodes anew, under
//! one span.

use super::attempt::{attempt, Failure};
use super::Answer;
use crate::error::without_url;
use crate::request::Response;
use crate::retry::RetryPolicy;
use crate::{Client, Error};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

/// What the call pipeline needs to know of an operation, generated from the
/// operation table (build/facts.rs) as one constant per operation.
#[derive(Debug)]
pub(crate) struct Op {
    pub id: &'static str,
    /// The `repeatable` fact: whether it may be sent again after a transient failure.
    pub repeatable: bool,
    /// Whether the quota guard counts it (all but reading the token, which is
    /// how the client learns the month started again).
    pub counted: bool,
    /// The number of `/` in its path template, which the path must still have
    /// when sent; `None` when the path holds no text from data (addresses,
    /// UUIDs and integers print nothing a segment escapes), so it cannot lose one.
    pub checked_slashes: Option<usize>,
}

/// What a request builder may set for its call alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    /// How long each attempt may take, in place of the client's timeout.
    pub timeout: Option<Duration>,
    /// In place of the client's retry policy.
    pub retry: Option<RetryPolicy>,
}

/// Runs the call of `op`, again after each failure the retry policy says may
/// pass, as long as the call is `repeatable` and the policy allows. Each
/// attempt builds its request afresh with `request` (from the HTTP client
/// and the base URL), so a connection that broke while the answer was read
/// is repeated like one that was refused. `request` gives `None` when its
/// request cannot be made again (a body streamed as it was read), which only
/// a call that is not `repeatable` could ask for.
pub(crate) async fn run<A: Answer>(
    client: &Client,
    op: &'static Op,
    repeatable: bool,
    options: &CallOptions,
    mut request: impl FnMut(&reqwest::Client, &str) -> Option<reqwest::RequestBuilder>,
) -> Result<Response<A>, Error> {
    let mut attempts = Attempts::start(client, op, repeatable, options);
    loop {
        let outcome = match request(&client.http, client.base_url()) {
            Some(builder) => match builder
                .header(
                    reqwest::header::ACCEPT,
                    reqwest::header::HeaderValue::from_static(A::ACCEPT),
                )
                .build()
            {
                Ok(built) => {
                    attempt::<A>(client, op, options.timeout, built)
                        .instrument(attempts.span.clone())
                        .await
                }
                Err(e) => Err(Failure::from(Error::Request(
                    client.state().redactor.text(&without_url(&e)).into_owned(),
                ))),
            },
            None => Err(Failure::from(Error::Request(
                "the streamed body was sent already".into(),
            ))),
        };
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

/// The state of one call's attempts that does not depend on its answer,
/// compiled once rather than once per answer type.
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
        op: &'static Op,
        repeatable: bool,
        options: &'c CallOptions,
    ) -> Attempts<'c> {
        Attempts {
            client,
            policy: options.retry.as_ref().unwrap_or(&client.state().retry),
            repeatable,
            span: tracing::debug_span!(
                "threatjammer.request",
                operation = op.id,
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
        .state()
        .quota
        .as_ref()
        .is_none_or(|q| q.month_spent().is_none())
}

//! When a failed request is sent again, and how long the client waits first.

use crate::Error;
use std::time::Duration;

/// Whether sending the operation twice has the same effect as sending it once,
/// so that the client may repeat it after a failure: every `GET`, and the
/// `POST`s that only read (assessment, geolocation, user-agent parsing, prefix
/// lookups, origin status and origin token queries). Never list creation or any
/// change. This is the operation's `repeatable` fact in the spec of record.
pub fn is_safe_to_repeat(operation_id: &str) -> bool {
    crate::generated::call_op(operation_id).is_some_and(|op| op.repeatable)
}

/// How the client repeats requests that failed for a reason that may pass:
/// a transport failure (timeout, refused connection, or one that broke while
/// the request or its answer was on the way), a gateway
/// status (`502`, `503`, `504`) or rate limiting (`429`).
///
/// Only operations that are [safe to repeat](is_safe_to_repeat) are repeated,
/// and only when their body can be sent again (a CSV upload streamed from a
/// file or reader cannot). Waits grow exponentially from
/// [`initial_backoff`](RetryPolicy::initial_backoff) up to
/// [`max_backoff`](RetryPolicy::max_backoff), with jitter so that clients that
/// failed together do not return together. After a `429` the client waits what
/// `Retry-After` says; when that is longer than
/// [`max_retry_after`](RetryPolicy::max_retry_after) it does not wait at all
/// and returns [`crate::Error::RateLimited`] with the advertised wait, since
/// waiting less than asked would only earn another `429`.
///
/// The default makes up to 3 attempts, backing off from 500 ms to at most 30 s,
/// and waits up to 60 s for `Retry-After`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's documentation).
    pub fn new() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// Every request is sent once; failures are returned as they come.
    pub fn disabled() -> RetryPolicy {
        RetryPolicy::default().max_attempts(1)
    }

    /// How many times a request may be sent in all, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first repetition; each further one doubles it.
    pub fn initial_backoff(mut self, wait: Duration) -> RetryPolicy {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two attempts when the service gave no `Retry-After`.
    pub fn max_backoff(mut self, wait: Duration) -> RetryPolicy {
        self.max_backoff = wait;
        self
    }

    /// The longest `Retry-After` the client waits out by itself.
    pub fn max_retry_after(mut self, wait: Duration) -> RetryPolicy {
        self.max_retry_after = wait;
        self
    }

    /// After attempt number `attempt` (from 1) failed with `error`: how long
    /// to wait before the next one and why, or `None` when the error stands.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        error: &Error,
    ) -> Option<(Duration, &'static str)> {
        if attempt >= self.max_attempts {
            return None;
        }
        let reason = error.transient()?;
        match error {
            // The service said how long; waiting less would only earn another 429.
            Error::RateLimited {
                retry_after: Some(wait),
                ..
            } => (*wait <= self.max_retry_after).then_some((*wait, reason)),
            _ => Some((self.backoff(attempt), reason)),
        }
    }

    /// Exponential backoff with "equal jitter": half of the step is fixed, so
    /// waits still grow, and half is random, so that clients spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let step = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = step / 2;
        half + half.mul_f64(random_fraction())
    }
}

/// A number in `[0, 1)`, random enough for jitter. std's `RandomState` is
/// seeded per process and varied per instance, which spares a dependency.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_bounds() {
        let policy = RetryPolicy::new()
            .initial_backoff(Duration::from_secs(1))
            .max_backoff(Duration::from_secs(5));
        for (attempt, full) in [(1, 1), (2, 2), (3, 4), (4, 5), (30, 5)] {
            let full = Duration::from_secs(full);
            for _ in 0..20 {
                let wait = policy.backoff(attempt);
                assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
            }
        }
    }
}

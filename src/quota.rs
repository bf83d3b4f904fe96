//! Staying inside the plan's quota on the client side, and reading what the
//! service says is left.
//!
//! The service counts every request against two limits: a per-minute sliding
//! window and a monthly total (a 30-day period from the key's creation). Past
//! either it answers `429`. The guard here keeps the same two counts for the
//! requests this client sends, so a well-behaved program waits its turn
//! instead of being refused.

use crate::generated::types;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
/// The service's "month": 30 days from the key's creation, a date the client
/// does not know until [`crate::Client::fetch_quota`] reads it.
const MONTH: Duration = Duration::from_secs(30 * 24 * 3600);

/// The request limits of a subscription plan, which the client-side quota
/// guard keeps to.
///
/// The guard is on with [`QuotaPolicy::FREE`] for the public regions, and off
/// for an explicit base URL (a mock, a private region) unless set with
/// [`crate::ClientBuilder::quota`]. Paid plans publish their own limits;
/// [`Quota::policy`] turns what `GET /v1/token` reports into a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaPolicy {
    per_minute: u32,
    per_month: u64,
    window: Duration,
}

impl QuotaPolicy {
    /// The documented free plan: 10 requests a minute and 5000 a month.
    pub const FREE: QuotaPolicy = QuotaPolicy {
        per_minute: 10,
        per_month: 5000,
        window: MINUTE,
    };

    /// A plan's limits. `0` means no limit in that window.
    #[deprecated(note = "the two limits are easy to swap: name them, as in \
                `QuotaPolicy::FREE.with_per_minute(100).with_per_month(1_000_000)` \
                or `QuotaPolicy::disabled().with_per_month(5000)`")]
    pub const fn new(per_minute: u32, per_month: u64) -> QuotaPolicy {
        QuotaPolicy {
            per_minute,
            per_month,
            window: MINUTE,
        }
    }

    /// No client-side limits: every request is sent at once. Also where to
    /// start a policy that limits only one window:
    /// `QuotaPolicy::disabled().with_per_month(5000)`.
    pub const fn disabled() -> QuotaPolicy {
        QuotaPolicy {
            per_minute: 0,
            per_month: 0,
            window: MINUTE,
        }
    }

    /// This policy with at most `requests` in any 60 seconds; `0` lifts the
    /// per-minute limit. A paid plan's limits, named so they cannot be
    /// swapped: `QuotaPolicy::FREE.with_per_minute(100).with_per_month(1_000_000)`.
    pub const fn with_per_minute(mut self, requests: u32) -> QuotaPolicy {
        self.per_minute = requests;
        self
    }

    /// This policy with at most `requests` a month; `0` lifts the monthly limit.
    pub const fn with_per_month(mut self, requests: u64) -> QuotaPolicy {
        self.per_month = requests;
        self
    }

    /// This policy with its "minute" lasting `window` instead: the service's
    /// is 60 seconds. A mock's plan scaled down to seconds
    /// (`QuotaPolicy::disabled().with_per_minute(5).with_window(Duration::from_secs(1))`)
    /// makes a test of the guard take seconds, not minutes; a guard whose window is a
    /// little longer than the service's leaves a margin for the time a request takes
    /// to arrive. A zero window is taken as one millisecond.
    pub const fn with_window(mut self, window: Duration) -> QuotaPolicy {
        self.window = if window.is_zero() {
            Duration::from_millis(1)
        } else {
            window
        };
        self
    }

    /// How long the per-minute window lasts: 60 seconds unless set with
    /// [`with_window`](QuotaPolicy::with_window).
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Requests allowed in any 60 seconds (any [`window`](QuotaPolicy::window)), if limited.
    pub fn per_minute(&self) -> Option<u32> {
        (self.per_minute > 0).then_some(self.per_minute)
    }

    /// Requests allowed in a month, if limited.
    pub fn per_month(&self) -> Option<u64> {
        (self.per_month > 0).then_some(self.per_month)
    }

    /// Whether the guard does nothing.
    pub fn is_disabled(&self) -> bool {
        self.per_minute == 0 && self.per_month == 0
    }
}

/// The key's quota as the service counts it, from `GET /v1/token`
/// ([`crate::Client::fetch_quota`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// Requests allowed per minute.
    pub per_minute: u64,
    /// Requests counted in the current minute.
    pub used_this_minute: u64,
    /// When the per-minute count is next refreshed.
    pub minute_refresh: Option<SystemTime>,
    /// Requests allowed per month.
    pub per_month: u64,
    /// Requests counted this month.
    pub used_this_month: u64,
    /// When the monthly count starts again.
    pub month_refresh: Option<SystemTime>,
}

impl Quota {
    /// Reads the token's bucket fields. Negative numbers, which the service
    /// should never send, count as zero.
    pub fn from_token(token: &types::TokenOutput) -> Quota {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let time = |t: jiff::Timestamp| (t > jiff::Timestamp::UNIX_EPOCH).then(|| t.into());
        Quota {
            per_minute: count(token.last_minute_bucket_init_value),
            used_this_minute: count(token.last_minute_bucket_value),
            minute_refresh: time(token.last_minute_bucket_refresh),
            per_month: count(token.last_month_bucket_init_value),
            used_this_month: count(token.last_month_bucket_value),
            month_refresh: time(token.last_month_bucket_refresh),
        }
    }

    /// Requests left in the current minute.
    pub fn left_this_minute(&self) -> u64 {
        self.per_minute.saturating_sub(self.used_this_minute)
    }

    /// Requests left this month.
    pub fn left_this_month(&self) -> u64 {
        self.per_month.saturating_sub(self.used_this_month)
    }

    /// The limits the service applies to this key, as a policy for the guard.
    pub fn policy(&self) -> QuotaPolicy {
        QuotaPolicy::disabled()
            .with_per_minute(u32::try_from(self.per_minute).unwrap_or(u32::MAX))
            .with_per_month(self.per_month)
    }
}

/// The two counts the service keeps per key: requests in a sliding minute
/// and in a 30-day month, under a [`QuotaPolicy`].
///
/// The client's quota guard keeps them for what it sends; the mock server
/// (crate `threatjammer-mock`) keeps them for what it admits, so that both
/// count alike. Time is `tokio::time`'s, so a paused clock moves the windows.
#[derive(Debug)]
pub struct QuotaWindow {
    policy: QuotaPolicy,
    /// When each request of the last minute was counted, oldest first. Only
    /// kept when something reads it: the per-minute limit, or a report of
    /// the minute's use; then never more than that limit (or a minute's
    /// requests) long.
    recent: VecDeque<Instant>,
    keep_recent: bool,
    used_this_month: u64,
    month_ends: Instant,
}

impl QuotaWindow {
    /// Counts from `now`, the first month ending 30 days later. `report_minute`
    /// keeps the minute's requests even without a per-minute limit, to report them
    /// ([`usage`](QuotaWindow::usage)).
    pub fn new(policy: QuotaPolicy, now: Instant, report_minute: bool) -> QuotaWindow {
        QuotaWindow {
            policy,
            recent: VecDeque::new(),
            keep_recent: report_minute || policy.per_minute().is_some(),
            used_this_month: 0,
            month_ends: now + MONTH,
        }
    }

    /// The limits it counts against.
    pub fn policy(&self) -> QuotaPolicy {
        self.policy
    }

    /// Drops what has left the minute, and starts the month again when it is over.
    fn roll(&mut self, now: Instant) {
        while now >= self.month_ends {
            self.used_this_month = 0;
            self.month_ends += MONTH;
        }
        while self
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= self.policy.window)
        {
            self.recent.pop_front();
        }
    }

    /// When the full minute has room again; `None` when it has room now.
    pub fn minute_full_until(&mut self, now: Instant) -> Option<Instant> {
        self.roll(now);
        let limit = self.policy.per_minute()?;
        // `per_minute` is never `Some(0)`, so a full window is not empty.
        (self.recent.len() >= limit as usize).then(|| {
            self.recent
                .front()
                .map_or(now, |oldest| *oldest + self.policy.window)
        })
    }

    /// `(limit, time until the month starts again)` once the month's requests are spent.
    pub fn month_spent(&mut self, now: Instant) -> Option<(u64, Duration)> {
        self.roll(now);
        let limit = self.policy.per_month()?;
        (self.used_this_month >= limit)
            .then(|| (limit, self.month_ends.saturating_duration_since(now)))
    }

    /// Counts one request at `now` in both windows.
    pub fn count(&mut self, now: Instant) {
        self.roll(now);
        if self.keep_recent {
            self.recent.push_back(now);
        }
        self.used_this_month += 1;
    }

    /// `(used, time until it is refreshed)` for the minute and then the month,
    /// as the service's `GET /v1/token` reports them. The minute's count is
    /// kept only with a per-minute limit or `report_minute`; otherwise it is 0.
    pub fn usage(&mut self, now: Instant) -> [(u64, Duration); 2] {
        self.roll(now);
        let minute_refresh = self.recent.front().map_or(Duration::ZERO, |oldest| {
            (*oldest + self.policy.window).saturating_duration_since(now)
        });
        [
            (self.recent.len() as u64, minute_refresh),
            (
                self.used_this_month,
                self.month_ends.saturating_duration_since(now),
            ),
        ]
    }

    /// Takes the month's count (and, when known, its end) from the service,
    /// which also sees other programs using the key.
    fn sync(&mut self, used_this_month: u64, month_left: Option<Duration>, now: Instant) {
        self.used_this_month = used_this_month;
        if let Some(left) = month_left {
            self.month_ends = now + left;
        }
    }
}

/// The client-side counts, shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct QuotaGuard {
    /// This process's own counts: the whole guard, or with a shared window
    /// what it falls back on while Redis cannot be reached.
    window: Mutex<QuotaWindow>,
    /// The window a fleet shares (feature `redis`).
    #[cfg(feature = "redis")]
    shared: Option<crate::stores::SharedWindow>,
}

impl QuotaGuard {
    pub(crate) fn new(policy: QuotaPolicy) -> QuotaGuard {
        QuotaGuard {
            window: Mutex::new(QuotaWindow::new(policy, Instant::now(), false)),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// A guard on the window `shared` keeps in Redis; while Redis cannot be
    /// reached, this process keeps to its share of the plan on its own.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(shared: crate::stores::SharedWindow) -> QuotaGuard {
        let local = shared.local_share();
        QuotaGuard {
            window: Mutex::new(QuotaWindow::new(local, Instant::now(), false)),
            shared: Some(shared),
        }
    }

    pub(crate) fn policy(&self) -> QuotaPolicy {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return shared.plan();
        }
        self.window().policy()
    }

    fn window(&self) -> std::sync::MutexGuard<'_, QuotaWindow> {
        // The counts stay consistent even if a holder panicked: every update is one step.
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the per-minute window has room, then counts one request in
    /// both windows. With a shared window, Redis is asked again after every
    /// wait on the local count, so that a request held back while Redis was
    /// away goes back to the shared window as soon as Redis answers.
    pub(crate) async fn admit(&self) {
        loop {
            #[cfg(feature = "redis")]
            if let Some(shared) = &self.shared {
                if let Some(month) = shared.admit().await {
                    let now = Instant::now();
                    let mut window = self.window();
                    // Counted here too, so that a fallback starts from what this
                    // process has just sent rather than from an empty window.
                    window.count(now);
                    window.sync(month.used, month.left, now);
                    return;
                }
                tokio::time::sleep_until(shared.fell_back()).await;
            }
            let Err(free_at) = self.admit_here() else {
                return;
            };
            tracing::debug!(
                wait_ms = free_at
                    .saturating_duration_since(Instant::now())
                    .as_millis() as u64,
                "per-minute quota reached; waiting for the window to move"
            );
            tokio::time::sleep_until(free_at).await;
        }
    }

    /// Counts one request in both windows if the per-minute window has room;
    /// otherwise says when it will have. A shared window is only asked in
    /// [`admit`](QuotaGuard::admit), over the network, so with one this is
    /// always `Err(now)`: the caller's cue to await `admit`.
    pub(crate) fn try_admit(&self) -> Result<(), Instant> {
        #[cfg(feature = "redis")]
        if self.shared.is_some() {
            return Err(Instant::now());
        }
        self.admit_here()
    }

    /// [`try_admit`](QuotaGuard::try_admit) on this process's own counts.
    fn admit_here(&self) -> Result<(), Instant> {
        let mut window = self.window();
        let now = Instant::now();
        if let Some(free_at) = window.minute_full_until(now) {
            return Err(free_at);
        }
        window.count(now);
        Ok(())
    }

    /// When the per-minute window will have room, if it has none now;
    /// nothing is counted. For a shared window, what Redis last said.
    #[cfg(feature = "cache")]
    pub(crate) fn minute_free_at(&self) -> Option<Instant> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            if shared.is_reachable() {
                return shared.full_until();
            }
        }
        self.window().minute_full_until(Instant::now())
    }

    /// `(limit, time until the month starts again)` once this month's
    /// requests are spent. With a shared window, the month's count is the
    /// one Redis gave with the last request admitted.
    pub(crate) fn month_spent(&self) -> Option<(u64, Duration)> {
        self.window().month_spent(Instant::now())
    }

    /// Takes the service's count for the month, which also sees other
    /// programs using the key; a shared window takes it too.
    pub(crate) async fn sync(&self, quota: &Quota) {
        let left = quota
            .month_refresh
            .and_then(|at| at.duration_since(SystemTime::now()).ok());
        self.window()
            .sync(quota.used_this_month, left, Instant::now());
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            shared.sync_month(quota.used_this_month, left).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_spread_over_sliding_minutes() {
        let guard = QuotaGuard::new(QuotaPolicy::disabled().with_per_minute(3));
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..7 {
            guard.admit().await;
            sent.push(start.elapsed().as_secs());
        }
        assert_eq!(sent, [0, 0, 0, 60, 60, 60, 120]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_month_is_spent_then_starts_again() {
        let guard = QuotaGuard::new(QuotaPolicy::disabled().with_per_month(2));
        guard.admit().await;
        assert_eq!(guard.month_spent(), None);
        guard.admit().await;
        let (limit, left) = guard.month_spent().expect("two of two used");
        assert_eq!(limit, 2);
        assert_eq!(left, MONTH);
        tokio::time::advance(MONTH).await;
        assert_eq!(guard.month_spent(), None);
    }

    #[test]
    fn the_documented_token_reads_as_a_quota() {
        let text = include_str!("../tests/fixtures/documented/token.json");
        let exchange: serde_json::Value = serde_json::from_str(text).unwrap();
        let token: types::TokenOutput =
            serde_json::from_value(exchange["response"]["body"].clone()).unwrap();
        let quota = Quota::from_token(&token);
        assert_eq!(quota.per_month, 1_000_000);
        assert_eq!(quota.left_this_month(), 999_999);
        assert_eq!(quota.left_this_minute(), 100);
        assert_eq!(
            quota.policy(),
            QuotaPolicy::FREE
                .with_per_minute(100)
                .with_per_month(1_000_000)
        );
        assert_eq!(
            quota.month_refresh,
            Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_644_278_400_000))
        );
    }
}

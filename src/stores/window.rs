//! The quota window a fleet shares: a sorted set of the minute's requests
//! and a counter of the month's, both changed by one script per request so
//! that two processes can never both take the last place in the window.

use super::{Redis, Store};
use crate::quota::QuotaPolicy;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The service's month, for a shared count that does not know its end yet.
const MONTH: Duration = Duration::from_secs(30 * 24 * 3600);

/// Admits one request if the window has room. The time is Redis's own, so
/// that instances whose clocks disagree still share one window. Replies
/// `{admitted, wait_ms, month_used, month_left_ms}`; asked only to peek, it
/// reads both counts, counts nothing and replies `{2, 0, 0, 0}`: how a client
/// that went on without Redis learns that the window works again.
///
/// KEYS: the minute's requests (sorted set, scored by time), the month's
/// count. ARGV: the window in ms, the per-minute limit (0: none), a name for
/// this request unique in the fleet, the month in ms, `1` to peek.
const ADMIT: &str = r"
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local peek = ARGV[5] == '1'
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= limit and not peek then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {0, tonumber(oldest[2]) + window - now, 0, 0}
  end
end
if peek then
  redis.call('GET', KEYS[2])
  return {2, 0, 0, 0}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
local used = redis.call('INCR', KEYS[2])
local left = redis.call('PTTL', KEYS[2])
if left < 0 then
  left = tonumber(ARGV[4])
  redis.call('PEXPIRE', KEYS[2], left)
end
return {1, 0, used, left}
";

/// Takes the service's count for the month, and its end when known.
/// KEYS: the month's count. ARGV: the count, the ms left ('' unknown), the month in ms.
const SYNC_MONTH: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
if ARGV[2] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
";

/// Which count a client uses. Neither count knows what the other admitted,
/// so a change from one to the other lets a whole window pass without
/// sending: from shared to local, since the fleet may have filled the window
/// just before Redis went away; from local back to shared, since Redis never
/// saw what the fleet sent on its own (and, if it restarted, has forgotten
/// the rest), plus a probe interval, the time the other instances take to
/// find Redis back and stop sending on their own.
#[derive(Debug)]
struct Counting {
    shared: bool,
    quiet_until: Instant,
}

/// The month as the shared window counts it, with each request admitted.
pub(crate) struct Month {
    pub(crate) used: u64,
    pub(crate) left: Option<Duration>,
}

/// A client's side of the window a fleet shares.
#[derive(Debug)]
pub(crate) struct SharedWindow {
    redis: Arc<Redis>,
    plan: QuotaPolicy,
    minute: String,
    month: String,
    /// When the window was last found full, until when: what a verdict
    /// reads to know, without a round trip, whether waiting would outlast it.
    full_until: Mutex<Option<Instant>>,
    /// Names this process's requests in the window apart from any other's.
    process: u64,
    requests: AtomicU64,
    /// Which count this client uses now, and until when it sends nothing.
    counting: Mutex<Counting>,
    /// Loaded into Redis once, then run by their hashes.
    admit_script: redis::Script,
    sync_script: redis::Script,
}

impl SharedWindow {
    pub(crate) fn new(redis: Arc<Redis>, plan: QuotaPolicy) -> SharedWindow {
        // Random per process, from the standard library's seeded hasher.
        let process = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        SharedWindow {
            minute: redis.name("quota:minute"),
            month: redis.name("quota:month"),
            redis,
            plan,
            full_until: Mutex::new(None),
            process,
            requests: AtomicU64::new(0),
            counting: Mutex::new(Counting {
                shared: true,
                quiet_until: Instant::now(),
            }),
            admit_script: redis::Script::new(ADMIT),
            sync_script: redis::Script::new(SYNC_MONTH),
        }
    }

    pub(crate) fn plan(&self) -> QuotaPolicy {
        self.plan
    }

    /// What this instance keeps to on its own while Redis cannot be reached.
    pub(crate) fn local_share(&self) -> QuotaPolicy {
        match self.plan.per_minute() {
            Some(limit) => self
                .plan
                .with_per_minute((limit / self.redis.settings.fleet_size).max(1)),
            None => self.plan,
        }
    }

    pub(crate) fn is_reachable(&self) -> bool {
        self.redis.is_reachable(Store::Quota)
    }

    fn hint(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.full_until.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Until when the window was full when last asked, or this client sends
    /// nothing after a change of counts, if that is still ahead.
    pub(crate) fn full_until(&self) -> Option<Instant> {
        let quiet = self.counting().quiet_until;
        let full = self.hint().map_or(quiet, |at| at.max(quiet));
        (full > Instant::now()).then_some(full)
    }

    fn counting(&self) -> std::sync::MutexGuard<'_, Counting> {
        self.counting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Uses the shared count (`true`) or the local one from now on, and says
    /// until when nothing is sent.
    fn switch(&self, shared: bool) -> Instant {
        let mut counting = self.counting();
        if counting.shared != shared {
            counting.shared = shared;
            let mut quiet = self.plan.window();
            if shared {
                quiet += self.redis.settings.probe_interval;
            }
            counting.quiet_until = Instant::now() + quiet;
        }
        counting.quiet_until
    }

    /// After [`admit`](SharedWindow::admit) found no Redis: until when the
    /// local count sends nothing.
    pub(crate) fn fell_back(&self) -> Instant {
        self.switch(false)
    }

    /// Waits until the shared window admits one request, and counts it
    /// there; `None` as soon as Redis cannot be asked, for the caller to go
    /// on with its own counts. While Redis is away, the window is only peeked
    /// at, so that nothing is counted there before the quiet window after the
    /// change has passed, and a Redis that answers but cannot run the window
    /// (a name of its taken by something else) stays away.
    pub(crate) async fn admit(&self) -> Option<Month> {
        if !self.is_reachable() {
            self.ask(true).await?;
        }
        tokio::time::sleep_until(self.switch(true)).await;
        loop {
            let (admitted, wait_ms, used, left_ms) = self.ask(false).await?;
            if admitted == 1 {
                *self.hint() = None;
                self.redis
                    .stats
                    .shared_admits
                    .fetch_add(1, Ordering::Relaxed);
                return Some(Month {
                    used,
                    left: Some(Duration::from_millis(left_ms)),
                });
            }
            let free_at = Instant::now() + Duration::from_millis(wait_ms.max(1));
            *self.hint() = Some(free_at);
            tracing::debug!(
                wait_ms,
                "shared per-minute quota reached; waiting for the window to move"
            );
            tokio::time::sleep_until(free_at).await;
        }
    }

    /// Runs the window's script once, to admit a request or to `peek`.
    async fn ask(&self, peek: bool) -> Option<(u8, u64, u64, u64)> {
        let script = &self.admit_script;
        let (minute, month) = (&self.minute, &self.month);
        let name = if peek {
            String::new()
        } else {
            format!(
                "{:016x}-{}",
                self.process,
                self.requests.fetch_add(1, Ordering::Relaxed)
            )
        };
        self.redis
            .run(Store::Quota, |mut connection| async move {
                script
                    .key(minute)
                    .key(month)
                    .arg(self.plan.window().as_millis() as u64)
                    .arg(self.plan.per_minute().unwrap_or(0))
                    .arg(name)
                    .arg(MONTH.as_millis() as u64)
                    .arg(if peek { "1" } else { "0" })
                    .invoke_async(&mut connection)
                    .await
            })
            .await
    }

    /// Takes the service's count for the month into the shared one.
    pub(crate) async fn sync_month(&self, used: u64, left: Option<Duration>) {
        let script = &self.sync_script;
        let left = left.map_or(String::new(), |d| d.as_millis().max(1).to_string());
        let month = &self.month;
        let _: Option<u8> = self
            .redis
            .run(Store::Quota, |mut connection| async move {
                script
                    .key(month)
                    .arg(used)
                    .arg(left)
                    .arg(MONTH.as_millis() as u64)
                    .invoke_async(&mut connection)
                    .await
            })
            .await;
    }
}

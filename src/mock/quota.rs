//! The service's two request limits: a sliding minute and a 30-day month.

use super::Plan;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
const MONTH: Duration = Duration::from_secs(30 * 24 * 3600);

/// Which limit refused a request, and when it would be admitted.
pub(super) struct Refusal {
    pub(super) limit: &'static str,
    pub(super) allowed: u64,
    pub(super) wait: Duration,
}

impl Refusal {
    /// `Retry-After` in whole seconds, rounded up so that a client waiting
    /// that long is admitted.
    pub(super) fn retry_after(&self) -> u64 {
        let whole = self.wait.as_secs();
        let rounded = if self.wait.subsec_nanos() > 0 {
            whole + 1
        } else {
            whole
        };
        rounded.max(1)
    }
}

/// What `GET /v1/token` reports.
pub(super) struct Usage {
    pub(super) minute_used: u64,
    pub(super) minute_refresh_in: Duration,
    pub(super) month_used: u64,
    pub(super) month_refresh_in: Duration,
}

pub(super) struct Counter {
    pub(super) plan: Plan,
    /// Arrival times of the admitted requests of the last 60 seconds, oldest first.
    recent: VecDeque<Instant>,
    month_used: u64,
    month_started: Instant,
}

impl Counter {
    pub(super) fn new(plan: Plan, now: Instant) -> Counter {
        Counter {
            plan,
            recent: VecDeque::new(),
            month_used: 0,
            month_started: now,
        }
    }

    fn roll(&mut self, now: Instant) {
        while now.duration_since(self.month_started) >= MONTH {
            self.month_started += MONTH;
            self.month_used = 0;
        }
        while self
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= MINUTE)
        {
            self.recent.pop_front();
        }
    }

    /// Counts a request arriving at `now`, or says why it is refused. A refused
    /// request does not count.
    pub(super) fn admit(&mut self, now: Instant) -> Result<(), Refusal> {
        self.roll(now);
        let month = self.plan.per_month;
        if month > 0 && self.month_used >= month {
            return Err(Refusal {
                limit: "monthly",
                allowed: month,
                wait: (self.month_started + MONTH).saturating_duration_since(now),
            });
        }
        let minute = u64::from(self.plan.per_minute);
        if minute > 0 && self.recent.len() as u64 >= minute {
            let oldest = self.recent.front().copied().unwrap_or(now);
            return Err(Refusal {
                limit: "per-minute",
                allowed: minute,
                wait: (oldest + MINUTE).saturating_duration_since(now),
            });
        }
        self.recent.push_back(now);
        self.month_used += 1;
        Ok(())
    }

    pub(super) fn usage(&mut self, now: Instant) -> Usage {
        self.roll(now);
        Usage {
            minute_used: self.recent.len() as u64,
            minute_refresh_in: self.recent.front().map_or(Duration::ZERO, |oldest| {
                (*oldest + MINUTE).saturating_duration_since(now)
            }),
            month_used: self.month_used,
            month_refresh_in: (self.month_started + MONTH).saturating_duration_since(now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_minute_slides() {
        let start = Instant::now();
        let mut counter = Counter::new(Plan::new(2, 0), start);
        assert!(counter.admit(start).is_ok());
        assert!(counter.admit(start + Duration::from_secs(30)).is_ok());
        let refused = counter
            .admit(start + Duration::from_millis(59_500))
            .unwrap_err();
        assert_eq!(refused.limit, "per-minute");
        assert_eq!(refused.retry_after(), 1, "0.5 s rounds up");
        assert!(
            counter.admit(start + MINUTE).is_ok(),
            "the first left the window"
        );
        let refused = counter.admit(start + MINUTE).unwrap_err();
        assert_eq!(refused.retry_after(), 30);
    }

    #[tokio::test(start_paused = true)]
    async fn the_month_runs_out_then_starts_again() {
        let start = Instant::now();
        let mut counter = Counter::new(Plan::new(0, 3), start);
        for _ in 0..3 {
            assert!(counter.admit(start).is_ok());
        }
        let refused = counter.admit(start + MINUTE).unwrap_err();
        assert_eq!(refused.limit, "monthly");
        assert_eq!(refused.wait, MONTH - MINUTE);
        assert!(counter.admit(start + MONTH).is_ok());
        assert_eq!(counter.usage(start + MONTH).month_used, 1);
    }
}

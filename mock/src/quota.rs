//! The service's answer to a spent quota, on the counts the client's guard
//! keeps too ([`QuotaWindow`]).

use std::time::Duration;
use threatjammer::QuotaWindow;
use tokio::time::Instant;

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

/// Counts a request arriving at `now`, or says why the service would refuse
/// it: the month first, as the service checks. A refused request does not count.
pub(super) fn admit(window: &mut QuotaWindow, now: Instant) -> Result<(), Refusal> {
    if let Some((allowed, wait)) = window.month_spent(now) {
        return Err(Refusal {
            limit: "monthly",
            allowed,
            wait,
        });
    }
    if let Some(free_at) = window.minute_full_until(now) {
        return Err(Refusal {
            limit: "per-minute",
            allowed: window.policy().per_minute().map_or(0, u64::from),
            wait: free_at.saturating_duration_since(now),
        });
    }
    window.count(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatjammer::QuotaPolicy;

    const MINUTE: Duration = Duration::from_secs(60);
    const MONTH: Duration = Duration::from_secs(30 * 24 * 3600);

    #[tokio::test(start_paused = true)]
    async fn the_minute_slides() {
        let start = Instant::now();
        let mut window = QuotaWindow::new(QuotaPolicy::disabled().with_per_minute(2), start, true);
        assert!(admit(&mut window, start).is_ok());
        assert!(admit(&mut window, start + Duration::from_secs(30)).is_ok());
        let refused = admit(&mut window, start + Duration::from_millis(59_500)).unwrap_err();
        assert_eq!(refused.limit, "per-minute");
        assert_eq!(refused.retry_after(), 1, "0.5 s rounds up");
        assert!(
            admit(&mut window, start + MINUTE).is_ok(),
            "the first left the window"
        );
        let refused = admit(&mut window, start + MINUTE).unwrap_err();
        assert_eq!(refused.retry_after(), 30);
    }

    #[tokio::test(start_paused = true)]
    async fn the_month_runs_out_then_starts_again() {
        let start = Instant::now();
        let mut window = QuotaWindow::new(QuotaPolicy::disabled().with_per_month(3), start, true);
        for _ in 0..3 {
            assert!(admit(&mut window, start).is_ok());
        }
        let refused = admit(&mut window, start + MINUTE).unwrap_err();
        assert_eq!(refused.limit, "monthly");
        assert_eq!(refused.wait, MONTH - MINUTE);
        assert!(admit(&mut window, start + MONTH).is_ok());
        assert_eq!(window.usage(start + MONTH)[1].0, 1);
    }
}

//! The R7 attempt limit: at most N failed instant attempts per account in a sliding window.

use chrono::{DateTime, Duration, Utc};

/// The limit in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    /// Failed attempts allowed in the window (default 5).
    pub max_failures: u32,
    /// The window (default 24 h).
    pub window: Duration,
}

/// Too many failed attempts; the next one is possible at `retry_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed attempts; retry at {retry_at}")]
pub struct TooManyAttempts {
    /// When the oldest counted failure leaves the window.
    pub retry_at: DateTime<Utc>,
}

impl AttemptLimit {
    /// Where the window starts, for loading the failures to pass to [`Self::check`].
    #[must_use]
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }

    /// Decides whether another attempt may start, given the failure times in the window.
    ///
    /// # Errors
    /// [`TooManyAttempts`] once `max_failures` failures fall inside the window.
    pub fn check(
        &self,
        failures: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Result<(), TooManyAttempts> {
        let mut recent: Vec<_> = failures
            .iter()
            .filter(|t| **t > now - self.window)
            .collect();
        if recent.len() < self.max_failures as usize {
            return Ok(());
        }
        recent.sort();
        let unblocking = recent[recent.len() - self.max_failures as usize];
        Err(TooManyAttempts {
            retry_at: *unblocking + self.window,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn limit() -> AttemptLimit {
        AttemptLimit {
            max_failures: 5,
            window: Duration::hours(24),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    #[test]
    fn four_failures_still_allow_a_fifth_attempt() {
        let failures: Vec<_> = (1..=4).map(|h| now() - Duration::hours(h)).collect();
        assert!(limit().check(&failures, now()).is_ok());
    }

    #[test]
    fn five_failures_block_until_the_oldest_leaves_the_window() {
        let failures: Vec<_> = (1..=5).map(|h| now() - Duration::hours(h)).collect();
        let err = limit().check(&failures, now()).unwrap_err();
        assert_eq!(
            err.retry_at,
            now() - Duration::hours(5) + Duration::hours(24)
        );
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let failures: Vec<_> = (20..=30).map(|h| now() - Duration::hours(h)).collect();
        assert!(limit().check(&failures, now()).is_ok());
    }
}

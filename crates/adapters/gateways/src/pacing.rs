//! A rate limit for outbound calls: each call takes the next free slot of `1 / rate` seconds
//! and waits for it, so calls never exceed the rate however many are in flight (R17: "the
//! registry is called with a configured rate limit").

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use realname_domain::enterprise::RegistryRecord;
use realname_domain::identifiers::Uscc;
use realname_ports::{BusinessRegistry, GatewayError};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Hands out evenly spaced start times.
#[derive(Debug)]
pub struct Pacer {
    spacing: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// At most `per_second` starts per second (0 or less: unlimited).
    #[must_use]
    pub fn new(per_second: f64) -> Self {
        let spacing = if per_second > 0.0 {
            Duration::from_secs_f64(1.0 / per_second)
        } else {
            Duration::ZERO
        };
        Self {
            spacing,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        if self.spacing.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// A registry whose lookups go through a [`Pacer`].
pub struct RateLimitedRegistry {
    inner: Arc<dyn BusinessRegistry>,
    pacer: Pacer,
}

impl RateLimitedRegistry {
    /// Wraps `inner` at `per_second` lookups per second.
    #[must_use]
    pub fn new(inner: Arc<dyn BusinessRegistry>, per_second: f64) -> Self {
        Self {
            inner,
            pacer: Pacer::new(per_second),
        }
    }
}

#[async_trait]
impl BusinessRegistry for RateLimitedRegistry {
    async fn lookup(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        self.pacer.wait().await;
        self.inner.lookup(uscc).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_by_the_rate_however_many_wait() {
        let pacer = Arc::new(Pacer::new(10.0));
        let begin = Instant::now();
        let handles: Vec<_> = (0..21)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    pacer.wait().await;
                    Instant::now()
                })
            })
            .collect();
        let mut starts = Vec::new();
        for h in handles {
            starts.push(h.await.unwrap() - begin);
        }
        starts.sort();
        assert_eq!(starts[0], Duration::ZERO);
        assert!(starts[20] >= Duration::from_secs(2), "{:?}", starts[20]);
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(99));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_unlimited() {
        let pacer = Pacer::new(0.0);
        let begin = Instant::now();
        for _ in 0..1000 {
            pacer.wait().await;
        }
        assert_eq!(Instant::now(), begin);
    }
}

//! Deletes `Idempotency-Key` records once they can no longer be replayed (API.md: 24 hours).

use std::sync::Arc;

use chrono::Duration;
use realname_ports::{Clock, IdempotencyStore};

use crate::AppError;

/// How long an `Idempotency-Key` is honoured.
pub const IDEMPOTENCY_KEY_LIFETIME: Duration = Duration::hours(24);

/// How long a request holds its key before a retry may take it over: longer than any request
/// runs (provider calls included), short enough that a crash does not block a retry for long.
pub const IDEMPOTENCY_LEASE: Duration = Duration::seconds(60);

/// Prunes expired keys in bounded batches.
pub struct PruneIdempotencyKeys {
    store: Arc<dyn IdempotencyStore>,
    clock: Arc<dyn Clock>,
    batch: u32,
}

impl PruneIdempotencyKeys {
    /// Wires the use case.
    pub fn new(store: Arc<dyn IdempotencyStore>, clock: Arc<dyn Clock>, batch: u32) -> Self {
        Self {
            store,
            clock,
            batch,
        }
    }

    /// Deletes expired keys until none is left; returns how many.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(&self) -> Result<usize, AppError> {
        let expired_before = self.clock.now() - IDEMPOTENCY_KEY_LIFETIME;
        let mut total = 0;
        loop {
            let deleted = self.store.prune(expired_before, self.batch).await?;
            total += deleted;
            if deleted < self.batch as usize {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use realname_ports::MockIdempotencyStore;

    use super::*;
    use crate::testing::{clock, now};

    #[tokio::test]
    async fn keys_older_than_a_day_are_pruned_batch_by_batch() {
        let mut store = MockIdempotencyStore::new();
        let mut left = 250_usize;
        store
            .expect_prune()
            .withf(|before, limit| *before == now() - Duration::hours(24) && *limit == 100)
            .times(3)
            .returning(move |_, limit| {
                let n = left.min(limit as usize);
                left -= n;
                Ok(n)
            });
        let pruned = PruneIdempotencyKeys::new(Arc::new(store), clock(), 100)
            .execute()
            .await
            .unwrap();
        assert_eq!(pruned, 250);
    }
}

//! Storage for `Idempotency-Key` (API.md): the first response to a key is replayed for 24 h.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, as sent.
    pub body: Vec<u8>,
}

/// What beginning a keyed request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// The key is new and now reserved for this request.
    Fresh,
    /// The same request was answered before: replay this.
    Replay(StoredResponse),
    /// The key was used with a different request (`idempotency_key_reused`).
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Keeps idempotency keys.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Reserves `key` in `scope` for a request with this fingerprint, or reports what it holds.
    /// Keys older than `expired_before` MUST be treated as absent.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;

    /// Records the response to a reserved key.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    /// Deletes up to `limit` keys created before `expired_before`; returns how many.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn prune(&self, expired_before: DateTime<Utc>, limit: u32) -> Result<usize, StoreError>;

    /// Releases a reserved key whose request failed, so that a retry may run.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}

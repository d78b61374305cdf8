//! Storage for `Idempotency-Key` (API.md): the first response to a key is replayed for 24 h.
//!
//! A request holds its key under a lease: a request that dies (a crash, a lost connection)
//! leaves the key to a retry once the lease ends, and every write of the answer is fenced by
//! the lease, so a request that outlived it cannot record over its successor. Where the use case
//! has a transaction, the answer is recorded in it ([`Answer`]): it commits with the change or
//! not at all.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::StoreError;
use crate::unit_of_work::Transaction;

/// A request's hold on its key: the record, and the lease it runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// Whose key: role, subject and account, with the operation.
    pub scope: String,
    /// The key as sent.
    pub key: String,
    /// The record's id (it binds the stored answer's ciphertext to its row).
    pub record: Uuid,
    /// This holder's lease; a takeover after it ends issues a new one.
    pub lease: Uuid,
}

/// How a keyed request's answer is rendered, so that its use case records it in the same
/// transaction as the change it answers.
pub struct Answer<T> {
    claim: IdempotencyClaim,
    render: Arc<dyn Fn(&T) -> StoredResponse + Send + Sync>,
}

impl<T> Answer<T> {
    /// The answer to `claim`, rendered by `render`.
    pub fn new(
        claim: IdempotencyClaim,
        render: Arc<dyn Fn(&T) -> StoredResponse + Send + Sync>,
    ) -> Self {
        Self { claim, render }
    }

    /// Records the answer to `value` in `tx`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the lease was lost; the transaction must not commit then.
    pub async fn record(&self, tx: &mut dyn Transaction, value: &T) -> Result<(), StoreError> {
        tx.record_answer(&self.claim, &(self.render)(value)).await
    }
}

impl<T> std::fmt::Debug for Answer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("record", &self.claim.record)
            .finish_non_exhaustive()
    }
}

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
    /// The key is new, or its last holder's lease ended: it is this request's now.
    Fresh(IdempotencyClaim),
    /// The same request was answered before: replay this.
    Replay(StoredResponse),
    /// The key was used with a different request (`idempotency_key_reused`).
    Mismatch,
    /// The first request with this key is still running, under a lease that has not ended.
    InProgress,
}

/// Keeps idempotency keys.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` in `scope` for a request with this fingerprint until `lease_until`, or
    /// reports what it holds. An unanswered key whose lease ended before `now` is taken over.
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
        lease_until: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;

    /// Records the answer to a claimed key, for a request whose use case had no transaction
    /// (or answered with a refusal). Nothing changes when the lease was lost or the answer is
    /// already recorded.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn complete(
        &self,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    /// Deletes up to `limit` keys created before `expired_before`; returns how many.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn prune(&self, expired_before: DateTime<Utc>, limit: u32) -> Result<usize, StoreError>;

    /// Releases a claimed, unanswered key whose request failed, so that a retry may run.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn abandon(&self, claim: &IdempotencyClaim) -> Result<(), StoreError>;
}

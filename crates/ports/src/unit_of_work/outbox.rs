//! The outbox and the audit chains (SPEC §6, R22).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::NewEvent;
use realname_domain::notification::Notification;

use crate::error::StoreError;

/// The outbox and the audit chains (SPEC §6, R22). Part of a [`super::Transaction`].
#[async_trait]
pub trait OutboxTx: Send {
    /// Appends an event to the outbox; an account's events take its next sequence number
    /// (SPEC §6).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn append_event(&mut self, event: &NewEvent, at: DateTime<Utc>)
    -> Result<(), StoreError>;

    /// Appends an entry to the account's audit chain (R22), chained to the previous entry.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Writes a notification for the delivery job, in the transaction of the change that
    /// calls for it (R8, R14, R17, R19).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn queue_notification(&mut self, notification: &Notification) -> Result<(), StoreError>;

    /// Records the answer to a keyed request with the change it answers (API.md
    /// `Idempotency-Key`), fenced by the claim's lease.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the lease was lost to a retry or the key is answered
    /// already; [`StoreError::Unknown`] on failure.
    async fn record_answer(
        &mut self,
        claim: &crate::IdempotencyClaim,
        response: &crate::StoredResponse,
    ) -> Result<(), StoreError>;
}

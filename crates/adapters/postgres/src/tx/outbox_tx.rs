//! The outbox and audit chains, written at commit (SPEC §6, R22).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel_async::RunQueryDsl;
use realname_domain::audit::AuditEntry;
use realname_domain::event::NewEvent;
use realname_domain::notification::Notification;
use realname_ports::StoreError;

use super::PgTransaction;
use crate::error::store_error;
use crate::schema::notifications;

#[async_trait]
impl realname_ports::OutboxTx for PgTransaction {
    async fn append_event(
        &mut self,
        event: &NewEvent,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.outbox.events.push((event.clone(), at));
        Ok(())
    }

    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.outbox.audit.push(entry.clone());
        Ok(())
    }

    async fn queue_notification(&mut self, notification: &Notification) -> Result<(), StoreError> {
        let row = self.codec.notification_row(notification);
        diesel::insert_into(notifications::table)
            .values(row)
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn record_answer(
        &mut self,
        claim: &realname_ports::IdempotencyClaim,
        response: &realname_ports::StoredResponse,
    ) -> Result<(), StoreError> {
        let codec = self.codec.clone();
        if crate::idempotency::write_answer(self.conn()?, &codec, claim, response).await? {
            Ok(())
        } else {
            // The lease went to a retry (or the key is answered): this change must not commit.
            Err(StoreError::Conflict)
        }
    }
}

//! The outbox and audit chains, written at commit (SPEC §6, R22).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::NewEvent;
use realname_ports::StoreError;

use super::PgTransaction;

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
}

//! Billing records an account's agreement expiry, which R12 and R18 use for revoked accounts.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::{Account, AccountId, Actor};
use realname_ports::{Clock, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;

/// Sets agreement expiries.
pub struct SetAgreement {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl SetAgreement {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Sets it (or clears it with `None`).
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Account, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut account = lock_visible_account(tx.as_mut(), actor, id).await?;
        let before = format!(
            "agreement={}",
            account
                .agreement_expires_at
                .map_or("none".to_owned(), |t| t.to_rfc3339())
        );
        account.agreement_expires_at = expires_at;
        let after = format!(
            "agreement={}",
            expires_at.map_or("none".to_owned(), |t| t.to_rfc3339())
        );
        tx.save_account(&account).await?;
        tx.append_audit(&AuditEntry::new(
            account.id,
            actor,
            "account.agreement_set",
            (before, after),
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(account)
    }
}

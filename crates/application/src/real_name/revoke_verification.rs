//! Revoke an account's verification (R14 theft decisions, R17 re-checks). Never a user action
//! (R1). Its slot is released and its inheriting sub-accounts follow (R16).

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::DomainEvent;
use realname_domain::{Account, AccountId, Actor};
use realname_ports::{Clock, UnitOfWork};

use realname_domain::notification::{NoticeKind, Notification};

use crate::AppError;
use crate::inheritance::{fan_out, lock_heirs};
use crate::record::emit;

/// Revokes verifications.
pub struct RevokeVerification {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl RevokeVerification {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Revokes it, with the reason audited (`identity_theft`, `registry_deregistered`, …).
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::NotVerified`] unless it is verified.
    #[tracing::instrument(name = "revoke_verification", skip_all, fields(account.id = %id, reason))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
        reason: &str,
    ) -> Result<Account, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let account = revoke_in(tx.as_mut(), actor, id, reason, now).await?;
        tx.commit().await?;
        Ok(account)
    }
}

/// Revokes one account inside the caller's transaction, with its heirs' events.
pub(crate) async fn revoke_in(
    tx: &mut dyn realname_ports::Transaction,
    actor: &Actor,
    id: AccountId,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Account, AppError> {
    let mut account = tx
        .account_for_update(id)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let heirs = lock_heirs(tx, &account).await?;
    account.revoke()?;
    tx.save_account(&account).await?;
    let event = DomainEvent::AccountRevoked {
        reason: reason.to_owned(),
    };
    emit(tx, account.id, event, now).await?;
    // R14, R17: the holder is told at the bound phone.
    tx.queue_notification(&Notification::new(NoticeKind::Revoked, account.id, now))
        .await?;
    let change = ("status=verified".to_owned(), "status=revoked".to_owned());
    tx.append_audit(
        &AuditEntry::new(account.id, actor, "account.revoked", change, now).because(reason),
    )
    .await?;
    fan_out(tx, actor, &account, &heirs, now).await?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use realname_domain::{Account, RealNameStatus};
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{clock, unit_of_work, verified_account};

    #[tokio::test]
    async fn a_revocation_emits_one_event_per_inheriting_sub_account() {
        let root = verified_account();
        let subs = vec![
            Account::sub_account(&root, root.created_at),
            Account::sub_account(&root, root.created_at),
        ];
        let mut tx = MockTransaction::new();
        let copy = root.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_sub_accounts_for_update()
            .returning(move |_| Ok(subs.clone()));
        tx.expect_save_account()
            .withf(|a| a.status == RealNameStatus::Revoked)
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_append_event().times(3).returning(|_, _| Ok(()));
        tx.expect_append_audit().times(3).returning(|_| Ok(()));
        let root_id = root.id;
        tx.expect_queue_notification()
            .withf(move |n| n.kind == NoticeKind::Revoked && n.account_id == root_id)
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));

        let revoked = RevokeVerification::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::System, root.id, "identity_theft")
            .await
            .unwrap();

        assert_eq!(revoked.status, RealNameStatus::Revoked);
    }
}

//! Close an account (R21): its phone binding and quota slot are released; a root's inheriting
//! sub-accounts close with it, and its associated ones are detached and become roots again;
//! pending applications and phone changes are cancelled.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::{Account, AccountId, AccountKind, AccountState, Actor};
use realname_ports::{Clock, Transaction, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;
use crate::record::save_transition;

/// Closes an account.
pub struct CloseAccount {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl CloseAccount {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Closes it, and a root's inheriting sub-accounts, in one transaction; a root's associated
    /// accounts are detached in the same transaction (R16, R21).
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::AccountClosed`] when it is closed already.
    #[tracing::instrument(name = "close_account", skip_all, fields(account.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: AccountId) -> Result<Account, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut account = lock_visible_account(tx.as_mut(), actor, id).await?;
        let subs = match account.kind {
            AccountKind::Root => tx.sub_accounts_for_update(account.id).await?,
            AccountKind::Sub { .. } => Vec::new(),
        };
        close_one(tx.as_mut(), actor, &mut account, now).await?;
        for mut sub in subs.into_iter().filter(|s| s.state != AccountState::Closed) {
            match sub.detach() {
                Some(root) => detach_one(tx.as_mut(), actor, &sub, root, now).await?,
                None => close_one(tx.as_mut(), actor, &mut sub, now).await?,
            }
        }
        tx.commit().await?;
        tracing::info!(account.id = %account.id, "account closed");
        Ok(account)
    }
}

/// Saves a detached account, with its `account.detached` event and audit entry (R21).
async fn detach_one(
    tx: &mut dyn Transaction,
    actor: &Actor,
    account: &Account,
    root: AccountId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    tx.save_account(account).await?;
    let root_id = root.to_string();
    tx.append_event(
        &NewEvent {
            account_id: Some(account.id),
            event: DomainEvent::AccountDetached {
                root_id: root_id.clone(),
            },
        },
        now,
    )
    .await?;
    let change = (format!("sub_account,root={root_id}"), "root".to_owned());
    let entry = AuditEntry::new(account.id, actor, "account.detached", change, now);
    tx.append_audit(&entry.because(format!("root_closed={root_id}")))
        .await?;
    Ok(())
}

async fn close_one(
    tx: &mut dyn Transaction,
    actor: &Actor,
    account: &mut Account,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let before = format!("state={}", account.state.as_str());
    account.close(now)?;
    if let Some(mut pending) = tx.undecided_application(account.id).await? {
        let status = pending.status;
        pending
            .withdraw(now)
            .map_err(|e| AppError::ApplicationDecided(e.0))?;
        save_transition(tx, actor, &pending, status, now).await?;
    }
    tx.cancel_phone_changes(account.id).await?;
    tx.save_account(account).await?;
    tx.append_event(
        &NewEvent {
            account_id: Some(account.id),
            event: DomainEvent::AccountClosed,
        },
        now,
    )
    .await?;
    let entry = AuditEntry::new(
        account.id,
        actor,
        "account.closed",
        (before, "state=closed".to_owned()),
        now,
    );
    tx.append_audit(&entry).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{
        clock, expect_recorded, pending_application, unit_of_work, verified_account,
    };

    #[tokio::test]
    async fn closing_a_root_closes_its_subs_and_withdraws_its_pending_application() {
        let root = verified_account();
        let mut sub = verified_account();
        sub.kind = AccountKind::Sub {
            root: root.id,
            inherits: true,
        };
        let pending = pending_application(root.id);
        let mut tx = MockTransaction::new();
        let copy = root.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_sub_accounts_for_update()
            .returning(move |_| Ok(vec![sub.clone()]));
        let root_id = root.id;
        tx.expect_undecided_application()
            .returning(move |a| Ok((a == root_id).then(|| pending.clone())));
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        tx.expect_cancel_phone_changes()
            .times(2)
            .returning(|_| Ok(()));
        tx.expect_save_account()
            .withf(|a| a.state == AccountState::Closed)
            .times(2)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 3);

        let closed = CloseAccount::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::Holder { account: root.id }, root.id)
            .await
            .unwrap();

        assert_eq!(closed.state, AccountState::Closed);
    }

    #[tokio::test]
    async fn closing_a_root_detaches_its_associated_account_and_keeps_its_verification() {
        // R21: only inheriting sub-accounts close with the root; an associated one becomes a
        // root again, verified, with an account.detached event and an audit entry.
        let root = verified_account();
        let mut associated = verified_account();
        associated.kind = AccountKind::Sub {
            root: root.id,
            inherits: false,
        };
        let associated_id = associated.id;
        let mut tx = MockTransaction::new();
        let copy = root.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_sub_accounts_for_update()
            .returning(move |_| Ok(vec![associated.clone()]));
        tx.expect_undecided_application().returning(|_| Ok(None));
        tx.expect_cancel_phone_changes()
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_save_account()
            .withf(move |a| {
                a.id != associated_id
                    || (a.kind == AccountKind::Root
                        && a.state == AccountState::Active
                        && a.status == realname_domain::RealNameStatus::Verified)
            })
            .times(2)
            .returning(|_| Ok(()));
        tx.expect_append_event()
            .withf(move |e, _| {
                e.account_id != Some(associated_id) || e.event.type_name() == "account.detached"
            })
            .times(2)
            .returning(|_, _| Ok(()));
        tx.expect_append_audit()
            .withf(move |a| a.account_id != associated_id || a.action == "account.detached")
            .times(2)
            .returning(|_| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));

        CloseAccount::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::Holder { account: root.id }, root.id)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_closed_account_cannot_close_again() {
        let mut acct = verified_account();
        acct.close(crate::testing::now()).unwrap();
        let mut tx = MockTransaction::new();
        let copy = acct.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_sub_accounts_for_update()
            .returning(|_| Ok(vec![]));
        tx.expect_commit().never();
        let err = CloseAccount::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::Admin, acct.id)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::AccountClosed));
    }
}

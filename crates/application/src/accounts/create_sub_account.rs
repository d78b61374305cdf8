//! Create a sub-account under a root (R16): it inherits the root's verification, holds no
//! quota slot, and binds its own phone under R19.

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identifiers::Phone;
use realname_domain::{Account, AccountId, AccountKind, Actor, Policy};
use realname_ports::{Answer, Clock, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;

/// Creates inheriting sub-accounts.
pub struct CreateSubAccount {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl CreateSubAccount {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self { uow, clock, policy }
    }

    /// Creates it.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::NotARootAccount`] under a sub-account;
    /// [`AppError::PhoneLimitReached`].
    #[tracing::instrument(name = "create_sub_account", skip_all, fields(account.id = %root_id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        root_id: AccountId,
        phone: Phone,
        answer: Option<Answer<Account>>,
    ) -> Result<Account, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let root = lock_visible_account(tx.as_mut(), actor, root_id).await?;
        root.ensure_active()?;
        if root.kind != AccountKind::Root {
            return Err(AppError::NotARootAccount);
        }
        tx.lock_phone(&phone, self.policy.phone_account_limit)
            .await?
            .claim()?;
        let sub = Account::sub_account(&root, phone, now);
        tx.insert_account(&sub).await?;
        tx.append_event(
            &NewEvent {
                account_id: Some(sub.id),
                event: DomainEvent::AccountCreated,
            },
            now,
        )
        .await?;
        let change = (
            "none".to_owned(),
            format!("state=active,inherits_from={}", root.id),
        );
        tx.append_audit(&AuditEntry::new(
            sub.id,
            actor,
            "account.created",
            change,
            now,
        ))
        .await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &sub).await?;
        tx.commit().await?;
        Ok(sub)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::quota::PhoneSlots;
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{clock, expect_recorded, phone, unit_of_work, verified_account};

    #[tokio::test]
    async fn a_sub_account_inherits_from_its_root_and_claims_no_subject_slot() {
        let root = verified_account();
        let mut tx = MockTransaction::new();
        let copy = root.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 1 }));
        tx.expect_lock_subject().never();
        tx.expect_insert_account().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let sub =
            CreateSubAccount::new(unit_of_work(vec![tx]), clock(), Arc::new(Policy::default()))
                .execute(&Actor::Holder { account: root.id }, root.id, phone(), None)
                .await
                .unwrap();

        assert_eq!(sub.inherited_from(), Some(root.id));
    }
}

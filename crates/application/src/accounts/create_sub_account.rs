//! Create a sub-account under a root (R16): it inherits the root's verification and holds no
//! quota slot. Its phone is bound only once the code sent to it is confirmed, like a phone
//! change (R19): a number nobody proved neither counts against its limit nor blocks it.

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identifiers::Phone;
use realname_domain::phone_change::PhoneChange;
use realname_domain::{Account, AccountId, AccountKind, Actor};
use realname_ports::Answer;

use crate::AppError;
use crate::access::lock_visible_account;
use crate::accounts::request_phone_change::OtpDeps;

/// A new sub-account, and the change that binds its phone once confirmed.
#[derive(Debug, Clone)]
pub struct SubAccountCreated {
    /// The sub-account, with no phone bound yet.
    pub account: Account,
    /// The pending change to the requested number: confirm it with the code sent there.
    pub phone_change: PhoneChange,
}

/// Creates inheriting sub-accounts.
pub struct CreateSubAccount {
    deps: OtpDeps,
}

impl CreateSubAccount {
    /// Wires the use case.
    pub fn new(deps: OtpDeps) -> Self {
        Self { deps }
    }

    /// Creates it, with a phone change to `phone` pending, and sends that number its code.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::NotARootAccount`] under a sub-account;
    /// [`AppError::PhoneLimitReached`]; [`AppError::OtpThrottled`]; [`AppError::Provider`]
    /// when the code could not be sent (the sub-account exists, its change pending).
    #[tracing::instrument(name = "create_sub_account", skip_all, fields(account.id = %root_id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        root_id: AccountId,
        phone: Phone,
        answer: Option<Answer<SubAccountCreated>>,
    ) -> Result<SubAccountCreated, AppError> {
        let now = self.deps.clock.now();
        let mut tx = self.deps.uow.begin().await?;
        let root = lock_visible_account(tx.as_mut(), actor, root_id).await?;
        root.ensure_active()?;
        if root.kind != AccountKind::Root {
            return Err(AppError::NotARootAccount);
        }
        let sub = Account::sub_account(&root, now);
        tx.insert_account(&sub).await?;
        let code = self.deps.stage_code(tx.as_mut(), &sub, phone).await?;
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
        let created = SubAccountCreated {
            account: sub,
            phone_change: code.change.clone(),
        };
        crate::record::answer(tx.as_mut(), answer.as_ref(), &created).await?;
        tx.commit().await?;
        code.send(self.deps.sms.as_ref()).await?;
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use realname_domain::Policy;
    use realname_domain::phone_change::OtpSends;
    use realname_domain::quota::PhoneSlots;
    use realname_ports::{MockSmsSender, MockTransaction};

    use super::*;
    use crate::testing::{clock, expect_recorded, phone, unit_of_work, verified_account};

    /// R16, R19 (issue 14, hole 8): the sub-account inherits, claims no subject slot, and binds
    /// no number: the requested one gets a code, and is bound only once it is confirmed.
    #[tokio::test]
    async fn a_sub_account_inherits_and_its_phone_waits_for_its_code() {
        let root = verified_account();
        let mut tx = MockTransaction::new();
        let copy = root.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 1 }));
        tx.expect_otp_sends()
            .returning(|_, _, _, _| Ok(OtpSends::default()));
        tx.expect_lock_subject().never();
        tx.expect_insert_account()
            .withf(|a| a.phone.is_none())
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_insert_phone_change()
            .withf(|c| c.new_phone == phone())
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        let mut sms = MockSmsSender::new();
        sms.expect_send_code()
            .withf(|m| m.phone == phone())
            .times(1)
            .returning(|_| Ok(()));

        let created = CreateSubAccount::new(OtpDeps {
            uow: unit_of_work(vec![tx]),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            sms: Arc::new(sms),
            otp: crate::testing::otp(),
        })
        .execute(&Actor::Holder { account: root.id }, root.id, phone(), None)
        .await
        .unwrap();

        assert_eq!(created.account.inherited_from(), Some(root.id));
        assert_eq!(created.account.phone, None);
        assert_eq!(created.phone_change.account_id, created.account.id);
    }
}

//! Confirm a phone change with its code (R19): the new number is bound and the old one released
//! in the same transaction.

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::notification::Notification;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
use realname_domain::{AccountId, Actor, Policy, Rebinding};
use realname_ports::{Clock, OtpDigest, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;

/// Confirms a phone change.
pub struct ConfirmPhoneChange {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    otp: Arc<dyn OtpDigest>,
}

impl ConfirmPhoneChange {
    /// Wires the use case.
    pub fn new(
        uow: Arc<dyn UnitOfWork>,
        clock: Arc<dyn Clock>,
        policy: Arc<Policy>,
        otp: Arc<dyn OtpDigest>,
    ) -> Self {
        Self {
            uow,
            clock,
            policy,
            otp,
        }
    }

    /// Tries the code. A wrong code is counted even though the call fails.
    ///
    /// # Errors
    /// [`AppError::Otp`] for a wrong, expired or locked code; [`AppError::PhoneLimitReached`]
    /// when the new number filled up meanwhile; [`AppError::NotFound`].
    #[tracing::instrument(name = "confirm_phone_change", skip_all, fields(account.id = %account_id, change.id = %change_id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        account_id: AccountId,
        change_id: PhoneChangeId,
        code: &str,
    ) -> Result<PhoneChange, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let account = lock_visible_account(tx.as_mut(), actor, account_id).await?;
        apply_code(
            tx,
            (actor, Rebinding::Holder),
            account,
            change_id,
            self.otp.digest(change_id, code),
            self.policy.phone_account_limit,
            now,
        )
        .await
    }
}

/// Tries a code on a change of `account` (locked by the caller) and, when it is right, binds the
/// new number under its limit and commits; a wrong code is counted and committed too (R19).
pub(crate) async fn apply_code(
    mut tx: Box<dyn realname_ports::Transaction>,
    (actor, by): (&Actor, Rebinding),
    mut account: realname_domain::Account,
    change_id: PhoneChangeId,
    presented: [u8; 32],
    phone_limit: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PhoneChange, AppError> {
    account.ensure_active()?;
    let mut change = tx
        .phone_change_for_update(change_id)
        .await?
        .filter(|c| c.account_id == account.id)
        .ok_or(AppError::NotFound("phone change"))?;
    if let Err(refused) = change.confirm(&presented, now) {
        tx.save_phone_change(&change).await?;
        tx.commit().await?;
        return Err(refused.into());
    }
    tx.lock_phone(&change.new_phone, phone_limit)
        .await?
        .claim()?;
    let old = account.rebind_phone(change.new_phone.clone(), by, now);
    tx.save_account(&account).await?;
    if let Some(old) = old.filter(|old| *old != change.new_phone) {
        // R19: the old number learns of the rebinding: this is how a takeover is noticed.
        tx.queue_notification(&Notification::phone_changed(account.id, old, now))
            .await?;
    }
    tx.save_phone_change(&change).await?;
    let event = NewEvent {
        account_id: Some(account.id),
        event: DomainEvent::AccountPhoneChanged,
    };
    tx.append_event(&event, now).await?;
    let summary = ("phone=previous".to_owned(), "phone=new".to_owned());
    let mut entry = AuditEntry::new(account.id, actor, "account.phone_changed", summary, now);
    if let Rebinding::Recovery(proof) = by {
        // R14, R22: a recovery is the proven owner's act, named by their proof.
        entry.actor = format!("proof:{proof}");
    }
    tx.append_audit(&entry.because(format!("change={}", change.id)))
        .await?;
    tx.commit().await?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use realname_domain::identifiers::Phone;
    use realname_domain::phone_change::{OtpError, PhoneChangeStatus};
    use realname_domain::quota::PhoneSlots;
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{account, clock, expect_recorded, now, otp, phone_change, unit_of_work};

    fn setup(code: &str) -> (MockTransaction, realname_domain::Account, PhoneChange) {
        let acct = account();
        let change = phone_change(acct.id, Phone::parse("13912345678").unwrap(), code, now());
        let mut tx = MockTransaction::new();
        let (a, c) = (acct.clone(), change.clone());
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(a.clone())));
        tx.expect_phone_change_for_update()
            .returning(move |_| Ok(Some(c.clone())));
        (tx, acct, change)
    }

    #[tokio::test]
    async fn the_right_code_binds_the_new_number() {
        let (mut tx, acct, change) = setup("654321");
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 1 }));
        tx.expect_save_account()
            .withf(|a| a.phone.as_ref().map(|p| p.as_str()) == Some("13912345678"))
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_save_phone_change()
            .withf(|c| c.status == PhoneChangeStatus::Confirmed)
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        // R19: the old number is told, not the new one.
        let old = acct.phone.clone().unwrap();
        tx.expect_queue_notification()
            .withf(move |n| {
                n.kind == realname_domain::notification::NoticeKind::PhoneChanged
                    && n.phone.as_ref() == Some(&old)
            })
            .times(1)
            .returning(|_| Ok(()));

        let use_case = ConfirmPhoneChange::new(
            unit_of_work(vec![tx]),
            clock(),
            Arc::new(Policy::default()),
            otp(),
        );
        let done = use_case
            .execute(
                &Actor::Holder { account: acct.id },
                acct.id,
                change.id,
                "654321",
            )
            .await
            .unwrap();

        assert_eq!(done.status, PhoneChangeStatus::Confirmed);
    }

    #[tokio::test]
    async fn an_expired_code_is_refused_and_nothing_is_bound() {
        let acct = account();
        let mut change = phone_change(
            acct.id,
            Phone::parse("13912345678").unwrap(),
            "654321",
            now() - chrono::Duration::minutes(11),
        );
        change.expires_at = now() - chrono::Duration::minutes(1);
        let mut tx = MockTransaction::new();
        let (a, c) = (acct.clone(), change.clone());
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(a.clone())));
        tx.expect_phone_change_for_update()
            .returning(move |_| Ok(Some(c.clone())));
        tx.expect_save_phone_change().times(1).returning(|_| Ok(()));
        tx.expect_save_account().never();
        tx.expect_commit().times(1).returning(|| Ok(()));

        let use_case = ConfirmPhoneChange::new(
            unit_of_work(vec![tx]),
            clock(),
            Arc::new(Policy::default()),
            otp(),
        );
        let err = use_case
            .execute(
                &Actor::Holder { account: acct.id },
                acct.id,
                change.id,
                "654321",
            )
            .await
            .unwrap_err();

        assert!(matches!(err, AppError::Otp(OtpError::Expired)));
    }

    #[tokio::test]
    async fn a_wrong_code_is_counted_and_committed() {
        let (mut tx, acct, change) = setup("654321");
        tx.expect_save_phone_change()
            .withf(|c| c.failed_tries == 1)
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_save_account().never();
        tx.expect_commit().times(1).returning(|| Ok(()));

        let use_case = ConfirmPhoneChange::new(
            unit_of_work(vec![tx]),
            clock(),
            Arc::new(Policy::default()),
            otp(),
        );
        let err = use_case
            .execute(
                &Actor::Holder { account: acct.id },
                acct.id,
                change.id,
                "000000",
            )
            .await
            .unwrap_err();

        assert!(matches!(
            err,
            AppError::Otp(OtpError::Invalid { remaining: 4 })
        ));
    }
}

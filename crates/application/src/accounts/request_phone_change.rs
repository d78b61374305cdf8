//! Ask to change the bound phone (R19): a 6-digit code goes to the new number.

use std::sync::Arc;

use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId, check_otp_sends};
use realname_domain::{AccountId, Actor, Policy};
use realname_ports::{Answer, Clock, OtpDigest, OtpMessage, SmsSender, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;

/// What the use cases that send a one-time code take (phone changes, sub-accounts, recoveries):
/// their ports and policies, by name.
pub struct OtpDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub sms: Arc<dyn SmsSender>,
    pub otp: Arc<dyn OtpDigest>,
}

/// Starts a phone change.
pub struct RequestPhoneChange {
    deps: OtpDeps,
}

impl RequestPhoneChange {
    /// Wires the use case.
    pub fn new(deps: OtpDeps) -> Self {
        Self { deps }
    }

    /// Records the change with the code's hash, then sends the code (outside the transaction).
    ///
    /// # Errors
    /// [`AppError::NoChange`] for the current number; [`AppError::PhoneLimitReached`] when the
    /// new number is full; [`AppError::OtpThrottled`]; [`AppError::Provider`] when the SMS
    /// could not be sent.
    #[tracing::instrument(name = "request_phone_change", skip_all, fields(account.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
        phone: Phone,
        answer: Option<Answer<PhoneChange>>,
    ) -> Result<PhoneChange, AppError> {
        let mut tx = self.deps.uow.begin().await?;
        let account = lock_visible_account(tx.as_mut(), actor, id).await?;
        self.deps.send_code(tx, &account, phone, answer).await
    }
}

impl OtpDeps {
    /// Starts a change of `account`'s phone (locked by the caller in `tx`): the new number must
    /// have room, the change is committed with the code's hash (and a keyed request's answer),
    /// then the code is sent (R19).
    pub(crate) async fn send_code(
        &self,
        mut tx: Box<dyn realname_ports::Transaction>,
        account: &realname_domain::Account,
        phone: Phone,
        answer: Option<Answer<PhoneChange>>,
    ) -> Result<PhoneChange, AppError> {
        let code = self.stage_code(tx.as_mut(), account, phone).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &code.change).await?;
        tx.commit().await?;
        code.send(self.sms.as_ref()).await
    }

    /// Writes a change of `account`'s phone (locked by the caller) with the code's hash, in
    /// `tx`: the new number must have room, and the codes sent to it and for the account stay
    /// within their limits (R19). The caller commits, then sends the code.
    pub(crate) async fn stage_code(
        &self,
        tx: &mut dyn realname_ports::Transaction,
        account: &realname_domain::Account,
        phone: Phone,
    ) -> Result<StagedCode, AppError> {
        stage_code(
            tx,
            account,
            phone,
            &self.policy,
            self.otp.as_ref(),
            self.clock.now(),
        )
        .await
    }
}

/// A phone change written in a transaction that is not committed yet, and its code, to be sent
/// once it is.
pub(crate) struct StagedCode {
    pub(crate) change: PhoneChange,
    message: OtpMessage,
}

impl StagedCode {
    /// Sends the code of the committed change.
    pub(crate) async fn send(self, sms: &dyn SmsSender) -> Result<PhoneChange, AppError> {
        sms.send_code(&self.message)
            .await
            .map_err(AppError::Provider)?;
        tracing::info!(change.id = %self.change.id, "phone change requested");
        Ok(self.change)
    }
}

async fn stage_code(
    tx: &mut dyn realname_ports::Transaction,
    account: &realname_domain::Account,
    phone: Phone,
    policy: &Policy,
    otp: &dyn OtpDigest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<StagedCode, AppError> {
    account.ensure_active()?;
    if account.phone.as_ref() == Some(&phone) {
        return Err(AppError::NoChange);
    }
    tx.lock_phone(&phone, policy.phone_account_limit)
        .await?
        .claim()?;
    // R19: codes are throttled per destination number and per account, counted under the
    // number's and the account's locks.
    let sends = tx
        .otp_sends(
            &phone,
            now - chrono::Duration::hours(1),
            account.id,
            now - chrono::Duration::days(1),
        )
        .await?;
    check_otp_sends(
        &sends,
        policy.otp_sends_per_phone_per_hour,
        policy.otp_sends_per_account_per_day,
        now,
    )
    .map_err(|retry_at| AppError::OtpThrottled { retry_at })?;
    let code = format!("{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000);
    let id = PhoneChangeId::new();
    let change = PhoneChange::request(
        id,
        account.id,
        phone.clone(),
        otp.digest(id, &code),
        (now, policy.otp_rules()),
    );
    tx.insert_phone_change(&change).await?;
    let message = OtpMessage {
        change_id: change.id,
        account_id: account.id,
        phone,
        code,
        valid_minutes: policy.otp_validity_minutes,
    };
    Ok(StagedCode { change, message })
}

#[cfg(test)]
mod tests {
    use realname_domain::phone_change::OtpSends;
    use realname_domain::quota::PhoneSlots;
    use realname_ports::{MockSmsSender, MockTransaction};

    use super::*;
    use crate::testing::{account, clock, unit_of_work};

    fn use_case(tx: MockTransaction, sends: usize) -> RequestPhoneChange {
        let mut sms = MockSmsSender::new();
        sms.expect_send_code()
            .withf(|m| m.code.len() == 6 && m.code.bytes().all(|b| b.is_ascii_digit()))
            .times(sends)
            .returning(|_| Ok(()));
        RequestPhoneChange::new(OtpDeps {
            uow: unit_of_work(vec![tx]),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            sms: Arc::new(sms),
            otp: crate::testing::otp(),
        })
    }

    #[tokio::test]
    async fn a_code_is_sent_to_the_new_number_and_only_its_hash_kept() {
        let acct = account();
        let mut tx = MockTransaction::new();
        let copy = acct.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 0 }));
        tx.expect_otp_sends()
            .returning(|_, _, _, _| Ok(OtpSends::default()));
        tx.expect_insert_phone_change()
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));
        let new = Phone::parse("13912345678").unwrap();

        let change = use_case(tx, 1)
            .execute(
                &Actor::Holder { account: acct.id },
                acct.id,
                new.clone(),
                None,
            )
            .await
            .unwrap();

        assert_eq!(change.new_phone, new);
    }

    #[tokio::test]
    async fn a_sixth_code_to_one_number_within_the_hour_is_throttled_and_not_sent() {
        let acct = account();
        let mut tx = MockTransaction::new();
        let copy = acct.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 0 }));
        tx.expect_otp_sends().returning(|_, since, _, _| {
            Ok(OtpSends {
                to_phone: (1..=5)
                    .map(|m| since + chrono::Duration::minutes(m))
                    .collect(),
                for_account: Vec::new(),
            })
        });
        tx.expect_insert_phone_change().never();
        let new = Phone::parse("13912345678").unwrap();
        let refused = use_case(tx, 0)
            .execute(&Actor::Holder { account: acct.id }, acct.id, new, None)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppError::OtpThrottled { .. }),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_full_new_number_is_refused_before_any_code_is_sent() {
        let acct = account();
        let mut tx = MockTransaction::new();
        let copy = acct.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_lock_phone().returning(|_, limit| {
            Ok(PhoneSlots {
                limit,
                bound: limit,
            })
        });
        tx.expect_insert_phone_change().never();
        let err = use_case(tx, 0)
            .execute(
                &Actor::Holder { account: acct.id },
                acct.id,
                Phone::parse("13912345678").unwrap(),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::PhoneLimitReached { limit: 5 }));
    }
}

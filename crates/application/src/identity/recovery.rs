//! The recovery tool (R14): the proven owner rebinds an account's phone to a number they prove
//! by OTP.

use std::sync::Arc;

use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
use realname_domain::{Actor, Policy, ProofId, Rebinding};
use realname_ports::{Answer, Clock, OtpDigest, SmsSender, UnitOfWork};

use super::{by_ref, proof_and_accounts};
use crate::AppError;
use crate::accounts::confirm_phone_change::apply_code;
use crate::accounts::request_phone_change::send_code;

/// What [`AccountRecovery::new`] takes: its ports and policies, by name.
pub struct AccountRecoveryDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub sms: Arc<dyn SmsSender>,
    pub otp: Arc<dyn OtpDigest>,
}

/// Recovers accounts of a proven identity.
pub struct AccountRecovery {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    sms: Arc<dyn SmsSender>,
    otp: Arc<dyn OtpDigest>,
}

impl AccountRecovery {
    /// Wires the use case.
    pub fn new(deps: AccountRecoveryDeps) -> Self {
        let AccountRecoveryDeps {
            uow,
            clock,
            policy,
            sms,
            otp,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            sms,
            otp,
        }
    }

    /// Sends a code to the owner's number for the referenced account.
    ///
    /// # Errors
    /// The proof's errors; [`AppError::NotFound`] for an unknown reference; R19's limit.
    #[tracing::instrument(name = "request_recovery", skip_all, fields(proof.id = %proof_id))]
    pub async fn request(
        &self,
        owner: &str,
        proof_id: ProofId,
        reference: &str,
        phone: Phone,
        answer: Option<Answer<PhoneChange>>,
    ) -> Result<PhoneChange, AppError> {
        let mut tx = self.uow.begin().await?;
        let (proof, accounts) =
            proof_and_accounts(tx.as_mut(), owner, proof_id, self.clock.now(), &self.policy)
                .await?;
        let account = by_ref(&proof, accounts, reference)?;
        send_code(
            tx,
            &account,
            (phone, answer),
            &self.policy,
            (self.sms.as_ref(), self.otp.as_ref()),
            self.clock.now(),
        )
        .await
    }

    /// Confirms the code: the account's phone is rebound.
    ///
    /// # Errors
    /// The proof's errors; the OTP refusals of R19.
    #[tracing::instrument(name = "confirm_recovery", skip_all, fields(proof.id = %proof_id))]
    pub async fn confirm(
        &self,
        owner: &str,
        proof_id: ProofId,
        change_id: PhoneChangeId,
        code: &str,
    ) -> Result<PhoneChange, AppError> {
        let mut tx = self.uow.begin().await?;
        let (_, accounts) =
            proof_and_accounts(tx.as_mut(), owner, proof_id, self.clock.now(), &self.policy)
                .await?;
        let change = tx
            .phone_change_for_update(change_id)
            .await?
            .ok_or(AppError::NotFound("recovery"))?;
        let account = accounts
            .into_iter()
            .find(|a| a.id == change.account_id)
            .ok_or(AppError::NotFound("recovery"))?;
        apply_code(
            tx,
            (&Actor::System, Rebinding::Recovery),
            account,
            change_id,
            self.otp.digest(change_id, code),
            self.policy.phone_account_limit,
            self.clock.now(),
        )
        .await
    }
}

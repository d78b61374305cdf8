//! The recovery tool (R14): the proven owner rebinds an account's phone to a number they prove
//! by OTP.

use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
use realname_domain::{Actor, ProofId, Rebinding};
use realname_ports::Answer;

use super::{by_ref, proof_and_accounts};
use crate::AppError;
use crate::accounts::confirm_phone_change::apply_code;
use crate::accounts::request_phone_change::OtpDeps;

/// Recovers accounts of a proven identity.
pub struct AccountRecovery {
    deps: OtpDeps,
}

impl AccountRecovery {
    /// Wires the use case.
    pub fn new(deps: OtpDeps) -> Self {
        Self { deps }
    }

    /// Sends a code to the owner's number for the referenced account.
    ///
    /// # Errors
    /// The proof's errors; [`AppError::NotFound`] for an unknown reference; R19's limit and
    /// its throttles.
    #[tracing::instrument(name = "request_recovery", skip_all, fields(proof.id = %proof_id))]
    pub async fn request(
        &self,
        owner: &str,
        proof_id: ProofId,
        reference: &str,
        phone: Phone,
        answer: Option<Answer<PhoneChange>>,
    ) -> Result<PhoneChange, AppError> {
        let now = self.deps.clock.now();
        let mut tx = self.deps.uow.begin().await?;
        let (proof, accounts) =
            proof_and_accounts(tx.as_mut(), owner, proof_id, now, &self.deps.policy).await?;
        let account = by_ref(&proof, accounts, reference)?;
        self.deps.send_code(tx, &account, phone, answer).await
    }

    /// Confirms the code: the account's phone is rebound, and every holder credential issued
    /// before it is revoked (R14).
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
        let OtpDeps {
            uow,
            clock,
            policy,
            otp,
            ..
        } = &self.deps;
        let mut tx = uow.begin().await?;
        let (_, accounts) =
            proof_and_accounts(tx.as_mut(), owner, proof_id, clock.now(), policy).await?;
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
            (&Actor::System, Rebinding::Recovery(proof_id)),
            account,
            change_id,
            otp.digest(change_id, code),
            policy.phone_account_limit,
            clock.now(),
        )
        .await
    }
}

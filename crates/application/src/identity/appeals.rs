//! Appeals to a reviewer when self-service is not enough (R14).

use std::sync::Arc;

use realname_domain::identity::{Case, CaseKind};
use realname_domain::{AccountId, ProofId};
use realname_ports::{Answer, Clock, UnitOfWork};

use crate::AppError;

/// Opens appeals.
pub struct OpenAppeal {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl OpenAppeal {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Opens one. A proof must be the caller's own; an account id is recorded as given and
    /// reveals nothing about the account.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another caller's proof.
    pub async fn execute(
        &self,
        owner: &str,
        account: Option<AccountId>,
        proof: Option<ProofId>,
        message: String,
        answer: Option<Answer<Case>>,
    ) -> Result<Case, AppError> {
        let mut tx = self.uow.begin().await?;
        if let Some(proof) = proof {
            tx.proof_for_update(proof)
                .await?
                .filter(|p| p.owner == owner)
                .ok_or(AppError::NotFound("identity proof"))?;
        }
        let now = self.clock.now();
        let case = Case::open(
            CaseKind::Appeal,
            owner.to_owned(),
            (proof, account.into_iter().collect()),
            message,
            now,
        );
        tx.save_case(&case).await?;
        super::cases::record_case(tx.as_mut(), &case, owner, now).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &case).await?;
        tx.commit().await?;
        Ok(case)
    }
}

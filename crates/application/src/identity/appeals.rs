//! Appeals to a reviewer when self-service is not enough (R14).

use std::sync::Arc;

use realname_domain::identity::{Case, CaseKind};
use realname_domain::{AccountId, CaseId, ProofId};
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
        let case = Case {
            id: CaseId::new(),
            kind: CaseKind::Appeal,
            opened_by: owner.to_owned(),
            proof_id: proof,
            account_ids: account.into_iter().collect(),
            message,
            outcome: None,
            created_at: self.clock.now(),
            resolved_at: None,
        };
        tx.save_case(&case).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &case).await?;
        tx.commit().await?;
        Ok(case)
    }
}

//! A provider's callback decides either an application or an identity proof (R5, R14): the
//! session reference says which.

use std::sync::Arc;

use realname_domain::identity::IdentityProof;
use realname_ports::{Clock, ProviderOutcome, ProviderReport, UnitOfWork};

use crate::AppError;
use crate::verification::{RecordProviderResult, Recorded};

/// What a callback decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// An application.
    Application(Recorded),
    /// An identity proof; `duplicate` when it was decided before.
    Proof {
        /// The proof as it stands.
        proof: IdentityProof,
        /// The report changed nothing.
        duplicate: bool,
    },
}

/// Routes a provider's report to the application or the proof it concerns.
pub struct ProviderCallback {
    applications: Arc<RecordProviderResult>,
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl ProviderCallback {
    /// Wires the use case.
    pub fn new(
        applications: Arc<RecordProviderResult>,
        uow: Arc<dyn UnitOfWork>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            applications,
            uow,
            clock,
        }
    }

    /// Records the report.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when neither an application nor a proof has this session.
    pub async fn execute(&self, report: ProviderReport) -> Result<CallbackOutcome, AppError> {
        match self.applications.execute(report.clone()).await {
            Err(AppError::NotFound("session")) => self.proof(report).await,
            other => other.map(CallbackOutcome::Application),
        }
    }

    async fn proof(&self, report: ProviderReport) -> Result<CallbackOutcome, AppError> {
        let mut tx = self.uow.begin().await?;
        let mut proof = tx
            .proof_by_session_for_update(&report.session_ref)
            .await?
            .filter(|p| p.method.provider() == report.provider)
            .ok_or(AppError::NotFound("session"))?;
        let passed = match &report.outcome {
            ProviderOutcome::Passed(asserted) => proof
                .subject
                .confirmed_by(&asserted.subject, asserted.mainland_bank_card),
            ProviderOutcome::Failed(_) | ProviderOutcome::Expired => false,
        };
        // A result after the proof's session ended fails it (R5, R14).
        if proof.decide(passed, self.clock.now()).is_err() {
            return Ok(CallbackOutcome::Proof {
                proof,
                duplicate: true,
            });
        }
        tx.save_proof(&proof).await?;
        tx.commit().await?;
        Ok(CallbackOutcome::Proof {
            proof,
            duplicate: false,
        })
    }
}

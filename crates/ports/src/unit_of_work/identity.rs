//! Identity proofs and cases (R14, R15).

use async_trait::async_trait;
use realname_domain::identity::{Case, IdentityProof};
use realname_domain::{Account, CaseId, ProofId, Subject};

use crate::error::StoreError;

/// Identity proofs and cases (R14, R15). Part of a [`super::Transaction`].
#[async_trait]
pub trait IdentityTx: Send {
    /// Inserts or updates an identity proof (R14).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn save_proof(&mut self, proof: &IdentityProof) -> Result<(), StoreError>;

    /// Loads an identity proof and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn proof_for_update(&mut self, id: ProofId) -> Result<Option<IdentityProof>, StoreError>;

    /// The identity proof whose provider session has this reference, locked.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown reference.
    async fn proof_by_session_for_update(
        &mut self,
        session_ref: &str,
    ) -> Result<Option<IdentityProof>, StoreError>;

    /// Every account ever verified with this subject (closed and revoked ones too: the subject
    /// key survives), locked, in id order (R14, R15).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn accounts_of_subject(&mut self, subject: &Subject) -> Result<Vec<Account>, StoreError>;

    /// Inserts or updates a case (R14).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn save_case(&mut self, case: &Case) -> Result<(), StoreError>;

    /// Loads a case and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn case_for_update(&mut self, id: CaseId) -> Result<Option<Case>, StoreError>;
}

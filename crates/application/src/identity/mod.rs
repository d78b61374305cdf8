//! Proof of identity, find-accounts, recovery, freezes, appeals and theft cases (R14, R15).

mod appeals;
mod cases;
mod credentials;
mod proofs;
mod recovery;

pub use appeals::OpenAppeal;
pub use cases::{GetCase, ListCases, ResolveCase};
pub use credentials::CheckCredentials;
pub use proofs::{
    CompleteSandboxProof, FindAccounts, FoundAccount, FoundAccounts, FreezeAccounts,
    GetIdentityProof, ShownProof, StartIdentityProof, StartIdentityProofDeps,
};
pub use recovery::AccountRecovery;

use realname_domain::identity::{IdentityProof, ProofError};
use realname_domain::{Account, ProofId};
use realname_ports::Transaction;

use crate::AppError;

impl From<ProofError> for AppError {
    fn from(e: ProofError) -> Self {
        match e {
            ProofError::NotOwner => Self::NotFound("identity proof"),
            ProofError::NotPassed => Self::ProofNotPassed,
            ProofError::Decided => Self::ProofDecided,
            ProofError::MethodNotAllowed => Self::MethodNotAllowedForProof,
            ProofError::Expired => Self::ProofExpired,
        }
    }
}

/// The caller's passed proof, locked, and the accounts of its identity, locked (R15).
pub(crate) async fn proof_and_accounts(
    tx: &mut dyn Transaction,
    owner: &str,
    id: ProofId,
    now: chrono::DateTime<chrono::Utc>,
    policy: &realname_domain::Policy,
) -> Result<(IdentityProof, Vec<Account>), AppError> {
    let proof = tx
        .proof_for_update(id)
        .await?
        .ok_or(AppError::NotFound("identity proof"))?;
    proof.ensure_usable_by(owner, now, policy.proof_validity())?;
    let accounts = tx.accounts_of_subject(&proof.subject).await?;
    Ok((proof, accounts))
}

/// The account a reference names, among the proof's identity's accounts.
pub(crate) fn by_ref(
    proof: &IdentityProof,
    accounts: Vec<Account>,
    reference: &str,
) -> Result<Account, AppError> {
    accounts
        .into_iter()
        .find(|a| proof.ref_for(a.id) == reference)
        .ok_or(AppError::NotFound("account reference"))
}

//! Start and complete an identity proof, list the identity's accounts, freeze them (R14, R15).

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identity::{Case, CaseKind, IdentityProof};
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::{
    Account, AccountState, ApplicationId, Ineligible, Method, Policy, ProofId, Subject,
};
use realname_ports::{
    Answer, Clock, ProviderGateway, SandboxInstruction, SessionOwner, SessionRequest, UnitOfWork,
};

use super::{by_ref, proof_and_accounts};
use crate::AppError;
use crate::verification::pulled_session;

/// What [`StartIdentityProof::new`] takes: its ports and policies, by name.
pub struct StartIdentityProofDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub provider: Arc<dyn ProviderGateway>,
}

/// Starts identity proofs: an instant personal method for the identity to prove.
pub struct StartIdentityProof {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    provider: Arc<dyn ProviderGateway>,
}

impl StartIdentityProof {
    /// Wires the use case.
    pub fn new(deps: StartIdentityProofDeps) -> Self {
        let StartIdentityProofDeps {
            uow,
            clock,
            policy,
            provider,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            provider,
        }
    }

    /// Starts one for `owner`.
    ///
    /// # Errors
    /// The method must be an instant personal method the subject may use (R5).
    #[tracing::instrument(name = "start_identity_proof", skip_all)]
    pub async fn execute(
        &self,
        owner: &str,
        method: Method,
        subject: Subject,
        answer: Option<Answer<ShownProof>>,
    ) -> Result<ShownProof, AppError> {
        // R14 first: only a person, with an instant personal method, proves an identity.
        let now = self.clock.now();
        let secret = uuid::Uuid::new_v4().into_bytes();
        let mut proof = IdentityProof::start(owner.to_owned(), method, subject, secret, now)?;
        method
            .check_eligibility(&proof.subject)
            .map_err(|e| match e {
                Ineligible::UseInternationalSite => AppError::UseInternationalSite {
                    url: self.policy.international_site_url.clone(),
                },
                Ineligible::MethodNotAvailableForDocument => {
                    AppError::MethodNotAvailableForDocument
                }
                Ineligible::WrongSubjectType | Ineligible::LegalPersonNameRequired => {
                    AppError::MethodNotForSubjectType
                }
            })?;
        let request = SessionRequest {
            application_id: ApplicationId::from_uuid(proof.id.as_uuid()),
            method,
            subject: proof.subject.clone(),
            expires_at: now + self.policy.session_validity(),
        };
        let session = self
            .provider
            .start_session(&request)
            .await
            .map_err(AppError::Provider)?;
        let pulled = pulled_session(&session, method, SessionOwner::Proof(proof.id));
        proof.session_ref = Some(session.session_ref);
        proof.next_action = Some(session.next_action);
        let mut tx = self.uow.begin().await?;
        tx.save_proof(&proof).await?;
        if let Some(pulled) = pulled {
            tx.insert_pulled_session(&pulled).await?;
        }
        let shown = ShownProof::of(proof, &self.policy);
        crate::record::answer(tx.as_mut(), answer.as_ref(), &shown).await?;
        tx.commit().await?;
        Ok(shown)
    }
}

/// Completes a proof as its provider would, in sandbox mode.
pub struct CompleteSandboxProof {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl CompleteSandboxProof {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self { uow, clock, policy }
    }

    /// Decides it: passed only when the provider passes and confirms the subject (R5).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another caller's proof; [`AppError::ProofDecided`].
    pub async fn execute(
        &self,
        owner: &str,
        id: ProofId,
        instruction: &SandboxInstruction,
    ) -> Result<ShownProof, AppError> {
        let mut tx = self.uow.begin().await?;
        let mut proof = tx
            .proof_for_update(id)
            .await?
            .filter(|p| p.owner == owner)
            .ok_or(AppError::NotFound("identity proof"))?;
        let confirmed = instruction
            .asserted_subject
            .as_ref()
            .is_none_or(|a| proof.subject.confirmed_by(&a.subject, true));
        proof.decide(instruction.passed && confirmed, self.clock.now())?;
        tx.save_proof(&proof).await?;
        tx.commit().await?;
        Ok(ShownProof::of(proof, &self.policy))
    }
}

/// Shows a proof to its owner (R15).
pub struct GetIdentityProof {
    uow: Arc<dyn UnitOfWork>,
    policy: Arc<Policy>,
}

/// A proof and until when it is of use.
#[derive(Debug, Clone)]
pub struct ShownProof {
    /// The proof.
    pub proof: IdentityProof,
    /// Its session's end while pending, its validity's end once passed (R15).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ShownProof {
    /// `proof` under `policy`'s validity.
    #[must_use]
    pub fn of(proof: IdentityProof, policy: &Policy) -> Self {
        let expires_at = proof.expires_at(policy.proof_validity());
        Self { proof, expires_at }
    }
}

impl GetIdentityProof {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, policy: Arc<Policy>) -> Self {
        Self { uow, policy }
    }

    /// The caller's proof.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another caller's proof, or none.
    pub async fn execute(&self, owner: &str, id: ProofId) -> Result<ShownProof, AppError> {
        let mut tx = self.uow.begin().await?;
        let proof = tx
            .proof_for_update(id)
            .await?
            .filter(|p| p.owner == owner)
            .ok_or(AppError::NotFound("identity proof"))?;
        tx.commit().await?;
        Ok(ShownProof::of(proof, &self.policy))
    }
}

/// One account found with an identity (R15): only masked data and an opaque reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAccount {
    /// The reference, valid only with the proof.
    pub reference: String,
    /// The account, for masking by the adapter.
    pub account: Account,
}

/// The accounts of an identity and the quota view ("3 of 3 used").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAccounts {
    /// Every account ever verified with the identity.
    pub accounts: Vec<FoundAccount>,
    /// Slots in use.
    pub used: usize,
    /// The limit.
    pub limit: u32,
}

/// Lists the accounts verified with a proven identity.
pub struct FindAccounts {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl FindAccounts {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self { uow, clock, policy }
    }

    /// The list. Typing an ID number without a passed proof reveals nothing (R15).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another caller's proof; [`AppError::ProofNotPassed`].
    pub async fn execute(&self, owner: &str, id: ProofId) -> Result<FoundAccounts, AppError> {
        let mut tx = self.uow.begin().await?;
        let (proof, accounts) =
            proof_and_accounts(tx.as_mut(), owner, id, self.clock.now(), &self.policy).await?;
        let used = accounts.iter().filter(|a| a.holds_slot()).count();
        let limit = self.policy.account_limit(proof.subject.subject_type());
        let accounts = accounts
            .into_iter()
            .map(|account| FoundAccount {
                reference: proof.ref_for(account.id),
                account,
            })
            .collect();
        Ok(FoundAccounts {
            accounts,
            used,
            limit,
        })
    }
}

/// Freezes accounts verified with the owner's identity that they do not control, opening a
/// theft case (R14).
pub struct FreezeAccounts {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl FreezeAccounts {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self { uow, clock, policy }
    }

    /// Freezes the referenced accounts and opens the case.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown reference; the proof's errors.
    #[tracing::instrument(name = "freeze_accounts", skip_all, fields(proof.id = %id))]
    pub async fn execute(
        &self,
        owner: &str,
        id: ProofId,
        references: &[String],
        note: String,
        answer: Option<Answer<Case>>,
    ) -> Result<Case, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let (proof, accounts) =
            proof_and_accounts(tx.as_mut(), owner, id, now, &self.policy).await?;
        let mut frozen = Vec::new();
        for reference in references {
            let mut account = by_ref(&proof, accounts.clone(), reference)?;
            if account.state == AccountState::Closed || frozen.contains(&account.id) {
                continue;
            }
            account.freeze(now)?;
            tx.save_account(&account).await?;
            tx.append_event(
                &NewEvent {
                    account_id: Some(account.id),
                    event: DomainEvent::AccountFrozen,
                },
                now,
            )
            .await?;
            tx.queue_notification(&Notification::new(
                NoticeKind::AccountFrozen,
                account.id,
                now,
            ))
            .await?;
            let change = ("state=active".to_owned(), "state=frozen".to_owned());
            let mut entry = AuditEntry::new(
                account.id,
                &realname_domain::Actor::System,
                "account.frozen",
                change,
                now,
            );
            entry.actor = format!("proof:{}", proof.id);
            tx.append_audit(&entry.because("identity_theft_reported"))
                .await?;
            frozen.push(account.id);
        }
        let case = Case::open(
            CaseKind::Theft,
            owner.to_owned(),
            (Some(proof.id), frozen),
            note,
            now,
        );
        tx.save_case(&case).await?;
        super::cases::record_case(tx.as_mut(), &case, &format!("proof:{}", proof.id), now).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &case).await?;
        tx.commit().await?;
        Ok(case)
    }
}

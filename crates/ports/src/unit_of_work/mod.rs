//! The unit of work: one transaction in which a use case locks, decides and records. Its
//! operations are split by aggregate, one trait each; a [`Transaction`] is all of them.

use async_trait::async_trait;

use crate::error::StoreError;

/// Opens transactions.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Begins a transaction.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when no connection can be had.
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError>;
}

mod accounts;
mod applications;
mod identity;
mod outbox;
mod phones;
mod slots;

pub use accounts::AccountsTx;
pub use applications::{AdmissionFacts, ApplicationsTx};
pub use identity::IdentityTx;
pub use outbox::OutboxTx;
pub use phones::PhonesTx;
pub use slots::SlotsTx;

/// One open transaction: every aggregate's operations, and the end. Dropping it without
/// [`Transaction::commit`] MUST roll it back.
///
/// Lock order, to stay free of deadlocks: account (a root before its sub-accounts), then
/// application or phone change, then phone number or subject. Registration locks only the
/// phone number, since the account does not exist yet.
#[async_trait]
pub trait Transaction:
    AccountsTx + ApplicationsTx + IdentityTx + PhonesTx + SlotsTx + OutboxTx + Send
{
    /// Rolls everything back now (dropping the transaction also does, a moment later).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the rollback fails; the connection is discarded then.
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;

    /// Commits everything.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a concurrent change won; nothing was written then.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

#[cfg(feature = "mock")]
mod mock {
    #![allow(missing_docs)] // mockall's expectations

    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use realname_domain::audit::AuditEntry;
    use realname_domain::event::NewEvent;
    use realname_domain::identifiers::{Phone, Uscc};
    use realname_domain::identity::{Case, IdentityProof};
    use realname_domain::invitation::Invitation;
    use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
    use realname_domain::quota::{PhoneSlots, QuotaOverride, SubjectSlots};
    use realname_domain::{
        Account, AccountId, Application, ApplicationId, CaseId, InvitationId, ProofId, Subject,
    };

    use super::{
        AccountsTx, AdmissionFacts, ApplicationsTx, IdentityTx, OutboxTx, PhonesTx, SlotsTx,
        StoreError, Transaction,
    };

    mockall::mock! {
        /// A transaction whose every operation is an expectation.
        pub Transaction {}
        #[async_trait]
        impl AccountsTx for Transaction {
            async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError>;
            async fn account_for_update(&mut self, id: AccountId) -> Result<Option<Account>, StoreError>;
            async fn save_account(&mut self, account: &Account) -> Result<(), StoreError>;
            async fn sub_accounts_for_update(
                &mut self,
                root: AccountId,
            ) -> Result<Vec<Account>, StoreError>;
            async fn redact_account(&mut self, account: &Account) -> Result<(), StoreError>;
            async fn save_invitation(&mut self, invitation: &Invitation) -> Result<(), StoreError>;
            async fn invitation_for_update(
                &mut self,
                id: InvitationId,
            ) -> Result<Option<Invitation>, StoreError>;
        }
        #[async_trait]
        impl ApplicationsTx for Transaction {
            async fn admission_facts(
                &mut self,
                account: AccountId,
                failures_since: DateTime<Utc>,
            ) -> Result<Option<AdmissionFacts>, StoreError>;
            async fn undecided_application(
                &mut self,
                account: AccountId,
            ) -> Result<Option<Application>, StoreError>;
            async fn failed_attempts_since(
                &mut self,
                account: AccountId,
                since: DateTime<Utc>,
            ) -> Result<Vec<DateTime<Utc>>, StoreError>;
            async fn application_for_update(
                &mut self,
                id: ApplicationId,
            ) -> Result<Option<Application>, StoreError>;
            async fn insert_application(&mut self, application: &Application) -> Result<(), StoreError>;
            async fn save_application(&mut self, application: &Application) -> Result<(), StoreError>;
            async fn insert_pulled_session(&mut self, session: &crate::provider::PulledSession) -> Result<(), StoreError>;
        }
        #[async_trait]
        impl IdentityTx for Transaction {
            async fn save_proof(&mut self, proof: &IdentityProof) -> Result<(), StoreError>;
            async fn proof_for_update(&mut self, id: ProofId) -> Result<Option<IdentityProof>, StoreError>;
            async fn proof_by_session_for_update(
                &mut self,
                session_ref: &str,
            ) -> Result<Option<IdentityProof>, StoreError>;
            async fn accounts_of_subject(&mut self, subject: &Subject) -> Result<Vec<Account>, StoreError>;
            async fn save_case(&mut self, case: &Case) -> Result<(), StoreError>;
            async fn case_for_update(&mut self, id: CaseId) -> Result<Option<Case>, StoreError>;
        }
        #[async_trait]
        impl PhonesTx for Transaction {
            async fn lock_phone(&mut self, phone: &Phone, limit: u32) -> Result<PhoneSlots, StoreError>;
            async fn otp_sends(
                &mut self,
                phone: &Phone,
                phone_since: DateTime<Utc>,
                account: AccountId,
                account_since: DateTime<Utc>,
            ) -> Result<realname_domain::phone_change::OtpSends, StoreError>;
            async fn insert_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;
            async fn phone_change_for_update(
                &mut self,
                id: PhoneChangeId,
            ) -> Result<Option<PhoneChange>, StoreError>;
            async fn save_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;
            async fn cancel_phone_changes(&mut self, account: AccountId) -> Result<(), StoreError>;
        }
        #[async_trait]
        impl SlotsTx for Transaction {
            async fn lock_subject(
                &mut self,
                subject: &Subject,
                default_limit: u32,
            ) -> Result<SubjectSlots, StoreError>;
            async fn set_enterprise_limit(
                &mut self,
                uscc: &Uscc,
                change: &QuotaOverride,
            ) -> Result<(Option<u32>, Vec<realname_domain::AccountId>), StoreError>;
        }
        #[async_trait]
        impl OutboxTx for Transaction {
            async fn append_event(&mut self, event: &NewEvent, at: DateTime<Utc>)
            -> Result<(), StoreError>;
            async fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
            async fn queue_notification(
                &mut self,
                notification: &realname_domain::notification::Notification,
            ) -> Result<(), StoreError>;
            async fn record_answer(
                &mut self,
                claim: &crate::IdempotencyClaim,
                response: &crate::StoredResponse,
            ) -> Result<(), StoreError>;
        }
        #[async_trait]
        impl Transaction for Transaction {
            async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
            async fn commit(self: Box<Self>) -> Result<(), StoreError>;
        }
    }
}

#[cfg(feature = "mock")]
pub use mock::MockTransaction;

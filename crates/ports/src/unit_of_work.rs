//! The unit of work: one transaction in which a use case locks, decides and records.

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

/// One open transaction. Dropping it without [`Transaction::commit`] MUST roll it back.
///
/// Lock order, to stay free of deadlocks: account (a root before its sub-accounts), then
/// application or phone change, then phone number or subject. Registration locks only the
/// phone number, since the account does not exist yet.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Transaction: Send {
    /// Locks the phone number's row (creating it if needed) and counts the accounts bound to
    /// it (R19). Concurrent callers for the same number MUST wait for each other.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn lock_phone(&mut self, phone: &Phone, limit: u32) -> Result<PhoneSlots, StoreError>;

    /// Inserts a new account.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id exists.
    async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// Loads an account and locks its row until the end of the transaction.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn account_for_update(&mut self, id: AccountId) -> Result<Option<Account>, StoreError>;

    /// Writes back an account loaded with [`Transaction::account_for_update`].
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn save_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// Locks the subject's row (creating it if needed) and loads the accounts that hold its
    /// slots and the limit in force: the subject's override, or `default_limit` (R3, R4).
    /// Concurrent callers for the same subject MUST wait for each other.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn lock_subject(
        &mut self,
        subject: &Subject,
        default_limit: u32,
    ) -> Result<SubjectSlots, StoreError>;

    /// The account's undecided application, read after the account's lock was taken.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn undecided_application(
        &mut self,
        account: AccountId,
    ) -> Result<Option<Application>, StoreError>;

    /// When the account's instant applications failed with a code that counts as an attempt
    /// (R7), since `since`.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn failed_attempts_since(
        &mut self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError>;

    /// Loads an application and locks its row.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn application_for_update(
        &mut self,
        id: ApplicationId,
    ) -> Result<Option<Application>, StoreError>;

    /// Inserts a new application.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or session exists, or when the account already
    /// has an undecided application.
    async fn insert_application(&mut self, application: &Application) -> Result<(), StoreError>;

    /// Writes back an application loaded for update.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn save_application(&mut self, application: &Application) -> Result<(), StoreError>;

    /// The sub-accounts of a root, locked (R16, R21).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn sub_accounts_for_update(
        &mut self,
        root: AccountId,
    ) -> Result<Vec<Account>, StoreError>;

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

    /// Inserts or updates a sub-account association (R16).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the same association is already pending.
    async fn save_invitation(&mut self, invitation: &Invitation) -> Result<(), StoreError>;

    /// Loads an association and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn invitation_for_update(
        &mut self,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError>;

    /// Inserts a phone change.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn insert_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;

    /// Loads a phone change and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn phone_change_for_update(
        &mut self,
        id: PhoneChangeId,
    ) -> Result<Option<PhoneChange>, StoreError>;

    /// Writes back a phone change.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn save_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;

    /// Removes a closed account's personal data (R21): its phone, its subject and those of its
    /// applications and phone changes. The subject key stays.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] unless the account exists and is closed.
    async fn redact_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// Cancels the account's pending phone changes (R21).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn cancel_phone_changes(&mut self, account: AccountId) -> Result<(), StoreError>;

    /// Sets an enterprise's account limit (R4), creating its subject row if it was never seen,
    /// and records who set it, when and why. Returns the limit that was in force before, if
    /// one was set.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn set_enterprise_limit(
        &mut self,
        uscc: &Uscc,
        change: &QuotaOverride,
    ) -> Result<Option<u32>, StoreError>;

    /// Appends an event to the outbox; an account's events take its next sequence number
    /// (SPEC §6).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn append_event(&mut self, event: &NewEvent, at: DateTime<Utc>)
    -> Result<(), StoreError>;

    /// Appends an entry to the account's audit chain (R22), chained to the previous entry.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;

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

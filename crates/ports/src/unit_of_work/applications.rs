//! Verification applications (R2, R6, R7, R8).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::{Account, AccountId, Application, ApplicationId};

use crate::error::StoreError;
use crate::provider::PulledSession;

/// What admitting an application reads of its account (R7, R20, SPEC §2).
#[derive(Debug, Clone)]
pub struct AdmissionFacts {
    /// The account, locked for update.
    pub account: Account,
    /// Whether one of its applications is undecided.
    pub undecided: bool,
    /// When its instant applications failed with a code that counts as an attempt (R7),
    /// since the time asked for.
    pub failures: Vec<DateTime<Utc>>,
}

/// Verification applications (R2, R6, R7, R8). Part of a [`super::Transaction`].
#[async_trait]
pub trait ApplicationsTx: Send {
    /// The account locked, whether it has an undecided application, and its failed attempts
    /// since `failures_since`: what [`Self::undecided_application`] and
    /// [`Self::failed_attempts_since`] would say after the lock, read at once.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown account.
    async fn admission_facts(
        &mut self,
        account: AccountId,
        failures_since: DateTime<Utc>,
    ) -> Result<Option<AdmissionFacts>, StoreError>;

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

    /// Records a session whose result is pulled, with the application or proof it decides.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the reference exists.
    async fn insert_pulled_session(&mut self, session: &PulledSession) -> Result<(), StoreError>;
}

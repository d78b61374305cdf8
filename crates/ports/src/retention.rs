//! The R21 retention sweep's storage: the records kept past their use, and their redaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::retention::{DecidedSubject, KeptProof};
use realname_domain::{ApplicationId, CaseId, ProofId};

use crate::error::StoreError;

/// What one sweep redacts. Redacting the same record twice is harmless.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactions {
    /// Applications whose subject (and review note) go.
    pub subjects: Vec<ApplicationId>,
    /// Identity proofs whose subject and secret go.
    pub proofs: Vec<ProofId>,
    /// Cases whose opener's message goes.
    pub case_messages: Vec<CaseId>,
}

impl Redactions {
    /// How many records it names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.subjects.len() + self.proofs.len() + self.case_messages.len()
    }

    /// Whether it names none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Finds and redacts what the retention period has run out for.
///
/// The finders narrow the search by date, and MAY return records that are not due: the
/// application decides each one (`realname_domain::retention`). They MUST NOT return a record
/// already redacted, so a sweep ends.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Decided applications of accounts not themselves redacted that still hold a subject the
    /// account is not verified as, decided at or before `decided_before`; at most `limit`.
    async fn superseded_subjects(
        &self,
        decided_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(ApplicationId, DecidedSubject)>, StoreError>;

    /// Identity proofs still holding their subject, passed (or, never passed, started) at or
    /// before `before`; at most `limit`.
    async fn kept_proofs(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(ProofId, KeptProof)>, StoreError>;

    /// Cases still holding their opener's message, opened at or before `opened_before`, with
    /// their opening time; at most `limit`.
    async fn case_messages(
        &self,
        opened_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(CaseId, DateTime<Utc>)>, StoreError>;

    /// Redacts them, in one transaction; the subject keys, dates and outcomes stay.
    async fn redact(&self, redactions: &Redactions, at: DateTime<Utc>) -> Result<(), StoreError>;
}

//! The R17 re-check's storage and the holder notices it sends.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use realname_domain::recheck::RecheckTarget;

use crate::error::StoreError;

/// An enterprise's place in the re-check table: opaque to the application.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnterpriseRef(pub Vec<u8>);

impl std::fmt::Debug for EnterpriseRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A keyed hash, not personal data; shortened to keep logs readable.
        let head: String = self.0.iter().take(4).map(|b| format!("{b:02x}")).collect();
        write!(f, "EnterpriseRef({head}…)")
    }
}

/// An enterprise claimed (or, in a dry run, read) for re-checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckCandidate {
    /// Where it is stored.
    pub key: EnterpriseRef,
    /// Its schedule and verified accounts.
    pub target: RecheckTarget,
}

/// Which enterprises are due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecheckScope {
    /// Due at `now`: scheduled at or before it, or never scheduled.
    DueAt(DateTime<Utc>),
    /// Every enterprise not yet checked since `since` (`realname recheck --all`), in key order
    /// after `after`.
    All {
        /// The start of the run.
        since: DateTime<Utc>,
        /// The last key this claimer saw.
        after: Option<EnterpriseRef>,
    },
}

/// A re-check's new schedule for one enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reschedule {
    /// The enterprise.
    pub key: EnterpriseRef,
    /// When it is due next.
    pub next_check_at: DateTime<Utc>,
    /// Consecutive registry errors.
    pub failures: u32,
    /// When the registry answered, if it did.
    pub checked_at: Option<DateTime<Utc>>,
}

/// An inheriting sub-account: its root, and its own capability facts (R16).
pub type Heir = (
    realname_domain::AccountId,
    realname_domain::capabilities::CapabilityInputs,
);

/// Claims and reschedules enterprises for the re-check (R17).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RecheckStore: Send + Sync {
    /// Claims up to `limit` due enterprises with `FOR UPDATE SKIP LOCKED` and a lease for
    /// `owner`, skipping those under another claimer's unexpired lease, and commits the claim
    /// before returning. Each comes with its verified accounts.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn claim(
        &self,
        scope: &RecheckScope,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<RecheckCandidate>, StoreError>;

    /// Reads up to `limit` due enterprises after `after`, in key order, without claiming or
    /// changing anything (the dry run).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn peek(
        &self,
        scope: &RecheckScope,
        after: Option<EnterpriseRef>,
        limit: u32,
    ) -> Result<Vec<RecheckCandidate>, StoreError>;

    /// How many enterprises `scope` selects now, from the start of its key order (a command's
    /// progress display: issue 15 item 13). Nothing is claimed or changed.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn count(&self, scope: &RecheckScope) -> Result<u64, StoreError>;

    /// The inheriting sub-accounts of `roots` that are not closed, with their own capability
    /// facts (R16), for the dry run: read only.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn heirs(
        &self,
        roots: &[realname_domain::AccountId],
    ) -> Result<
        Vec<(
            realname_domain::AccountId,
            realname_domain::capabilities::CapabilityInputs,
        )>,
        StoreError,
    >;

    /// Writes new schedules and releases `owner`'s leases on them, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn reschedule(&self, owner: &str, schedules: &[Reschedule]) -> Result<(), StoreError>;
}

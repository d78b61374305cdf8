//! Subject slots and their limits (R3, R4).

use async_trait::async_trait;
use realname_domain::Subject;
use realname_domain::identifiers::Uscc;
use realname_domain::quota::{QuotaOverride, SubjectSlots};

use crate::error::StoreError;

/// Subject slots and their limits (R3, R4). Part of a [`super::Transaction`].
#[async_trait]
pub trait SlotsTx: Send {
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

    /// Sets an enterprise's account limit (R4), creating its subject row if it was never seen,
    /// and records who set it, when and why. Returns the limit that was in force before, if
    /// one was set, and the accounts holding the enterprise's slots (for their audit trail).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn set_enterprise_limit(
        &mut self,
        uscc: &Uscc,
        change: &QuotaOverride,
    ) -> Result<(Option<u32>, Vec<realname_domain::AccountId>), StoreError>;
}

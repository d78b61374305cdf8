//! Claims for scheduled jobs: rows taken with `FOR UPDATE SKIP LOCKED` and a lease, committed,
//! so that several replicas share the work and a crashed one's rows come back after the lease.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use realname_domain::{Application, ApplicationId};

use crate::error::StoreError;

/// Claims applications whose deadline passed (R8).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DeadlineClaims: Send + Sync {
    /// Claims up to `limit` undecided applications whose deadline is at or before `now` and
    /// that still need an action (expiry, or a first escalation), skipping rows another
    /// claimer holds under an unexpired lease. The claim MUST be committed before returning.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError>;

    /// Releases a claim held by `owner`.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn release(&self, id: ApplicationId, owner: &str) -> Result<(), StoreError>;
}

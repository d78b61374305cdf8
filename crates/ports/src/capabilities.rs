//! What the capability query needs to know about an account (R12), without personal data, so
//! that it can be answered from a cache.

use async_trait::async_trait;
use realname_domain::AccountId;
use realname_domain::capabilities::CapabilityInputs;

use crate::error::StoreError;

/// One account's facts for R12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityFacts {
    /// The account.
    pub id: AccountId,
    /// Its root (itself for a root): who may see it.
    pub root: AccountId,
    /// The root whose verification it inherits (R16), if any.
    pub inherits_from: Option<AccountId>,
    /// Its own state, status, agreement and pending revocation.
    pub inputs: CapabilityInputs,
    /// Holder credentials issued before this are revoked (R14).
    pub credentials_epoch: Option<chrono::DateTime<chrono::Utc>>,
}

impl CapabilityFacts {
    /// The facts of a loaded account.
    #[must_use]
    pub fn of(account: &realname_domain::Account) -> Self {
        Self {
            id: account.id,
            root: account.root_id(),
            inherits_from: account.inherited_from(),
            inputs: CapabilityInputs::from(account),
            credentials_epoch: account.credentials_epoch,
        }
    }
}

/// Reads capability facts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CapabilityReader: Send + Sync {
    /// The account's facts, `Ok(None)` for an unknown id. A cached implementation may answer
    /// with facts at most its configured staleness old, never older.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn capability_facts(&self, id: AccountId) -> Result<Option<CapabilityFacts>, StoreError>;
}

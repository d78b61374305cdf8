//! Whether a holder's credential outlived a takeover's resolution (R14): a recovery or a freeze
//! revokes every holder token issued before it.

use std::sync::Arc;

use realname_domain::{Account, AccountId};
use realname_ports::CapabilityReader;

use crate::AppError;

/// Checks holder credentials against their account's credential epoch.
pub struct CheckCredentials {
    /// The capability facts, cached like every capability answer: the epoch is one of them, so
    /// it is evicted with them.
    facts: Arc<dyn CapabilityReader>,
}

impl CheckCredentials {
    /// Wires the use case.
    pub fn new(facts: Arc<dyn CapabilityReader>) -> Self {
        Self { facts }
    }

    /// `Ok` when a holder credential for `account`, issued at `issued_at` (seconds since the
    /// epoch), is still good. An unknown account has nothing to revoke: the operation answers
    /// for it.
    ///
    /// # Errors
    /// [`AppError::TokenRevoked`] for a credential issued before the account's last recovery
    /// or freeze.
    pub async fn execute(&self, account: AccountId, issued_at: i64) -> Result<(), AppError> {
        let epoch = self
            .facts
            .capability_facts(account)
            .await?
            .and_then(|f| f.credentials_epoch);
        if Account::admits_credential_issued_at(epoch, issued_at) {
            Ok(())
        } else {
            Err(AppError::TokenRevoked)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use realname_ports::{CapabilityFacts, MockCapabilityReader};

    use super::*;

    #[tokio::test]
    async fn a_credential_issued_before_the_epoch_is_revoked() {
        let mut account = crate::testing::account();
        let epoch = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        account.freeze(epoch).unwrap();
        let facts = CapabilityFacts::of(&account);
        let mut reader = MockCapabilityReader::new();
        reader
            .expect_capability_facts()
            .returning(move |_| Ok(Some(facts)));
        let check = CheckCredentials::new(Arc::new(reader));
        assert!(matches!(
            check.execute(account.id, epoch.timestamp() - 1).await,
            Err(AppError::TokenRevoked)
        ));
        assert!(check.execute(account.id, epoch.timestamp()).await.is_ok());
    }
}

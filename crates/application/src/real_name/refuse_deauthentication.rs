//! R1: verification cannot be removed. There is no de-authenticate operation.

use std::convert::Infallible;
use std::sync::Arc;

use realname_domain::{AccountId, Actor, RealNameStatus};
use realname_ports::AccountReader;

use crate::AppError;
use crate::access::visible_account;

/// Answers a request to remove verification: always a refusal.
pub struct RefuseDeauthentication {
    accounts: Arc<dyn AccountReader>,
}

impl RefuseDeauthentication {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>) -> Self {
        Self { accounts }
    }

    /// Refuses. Nothing is ever changed.
    ///
    /// # Errors
    /// Always: [`AppError::VerificationIrreversible`] once verified or revoked (R1),
    /// [`AppError::NotVerified`] before, [`AppError::NotFound`] for another holder's account.
    #[tracing::instrument(name = "refuse_deauthentication", skip_all, fields(account.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: AccountId) -> Result<Infallible, AppError> {
        let account = visible_account(self.accounts.as_ref(), actor, id).await?;
        Err(match account.status {
            RealNameStatus::Unverified => AppError::NotVerified,
            RealNameStatus::Verified | RealNameStatus::Revoked => {
                AppError::VerificationIrreversible
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::Account;
    use realname_ports::MockAccountReader;

    use super::*;
    use crate::testing::{account, verified_account};

    async fn refusal(acct: Account) -> AppError {
        let id = acct.id;
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        match RefuseDeauthentication::new(Arc::new(accounts))
            .execute(&Actor::Service, id)
            .await
        {
            Err(e) => e,
        }
    }

    #[tokio::test]
    async fn a_verified_account_cannot_be_deauthenticated() {
        assert!(matches!(
            refusal(verified_account()).await,
            AppError::VerificationIrreversible
        ));
    }

    #[tokio::test]
    async fn a_revoked_account_cannot_be_deauthenticated_either() {
        let mut acct = verified_account();
        acct.status = RealNameStatus::Revoked;
        assert!(matches!(
            refusal(acct).await,
            AppError::VerificationIrreversible
        ));
    }

    #[tokio::test]
    async fn an_unverified_account_gets_not_verified() {
        assert!(matches!(refusal(account()).await, AppError::NotVerified));
    }
}

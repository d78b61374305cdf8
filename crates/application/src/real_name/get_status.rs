//! The R20 status query.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::{Account, AccountId, Actor, Application, Policy};
use realname_ports::{AccountReader, ApplicationReader};

use crate::AppError;
use crate::access::visible_account;

/// Everything R20 shows about an account's real-name status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    /// The account, with its status and verification.
    pub account: Account,
    /// When a modification may first be submitted (R2).
    pub modification_allowed_from: Option<DateTime<Utc>>,
    /// The undecided application, if any.
    pub pending_application: Option<Application>,
    /// The root whose verification this sub-account inherits (R16); its status is the one shown.
    pub inherited_from: Option<Account>,
}

/// Reads an account's real-name status.
pub struct GetStatus {
    accounts: Arc<dyn AccountReader>,
    applications: Arc<dyn ApplicationReader>,
    policy: Arc<Policy>,
}

impl GetStatus {
    /// Wires the use case.
    pub fn new(
        accounts: Arc<dyn AccountReader>,
        applications: Arc<dyn ApplicationReader>,
        policy: Arc<Policy>,
    ) -> Self {
        Self {
            accounts,
            applications,
            policy,
        }
    }

    /// The status view.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "get_status", skip_all, fields(account.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: AccountId) -> Result<StatusView, AppError> {
        let account = visible_account(self.accounts.as_ref(), actor, id).await?;
        let inherited_from = match account.inherited_from() {
            Some(root) => self.accounts.account(root).await?,
            None => None,
        };
        let pending_application = self.applications.undecided_of(id).await?;
        let modification_allowed_from =
            account.modification_allowed_from(self.policy.modification_cooldown());
        Ok(StatusView {
            account,
            modification_allowed_from,
            pending_application,
            inherited_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_ports::{MockAccountReader, MockApplicationReader};

    use super::*;
    use crate::testing::{pending_application, verified_account};

    #[tokio::test]
    async fn the_status_shows_the_pending_application_and_the_end_of_the_cooldown() {
        let acct = verified_account();
        let app = pending_application(acct.id);
        let expected_from =
            acct.verification.as_ref().unwrap().last_authenticated_at + Duration::days(30);
        let copy = acct.clone();
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(copy.clone())));
        let mut applications = MockApplicationReader::new();
        let pending = app.clone();
        applications
            .expect_undecided_of()
            .returning(move |_| Ok(Some(pending.clone())));
        let use_case = GetStatus::new(
            Arc::new(accounts),
            Arc::new(applications),
            Arc::new(Policy::default()),
        );

        let view = use_case.execute(&Actor::Service, acct.id).await.unwrap();

        assert_eq!(view.pending_application, Some(app));
        assert_eq!(view.modification_allowed_from, Some(expected_from));
    }
}

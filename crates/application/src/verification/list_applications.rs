//! List an account's applications, newest first.

use std::sync::Arc;

use realname_domain::{AccountId, Actor, Application, ApplicationId};
use realname_ports::{AccountReader, ApplicationReader, Page};

use crate::AppError;
use crate::access::visible_account;

/// Lists the applications of an account the actor may see.
pub struct ListApplications {
    accounts: Arc<dyn AccountReader>,
    applications: Arc<dyn ApplicationReader>,
}

impl ListApplications {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>, applications: Arc<dyn ApplicationReader>) -> Self {
        Self {
            accounts,
            applications,
        }
    }

    /// One page, and whether more follow.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "list_applications", skip_all, fields(account.id = %account))]
    pub async fn execute(
        &self,
        actor: &Actor,
        account: AccountId,
        page: Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), AppError> {
        visible_account(self.accounts.as_ref(), actor, account).await?;
        Ok(self.applications.applications_of(account, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use realname_ports::{MockAccountReader, MockApplicationReader};

    use super::*;
    use crate::testing::{account, pending_application};

    #[tokio::test]
    async fn a_stranger_cannot_list_another_holders_applications() {
        let acct = account();
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut applications = MockApplicationReader::new();
        applications.expect_applications_of().never();
        let use_case = ListApplications::new(Arc::new(accounts), Arc::new(applications));
        let page = Page {
            starting_after: None,
            limit: 10,
        };

        let err = use_case
            .execute(
                &Actor::Holder {
                    account: AccountId::new(),
                },
                AccountId::new(),
                page,
            )
            .await
            .unwrap_err();

        assert!(matches!(err, AppError::NotFound("account")));
    }

    #[tokio::test]
    async fn a_reviewer_lists_an_accounts_applications() {
        let acct = account();
        let app = pending_application(acct.id);
        let id = acct.id;
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut applications = MockApplicationReader::new();
        let listed = vec![app.clone()];
        applications
            .expect_applications_of()
            .returning(move |_, _| Ok((listed.clone(), false)));
        let use_case = ListApplications::new(Arc::new(accounts), Arc::new(applications));

        let (apps, more) = use_case
            .execute(
                &Actor::Reviewer,
                id,
                Page {
                    starting_after: None,
                    limit: 10,
                },
            )
            .await
            .unwrap();

        assert_eq!(apps, vec![app]);
        assert!(!more);
    }
}

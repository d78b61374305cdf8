//! Read one application.

use std::sync::Arc;

use realname_domain::{Actor, Application, ApplicationId};
use realname_ports::{AccountReader, ApplicationReader};

use crate::AppError;
use crate::access::visible_application;

/// Reads an application whose account the actor may see.
pub struct GetApplication {
    accounts: Arc<dyn AccountReader>,
    applications: Arc<dyn ApplicationReader>,
}

impl GetApplication {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>, applications: Arc<dyn ApplicationReader>) -> Self {
        Self {
            accounts,
            applications,
        }
    }

    /// The application.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it does not exist or is not the actor's.
    #[tracing::instrument(name = "get_application", skip_all, fields(application.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: ApplicationId) -> Result<Application, AppError> {
        let (_, application) = visible_application(
            self.accounts.as_ref(),
            self.applications.as_ref(),
            actor,
            id,
        )
        .await?;
        Ok(application)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::AccountId;
    use realname_ports::{MockAccountReader, MockApplicationReader};

    use super::*;
    use crate::testing::{account, pending_application};

    fn use_case(app: Application) -> GetApplication {
        let acct = {
            let mut a = account();
            a.id = app.account_id;
            a
        };
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut applications = MockApplicationReader::new();
        applications
            .expect_application()
            .returning(move |_| Ok(Some(app.clone())));
        GetApplication::new(Arc::new(accounts), Arc::new(applications))
    }

    #[tokio::test]
    async fn the_holder_reads_their_application() {
        let app = pending_application(AccountId::new());
        let got = use_case(app.clone())
            .execute(
                &Actor::Holder {
                    account: app.account_id,
                },
                app.id,
            )
            .await
            .unwrap();
        assert_eq!(got, app);
    }

    #[tokio::test]
    async fn another_holder_gets_not_found() {
        let app = pending_application(AccountId::new());
        let err = use_case(app.clone())
            .execute(
                &Actor::Holder {
                    account: AccountId::new(),
                },
                app.id,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("application")));
    }
}

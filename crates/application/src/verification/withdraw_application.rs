//! Withdraw an undecided application.

use std::sync::Arc;

use realname_domain::{Actor, Application, ApplicationId};
use realname_ports::{AccountReader, ApplicationReader, Clock, UnitOfWork};

use crate::AppError;
use crate::access::{lock_application, lock_visible_account, visible_application};
use crate::record::save_transition;

/// What [`WithdrawApplication::new`] takes: its ports and policies, by name.
pub struct WithdrawApplicationDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub accounts: Arc<dyn AccountReader>,
    pub applications: Arc<dyn ApplicationReader>,
}

/// Withdraws an application while it is undecided.
pub struct WithdrawApplication {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    accounts: Arc<dyn AccountReader>,
    applications: Arc<dyn ApplicationReader>,
}

impl WithdrawApplication {
    /// Wires the use case.
    pub fn new(deps: WithdrawApplicationDeps) -> Self {
        let WithdrawApplicationDeps {
            uow,
            clock,
            accounts,
            applications,
        } = deps;
        Self {
            uow,
            clock,
            accounts,
            applications,
        }
    }

    /// Withdraws it.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it is not the actor's; [`AppError::ApplicationDecided`] once
    /// decided; storage errors.
    #[tracing::instrument(name = "withdraw_application", skip_all, fields(application.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: ApplicationId) -> Result<Application, AppError> {
        let now = self.clock.now();
        let (account, _) = visible_application(
            self.accounts.as_ref(),
            self.applications.as_ref(),
            actor,
            id,
        )
        .await?;
        let mut tx = self.uow.begin().await?;
        lock_visible_account(tx.as_mut(), actor, account.id).await?;
        let mut application = lock_application(tx.as_mut(), id).await?;
        let before = application.status;
        application
            .withdraw(now)
            .map_err(|e| AppError::ApplicationDecided(e.0))?;
        save_transition(tx.as_mut(), actor, &application, before, now).await?;
        tx.commit().await?;
        Ok(application)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::{Account, ApplicationStatus};
    use realname_ports::{MockAccountReader, MockApplicationReader, MockTransaction};

    use super::*;
    use crate::testing::{account, clock, expect_recorded, now, pending_application, unit_of_work};

    fn use_case(acct: Account, app: Application, tx: Vec<MockTransaction>) -> WithdrawApplication {
        let mut accounts = MockAccountReader::new();
        let copy = acct.clone();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(copy.clone())));
        let mut applications = MockApplicationReader::new();
        applications
            .expect_application()
            .returning(move |_| Ok(Some(app.clone())));
        WithdrawApplication::new(WithdrawApplicationDeps {
            uow: unit_of_work(tx),
            clock: clock(),
            accounts: Arc::new(accounts),
            applications: Arc::new(applications),
        })
    }

    fn locking(acct: Account, app: Application) -> MockTransaction {
        let mut tx = MockTransaction::new();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(acct.clone())));
        tx.expect_application_for_update()
            .returning(move |_| Ok(Some(app.clone())));
        tx
    }

    #[tokio::test]
    async fn an_undecided_application_is_withdrawn() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut tx = locking(acct.clone(), app.clone());
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let done = use_case(acct.clone(), app.clone(), vec![tx])
            .execute(&Actor::Holder { account: acct.id }, app.id)
            .await
            .unwrap();

        assert_eq!(done.status, ApplicationStatus::Withdrawn);
    }

    #[tokio::test]
    async fn a_decided_application_cannot_be_withdrawn() {
        let acct = account();
        let mut app = pending_application(acct.id);
        app.approve(now()).unwrap();
        let mut tx = locking(acct.clone(), app.clone());
        tx.expect_commit().never();

        let err = use_case(acct.clone(), app.clone(), vec![tx])
            .execute(&Actor::Holder { account: acct.id }, app.id)
            .await
            .unwrap_err();

        assert!(matches!(
            err,
            AppError::ApplicationDecided(ApplicationStatus::Approved)
        ));
    }

    #[tokio::test]
    async fn another_holders_application_is_not_found() {
        let acct = account();
        let app = pending_application(acct.id);
        let err = use_case(acct, app.clone(), vec![])
            .execute(
                &Actor::Holder {
                    account: realname_domain::AccountId::new(),
                },
                app.id,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("application")));
    }
}

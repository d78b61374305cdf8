//! Decide an application as its provider would, in sandbox mode (API.md).

use std::sync::Arc;

use realname_domain::{Actor, Application, ApplicationId};
use realname_ports::{AccountReader, ApplicationReader, SandboxInstruction, SandboxProvider};

use crate::AppError;
use crate::access::visible_application;
use crate::verification::RecordProviderResult;

/// What [`CompleteSandboxApplication::new`] takes: its ports and policies, by name.
pub struct CompleteSandboxApplicationDeps {
    pub accounts: Arc<dyn AccountReader>,
    pub applications: Arc<dyn ApplicationReader>,
    pub sandbox: Arc<dyn SandboxProvider>,
    pub record: Arc<RecordProviderResult>,
}

/// Completes an application through the sandbox twin of its provider.
pub struct CompleteSandboxApplication {
    accounts: Arc<dyn AccountReader>,
    applications: Arc<dyn ApplicationReader>,
    sandbox: Arc<dyn SandboxProvider>,
    record: Arc<RecordProviderResult>,
}

impl CompleteSandboxApplication {
    /// Wires the use case.
    pub fn new(deps: CompleteSandboxApplicationDeps) -> Self {
        let CompleteSandboxApplicationDeps {
            accounts,
            applications,
            sandbox,
            record,
        } = deps;
        Self {
            accounts,
            applications,
            sandbox,
            record,
        }
    }

    /// Asks the sandbox provider for its report and records it like a real callback.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the actor may not see it; [`AppError::ApplicationDecided`]
    /// once decided; the errors of [`RecordProviderResult`].
    #[tracing::instrument(name = "complete_sandbox_application", skip_all, fields(application.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: ApplicationId,
        instruction: &SandboxInstruction,
    ) -> Result<Application, AppError> {
        let (_, application) = visible_application(
            self.accounts.as_ref(),
            self.applications.as_ref(),
            actor,
            id,
        )
        .await?;
        if !application.status.is_undecided() {
            return Err(AppError::ApplicationDecided(application.status));
        }
        if application.method.is_payment() {
            return Err(AppError::PaymentExpected);
        }
        let report = self.sandbox.report(&application, instruction);
        Ok(self.record.execute(report).await?.application)
    }
}

#[cfg(test)]
mod tests {
    use crate::verification::RecordProviderResultDeps;
    use realname_domain::{ApplicationStatus, Policy, ProviderName};
    use realname_ports::{
        MockAccountReader, MockApplicationReader, MockSandboxProvider, ProviderOutcome,
        ProviderReport,
    };

    use super::*;
    use crate::testing::{account, clock, now, pending_application, unit_of_work};

    #[tokio::test]
    async fn a_decided_application_cannot_be_completed_again() {
        let acct = account();
        let mut app = pending_application(acct.id);
        app.approve(now()).unwrap();
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut applications = MockApplicationReader::new();
        let copy = app.clone();
        applications
            .expect_application()
            .returning(move |_| Ok(Some(copy.clone())));
        let mut sandbox = MockSandboxProvider::new();
        sandbox
            .expect_report()
            .never()
            .returning(|_, _| ProviderReport {
                provider: ProviderName::Face,
                session_ref: String::new(),
                outcome: ProviderOutcome::Failed(realname_domain::FailureCode::ProviderError),
            });
        let applications: Arc<MockApplicationReader> = Arc::new(applications);
        let record = Arc::new(RecordProviderResult::new(RecordProviderResultDeps {
            uow: unit_of_work(vec![]),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            calendar: Arc::default(),
            applications: applications.clone(),
            registry: Arc::new(realname_ports::MockBusinessRegistry::new()),
        }));
        let use_case = CompleteSandboxApplication::new(CompleteSandboxApplicationDeps {
            accounts: Arc::new(accounts),
            applications,
            sandbox: Arc::new(sandbox),
            record,
        });
        let instruction = SandboxInstruction {
            passed: true,
            failure_code: None,
            asserted_subject: None,
        };

        let err = use_case
            .execute(&Actor::Service, app.id, &instruction)
            .await
            .unwrap_err();

        assert!(matches!(
            err,
            AppError::ApplicationDecided(ApplicationStatus::Approved)
        ));
    }
}

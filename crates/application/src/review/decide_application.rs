//! A reviewer decides an application in review (R6, R8, R9). An approval still needs the
//! registry to report the enterprise active and still passes the quota (R4).

use std::sync::Arc;

use realname_domain::calendar::BusinessCalendar;
use realname_domain::enterprise::{Evidence, Verdict};
use realname_domain::{
    Actor, Application, ApplicationId, ApplicationStatus, Failure, FailureCode, Policy,
};
use realname_ports::{ApplicationReader, BusinessRegistry, Clock, UnitOfWork};

use crate::AppError;
use crate::access::lock_application;
use crate::approval::{Rules, apply_verdict};
use crate::record::save_transition;
use crate::verification::record_provider_result::{ask_registry, weigh};

/// The reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve.
    Approve,
    /// Reject with the reviewer's reason code.
    Reject {
        /// A snake_case reason code.
        reason_code: String,
    },
}

/// What [`DecideApplication::new`] takes: its ports and policies, by name.
pub struct DecideApplicationDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub calendar: Arc<BusinessCalendar>,
    pub applications: Arc<dyn ApplicationReader>,
    pub registry: Arc<dyn BusinessRegistry>,
}

/// Decides an application waiting for a reviewer.
pub struct DecideApplication {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    calendar: Arc<BusinessCalendar>,
    applications: Arc<dyn ApplicationReader>,
    registry: Arc<dyn BusinessRegistry>,
}

impl DecideApplication {
    /// Wires the use case.
    pub fn new(deps: DecideApplicationDeps) -> Self {
        let DecideApplicationDeps {
            uow,
            clock,
            policy,
            calendar,
            applications,
            registry,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            calendar,
            applications,
            registry,
        }
    }

    /// Decides it.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::NotInReview`] unless it waits for a reviewer;
    /// [`AppError::RegistryUnavailable`] when an approval cannot be checked against the registry.
    #[tracing::instrument(name = "decide_application", skip_all, fields(application.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: ApplicationId,
        decision: Decision,
        note: Option<String>,
    ) -> Result<Application, AppError> {
        let found = self
            .applications
            .application(id)
            .await?
            .ok_or(AppError::NotFound("application"))?;
        if found.status != ApplicationStatus::InReview {
            return Err(AppError::NotInReview);
        }
        let verdict = match &decision {
            Decision::Approve => {
                let registry = ask_registry(self.registry.as_ref(), &found).await;
                if matches!(registry, Some(Err(_))) {
                    return Err(AppError::RegistryUnavailable);
                }
                weigh(&found, &registry, &Evidence::Reviewer)
            }
            Decision::Reject { .. } => Verdict::Reject(FailureCode::ReviewerRejected),
        };
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut account = tx
            .account_for_update(found.account_id)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        let mut application = lock_application(tx.as_mut(), id).await?;
        if application.status != ApplicationStatus::InReview {
            return Err(AppError::NotInReview);
        }
        let before = application.status;
        application.review_note = note;
        match decision {
            Decision::Reject { reason_code } => {
                let failure = Failure {
                    reason: Some(reason_code),
                    ..Failure::new(FailureCode::ReviewerRejected)
                };
                application
                    .reject(failure, now)
                    .map_err(|e| AppError::ApplicationDecided(e.0))?;
            }
            Decision::Approve => {
                apply_verdict(
                    tx.as_mut(),
                    Rules {
                        policy: &self.policy,
                        calendar: &self.calendar,
                    },
                    actor,
                    &mut account,
                    &mut application,
                    verdict,
                    now,
                )
                .await?;
            }
        }
        save_transition(tx.as_mut(), actor, &application, before, now).await?;
        tx.commit().await?;
        Ok(application)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::Method;
    use realname_domain::enterprise::{RegistryRecord, RegistryStatus, ReviewReason};
    use realname_ports::{
        GatewayError, MockApplicationReader, MockBusinessRegistry, MockTransaction,
    };

    use super::*;
    use crate::testing::{
        ENTERPRISE_NAME, account_with_id, clock, enterprise_application, enterprise_slots,
        expect_recorded, now, unit_of_work,
    };

    fn in_review(uscc: &str) -> Application {
        let mut app = enterprise_application(Method::CorporateRemittance, uscc);
        app.send_to_review(ReviewReason::PaymentNameMismatch, now())
            .unwrap();
        app
    }

    fn use_case(
        app: Application,
        txs: Vec<MockTransaction>,
        registry_up: bool,
    ) -> DecideApplication {
        let mut reader = MockApplicationReader::new();
        reader
            .expect_application()
            .returning(move |_| Ok(Some(app.clone())));
        let mut registry = MockBusinessRegistry::new();
        registry.expect_lookup().returning(move |_| {
            if registry_up {
                Ok(Some(RegistryRecord {
                    name: ENTERPRISE_NAME.into(),
                    status: RegistryStatus::Active,
                    legal_representative: "王五".into(),
                }))
            } else {
                Err(GatewayError::Timeout)
            }
        });
        DecideApplication::new(DecideApplicationDeps {
            uow: unit_of_work(txs),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            calendar: Arc::default(),
            applications: Arc::new(reader),
            registry: Arc::new(registry),
        })
    }

    fn locking(app: &Application) -> MockTransaction {
        let mut tx = MockTransaction::new();
        let account = account_with_id(app.account_id);
        let copy = app.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(account.clone())));
        tx.expect_application_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx
    }

    #[tokio::test]
    async fn a_reviewer_approval_still_takes_a_slot_under_the_enterprise_limit() {
        let app = in_review("91110000600037341L");
        let mut tx = locking(&app);
        tx.expect_lock_subject()
            .returning(|_, _| Ok(enterprise_slots(10)));
        tx.expect_save_account().never();
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let decided = use_case(app.clone(), vec![tx], true)
            .execute(&Actor::Reviewer, app.id, Decision::Approve, None)
            .await
            .unwrap();

        assert_eq!(
            decided.failure.unwrap().code,
            FailureCode::IdentityAccountLimitReached
        );
    }

    #[tokio::test]
    async fn a_reviewer_approves_a_pilot_code_of_an_active_enterprise() {
        let app = in_review("91350100M0001TGQXM");
        let mut tx = locking(&app);
        tx.expect_lock_subject()
            .returning(|_, _| Ok(enterprise_slots(0)));
        tx.expect_save_account().times(1).returning(|_| Ok(()));
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 2);

        let decided = use_case(app.clone(), vec![tx], true)
            .execute(&Actor::Reviewer, app.id, Decision::Approve, None)
            .await
            .unwrap();

        assert_eq!(decided.status, ApplicationStatus::Approved);
    }

    #[tokio::test]
    async fn a_rejection_carries_the_reviewers_reason() {
        let app = in_review("91110000600037341L");
        let mut tx = locking(&app);
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        let decision = Decision::Reject {
            reason_code: "documents_unreadable".into(),
        };

        let decided = use_case(app.clone(), vec![tx], true)
            .execute(&Actor::Reviewer, app.id, decision, Some("blurry".into()))
            .await
            .unwrap();

        let failure = decided.failure.unwrap();
        assert_eq!(
            (failure.code, failure.reason.as_deref()),
            (FailureCode::ReviewerRejected, Some("documents_unreadable"))
        );
    }

    #[tokio::test]
    async fn an_approval_while_the_registry_is_down_changes_nothing() {
        let app = in_review("91110000600037341L");
        let err = use_case(app.clone(), vec![], false)
            .execute(&Actor::Reviewer, app.id, Decision::Approve, None)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::RegistryUnavailable));
    }

    #[tokio::test]
    async fn an_application_not_in_review_cannot_be_decided() {
        let app = enterprise_application(Method::CorporateRemittance, "91110000600037341L");
        let err = use_case(app.clone(), vec![], true)
            .execute(&Actor::Reviewer, app.id, Decision::Approve, None)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotInReview));
    }
}

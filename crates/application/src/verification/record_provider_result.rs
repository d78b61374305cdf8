//! Record a provider's result: approve under the quota (R3) or reject with an R7 code (R5, R11).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{ApplicationFacts, DomainEvent, NewEvent};
use realname_domain::{Account, Actor, Application, Failure, FailureCode, Policy};
use realname_ports::{
    ApplicationReader, Clock, ProviderOutcome, ProviderReport, Transaction, UnitOfWork,
};

use crate::AppError;
use crate::access::lock_application;
use crate::record::save_transition;

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The application as it stands now.
    pub application: Application,
    /// The application was already decided: the report was a duplicate and changed nothing.
    pub duplicate: bool,
}

/// Decides an application on its provider's report, in real time (R11).
pub struct RecordProviderResult {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    applications: Arc<dyn ApplicationReader>,
}

impl RecordProviderResult {
    /// Wires the use case.
    pub fn new(
        uow: Arc<dyn UnitOfWork>,
        clock: Arc<dyn Clock>,
        policy: Arc<Policy>,
        applications: Arc<dyn ApplicationReader>,
    ) -> Self {
        Self {
            uow,
            clock,
            policy,
            applications,
        }
    }

    /// Records the report. Under the account's lock and then the subject's, it approves the
    /// application if the subject has a free slot (R3), or rejects it.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for a session unknown to this provider; storage errors.
    #[tracing::instrument(name = "record_provider_result", skip_all, fields(provider = report.provider.as_str()))]
    pub async fn execute(&self, report: ProviderReport) -> Result<Recorded, AppError> {
        let now = self.clock.now();
        let found = self
            .applications
            .by_session(&report.session_ref)
            .await?
            .filter(|app| app.method.provider() == report.provider)
            .ok_or(AppError::NotFound("session"))?;

        let mut tx = self.uow.begin().await?;
        let mut account = tx
            .account_for_update(found.account_id)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        let mut application = lock_application(tx.as_mut(), found.id).await?;
        if !application.status.is_undecided() {
            return Ok(Recorded {
                application,
                duplicate: true,
            });
        }
        let before = application.status;
        self.decide(
            tx.as_mut(),
            &mut account,
            &mut application,
            report.outcome,
            now,
        )
        .await?;
        save_transition(tx.as_mut(), &Actor::Provider, &application, before, now).await?;
        tx.commit().await?;
        tracing::info!(application.id = %application.id, status = application.status.as_str(), "provider result recorded");
        Ok(Recorded {
            application,
            duplicate: false,
        })
    }

    async fn decide(
        &self,
        tx: &mut dyn Transaction,
        account: &mut Account,
        application: &mut Application,
        outcome: ProviderOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if application.session_expired(now) {
            return application
                .expire(now)
                .map_err(|e| AppError::ApplicationDecided(e.0));
        }
        let failure = match outcome {
            ProviderOutcome::Failed(code) if code.is_provider_reportable() => Failure::new(code),
            ProviderOutcome::Failed(_) => Failure::new(FailureCode::ProviderError),
            ProviderOutcome::Passed(asserted)
                if !application
                    .subject
                    .confirmed_by(&asserted.subject, asserted.mainland_bank_card) =>
            {
                Failure::new(FailureCode::IdentityInfoIncorrect)
            }
            ProviderOutcome::Passed(_) => {
                match self.approve(tx, account, application, now).await? {
                    None => return Ok(()),
                    Some(failure) => failure,
                }
            }
        };
        application
            .reject(failure, now)
            .map_err(|e| AppError::ApplicationDecided(e.0))
    }

    /// Claims the subject's slot and verifies the account; a full quota gives the failure.
    async fn approve(
        &self,
        tx: &mut dyn Transaction,
        account: &mut Account,
        application: &mut Application,
        now: DateTime<Utc>,
    ) -> Result<Option<Failure>, AppError> {
        account.ensure_may_verify()?;
        let subject_type = application.subject.subject_type();
        let slots = tx
            .lock_subject(
                &application.subject,
                self.policy.account_limit(subject_type),
            )
            .await?;
        if let Err(full) = slots.claim(account.id) {
            return Ok(Some(Failure {
                code: FailureCode::IdentityAccountLimitReached,
                holding_accounts: full.holders,
            }));
        }
        let before = format!("status={}", account.status.as_str());
        account.verify(application.subject.clone(), application.method, now);
        application
            .approve(now)
            .map_err(|e| AppError::ApplicationDecided(e.0))?;
        tx.save_account(account).await?;
        let event = DomainEvent::AccountVerified(ApplicationFacts::from(&*application));
        tx.append_event(
            &NewEvent {
                account_id: account.id,
                event,
            },
            now,
        )
        .await?;
        let change = (before, "status=verified".to_owned());
        let entry = AuditEntry::new(
            account.id,
            &Actor::Provider,
            "account.verified",
            change,
            now,
        );
        tx.append_audit(&entry.because(format!("application={}", application.id)))
            .await?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_domain::quota::{SlotHolder, SubjectSlots};
    use realname_domain::{
        AccountId, ApplicationStatus, ProviderName, RealNameStatus, SubjectType,
    };
    use realname_ports::{AssertedSubject, MockApplicationReader, MockTransaction};

    use super::*;
    use crate::testing::{
        account, expect_recorded, now, pending_application, person, unit_of_work, zhang_san,
    };

    fn reader(app: Application) -> Arc<MockApplicationReader> {
        let mut reader = MockApplicationReader::new();
        reader
            .expect_by_session()
            .returning(move |_| Ok(Some(app.clone())));
        Arc::new(reader)
    }

    fn locking(acct: Account, app: Application) -> MockTransaction {
        let mut tx = MockTransaction::new();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(acct.clone())));
        tx.expect_application_for_update()
            .returning(move |_| Ok(Some(app.clone())));
        tx
    }

    fn slots(taken: usize) -> SubjectSlots {
        SubjectSlots {
            subject_type: SubjectType::Personal,
            limit: 3,
            holders: (0..taken)
                .map(|_| SlotHolder {
                    account_id: AccountId::new(),
                    phone_masked: "138****5678".into(),
                    verified_at: now(),
                })
                .collect(),
        }
    }

    fn passed(subject: realname_domain::Subject) -> ProviderReport {
        ProviderReport {
            provider: ProviderName::Face,
            session_ref: "face_ses_1".into(),
            outcome: ProviderOutcome::Passed(AssertedSubject {
                subject,
                mainland_bank_card: false,
            }),
        }
    }

    async fn record(
        app: Application,
        tx: MockTransaction,
        report: ProviderReport,
    ) -> Result<Recorded, AppError> {
        RecordProviderResult::new(
            unit_of_work(vec![tx]),
            crate::testing::clock(),
            Arc::new(Policy::default()),
            reader(app),
        )
        .execute(report)
        .await
    }

    #[tokio::test]
    async fn a_passed_session_with_a_free_slot_verifies_the_account() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut tx = locking(acct.clone(), app.clone());
        tx.expect_lock_subject()
            .withf(|_, limit| *limit == 3)
            .returning(|_, _| Ok(slots(2)));
        tx.expect_save_account()
            .withf(|a| a.status == RealNameStatus::Verified && a.verification.is_some())
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 2);

        let recorded = record(app, tx, passed(zhang_san())).await.unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::Approved);
        assert!(!recorded.duplicate);
    }

    #[tokio::test]
    async fn a_fourth_account_is_rejected_with_the_accounts_that_hold_the_slots() {
        let acct = account();
        let app = pending_application(acct.id);
        let full = slots(3);
        let holders = full.holders.clone();
        let mut tx = locking(acct, app.clone());
        tx.expect_lock_subject()
            .returning(move |_, _| Ok(full.clone()));
        tx.expect_save_account().never();
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let recorded = record(app, tx, passed(zhang_san())).await.unwrap();

        let failure = recorded.application.failure.unwrap();
        assert_eq!(failure.code, FailureCode::IdentityAccountLimitReached);
        assert_eq!(failure.holding_accounts, holders);
    }

    #[tokio::test]
    async fn a_failed_face_check_is_rejected_with_its_code() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut tx = locking(acct, app.clone());
        tx.expect_lock_subject().never();
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        let report = ProviderReport {
            provider: ProviderName::Face,
            session_ref: "face_ses_1".into(),
            outcome: ProviderOutcome::Failed(FailureCode::LivenessFailed),
        };

        let recorded = record(app, tx, report).await.unwrap();

        assert_eq!(
            recorded.application.failure.unwrap().code,
            FailureCode::LivenessFailed
        );
    }

    #[tokio::test]
    async fn an_assertion_for_another_person_is_rejected_as_incorrect_identity() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut tx = locking(acct, app.clone());
        tx.expect_lock_subject().never();
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        let someone_else = person(
            realname_domain::DocumentType::ResidentId,
            "110105198001010016",
            realname_domain::Region::Mainland,
        );

        let recorded = record(app, tx, passed(someone_else)).await.unwrap();

        assert_eq!(
            recorded.application.failure.unwrap().code,
            FailureCode::IdentityInfoIncorrect
        );
    }

    #[tokio::test]
    async fn a_report_after_the_session_expired_expires_the_application() {
        let acct = account();
        let mut app = pending_application(acct.id);
        app.next_action = Some(realname_domain::NextAction::FaceLiveness {
            session_url: "https://x".into(),
            expires_at: now() - Duration::seconds(1),
        });
        let mut tx = locking(acct, app.clone());
        tx.expect_lock_subject().never();
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let recorded = record(app, tx, passed(zhang_san())).await.unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::Expired);
    }

    #[tokio::test]
    async fn a_duplicate_report_for_a_decided_application_changes_nothing() {
        let acct = account();
        let mut app = pending_application(acct.id);
        app.approve(now()).unwrap();
        let mut tx = locking(acct, app.clone());
        tx.expect_save_application().never();
        tx.expect_commit().never();

        let recorded = record(app, tx, passed(zhang_san())).await.unwrap();

        assert!(recorded.duplicate);
    }

    #[tokio::test]
    async fn a_report_from_another_provider_is_not_found() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut report = passed(zhang_san());
        report.provider = ProviderName::Qq;
        let uow = unit_of_work(vec![]);
        let err = RecordProviderResult::new(
            uow,
            crate::testing::clock(),
            Arc::new(Policy::default()),
            reader(app),
        )
        .execute(report)
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::NotFound("session")));
    }
}

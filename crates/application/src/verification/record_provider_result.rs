//! Record a provider's result: approve under the quota (R3, R4) or reject with an R7 code
//! (R5, R6, R11). Enterprise results are weighed against the business registry first.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::enterprise::{self, Evidence, RegistryRecord, ReviewReason, Verdict};
use realname_domain::{Actor, Application, FailureCode, Policy, Subject};
use realname_ports::{
    ApplicationReader, AssertedSubject, BusinessRegistry, Clock, GatewayError, ProviderOutcome,
    ProviderReport, UnitOfWork,
};

use crate::AppError;
use crate::access::lock_application;
use crate::approval::{Rules, apply_verdict};
use crate::record::save_transition;

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The application as it stands now.
    pub application: Application,
    /// The application was already decided: the report was a duplicate and changed nothing.
    pub duplicate: bool,
}

/// The registry's answer for an enterprise application, asked outside any transaction.
pub(crate) type RegistryAnswer = Option<Result<Option<RegistryRecord>, GatewayError>>;

/// Asks the registry about the application's enterprise; `None` for a personal subject.
pub(crate) async fn ask_registry(
    registry: &dyn BusinessRegistry,
    application: &Application,
) -> RegistryAnswer {
    match &application.subject {
        Subject::Enterprise(e) => Some(registry.lookup(&e.uscc).await),
        Subject::Personal(_) => None,
    }
}

/// Weighs enterprise evidence against the registry's answer (R6, R9). A registry failure is
/// its own outcome: the application waits for review, it is never rejected as "not found".
pub(crate) fn weigh(
    application: &Application,
    registry: &RegistryAnswer,
    evidence: &Evidence<'_>,
) -> Verdict {
    let Subject::Enterprise(subject) = &application.subject else {
        return Verdict::Approve;
    };
    match registry {
        Some(Ok(record)) => enterprise::decide(subject, record.as_ref(), evidence),
        Some(Err(_)) | None => Verdict::Review(ReviewReason::RegistryUnavailable),
    }
}

/// What [`RecordProviderResult::new`] takes: its ports and policies, by name.
pub struct RecordProviderResultDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub calendar: Arc<BusinessCalendar>,
    pub applications: Arc<dyn ApplicationReader>,
    pub registry: Arc<dyn BusinessRegistry>,
}

/// Decides an application on its provider's report, in real time (R11).
pub struct RecordProviderResult {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    calendar: Arc<BusinessCalendar>,
    applications: Arc<dyn ApplicationReader>,
    registry: Arc<dyn BusinessRegistry>,
}

impl RecordProviderResult {
    /// Wires the use case.
    pub fn new(deps: RecordProviderResultDeps) -> Self {
        let RecordProviderResultDeps {
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

    /// Records the report. The registry is asked first, outside the transaction; then, under
    /// the account's lock and the subject's, the application is approved if the subject has a
    /// free slot, sent to review, or rejected.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for a session unknown to this provider; storage errors.
    #[tracing::instrument(name = "record_provider_result", skip_all, fields(provider = report.provider.as_str()))]
    pub async fn execute(&self, report: ProviderReport) -> Result<Recorded, AppError> {
        let found = self
            .applications
            .by_session(&report.session_ref)
            .await?
            .filter(|app| app.method.provider() == report.provider && !app.method.is_payment())
            .ok_or(AppError::NotFound("session"))?;
        if !found.status.is_undecided() {
            return Ok(Recorded {
                application: found,
                duplicate: true,
            });
        }
        let registry = match &report.outcome {
            ProviderOutcome::Passed(_) => ask_registry(self.registry.as_ref(), &found).await,
            ProviderOutcome::Failed(_) | ProviderOutcome::Expired => None,
        };
        let now = self.clock.now();
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
        application
            .review_context
            .registry_answered(registry.as_ref(), now);
        let verdict = self.verdict(&application, &report.outcome, &registry, now);
        match verdict {
            None => application
                .expire(now)
                .map_err(|e| AppError::ApplicationDecided(e.0))?,
            Some(verdict) => {
                apply_verdict(
                    tx.as_mut(),
                    Rules {
                        policy: &self.policy,
                        calendar: &self.calendar,
                    },
                    &Actor::Provider,
                    &mut account,
                    &mut application,
                    verdict,
                    now,
                )
                .await?;
            }
        }
        save_transition(tx.as_mut(), &Actor::Provider, &application, before, now).await?;
        tx.commit().await?;
        tracing::info!(application.id = %application.id, status = application.status.as_str(), "provider result recorded");
        Ok(Recorded {
            application,
            duplicate: false,
        })
    }

    /// The verdict on a report; `None` when the session had already expired, or the provider
    /// let it expire (R5).
    fn verdict(
        &self,
        application: &Application,
        outcome: &ProviderOutcome,
        registry: &RegistryAnswer,
        now: DateTime<Utc>,
    ) -> Option<Verdict> {
        if application.session_expired(now) || *outcome == ProviderOutcome::Expired {
            return None;
        }
        Some(match outcome {
            ProviderOutcome::Failed(code) if code.is_provider_reportable() => {
                Verdict::Reject(*code)
            }
            ProviderOutcome::Failed(_) => Verdict::Reject(FailureCode::ProviderError),
            ProviderOutcome::Passed(asserted) => passed(application, asserted, registry),
            ProviderOutcome::Expired => return None,
        })
    }
}

/// A passed session: the asserted subject must confirm the submitted one (R5); an enterprise
/// must then satisfy the registry (R6).
fn passed(
    application: &Application,
    asserted: &AssertedSubject,
    registry: &RegistryAnswer,
) -> Verdict {
    match (&application.subject, &asserted.subject) {
        (Subject::Personal(_), _) => {
            if application
                .subject
                .confirmed_by(&asserted.subject, asserted.mainland_bank_card)
            {
                Verdict::Approve
            } else {
                Verdict::Reject(FailureCode::IdentityInfoIncorrect)
            }
        }
        (Subject::Enterprise(_), asserted) if application.method.is_legal_person() => {
            // The provider asserts the person who scanned: as a person, or as the legal
            // representative named on an asserted enterprise.
            let scanner = match asserted {
                Subject::Personal(person) => Some(person.name.as_str()),
                Subject::Enterprise(e) => e.legal_person_name.as_ref().map(|n| n.as_str()),
            };
            match scanner {
                Some(scanner_name) => weigh(
                    application,
                    registry,
                    &Evidence::LegalPerson { scanner_name },
                ),
                None => Verdict::Reject(FailureCode::LegalPersonMismatch),
            }
        }
        (Subject::Enterprise(_), Subject::Enterprise(_))
            if !application.method.is_legal_person() =>
        {
            if application.subject.confirmed_by(&asserted.subject, false) {
                weigh(application, registry, &Evidence::PublicPlatform)
            } else {
                Verdict::Reject(FailureCode::EnterpriseNameMismatch)
            }
        }
        (Subject::Enterprise(_), _) => Verdict::Reject(FailureCode::IdentityInfoIncorrect),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_domain::enterprise::RegistryStatus;
    use realname_domain::quota::{SlotHolder, SubjectSlots};
    use realname_domain::{Account, Method};
    use realname_domain::{
        AccountId, ApplicationStatus, ProviderName, RealNameStatus, SubjectType,
    };
    use realname_ports::{
        AssertedSubject, MockApplicationReader, MockBusinessRegistry, MockTransaction,
    };

    use super::*;
    use crate::testing::{
        account, account_with_id, enterprise_application, enterprise_slots, expect_recorded, now,
        pending_application, person, unit_of_work, zhang_san,
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
        record_with(app, vec![tx], report, registry(Ok(None))).await
    }

    async fn record_with(
        app: Application,
        txs: Vec<MockTransaction>,
        report: ProviderReport,
        registry: Arc<MockBusinessRegistry>,
    ) -> Result<Recorded, AppError> {
        RecordProviderResult::new(RecordProviderResultDeps {
            uow: unit_of_work(txs),
            clock: crate::testing::clock(),
            policy: Arc::new(Policy::default()),
            calendar: Arc::default(),
            applications: reader(app),
            registry,
        })
        .execute(report)
        .await
    }

    fn registry(answer: Result<Option<RegistryRecord>, ()>) -> Arc<MockBusinessRegistry> {
        let mut registry = MockBusinessRegistry::new();
        registry.expect_lookup().returning(move |_| match &answer {
            Ok(record) => Ok(record.clone()),
            Err(()) => Err(GatewayError::Timeout),
        });
        Arc::new(registry)
    }

    fn registered(legal_representative: &str) -> RegistryRecord {
        RegistryRecord {
            name: crate::testing::ENTERPRISE_NAME.into(),
            status: RegistryStatus::Active,
            legal_representative: legal_representative.into(),
        }
    }

    fn scanned_by(name: &str) -> ProviderReport {
        let mut scanner = zhang_san();
        if let realname_domain::Subject::Personal(p) = &mut scanner {
            p.name = realname_domain::identifiers::PersonName::parse(name).unwrap();
        }
        let mut report = passed(scanner);
        report.provider = ProviderName::Wechat;
        report
    }

    fn legal_person_tx(app: &Application, saves: usize) -> MockTransaction {
        let mut tx = locking(account_with_id(app.account_id), app.clone());
        tx.expect_save_application()
            .times(saves)
            .returning(|_| Ok(()));
        tx
    }

    #[tokio::test]
    async fn the_legal_representative_scanning_verifies_the_enterprise_account() {
        let app = enterprise_application(Method::LegalPersonWechatScan, crate::testing::VALID_USCC);
        let mut tx = legal_person_tx(&app, 1);
        tx.expect_lock_subject()
            .withf(|_, limit| *limit == 10)
            .returning(|_, _| Ok(enterprise_slots(0)));
        tx.expect_save_account().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 2);

        let recorded = record_with(
            app,
            vec![tx],
            scanned_by("王五"),
            registry(Ok(Some(registered("王五")))),
        )
        .await
        .unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::Approved);
    }

    #[tokio::test]
    async fn another_person_scanning_is_rejected_as_legal_person_mismatch() {
        let app = enterprise_application(Method::LegalPersonWechatScan, crate::testing::VALID_USCC);
        let mut tx = legal_person_tx(&app, 1);
        tx.expect_lock_subject().never();
        expect_recorded(&mut tx, 1);

        let recorded = record_with(
            app,
            vec![tx],
            scanned_by("赵六"),
            registry(Ok(Some(registered("王五")))),
        )
        .await
        .unwrap();

        assert_eq!(
            recorded.application.failure.unwrap().code,
            FailureCode::LegalPersonMismatch
        );
    }

    #[tokio::test]
    async fn a_registry_timeout_leaves_the_application_undecided_for_review() {
        let app = enterprise_application(Method::LegalPersonWechatScan, crate::testing::VALID_USCC);
        let mut tx = legal_person_tx(&app, 1);
        tx.expect_lock_subject().never();
        tx.expect_save_account().never();
        expect_recorded(&mut tx, 1);

        let recorded = record_with(app, vec![tx], scanned_by("王五"), registry(Err(())))
            .await
            .unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::InReview);
        assert!(
            recorded.application.failure.is_none(),
            "never rejected as not found"
        );
    }

    #[tokio::test]
    async fn an_enterprise_the_registry_does_not_know_is_not_active() {
        let app = enterprise_application(Method::LegalPersonWechatScan, crate::testing::VALID_USCC);
        let mut tx = legal_person_tx(&app, 1);
        expect_recorded(&mut tx, 1);

        let recorded = record_with(app, vec![tx], scanned_by("王五"), registry(Ok(None)))
            .await
            .unwrap();

        assert_eq!(
            recorded.application.failure.unwrap().code,
            FailureCode::EnterpriseNotActive
        );
    }

    #[tokio::test]
    async fn a_pilot_uscc_goes_to_review_even_when_everything_matches() {
        let app = enterprise_application(Method::LegalPersonWechatScan, "91350100M0001TGQXM");
        let mut tx = legal_person_tx(&app, 1);
        tx.expect_lock_subject().never();
        expect_recorded(&mut tx, 1);

        let recorded = record_with(
            app,
            vec![tx],
            scanned_by("王五"),
            registry(Ok(Some(registered("王五")))),
        )
        .await
        .unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::InReview);
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

        let recorded = record_with(app, vec![], passed(zhang_san()), registry(Ok(None)))
            .await
            .unwrap();

        assert!(recorded.duplicate);
    }

    #[tokio::test]
    async fn a_report_from_another_provider_is_not_found() {
        let acct = account();
        let app = pending_application(acct.id);
        let mut report = passed(zhang_san());
        report.provider = ProviderName::Qq;
        let uow = unit_of_work(vec![]);
        let err = RecordProviderResult::new(RecordProviderResultDeps {
            uow,
            clock: crate::testing::clock(),
            policy: Arc::new(Policy::default()),
            calendar: Arc::default(),
            applications: reader(app),
            registry: registry(Ok(None)),
        })
        .execute(report)
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::NotFound("session")));
    }
}

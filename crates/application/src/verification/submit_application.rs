//! Submit a verification application (R5, R7, R20, SPEC §2).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::{
    Account, AccountId, Actor, Amount, Application, ApplicationId, ApplicationStatus, Ineligible,
    Method, NextAction, Policy, Purpose, Subject,
};
use realname_ports::{
    Answer, Clock, ProviderGateway, ProviderSession, PulledSession, SessionOwner, SessionRequest,
    Transaction, UnitOfWork,
};

use crate::AppError;
use crate::record::record_application_event;

/// The session to store for pulling its result, when its provider gave a token for that.
pub(crate) fn pulled_session(
    session: &ProviderSession,
    method: Method,
    owner: SessionOwner,
) -> Option<PulledSession> {
    let token = session.provider_token.clone()?;
    Some(PulledSession {
        session_ref: session.session_ref.clone(),
        method,
        provider_token: token,
        owner,
        expires_at: session.next_action.expires_at(),
    })
}

/// The command: which account, why, how and for whom.
#[derive(Debug, Clone)]
pub struct SubmitApplicationCommand {
    /// The account to verify.
    pub account_id: AccountId,
    /// Verify or modify.
    pub purpose: Purpose,
    /// The method.
    pub method: Method,
    /// The subject to verify.
    pub subject: Subject,
}

/// What [`SubmitApplication::new`] takes: its ports and policies, by name.
pub struct SubmitApplicationDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub provider: Arc<dyn ProviderGateway>,
    pub calendar: Arc<BusinessCalendar>,
}

/// Submits an application and opens its provider session.
pub struct SubmitApplication {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    provider: Arc<dyn ProviderGateway>,
    calendar: Arc<BusinessCalendar>,
}

impl SubmitApplication {
    /// Wires the use case.
    pub fn new(deps: SubmitApplicationDeps) -> Self {
        let SubmitApplicationDeps {
            uow,
            clock,
            policy,
            provider,
            calendar,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            provider,
            calendar,
        }
    }

    /// Admits the application, opens the provider session outside any transaction, then
    /// admits it again under the account's lock and records it.
    ///
    /// # Errors
    /// The refusals of [`Self::admit`], [`AppError::Provider`] when no session could be opened,
    /// and storage errors.
    #[tracing::instrument(name = "submit_application", skip_all, fields(account.id = %cmd.account_id, method = cmd.method.as_str()))]
    pub async fn execute(
        &self,
        actor: &Actor,
        cmd: SubmitApplicationCommand,
        answer: Option<Answer<Application>>,
    ) -> Result<Application, AppError> {
        let now = self.clock.now();
        {
            // A first, read-only admission, released before the provider is called.
            let mut tx = self.uow.begin().await?;
            self.admit(tx.as_mut(), actor, &cmd, now).await?;
            tx.rollback().await?;
        }
        let id = ApplicationId::new();
        let (session, deadline) = self.open_session(id, &cmd, now).await?;

        let mut tx = self.uow.begin().await?;
        self.admit(tx.as_mut(), actor, &cmd, now).await?;
        let pulled = pulled_session(&session, cmd.method, SessionOwner::Application(id));
        let application = Application {
            id,
            account_id: cmd.account_id,
            purpose: cmd.purpose,
            method: cmd.method,
            subject: cmd.subject,
            status: ApplicationStatus::AwaitingAction,
            session_ref: Some(session.session_ref),
            next_action: Some(session.next_action),
            deadline,
            overdue: false,
            escalated: false,
            review_reason: None,
            review_note: None,
            failure: None,
            created_at: now,
            decided_at: None,
            review_context: Default::default(),
        };
        tx.insert_application(&application).await?;
        if let Some(pulled) = pulled {
            tx.insert_pulled_session(&pulled).await?;
        }
        record_application_event(tx.as_mut(), actor, &application, None, now).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &application).await?;
        tx.commit().await?;
        tracing::info!(application.id = %application.id, "application submitted");
        Ok(application)
    }

    /// Opens what the applicant acts on: a provider session for instant methods (R5), or a
    /// payment reference, with the amount for a remittance, and a deadline in working days for
    /// payment methods (R6, R8).
    async fn open_session(
        &self,
        id: ApplicationId,
        cmd: &SubmitApplicationCommand,
        now: DateTime<Utc>,
    ) -> Result<(ProviderSession, Option<DateTime<Utc>>), AppError> {
        let Some(max_days) = self
            .policy
            .method_info(cmd.method)
            .max_duration_working_days
        else {
            let request = SessionRequest {
                application_id: id,
                method: cmd.method,
                subject: cmd.subject.clone(),
                expires_at: now + self.policy.session_validity(),
            };
            let session = self
                .provider
                .start_session(&request)
                .await
                .map_err(AppError::Provider)?;
            return Ok((session, None));
        };
        let deadline = self.calendar.add_working_days(now, max_days);
        let random = uuid::Uuid::new_v4().as_u128();
        let reference = format!("RN{:012X}", random % (1 << 48));
        let amount = (cmd.method == Method::CorporateRemittance)
            .then(|| Amount(1 + i64::try_from((random >> 64) % 99).unwrap_or(0)));
        let next_action = NextAction::Pay {
            reference: reference.clone(),
            amount,
            payee_account: Some(self.policy.payee_account.clone()),
            expires_at: deadline,
        };
        Ok((
            ProviderSession {
                session_ref: reference,
                next_action,
                provider_token: None,
            },
            Some(deadline),
        ))
    }

    /// The admission checks, in order: the account exists and is the actor's; it is active;
    /// the purpose fits its status (R20); no other application is undecided; the method may
    /// verify the subject (R5); the attempt limit (R7).
    async fn admit(
        &self,
        tx: &mut dyn Transaction,
        actor: &Actor,
        cmd: &SubmitApplicationCommand,
        now: DateTime<Utc>,
    ) -> Result<Account, AppError> {
        let limit = self.policy.attempt_limit();
        let facts = tx
            .admission_facts(cmd.account_id, limit.window_start(now))
            .await?
            .filter(|facts| actor.can_see(&facts.account))
            .ok_or(AppError::NotFound("account"))?;
        let account = facts.account;
        match cmd.purpose {
            Purpose::Verify => account.ensure_may_verify()?,
            Purpose::Modify => {
                account.ensure_may_modify(&cmd.subject, now, self.policy.modification_cooldown())?
            }
        }
        if facts.undecided {
            return Err(AppError::ApplicationPending);
        }
        cmd.method
            .check_eligibility(&cmd.subject)
            .map_err(|e| match e {
                Ineligible::UseInternationalSite => AppError::UseInternationalSite {
                    url: self.policy.international_site_url.clone(),
                },
                Ineligible::MethodNotAvailableForDocument => {
                    AppError::MethodNotAvailableForDocument
                }
                Ineligible::WrongSubjectType => AppError::MethodNotForSubjectType,
                Ineligible::LegalPersonNameRequired => AppError::LegalPersonNameRequired,
            })?;
        limit.check(&facts.failures, now)?;
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_domain::{DocumentType, NextAction, Region};
    use realname_ports::{MockProviderGateway, MockTransaction, ProviderSession};

    use super::*;
    use crate::testing::{
        account, expect_recorded, now, person, unit_of_work, verified_account, zhang_san,
    };

    fn admitting(account: Account, failures: usize) -> MockTransaction {
        facing(account, false, failures)
    }

    /// A transaction whose admission facts are `account`, with an undecided application or
    /// not, and `failures` failed attempts in the last hours.
    fn facing(account: Account, undecided: bool, failures: usize) -> MockTransaction {
        let mut tx = MockTransaction::new();
        tx.expect_admission_facts().returning(move |_, since| {
            let failures = (0..failures)
                .map(|i| now() - Duration::hours(i as i64 + 1))
                .filter(|at| *at >= since)
                .collect();
            Ok(Some(realname_ports::AdmissionFacts {
                account: account.clone(),
                undecided,
                failures,
            }))
        });
        tx.expect_rollback().returning(|| Ok(()));
        tx
    }

    fn provider() -> Arc<MockProviderGateway> {
        let mut provider = MockProviderGateway::new();
        provider.expect_start_session().returning(|req| {
            Ok(ProviderSession {
                session_ref: format!("ses_{}", req.application_id),
                next_action: NextAction::ScanQr {
                    qr_url: "https://qr.example/1".into(),
                    expires_at: req.expires_at,
                },
                provider_token: None,
            })
        });
        Arc::new(provider)
    }

    fn use_case(txs: Vec<MockTransaction>) -> SubmitApplication {
        SubmitApplication::new(SubmitApplicationDeps {
            uow: unit_of_work(txs),
            clock: crate::testing::clock(),
            policy: Arc::new(Policy::default()),
            provider: provider(),
            calendar: Arc::new(BusinessCalendar::default()),
        })
    }

    fn command(account: &Account, method: Method, subject: Subject) -> SubmitApplicationCommand {
        SubmitApplicationCommand {
            account_id: account.id,
            purpose: Purpose::Verify,
            method,
            subject,
        }
    }

    async fn refusal(
        account: Account,
        tx: MockTransaction,
        method: Method,
        subject: Subject,
    ) -> AppError {
        let holder = Actor::Holder {
            account: account.id,
        };
        use_case(vec![tx])
            .execute(&holder, command(&account, method, subject), None)
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn an_application_is_recorded_awaiting_the_applicant_with_the_provider_session() {
        let acct = account();
        let first = admitting(acct.clone(), 0);
        let mut second = admitting(acct.clone(), 0);
        second
            .expect_insert_application()
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut second, 1);

        let app = use_case(vec![first, second])
            .execute(
                &Actor::Holder { account: acct.id },
                command(&acct, Method::WechatScan, zhang_san()),
                None,
            )
            .await
            .unwrap();

        assert_eq!(app.status, ApplicationStatus::AwaitingAction);
        assert_eq!(app.session_ref, Some(format!("ses_{}", app.id)));
        assert_eq!(
            app.next_action.unwrap().expires_at(),
            now() + Duration::minutes(30)
        );
    }

    #[tokio::test]
    async fn a_verified_account_gets_already_verified() {
        let acct = verified_account();
        let tx = admitting(acct.clone(), 0);
        assert!(matches!(
            refusal(acct, tx, Method::WechatScan, zhang_san()).await,
            AppError::AlreadyVerified
        ));
    }

    #[tokio::test]
    async fn a_second_undecided_application_gets_application_pending() {
        let acct = account();
        let tx = facing(acct.clone(), true, 0);
        assert!(matches!(
            refusal(acct, tx, Method::WechatScan, zhang_san()).await,
            AppError::ApplicationPending
        ));
    }

    #[tokio::test]
    async fn a_travel_permit_holder_may_not_use_face_recognition() {
        let acct = account();
        let permit = person(DocumentType::HkMacaoPermit, "H12345678", Region::HongKong);
        let tx = admitting(acct.clone(), 0);
        let err = refusal(acct, tx, Method::FaceRecognition, permit).await;
        assert!(matches!(err, AppError::MethodNotAvailableForDocument));
    }

    #[tokio::test]
    async fn an_international_person_is_sent_to_the_configured_site() {
        let acct = account();
        let abroad = person(
            DocumentType::ResidentId,
            "11010519491231002X",
            Region::International,
        );
        let tx = admitting(acct.clone(), 0);
        let err = refusal(acct, tx, Method::WechatScan, abroad).await;
        assert!(
            matches!(err, AppError::UseInternationalSite { url } if url == Policy::default().international_site_url)
        );
    }

    #[tokio::test]
    async fn five_failed_attempts_in_a_day_get_too_many_attempts_with_a_retry_time() {
        let acct = account();
        let tx = admitting(acct.clone(), 5);
        let err = refusal(acct, tx, Method::FaceRecognition, zhang_san()).await;
        let expected = now() - Duration::hours(5) + Duration::hours(24);
        assert!(matches!(err, AppError::TooManyAttempts { retry_at } if retry_at == expected));
    }

    #[tokio::test]
    async fn another_holders_account_is_not_found() {
        let acct = account();
        let tx = admitting(acct.clone(), 0);
        let stranger = Actor::Holder {
            account: AccountId::new(),
        };
        let err = use_case(vec![tx])
            .execute(
                &stranger,
                command(&acct, Method::WechatScan, zhang_san()),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("account")));
    }

    #[tokio::test]
    async fn a_closed_account_may_not_apply() {
        let mut acct = account();
        acct.state = realname_domain::AccountState::Closed;
        let tx = admitting(acct.clone(), 0);
        assert!(matches!(
            refusal(acct, tx, Method::WechatScan, zhang_san()).await,
            AppError::AccountClosed
        ));
    }

    #[tokio::test]
    async fn a_modification_of_an_unverified_account_gets_not_verified() {
        let acct = account();
        let tx = admitting(acct.clone(), 0);
        let mut cmd = command(&acct, Method::WechatScan, zhang_san());
        cmd.purpose = Purpose::Modify;
        let err = use_case(vec![tx])
            .execute(&Actor::Holder { account: acct.id }, cmd, None)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotVerified));
    }

    #[tokio::test]
    async fn a_provider_failure_records_nothing() {
        let acct = account();
        let tx = admitting(acct.clone(), 0);
        let mut provider = MockProviderGateway::new();
        provider
            .expect_start_session()
            .returning(|_| Err(realname_ports::GatewayError::Timeout));
        let use_case = SubmitApplication::new(SubmitApplicationDeps {
            uow: unit_of_work(vec![tx]),
            clock: crate::testing::clock(),
            policy: Arc::new(Policy::default()),
            provider: Arc::new(provider),
            calendar: Arc::new(BusinessCalendar::default()),
        });
        let err = use_case
            .execute(
                &Actor::Holder { account: acct.id },
                command(&acct, Method::WechatScan, zhang_san()),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Provider(_)));
    }
}

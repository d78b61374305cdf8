//! Pulled FaceID sessions against real PostgreSQL: the holder's return and the poll job racing
//! on one session decide it once (R5, R11); a success for somebody else is not approved.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_application::verification::{
    ProviderCallback, PullProviderResult, PullProviderResultDeps, Pulled, RecordProviderResult,
    RecordProviderResultDeps, SubmitApplication, SubmitApplicationCommand, SubmitApplicationDeps,
};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::identifiers::{PersonName, Phone};
use realname_domain::{
    Account, Actor, Application, ApplicationStatus, DocumentType, FailureCode, Method, NextAction,
    PersonalDocument, PersonalSubject, Policy, Purpose, Region, Subject,
};
use realname_ports::{
    GatewayError, ProviderGateway, ProviderResults, ProviderSession, PulledResult, PulledSession,
    SessionRequest, VerifiedPerson,
};
use realname_test_support::{TestClock, TestDb};

use crate::common::{ActiveRegistry, count};

/// Opens face sessions with a random reference and a token, as FaceID's adapter does.
struct FaceProvider;

#[async_trait]
impl ProviderGateway for FaceProvider {
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        let session_ref = uuid::Uuid::new_v4().simple().to_string();
        Ok(ProviderSession {
            provider_token: Some(format!("BT-{session_ref}")),
            session_ref,
            next_action: NextAction::FaceLiveness {
                session_url: "https://h5.faceid.test/x".into(),
                expires_at: request.expires_at,
            },
        })
    }
}

/// FaceID's verdict on every session, counting how often it was asked.
struct Verdicts {
    result: PulledResult,
    asked: AtomicUsize,
}

#[async_trait]
impl ProviderResults for Verdicts {
    async fn fetch(&self, session: &PulledSession) -> Result<PulledResult, GatewayError> {
        assert!(session.provider_token.starts_with("BT-"));
        self.asked.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(self.result.clone())
    }
}

struct World {
    db: TestDb,
    register: RegisterAccount,
    submit: SubmitApplication,
    pull: Arc<PullProviderResult>,
    verdicts: Arc<Verdicts>,
}

async fn world(result: PulledResult) -> World {
    let db = TestDb::new().await;
    let store = db.store(16);
    let clock = Arc::new(TestClock::at(
        Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
    ));
    let policy = Arc::new(Policy::default());
    let uow = Arc::new(store.clone());
    let record = Arc::new(RecordProviderResult::new(RecordProviderResultDeps {
        uow: uow.clone(),
        clock: clock.clone(),
        policy: policy.clone(),
        calendar: Arc::default(),
        applications: uow.clone(),
        registry: Arc::new(ActiveRegistry),
    }));
    let verdicts = Arc::new(Verdicts {
        result,
        asked: AtomicUsize::new(0),
    });
    World {
        register: RegisterAccount::new(uow.clone(), clock.clone(), policy.clone()),
        submit: SubmitApplication::new(SubmitApplicationDeps {
            uow: uow.clone(),
            clock: clock.clone(),
            policy,
            provider: Arc::new(FaceProvider),
            calendar: Arc::new(BusinessCalendar::default()),
        }),
        pull: Arc::new(PullProviderResult::new(PullProviderResultDeps {
            sessions: uow.clone(),
            results: verdicts.clone(),
            callback: Arc::new(ProviderCallback::new(record, uow.clone(), clock.clone())),
            applications: uow.clone(),
            uow,
            clock: clock.clone(),
            batch: 100,
        })),
        verdicts,
        db,
    }
}

fn zhang_san() -> Subject {
    Subject::Personal(PersonalSubject {
        document: PersonalDocument::parse(
            DocumentType::ResidentId,
            "11010519491231002X",
            Utc::now().date_naive(),
        )
        .unwrap(),
        name: PersonName::parse("张三").unwrap(),
        region: Region::Mainland,
    })
}

impl World {
    /// The application as the holder's return leaves it.
    async fn returned(&self, app: &Application) -> Application {
        match self
            .pull
            .on_return(app.session_ref.as_deref().unwrap())
            .await
            .unwrap()
        {
            Pulled::Application(app) => app,
            Pulled::Proof(_) => panic!("an application"),
        }
    }

    async fn face_application(&self, n: u32) -> (Account, Application) {
        let account = self
            .register
            .execute(
                &Actor::Service,
                RegisterAccountCommand {
                    phone: Phone::parse(&format!("139{n:08}")).unwrap(),
                },
            )
            .await
            .unwrap();
        let app = self
            .submit
            .execute(
                &Actor::Holder {
                    account: account.id,
                },
                SubmitApplicationCommand {
                    account_id: account.id,
                    purpose: Purpose::Verify,
                    method: Method::FaceRecognition,
                    subject: zhang_san(),
                },
                None,
            )
            .await
            .unwrap();
        (account, app)
    }
}

fn verified(name: &str, id_card: &str) -> PulledResult {
    PulledResult::Verified(VerifiedPerson {
        name: name.into(),
        id_card: Some(id_card.into()),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_return_and_the_poll_job_racing_on_one_session_decide_it_once() {
    let w = world(verified("张三", "11010519491231002X")).await;
    let (_, app) = w.face_application(1).await;
    let session_ref = app.session_ref.clone().unwrap();
    let mut racers = Vec::new();
    for i in 0..8 {
        let pull = w.pull.clone();
        let session_ref = session_ref.clone();
        racers.push(tokio::spawn(async move {
            if i % 2 == 0 {
                pull.on_return(&session_ref).await.map(|_| ())
            } else {
                pull.poll().await.map(|_| ())
            }
        }));
    }
    for racer in racers {
        racer.await.unwrap().unwrap();
    }
    let url = &w.db.url;
    let approved = count(
        url,
        &format!(
            "SELECT count(*) AS n FROM events WHERE type = 'application.approved' AND data->>'application_id' = '{}'",
            app.id
        ),
    )
    .await;
    let decided_events = count(
        url,
        "SELECT count(*) AS n FROM events WHERE type LIKE 'application.%' AND type <> 'application.submitted'",
    )
    .await;
    assert_eq!(approved, 1, "approved exactly once");
    assert_eq!(decided_events, 1, "one decision, nothing else");
    assert!(w.verdicts.asked.load(Ordering::SeqCst) >= 1);
    let after = w.returned(&app).await;
    assert_eq!(after.status, ApplicationStatus::Approved);
    assert_eq!(w.pull.poll().await.unwrap(), 0, "nothing left open to poll");
}

#[tokio::test]
async fn a_faceid_success_for_another_id_number_is_not_approved() {
    let w = world(verified("张三", "110105194912310021")).await;
    let (_, app) = w.face_application(2).await;
    assert_eq!(w.pull.poll().await.unwrap(), 1);
    let after = w.returned(&app).await;
    assert_eq!(after.status, ApplicationStatus::Rejected);
    assert_eq!(
        after.failure.map(|f| f.code),
        Some(FailureCode::IdentityInfoIncorrect)
    );
}

#[tokio::test]
async fn an_unfinished_session_stays_open_and_an_expired_one_expires() {
    let w = world(PulledResult::Pending).await;
    let (_, app) = w.face_application(3).await;
    assert_eq!(w.pull.poll().await.unwrap(), 0);
    let open = w.returned(&app).await;
    assert_eq!(open.status, ApplicationStatus::AwaitingAction);

    let w = world(PulledResult::Expired).await;
    let (_, app) = w.face_application(4).await;
    assert_eq!(w.pull.poll().await.unwrap(), 1);
    let expired = w.returned(&app).await;
    assert_eq!(expired.status, ApplicationStatus::Expired);
    assert_eq!(
        expired.failure.map(|f| f.code),
        Some(FailureCode::SessionExpired)
    );
}

#[tokio::test]
async fn an_unknown_reference_is_not_found() {
    let w = world(PulledResult::Pending).await;
    assert!(matches!(
        w.pull.on_return("0123456789abcdef0123456789abcdef").await,
        Err(realname_application::AppError::NotFound(_))
    ));
}

//! Enterprise quotas and deadline escalation against real PostgreSQL, with parallel
//! connections (R4, R8).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::common::{ActiveRegistry, ENTERPRISE, QrProvider, count};
use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_application::review::{SetEnterpriseLimit, SetEnterpriseLimitCommand};
use realname_application::verification::{
    PaymentCredit, ProcessDeadlines, ProcessDeadlinesDeps, RecordPaymentCredit,
    RecordPaymentCreditDeps, RecordProviderResult, RecordProviderResultDeps, SubmitApplication,
    SubmitApplicationCommand, SubmitApplicationDeps,
};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::identifiers::{
    EnterpriseName, PersonName, Phone, Uscc, resident_id_check_char,
};
use realname_domain::{
    Account, Actor, Application, ApplicationStatus, DocumentType, EnterpriseSubject, Method,
    NextAction, PersonalDocument, PersonalSubject, Policy, ProviderName, Purpose, Region, Subject,
};
use realname_ports::{AssertedSubject, GatewayError, ProviderOutcome, ProviderReport};
use realname_test_support::{TestClock, TestDb};

const USCC: &str = "91110000600037341L";

struct World {
    db: TestDb,
    clock: Arc<TestClock>,
    register: RegisterAccount,
    submit: SubmitApplication,
    record: RecordProviderResult,
    credit: RecordPaymentCredit,
    set_limit: SetEnterpriseLimit,
}

async fn world(pool: usize) -> World {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(pool));
    let clock = Arc::new(TestClock::at(
        Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap(),
    ));
    let policy = Arc::new(Policy::default());
    let registry = Arc::new(ActiveRegistry);
    World {
        register: RegisterAccount::new(store.clone(), clock.clone(), policy.clone()),
        submit: SubmitApplication::new(SubmitApplicationDeps {
            uow: store.clone(),
            clock: clock.clone(),
            policy: policy.clone(),
            provider: Arc::new(QrProvider),
            calendar: Arc::new(BusinessCalendar::default()),
        }),
        record: RecordProviderResult::new(RecordProviderResultDeps {
            uow: store.clone(),
            clock: clock.clone(),
            policy: policy.clone(),
            calendar: Arc::default(),
            applications: store.clone(),
            registry: registry.clone(),
        }),
        credit: RecordPaymentCredit::new(RecordPaymentCreditDeps {
            uow: store.clone(),
            clock: clock.clone(),
            policy,
            calendar: Arc::default(),
            applications: store.clone(),
            registry,
        }),
        set_limit: SetEnterpriseLimit::new(store, clock.clone()),
        clock,
        db,
    }
}

fn enterprise() -> Subject {
    Subject::Enterprise(EnterpriseSubject {
        name: EnterpriseName::parse(ENTERPRISE).unwrap(),
        uscc: Uscc::parse(USCC).unwrap(),
        region: Region::Mainland,
        legal_person_name: Some(PersonName::parse("王五").unwrap()),
    })
}

/// The n-th of many distinct people.
fn person(n: u32) -> Subject {
    let first17 = format!("110105198001{:02}{:03}", n % 28 + 1, n);
    let digits: [u8; 17] = first17.as_bytes().try_into().unwrap();
    let number = format!("{first17}{}", resident_id_check_char(&digits));
    Subject::Personal(PersonalSubject {
        document: PersonalDocument::parse(
            DocumentType::ResidentId,
            &number,
            Utc::now().date_naive(),
        )
        .unwrap(),
        name: PersonName::parse("张三").unwrap(),
        region: Region::Mainland,
    })
}

impl World {
    async fn account(&self, n: u32) -> Account {
        let phone = Phone::parse(&format!("137{n:08}")).unwrap();
        RegisterAccount::execute(
            &self.register,
            &Actor::Service,
            RegisterAccountCommand { phone },
        )
        .await
        .unwrap()
    }

    async fn apply(
        &self,
        account: &Account,
        purpose: Purpose,
        method: Method,
        subject: Subject,
    ) -> Result<Application, realname_application::AppError> {
        let cmd = SubmitApplicationCommand {
            account_id: account.id,
            purpose,
            method,
            subject,
        };
        SubmitApplication::execute(
            &self.submit,
            &Actor::Holder {
                account: account.id,
            },
            cmd,
            None,
        )
        .await
    }

    async fn applied(&self, n: u32, method: Method) -> Application {
        let account = self.account(n).await;
        self.apply(&account, Purpose::Verify, method, enterprise())
            .await
            .unwrap()
    }

    async fn passed(&self, application: &Application, asserted: Subject) -> Application {
        let asserted = AssertedSubject {
            subject: asserted,
            mainland_bank_card: false,
        };
        let report = ProviderReport {
            provider: ProviderName::Wechat,
            session_ref: application.session_ref.clone().unwrap(),
            outcome: ProviderOutcome::Passed(asserted),
        };
        RecordProviderResult::execute(&self.record, report)
            .await
            .unwrap()
            .application
    }

    /// An account verified as the n-th person.
    async fn verified_person(&self, n: u32) -> Account {
        let account = self.account(n).await;
        let app = self
            .apply(&account, Purpose::Verify, Method::WechatScan, person(n))
            .await
            .unwrap();
        assert_eq!(
            self.passed(&app, person(n)).await.status,
            ApplicationStatus::Approved
        );
        account
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_modifications_onto_one_enterprise_move_exactly_its_free_slots() {
    // -- Arrange: the enterprise (limit 10) already verifies 4 accounts; 20 people each verified
    // an account and now modify it to the enterprise (personal → enterprise: no cooldown, R2).
    let w = Arc::new(world(24).await);
    for n in 0..4 {
        let app = w.applied(100 + n, Method::LegalPersonWechatScan).await;
        assert_eq!(
            w.passed(&app, enterprise()).await.status,
            ApplicationStatus::Approved
        );
    }
    let mut modifications = Vec::new();
    for n in 0..20 {
        let account = w.verified_person(n).await;
        let modification = w.apply(
            &account,
            Purpose::Modify,
            Method::LegalPersonWechatScan,
            enterprise(),
        );
        modifications.push(modification.await.unwrap());
    }

    // -- Act
    let handles: Vec<_> = modifications
        .into_iter()
        .map(|app| {
            let w = w.clone();
            tokio::spawn(async move { w.passed(&app, enterprise()).await })
        })
        .collect();
    let mut moved = 0;
    for h in handles {
        let decided = h.await.unwrap();
        if decided.status == ApplicationStatus::Approved {
            moved += 1;
        }
    }

    // -- Assert: 6 free slots, 6 moved; the rest keep their personal subject.
    assert_eq!(moved, 6);
    let url = &w.db.url;
    let verified = |t: &str| {
        format!(
            "SELECT count(*) AS n FROM accounts WHERE status = 'verified' AND subject_type = '{t}'"
        )
    };
    assert_eq!(count(url, &verified("enterprise")).await, 10);
    assert_eq!(count(url, &verified("personal")).await, 14);
    assert_eq!(
        count(
            url,
            "SELECT count(*) AS n FROM events WHERE type = 'account.modified'"
        )
        .await,
        6
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_modification_while_a_revocation_is_pending_is_exempt_from_the_cooldown() {
    let w = world(4).await;
    let account = w.verified_person(1).await;
    let inside_cooldown = w
        .apply(&account, Purpose::Modify, Method::WechatScan, person(2))
        .await;
    assert!(matches!(
        inside_cooldown,
        Err(realname_application::AppError::ModificationCooldown { .. })
    ));

    let id = account.id.as_uuid();
    crate::common::exec(&w.db.url, &format!("UPDATE accounts SET revocation_pending_at = now() + interval '15 days' WHERE id = '{id}'")).await;

    let accepted = w
        .apply(&account, Purpose::Modify, Method::WechatScan, person(2))
        .await
        .unwrap();
    assert_eq!(
        w.passed(&accepted, person(2)).await.status,
        ApplicationStatus::Approved
    );
    let cleared = format!(
        "SELECT count(*) AS n FROM accounts WHERE id = '{id}' AND revocation_pending_at IS NULL"
    );
    assert_eq!(
        count(&w.db.url, &cleared).await,
        1,
        "an approved modification ends the pending revocation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_completions_for_one_enterprise_leave_exactly_its_raised_limit_of_twelve() {
    // -- Arrange: an account manager raises the limit to 12 (R4); 40 applications for one USCC.
    let w = Arc::new(world(24).await);
    let cmd = SetEnterpriseLimitCommand {
        uscc: Uscc::parse(USCC).unwrap(),
        limit: 12,
        reason: "group".into(),
    };
    SetEnterpriseLimit::execute(&w.set_limit, &Actor::AccountManager, cmd)
        .await
        .unwrap();
    let mut sessions = Vec::new();
    for n in 0..40 {
        sessions.push(
            w.applied(n, Method::LegalPersonWechatScan)
                .await
                .session_ref
                .unwrap(),
        );
    }

    // -- Act: the legal representative's scans all report at once.
    let handles: Vec<_> = sessions
        .into_iter()
        .map(|session_ref| {
            let w = w.clone();
            tokio::spawn(async move {
                let asserted = AssertedSubject {
                    subject: enterprise(),
                    mainland_bank_card: false,
                };
                let report = ProviderReport {
                    provider: ProviderName::Wechat,
                    session_ref,
                    outcome: ProviderOutcome::Passed(asserted),
                };
                RecordProviderResult::execute(&w.record, report)
                    .await
                    .unwrap()
                    .application
            })
        })
        .collect();
    let mut decided = Vec::new();
    for h in handles {
        decided.push(h.await.unwrap());
    }

    // -- Assert
    assert_eq!(
        decided
            .iter()
            .filter(|a| a.status == ApplicationStatus::Approved)
            .count(),
        12
    );
    assert!(
        decided
            .iter()
            .filter(|a| a.status != ApplicationStatus::Approved)
            .all(|a| a.failure.as_ref().unwrap().holding_accounts.len() == 12)
    );
    let verified = count(&w.db.url, "SELECT count(*) AS n FROM accounts WHERE status = 'verified' AND subject_type = 'enterprise'").await;
    assert_eq!(verified, 12);
    let overrides = count(
        &w.db.url,
        "SELECT count(*) AS n FROM quota_overrides WHERE new_limit = 12 AND reason = 'group'",
    )
    .await;
    assert_eq!(overrides, 1, "who, when and why are recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_schedulers_escalate_two_hundred_overdue_applications_exactly_once_each() {
    // -- Arrange: 200 remittances whose payer name differs, so they wait for a reviewer (R6).
    let w = world(8).await;
    for n in 0..200 {
        let app = w.applied(n, Method::CorporateRemittance).await;
        let Some(NextAction::Pay {
            reference, amount, ..
        }) = app.next_action
        else {
            panic!("no payment")
        };
        let credit = PaymentCredit {
            reference,
            amount: amount.unwrap(),
            payer_name: "某某贸易有限公司".into(),
            payer_account: "1".into(),
            received_at: Utc::now(),
        };
        let recorded = RecordPaymentCredit::execute(&w.credit, &credit)
            .await
            .unwrap();
        assert_eq!(recorded.application.status, ApplicationStatus::InReview);
    }
    w.clock.advance(Duration::days(10));

    // -- Act: two scheduler instances, each on its own pool, run their ticks concurrently.
    let instance = |owner: &str| {
        let store = Arc::new(w.db.store(4));
        ProcessDeadlines::new(ProcessDeadlinesDeps {
            uow: store.clone(),
            clock: w.clock.clone(),
            claims: store,
            owner: owner.to_owned(),
            lease: Duration::minutes(5),
            batch: 25,
        })
    };
    let (a, b) = (instance("replica-a"), instance("replica-b"));
    let run = |p: ProcessDeadlines| async move {
        let mut handled = 0;
        loop {
            let n = p.execute().await.unwrap();
            if n == 0 {
                return handled;
            }
            handled += n;
        }
    };
    let (handled_a, handled_b) = tokio::join!(tokio::spawn(run(a)), tokio::spawn(run(b)));

    // -- Assert
    assert_eq!(handled_a.unwrap() + handled_b.unwrap(), 200);
    let escalated = count(
        &w.db.url,
        "SELECT count(*) AS n FROM events WHERE type = 'application.overdue'",
    )
    .await;
    assert_eq!(escalated, 200);
    // R8: one durable notice for support per application, never two.
    let notified = count(
        &w.db.url,
        "SELECT count(*) AS n FROM notifications WHERE kind = 'overdue'",
    )
    .await;
    let distinct = count(
        &w.db.url,
        "SELECT count(DISTINCT application_id) AS n FROM notifications WHERE kind = 'overdue'",
    )
    .await;
    assert_eq!(
        (notified, distinct),
        (200, 200),
        "each application notified once"
    );
    let flagged = count(&w.db.url, "SELECT count(*) AS n FROM applications WHERE overdue AND escalated AND lease_owner IS NULL").await;
    assert_eq!(flagged, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inheriting_sub_account_follows_its_root_into_revocation() {
    use realname_application::accounts::CreateSubAccount;
    use realname_application::real_name::{GetCapabilities, RevokeVerification};
    use realname_domain::capabilities::DenialReason;

    let w = world(4).await;
    let store = Arc::new(w.db.store(2));
    let root = w.verified_person(1).await;
    /// The code is not needed here: the sub-account inherits whether its phone is bound or not.
    struct NoSms;
    #[async_trait::async_trait]
    impl realname_ports::SmsSender for NoSms {
        async fn send_code(
            &self,
            _: &realname_ports::OtpMessage,
        ) -> Result<(), realname_ports::GatewayError> {
            Ok(())
        }
    }
    let create = CreateSubAccount::new(realname_application::accounts::OtpDeps {
        uow: store.clone(),
        clock: w.clock.clone(),
        policy: Arc::new(Policy::default()),
        sms: Arc::new(NoSms),
        otp: Arc::new(realname_test_support::test_keyring()),
    });
    let sub = CreateSubAccount::execute(
        &create,
        &Actor::Holder { account: root.id },
        root.id,
        Phone::parse("13600000001").unwrap(),
        None,
    )
    .await
    .unwrap()
    .account;
    let capabilities = GetCapabilities::new(store.clone(), w.clock.clone());
    let before = GetCapabilities::execute(&capabilities, &Actor::Service, sub.id)
        .await
        .unwrap();
    assert!(
        before.decisions.iter().all(|d| d.allowed),
        "a sub-account gets its root's answers"
    );

    let revoke = RevokeVerification::new(store.clone(), w.clock.clone());
    RevokeVerification::execute(&revoke, &Actor::System, root.id, "identity_theft")
        .await
        .unwrap();

    let after = GetCapabilities::execute(&capabilities, &Actor::Service, sub.id)
        .await
        .unwrap();
    assert!(
        after
            .decisions
            .iter()
            .all(|d| !d.allowed && d.reason == Some(DenialReason::RealNameRevoked))
    );
    let sql = format!(
        "SELECT count(*) AS n FROM events WHERE type = 'account.inherited_status_changed' AND account_id = '{}'",
        sub.id.as_uuid()
    );
    assert_eq!(
        count(&w.db.url, &sql).await,
        1,
        "one event per inheriting sub-account"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_account_is_redacted_after_retention_and_keeps_its_subject_key() {
    use realname_application::accounts::{
        CloseAccount, RedactClosedAccounts, RedactClosedAccountsDeps,
    };
    use realname_ports::AccountReader;

    let w = world(4).await;
    let store = Arc::new(w.db.store(2));
    let account = w.verified_person(7).await;
    let close = CloseAccount::new(store.clone(), w.clock.clone());
    CloseAccount::execute(&close, &Actor::Admin, account.id)
        .await
        .unwrap();
    let job = RedactClosedAccounts::new(RedactClosedAccountsDeps {
        uow: store.clone(),
        clock: w.clock.clone(),
        policy: Arc::new(Policy::default()),
        accounts: store.clone(),
    });
    assert_eq!(
        RedactClosedAccounts::execute(&job).await.unwrap(),
        0,
        "not before the retention period"
    );

    w.clock.advance(Duration::days(1096));
    assert_eq!(RedactClosedAccounts::execute(&job).await.unwrap(), 1);
    assert_eq!(
        RedactClosedAccounts::execute(&job).await.unwrap(),
        0,
        "once"
    );

    let id = account.id.as_uuid();
    let row = format!(
        "SELECT count(*) AS n FROM accounts WHERE id = '{id}' AND phone_enc IS NULL AND subject_enc IS NULL AND subject_key IS NOT NULL AND redacted_at IS NOT NULL"
    );
    assert_eq!(count(&w.db.url, &row).await, 1);
    let apps = format!(
        "SELECT count(*) AS n FROM applications WHERE account_id = '{id}' AND subject_enc IS NOT NULL"
    );
    assert_eq!(
        count(&w.db.url, &apps).await,
        0,
        "its applications' subjects are gone too"
    );
    let read = store.account(account.id).await.unwrap().unwrap();
    assert_eq!((read.phone, read.verification), (None, None));
}

/// A registry that never answers in time.
struct TimedOutRegistry;

#[async_trait]
impl realname_ports::BusinessRegistry for TimedOutRegistry {
    async fn lookup(
        &self,
        _: &Uscc,
    ) -> Result<Option<realname_domain::enterprise::RegistryRecord>, GatewayError> {
        Err(GatewayError::Timeout)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instant_application_sent_to_review_gets_a_review_deadline_and_escalates_once() {
    // R8: a legal-person scan whose registry check timed out waits for a reviewer; it gets the
    // time it entered review plus policy.review_max_working_days, and goes overdue after it.
    let w = world(4).await;
    let store = Arc::new(w.db.store(4));
    let calendar = Arc::new(BusinessCalendar::default());
    let record = RecordProviderResult::new(RecordProviderResultDeps {
        uow: store.clone(),
        clock: w.clock.clone(),
        policy: Arc::new(Policy::default()),
        calendar: calendar.clone(),
        applications: store.clone(),
        registry: Arc::new(TimedOutRegistry),
    });
    let app = w.applied(1, Method::LegalPersonWechatScan).await;
    assert_eq!(
        app.deadline, None,
        "an instant method has no deadline of its own"
    );
    let entered = realname_ports::Clock::now(w.clock.as_ref());
    let report = ProviderReport {
        provider: ProviderName::Wechat,
        session_ref: app.session_ref.clone().unwrap(),
        outcome: ProviderOutcome::Passed(AssertedSubject {
            subject: enterprise(),
            mainland_bank_card: false,
        }),
    };
    let in_review = RecordProviderResult::execute(&record, report)
        .await
        .unwrap()
        .application;
    assert_eq!(in_review.status, ApplicationStatus::InReview);
    let expected = calendar.add_working_days(entered, 1);
    assert_eq!(in_review.deadline, Some(expected));

    let deadlines = ProcessDeadlines::new(ProcessDeadlinesDeps {
        uow: store.clone(),
        clock: w.clock.clone(),
        claims: store,
        owner: "replica-a".to_owned(),
        lease: Duration::minutes(5),
        batch: 25,
    });
    assert_eq!(deadlines.execute().await.unwrap(), 0, "not due yet");
    w.clock.advance(expected - entered + Duration::seconds(1));
    assert_eq!(deadlines.execute().await.unwrap(), 1);
    assert_eq!(deadlines.execute().await.unwrap(), 0, "escalated once");
    let notified = count(
        &w.db.url,
        &format!(
            "SELECT count(*) AS n FROM notifications WHERE kind = 'overdue' AND application_id = '{}'",
            app.id.as_uuid()
        ),
    )
    .await;
    assert_eq!(notified, 1);
    let overdue = count(
        &w.db.url,
        "SELECT count(*) AS n FROM applications WHERE overdue AND escalated",
    )
    .await;
    assert_eq!(overdue, 1);
}

//! The PostgreSQL adapter against real PostgreSQL, one database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ActiveRegistry, QrProvider, count, raw};

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use diesel_async::RunQueryDsl;
use realname_application::AppError;
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_application::verification::{
    RecordProviderResult, RecordProviderResultDeps, SubmitApplication, SubmitApplicationCommand,
    SubmitApplicationDeps,
};
use realname_domain::audit::{AuditEntry, GENESIS};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::identifiers::{PersonName, Phone};
use realname_domain::{
    Account, Actor, ApplicationStatus, DocumentType, FailureCode, Method, PersonalDocument,
    PersonalSubject, Policy, Purpose, Region, Subject,
};
use realname_ports::{AccountReader, AssertedSubject, ProviderOutcome, ProviderReport, Readiness};
use realname_postgres::PgStore;
use realname_test_support::{TestClock, TestDb};

const DOCUMENT: &str = "11010519491231002X";
const NAME: &str = "张三";

struct World {
    _db: TestDb,
    store: PgStore,
    register: RegisterAccount,
    submit: SubmitApplication,
    record: RecordProviderResult,
}

async fn world(pool: usize) -> World {
    let db = TestDb::new().await;
    let store = db.store(pool);
    let clock = Arc::new(TestClock::at(
        Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
    ));
    let policy = Arc::new(Policy::default());
    let uow = Arc::new(store.clone());
    World {
        register: RegisterAccount::new(uow.clone(), clock.clone(), policy.clone()),
        submit: SubmitApplication::new(SubmitApplicationDeps {
            uow: uow.clone(),
            clock: clock.clone(),
            policy: policy.clone(),
            provider: Arc::new(QrProvider),
            calendar: Arc::new(BusinessCalendar::default()),
        }),
        record: RecordProviderResult::new(RecordProviderResultDeps {
            uow,
            clock,
            policy,
            calendar: Arc::default(),
            applications: Arc::new(store.clone()),
            registry: Arc::new(ActiveRegistry),
        }),
        store,
        _db: db,
    }
}

fn zhang_san() -> Subject {
    Subject::Personal(PersonalSubject {
        document: PersonalDocument::parse(
            DocumentType::ResidentId,
            DOCUMENT,
            Utc::now().date_naive(),
        )
        .unwrap(),
        name: PersonName::parse(NAME).unwrap(),
        region: Region::Mainland,
    })
}

fn phone(n: u32) -> Phone {
    Phone::parse(&format!("139{n:08}")).unwrap()
}

impl World {
    async fn registered(&self, n: u32) -> Account {
        RegisterAccount::execute(
            &self.register,
            &Actor::Service,
            RegisterAccountCommand { phone: phone(n) },
        )
        .await
        .unwrap()
    }

    async fn submitted(&self, account: &Account) -> String {
        let cmd = SubmitApplicationCommand {
            account_id: account.id,
            purpose: Purpose::Verify,
            method: Method::WechatScan,
            subject: zhang_san(),
        };
        let app = SubmitApplication::execute(
            &self.submit,
            &Actor::Holder {
                account: account.id,
            },
            cmd,
            None,
        )
        .await
        .unwrap();
        app.session_ref.unwrap()
    }

    async fn passed(
        &self,
        session_ref: String,
    ) -> Result<realname_application::verification::Recorded, AppError> {
        let asserted = AssertedSubject {
            subject: zhang_san(),
            mainland_bank_card: true,
        };
        RecordProviderResult::execute(
            &self.record,
            ProviderReport {
                provider: realname_domain::ProviderName::Wechat,
                session_ref,
                outcome: ProviderOutcome::Passed(asserted),
            },
        )
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_parallel_completions_for_one_person_leave_exactly_three_verified_accounts() {
    // -- Arrange: 100 accounts of one person, each with a submitted application (R3).
    let w = Arc::new(world(24).await);
    let mut sessions = Vec::new();
    for n in 0..100 {
        let account = w.registered(n).await;
        sessions.push(w.submitted(&account).await);
    }

    // -- Act: every provider callback at once.
    let handles: Vec<_> = sessions
        .into_iter()
        .map(|s| {
            let w = w.clone();
            tokio::spawn(async move { w.passed(s).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for h in handles {
        outcomes.push(h.await.unwrap().unwrap().application);
    }

    // -- Assert
    let approved = outcomes
        .iter()
        .filter(|a| a.status == ApplicationStatus::Approved)
        .count();
    assert_eq!(approved, 3);
    let rejected: Vec<_> = outcomes
        .iter()
        .filter(|a| a.status == ApplicationStatus::Rejected)
        .collect();
    assert_eq!(rejected.len(), 97);
    for app in rejected {
        let failure = app.failure.as_ref().unwrap();
        assert_eq!(failure.code, FailureCode::IdentityAccountLimitReached);
        assert_eq!(failure.holding_accounts.len(), 3);
        assert!(
            failure
                .holding_accounts
                .iter()
                .all(|h| h.phone_masked.contains("****"))
        );
    }
    let url = &w._db.url;
    assert_eq!(
        count(
            url,
            "SELECT count(*) AS n FROM accounts WHERE status = 'verified'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            url,
            "SELECT count(*) AS n FROM events WHERE type = 'account.verified'"
        )
        .await,
        3,
        "one account.verified event per verified account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_registrations_on_one_number_stop_at_the_phone_limit() {
    let w = Arc::new(world(12).await);
    let handles: Vec<_> = (0..12)
        .map(|_| {
            let w = w.clone();
            tokio::spawn(async move {
                RegisterAccount::execute(
                    &w.register,
                    &Actor::Service,
                    RegisterAccountCommand { phone: phone(7) },
                )
                .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut limited = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(AppError::PhoneLimitReached { limit: 5 }) => limited += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, limited), (5, 7));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_raw_tables_hold_no_document_number_name_or_phone_in_clear() {
    let w = world(4).await;
    let account = w.registered(1).await;
    let session = w.submitted(&account).await;
    w.passed(session).await.unwrap();

    let read = w.store.account(account.id).await.unwrap().unwrap();
    assert_eq!(
        read.verification.unwrap().subject,
        zhang_san(),
        "it decrypts back"
    );

    #[derive(QueryableByName)]
    struct Dump {
        #[diesel(sql_type = Text)]
        row: String,
    }
    let mut conn = raw(&w._db.url).await;
    let mut dump = String::new();
    for table in [
        "accounts",
        "applications",
        "events",
        "audit_log",
        "subjects",
        "phone_numbers",
    ] {
        let rows: Vec<Dump> =
            diesel::sql_query(format!("SELECT row_to_json(t)::text AS row FROM {table} t"))
                .load(&mut conn)
                .await
                .unwrap();
        dump.extend(rows.into_iter().map(|r| r.row));
    }
    let phone = phone(1);
    for secret in [DOCUMENT, NAME, phone.as_str()] {
        assert!(!dump.contains(secret), "{} found in clear", secret.len());
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(!dump.contains(&hex), "{} found hex-encoded", secret.len());
    }
    assert!(dump.contains("phone_enc"), "the dump is not empty");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transactions_writes_are_seen_only_once_committed_and_never_when_rolled_back() {
    use realname_ports::UnitOfWork;

    // One connection: each transaction reuses the one before it, so a BEGIN or ROLLBACK that
    // did not reach the server would show up here.
    let w = world(1).await;
    let account = w.registered(7).await;
    let url = w._db.url.clone();
    let agreed = move || {
        let url = url.clone();
        async move {
            count(
                &url,
                "SELECT count(*) AS n FROM accounts WHERE agreement_expires_at IS NOT NULL",
            )
            .await
        }
    };
    let with_agreement = |mut a: Account| {
        a.agreement_expires_at = Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        a
    };

    let mut tx = UnitOfWork::begin(&w.store).await.unwrap();
    let locked = tx.account_for_update(account.id).await.unwrap().unwrap();
    tx.save_account(&with_agreement(locked)).await.unwrap();
    assert_eq!(agreed().await, 0, "not visible before the commit");
    tx.rollback().await.unwrap();
    assert_eq!(agreed().await, 0, "rolled back");

    let mut tx = UnitOfWork::begin(&w.store).await.unwrap();
    let locked = tx.account_for_update(account.id).await.unwrap().unwrap();
    tx.save_account(&with_agreement(locked)).await.unwrap();
    drop(tx);
    assert_eq!(agreed().await, 0, "dropped without a commit");

    let mut tx = UnitOfWork::begin(&w.store).await.unwrap();
    let locked = tx.account_for_update(account.id).await.unwrap().unwrap();
    tx.save_account(&with_agreement(locked)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(agreed().await, 1, "committed");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_accounts_audit_entries_form_an_intact_hash_chain() {
    let w = world(4).await;
    let account = w.registered(2).await;
    let session = w.submitted(&account).await;
    w.passed(session).await.unwrap();

    #[derive(QueryableByName)]
    struct Entry {
        #[diesel(sql_type = Text)]
        actor: String,
        #[diesel(sql_type = Text)]
        action: String,
        #[diesel(sql_type = Text)]
        before: String,
        #[diesel(sql_type = Text)]
        after: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        reason: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        at: chrono::DateTime<Utc>,
        #[diesel(sql_type = Bytea)]
        prev_hash: Vec<u8>,
        #[diesel(sql_type = Bytea)]
        hash: Vec<u8>,
    }
    let entries: Vec<Entry> = diesel::sql_query(
        "SELECT actor, action, before, after, reason, at, prev_hash, hash FROM audit_log WHERE account_id = $1 ORDER BY id",
    )
    .bind::<diesel::sql_types::Uuid, _>(account.id.as_uuid())
    .load(&mut raw(&w._db.url).await)
    .await
    .unwrap();

    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.created",
            "application.submitted",
            "account.verified",
            "application.approved"
        ]
    );
    let mut previous = GENESIS;
    for e in &entries {
        assert_eq!(e.prev_hash, previous);
        let entry = AuditEntry {
            account_id: account.id,
            actor: e.actor.clone(),
            action: e.action.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            reason: e.reason.clone(),
            at: e.at,
        };
        assert_eq!(entry.chained_hash(&previous).to_vec(), e.hash);
        previous = e.hash.clone().try_into().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_numbered_per_account_from_one() {
    let w = world(4).await;
    let account = w.registered(3).await;
    let session = w.submitted(&account).await;
    w.passed(session).await.unwrap();
    let other = w.registered(4).await;
    let _ = other;

    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        sequence: i64,
    }
    let seqs: Vec<Seq> =
        diesel::sql_query("SELECT sequence FROM events WHERE account_id = $1 ORDER BY sequence")
            .bind::<diesel::sql_types::Uuid, _>(account.id.as_uuid())
            .load(&mut raw(&w._db.url).await)
            .await
            .unwrap();
    assert_eq!(
        seqs.iter().map(|s| s.sequence).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migrated_database_is_ready_even_after_a_newer_replica_migrated_it_further() {
    let w = world(2).await;
    assert!(w.store.ready().await);
    crate::common::exec(
        &w._db.url,
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('99991231000000')",
    )
    .await;
    assert!(
        w.store.ready().await,
        "a newer schema keeps older replicas ready during a rolling update"
    );
    crate::common::exec(&w._db.url, "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT min(version) FROM __diesel_schema_migrations)").await;
    assert!(!w.store.ready().await, "a missing migration is not ready");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_never_shows_an_event_that_a_running_transaction_could_precede() {
    use realname_ports::EventFeed;

    let w = world(4).await;
    let first = w.registered(20).await;
    // A transaction that started first and commits last.
    let mut early = raw(&w._db.url).await;
    diesel::sql_query("BEGIN")
        .execute(&mut early)
        .await
        .unwrap();
    let insert = format!(
        "INSERT INTO events (id, account_id, sequence, type, data, created_at) VALUES (gen_random_uuid(), '{}', 99, 'test.late', '{{}}', now())",
        first.id.as_uuid()
    );
    diesel::sql_query(insert).execute(&mut early).await.unwrap();
    let second = w.registered(21).await;

    // Transaction ids are cluster-wide: a test running in another database may hold the
    // snapshot's xmin back for a moment, so wait for the first event to become visible.
    let mut visible = Vec::new();
    for _ in 0..100 {
        visible = w.store.events(None, None, 100).await.unwrap().0;
        if !visible.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let types: Vec<_> = visible.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        ["account.created"],
        "the later commit waits behind the running transaction"
    );

    diesel::sql_query("COMMIT")
        .execute(&mut early)
        .await
        .unwrap();
    for _ in 0..100 {
        visible = w.store.events(None, None, 100).await.unwrap().0;
        if visible.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let order: Vec<_> = visible
        .iter()
        .map(|e| (e.event_type.clone(), e.account_id))
        .collect();
    assert_eq!(
        order,
        [
            ("account.created".to_owned(), Some(first.id)),
            ("test.late".to_owned(), Some(first.id)),
            ("account.created".to_owned(), Some(second.id)),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_locked_counts_hold_exactly_the_accounts_the_domain_says_hold() {
    use realname_domain::{AccountState, RealNameStatus, Verification};
    use realname_ports::UnitOfWork;

    // One account of one person and one phone in every status × state: the subject slots
    // (R3, R4) and phone bindings (R19) counted under the locks are the domain's.
    let w = world(2).await;
    let phone = Phone::parse("13912340000").unwrap();
    let now = Utc::now();
    let mut accounts = Vec::new();
    for status in [
        RealNameStatus::Unverified,
        RealNameStatus::Verified,
        RealNameStatus::Revoked,
    ] {
        for state in [
            AccountState::Active,
            AccountState::Frozen,
            AccountState::Closed,
        ] {
            let mut account = Account::register(phone.clone(), now);
            account.status = status;
            account.state = state;
            if status != RealNameStatus::Unverified {
                account.verification = Some(Verification {
                    subject: zhang_san(),
                    method: Method::WechatScan,
                    verified_at: now,
                    last_authenticated_at: now,
                });
            }
            if state == AccountState::Closed {
                account.closed_at = Some(now);
            }
            accounts.push(account);
        }
    }
    let mut tx = UnitOfWork::begin(&w.store).await.unwrap();
    // The phone's and the subject's rows, which the accounts reference.
    tx.lock_phone(&phone, 100).await.unwrap();
    tx.lock_subject(&zhang_san(), 100).await.unwrap();
    for account in &accounts {
        tx.insert_account(account).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = UnitOfWork::begin(&w.store).await.unwrap();
    let slots = tx.lock_subject(&zhang_san(), 100).await.unwrap();
    let mut held: Vec<_> = slots.holders.iter().map(|h| h.account_id).collect();
    held.sort();
    let mut expected: Vec<_> = accounts
        .iter()
        .filter(|a| a.holds_slot())
        .map(|a| a.id)
        .collect();
    expected.sort();
    assert_eq!(held, expected);
    assert_eq!(expected.len(), 2, "verified and active or frozen");
    let bindings = tx.lock_phone(&phone, 100).await.unwrap();
    let binding = accounts.iter().filter(|a| a.binds_phone()).count();
    assert_eq!(bindings.bound as usize, binding);
    assert_eq!(binding, 6, "every account that is not closed");
    tx.rollback().await.unwrap();
}

/// Issue 15, item 9 (R8): the review queue pages in its own order, overdue first, then by
/// deadline with none last, then by id, whatever the cursor's place in it.
#[tokio::test]
async fn the_review_queue_pages_through_overdue_and_undated_applications_in_order() {
    use realname_ports::{ApplicationReader, Page};
    let w = world(2).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let account = w.registered(n).await;
        w.submitted(&account).await;
        let id: Vec<IdRow> = diesel::sql_query("SELECT id FROM applications WHERE account_id = $1")
            .bind::<diesel::sql_types::Uuid, _>(account.id.as_uuid())
            .load(&mut raw(&w._db.url).await)
            .await
            .unwrap();
        ids.push(id[0].id);
    }
    // Stored in an order unlike the queue's: undated, dated, overdue undated, overdue dated.
    let shape = [
        (false, None),
        (false, Some("2026-12-10T00:00:00Z")),
        (true, None),
        (true, Some("2026-12-09T00:00:00Z")),
    ];
    for (id, (overdue, deadline)) in ids.iter().zip(shape) {
        diesel::sql_query(
            "UPDATE applications SET status = 'in_review', overdue = $1, \
             deadline = $2::timestamptz WHERE id = $3",
        )
        .bind::<diesel::sql_types::Bool, _>(overdue)
        .bind::<diesel::sql_types::Nullable<Text>, _>(deadline)
        .bind::<diesel::sql_types::Uuid, _>(*id)
        .execute(&mut raw(&w._db.url).await)
        .await
        .unwrap();
    }
    let expected = [ids[3], ids[2], ids[1], ids[0]];
    let mut after = None;
    let mut seen = Vec::new();
    for n in 0..4 {
        let (page, more) = w
            .store
            .review_queue(Page {
                starting_after: after,
                limit: 1,
            })
            .await
            .unwrap();
        assert_eq!(more, n < 3);
        after = Some(page[0].id);
        seen.push(page[0].id.as_uuid());
    }
    assert_eq!(seen, expected);
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
}

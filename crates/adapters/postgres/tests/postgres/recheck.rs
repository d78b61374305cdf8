//! The R17 re-check against real PostgreSQL, with a fixed clock: notice → revocation, notice →
//! fixed, notice → modified, registry timeout → no change; two replicas over 500 enterprises;
//! and a dry run that changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::{QrProvider, count, raw};
use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel_async::RunQueryDsl;
use realname_application::recheck::{
    AssessBlastRadius, AssessBlastRadiusDeps, RecheckReport, RecheckSettings, RunRecheck,
    RunRecheckDeps,
};
use realname_application::verification::{
    RecordProviderResult, RecordProviderResultDeps, SubmitApplication, SubmitApplicationCommand,
    SubmitApplicationDeps,
};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::enterprise::{RegistryRecord, RegistryStatus};
use realname_domain::identifiers::Uscc;
use realname_domain::recheck::RecheckPolicy;
use realname_domain::{
    AccountId, Actor, ApplicationStatus, Method, Policy, ProviderName, Purpose, Subject,
};
use realname_ports::{
    AssertedSubject, BusinessRegistry, GatewayError, ProviderOutcome, ProviderReport,
};
use realname_postgres::PgStore;
use realname_postgres::seed::{enterprise, enterprise_name, insert_verified_enterprises, uscc};
use realname_test_support::{TestClock, TestDb};

/// What the scripted registry says about one USCC; every other one is active and matching.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Deregistered,
    Missing,
    Renamed,
    Timeout,
}

#[derive(Default)]
struct ScriptedRegistry {
    answers: Mutex<HashMap<String, Answer>>,
    calls: Mutex<HashMap<String, u32>>,
}

impl ScriptedRegistry {
    fn answer(&self, i: u64, answer: Option<Answer>) {
        let key = uscc(i).as_str().to_owned();
        let mut answers = self.answers.lock().unwrap();
        match answer {
            Some(a) => answers.insert(key, a),
            None => answers.remove(&key),
        };
    }

    /// Calls per USCC since the last call of this method.
    fn take_calls(&self) -> HashMap<String, u32> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

#[async_trait]
impl BusinessRegistry for ScriptedRegistry {
    async fn lookup(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(uscc.as_str().to_owned())
            .or_default() += 1;
        let answer = self.answers.lock().unwrap().get(uscc.as_str()).copied();
        let record = |name: String, status| {
            Ok(Some(RegistryRecord {
                name,
                status,
                legal_representative: "王五".into(),
            }))
        };
        match answer {
            None => record(enterprise_name(uscc.as_str()), RegistryStatus::Active),
            Some(Answer::Deregistered) => {
                record(enterprise_name(uscc.as_str()), RegistryStatus::Deregistered)
            }
            Some(Answer::Renamed) => record("另一家企业有限公司".into(), RegistryStatus::Active),
            Some(Answer::Missing) => Ok(None),
            Some(Answer::Timeout) => Err(GatewayError::Timeout),
        }
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap()
}

fn settings() -> RecheckSettings {
    RecheckSettings {
        policy: RecheckPolicy::default(),
        lease: Duration::minutes(5),
        batch: 64,
        concurrency: 8,
        lanes: 2,
    }
}

struct World {
    db: TestDb,
    store: Arc<PgStore>,
    clock: Arc<TestClock>,
    registry: Arc<ScriptedRegistry>,
}

impl World {
    /// The durable R17 notices written so far (one row per warned holder).
    async fn revocation_notices(&self) -> usize {
        let n = count(
            &self.db.url,
            "SELECT count(*) AS n FROM notifications WHERE kind = 'revocation_notice'",
        )
        .await;
        usize::try_from(n).unwrap()
    }

    async fn new(enterprises: u64, accounts_each: u64) -> Self {
        let db = TestDb::new().await;
        let store = Arc::new(db.store(8));
        insert_verified_enterprises(&store, 0..enterprises, accounts_each, start())
            .await
            .unwrap();
        Self {
            db,
            store,
            clock: Arc::new(TestClock::at(start())),
            registry: Arc::default(),
        }
    }

    fn replica(&self, owner: &str, store: Arc<PgStore>) -> RunRecheck {
        RunRecheck::new(RunRecheckDeps {
            uow: store.clone(),
            clock: self.clock.clone(),
            store,
            registry: self.registry.clone(),
            owner: owner.into(),
            settings: settings(),
        })
    }

    async fn run(&self, all: bool) -> RecheckReport {
        RunRecheck::execute(&self.replica("a", self.store.clone()), all)
            .await
            .unwrap()
    }

    async fn events(&self, event_type: &str) -> i64 {
        count(
            &self.db.url,
            &format!("SELECT count(*) AS n FROM events WHERE type = '{event_type}'"),
        )
        .await
    }

    async fn status_counts(&self) -> (i64, i64, i64) {
        let url = &self.db.url;
        (
            count(
                url,
                "SELECT count(*) AS n FROM accounts WHERE status = 'verified'",
            )
            .await,
            count(
                url,
                "SELECT count(*) AS n FROM accounts WHERE revocation_pending_at IS NOT NULL",
            )
            .await,
            count(
                url,
                "SELECT count(*) AS n FROM accounts WHERE status = 'revoked'",
            )
            .await,
        )
    }

    /// Enrols every enterprise, then moves to the end of the first cycle, when all are due.
    async fn first_cycle_due(&self) {
        let enrolled = self.run(false).await;
        assert_eq!(enrolled.checked, 0, "enrolment asks no registry");
        self.clock.advance(Duration::days(30));
    }
}

#[tokio::test]
async fn a_finding_that_persists_revokes_every_account_at_the_effective_date() {
    let w = World::new(3, 2).await;
    w.registry.answer(1, Some(Answer::Deregistered));
    w.first_cycle_due().await;

    let noticed = w.run(false).await;
    assert_eq!((noticed.checked, noticed.notices), (3, 2));
    assert_eq!(w.status_counts().await, (6, 2, 0));
    assert_eq!(w.revocation_notices().await, 2);

    // The day before the effective date nothing changes; the enterprise is not even due.
    w.clock.advance(Duration::days(15) - Duration::seconds(1));
    w.registry.take_calls();
    w.run(false).await;
    assert!(!w.registry.take_calls().contains_key(uscc(1).as_str()));
    assert_eq!(w.status_counts().await, (6, 2, 0));

    w.clock.advance(Duration::seconds(1));
    let revoked = w.run(false).await;
    assert_eq!(revoked.revocations, 2);
    assert_eq!(w.status_counts().await, (4, 0, 2));
    assert_eq!(w.events("account.revocation_scheduled").await, 2);
    assert_eq!(w.events("account.revoked").await, 2);
    let holders = count(
        &w.db.url,
        "SELECT count(*) AS n FROM accounts WHERE status = 'verified' AND state <> 'closed' \
         AND subject_key = (SELECT subject_key FROM accounts WHERE status = 'revoked' LIMIT 1)",
    )
    .await;
    assert_eq!(holders, 0, "the slots are released");
}

#[tokio::test]
async fn a_fixed_record_cancels_the_pending_revocation() {
    let w = World::new(1, 2).await;
    w.registry.answer(0, Some(Answer::Renamed));
    w.first_cycle_due().await;
    assert_eq!(w.run(false).await.notices, 2);

    w.registry.answer(0, None);
    w.clock.advance(Duration::days(15));
    let fixed = w.run(false).await;

    assert_eq!((fixed.cancellations, fixed.revocations), (2, 0));
    assert_eq!(w.status_counts().await, (2, 0, 0));
    assert_eq!(w.events("account.revocation_cancelled").await, 2);
}

#[tokio::test]
async fn a_registry_timeout_changes_nothing_and_is_retried() {
    let w = World::new(1, 1).await;
    w.registry.answer(0, Some(Answer::Missing));
    w.first_cycle_due().await;
    assert_eq!(w.run(false).await.notices, 1);
    let before = w.status_counts().await;

    w.registry.answer(0, Some(Answer::Timeout));
    w.clock.advance(Duration::days(15));
    let failed = w.run(false).await;
    assert_eq!((failed.retries, failed.revocations), (1, 0));
    assert_eq!(
        w.status_counts().await,
        before,
        "never a revocation on an error"
    );
    w.clock.advance(Duration::minutes(14));
    assert_eq!(w.run(false).await.enterprises, 0, "backing off");

    w.registry.answer(0, Some(Answer::Missing));
    w.clock.advance(Duration::minutes(1));
    assert_eq!(
        w.run(false).await.revocations,
        1,
        "retried, and the finding persists"
    );
}

#[tokio::test]
async fn an_approved_modification_cancels_the_pending_revocation() {
    let w = World::new(1, 1).await;
    w.registry.answer(0, Some(Answer::Deregistered));
    w.first_cycle_due().await;
    assert_eq!(w.run(false).await.notices, 1);
    let account = AccountId::from_uuid(
        diesel::sql_query("SELECT id FROM accounts")
            .get_result::<IdRow>(&mut raw(&w.db.url).await)
            .await
            .unwrap()
            .id,
    );

    // -- The holder modifies to another enterprise, without waiting out the cooldown (R2).
    let policy = Arc::new(Policy::default());
    let submit = SubmitApplication::new(SubmitApplicationDeps {
        uow: w.store.clone(),
        clock: w.clock.clone(),
        policy: policy.clone(),
        provider: Arc::new(QrProvider),
        calendar: Arc::new(BusinessCalendar::default()),
    });
    let record = RecordProviderResult::new(RecordProviderResultDeps {
        uow: w.store.clone(),
        clock: w.clock.clone(),
        policy,
        calendar: Arc::default(),
        applications: w.store.clone(),
        registry: w.registry.clone(),
    });
    let new_subject = Subject::Enterprise(enterprise(7));
    let cmd = SubmitApplicationCommand {
        account_id: account,
        purpose: Purpose::Modify,
        method: Method::WechatPublicPlatform,
        subject: new_subject.clone(),
    };
    let app = SubmitApplication::execute(&submit, &Actor::Holder { account }, cmd, None)
        .await
        .unwrap();
    let report = ProviderReport {
        provider: ProviderName::WechatMp,
        session_ref: app.session_ref.clone().unwrap(),
        outcome: ProviderOutcome::Passed(AssertedSubject {
            subject: new_subject,
            mainland_bank_card: false,
        }),
    };
    let decided = RecordProviderResult::execute(&record, report)
        .await
        .unwrap();
    assert_eq!(decided.application.status, ApplicationStatus::Approved);
    assert_eq!(w.events("account.revocation_cancelled").await, 1);

    // -- At the effective date the old enterprise has no account left to revoke.
    w.clock.advance(Duration::days(15));
    let run = w.run(false).await;
    assert_eq!(run.revocations, 0);
    assert_eq!(w.status_counts().await, (1, 0, 0));
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_notice_and_revoke_each_account_once_and_check_each_enterprise_once() {
    // -- Arrange: 500 enterprises, 50 with findings, each finding enterprise on two accounts.
    let db = TestDb::new().await;
    let seeding = db.store(4);
    insert_verified_enterprises(&seeding, 0..450, 1, start())
        .await
        .unwrap();
    insert_verified_enterprises(&seeding, 450..500, 2, start())
        .await
        .unwrap();
    let w = World {
        store: Arc::new(seeding),
        clock: Arc::new(TestClock::at(start())),
        registry: Arc::default(),
        db,
    };
    for i in 450..500 {
        w.registry.answer(i, Some(Answer::Deregistered));
    }
    let replicas = [
        Arc::new(w.replica("replica-a", Arc::new(w.db.store(6)))),
        Arc::new(w.replica("replica-b", Arc::new(w.db.store(6)))),
    ];
    let both = |all| {
        let handles: Vec<_> = replicas
            .iter()
            .cloned()
            .map(|r| tokio::spawn(async move { RunRecheck::execute(&r, all).await.unwrap() }))
            .collect();
        async move {
            let mut total = RecheckReport::default();
            for h in handles {
                let r = h.await.unwrap();
                total.enterprises += r.enterprises;
                total.checked += r.checked;
                total.notices += r.notices;
                total.revocations += r.revocations;
            }
            total
        }
    };

    // -- Act 1: enrolment, then the whole first cycle at once, on both replicas.
    assert_eq!(both(false).await.enterprises, 500);
    w.clock.advance(Duration::days(30));
    let cycle = both(false).await;

    // -- Assert 1: every enterprise checked exactly once; one notice per finding account.
    let calls = w.registry.take_calls();
    assert_eq!(calls.len(), 500);
    assert!(
        calls.values().all(|&n| n == 1),
        "an enterprise was checked twice"
    );
    assert_eq!((cycle.checked, cycle.notices), (500, 100));
    assert_eq!(w.events("account.revocation_scheduled").await, 100);
    let distinct = count(
        &w.db.url,
        "SELECT count(DISTINCT account_id) AS n FROM events WHERE type = 'account.revocation_scheduled'",
    )
    .await;
    assert_eq!(distinct, 100);
    assert_eq!(w.revocation_notices().await, 100);

    // -- Act 2: the effective date, on both replicas, twice.
    w.clock.advance(Duration::days(15));
    let revoked = both(false).await;
    let again = both(false).await;

    // -- Assert 2: one revocation per account, each enterprise checked at most once.
    assert!(w.registry.take_calls().values().all(|&n| n == 1));
    assert_eq!(revoked.revocations, 100);
    assert_eq!(again.enterprises, 0);
    assert_eq!(w.events("account.revoked").await, 100);
    let distinct = count(
        &w.db.url,
        "SELECT count(DISTINCT account_id) AS n FROM events WHERE type = 'account.revoked'",
    )
    .await;
    assert_eq!(distinct, 100);
    assert_eq!(w.status_counts().await, (450, 0, 100));
    assert_eq!(w.revocation_notices().await, 100, "no second notice");
}

#[tokio::test]
async fn a_dry_run_reports_the_blast_radius_and_changes_nothing() {
    let w = World::new(20, 1).await;
    for i in 0..3 {
        w.registry.answer(i, Some(Answer::Deregistered));
    }
    w.first_cycle_due().await;
    w.run(false).await;
    w.registry.answer(3, Some(Answer::Missing));
    w.clock.advance(Duration::days(15));
    // Issue 15, item 11 (R16): one of the accounts due for revocation has an inheriting
    // sub-account, which loses what its root loses.
    let root = AccountId::from_uuid(
        diesel::sql_query(
            "SELECT id FROM accounts WHERE revocation_pending_at IS NOT NULL LIMIT 1",
        )
        .get_result::<IdRow>(&mut raw(&w.db.url).await)
        .await
        .unwrap()
        .id,
    );
    let root = realname_ports::AccountReader::account(w.store.as_ref(), root)
        .await
        .unwrap()
        .unwrap();
    let mut tx = realname_ports::UnitOfWork::begin(w.store.as_ref())
        .await
        .unwrap();
    tx.insert_account(&realname_domain::Account::sub_account(&root, start()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = dump(&w.db.url).await;

    let progress = Arc::new(Counted::default());
    let dry_run = AssessBlastRadius::new(AssessBlastRadiusDeps {
        clock: w.clock.clone(),
        store: w.store.clone(),
        registry: w.registry.clone(),
        settings: settings(),
    })
    .with_progress(progress.clone());
    let radius = AssessBlastRadius::execute(&dry_run, true).await.unwrap();
    assert_eq!(
        progress.seen(),
        (20, 20),
        "issue 15 item 13: the total, and all done"
    );

    assert_eq!(dump(&w.db.url).await, before, "the dry run wrote something");
    assert_eq!(radius.enterprises_due, 20);
    assert_eq!(
        (radius.enterprises_noticed, radius.accounts_noticed),
        (1, 1)
    );
    assert_eq!(
        (radius.enterprises_revoked, radius.accounts_revoked),
        (3, 3)
    );
    assert_eq!(radius.heirs_affected, 1);
    assert_eq!(radius.capabilities_lost.get("purchase"), Some(&4));
    assert_eq!(radius.capabilities_lost.get("use_resources"), Some(&4));
    assert!(
        w.revocation_notices().await == 3,
        "no notice sent by the dry run"
    );
}

/// A progress observer that adds up what it is told (issue 15 item 13): the total, and the
/// items done.
#[derive(Default)]
struct Counted(std::sync::Mutex<(u64, u64)>);

impl Counted {
    fn seen(&self) -> (u64, u64) {
        *self.0.lock().unwrap()
    }
}

impl realname_application::progress::Progress for Counted {
    fn begin(&self, total: u64) {
        self.0.lock().unwrap().0 = total;
    }
    fn advance(&self, done: u64) {
        self.0.lock().unwrap().1 += done;
    }
}

#[tokio::test]
async fn a_run_tells_its_progress_the_enterprises_due_and_each_batch_done() {
    let w = World::new(7, 1).await;
    let progress = Arc::new(Counted::default());
    let run = w
        .replica("a", w.store.clone())
        .with_progress(progress.clone());
    let report = RunRecheck::execute(&run, true).await.unwrap();
    assert_eq!(report.enterprises, 7);
    assert_eq!(progress.seen(), (7, 7));
}

#[derive(diesel::QueryableByName)]
struct Dump {
    #[diesel(sql_type = diesel::sql_types::Text)]
    rows: String,
}

/// Every row of every table the re-check could touch, as text.
async fn dump(url: &str) -> String {
    let mut text = String::new();
    for table in ["subjects", "accounts", "events", "audit_log"] {
        let sql = format!(
            "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS rows FROM {table} t"
        );
        let dump: Dump = diesel::sql_query(sql)
            .get_result(&mut raw(url).await)
            .await
            .unwrap();
        text.push_str(&dump.rows);
    }
    text
}

#[tokio::test]
async fn a_shutdown_stops_between_batches_and_leaves_no_lease_behind() {
    let w = World::new(200, 1).await;
    w.first_cycle_due().await;
    let calls = std::sync::atomic::AtomicUsize::new(0);
    // Keep going for the first batch only, as a cancelled token would after one.
    let stop = || calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1;

    let run = w.replica("a", w.store.clone());
    let report = run.execute_until(false, &stop).await.unwrap();

    assert_eq!(report.enterprises, 64, "one batch, then stop");
    let leased = count(
        &w.db.url,
        "SELECT count(*) AS n FROM subjects WHERE lease_owner IS NOT NULL",
    )
    .await;
    assert_eq!(leased, 0);
    assert_eq!(w.run(false).await.enterprises, 136, "the rest is still due");
}

#[tokio::test]
async fn the_benchmark_seed_writes_one_row_per_account_and_no_subject_for_the_unverified() {
    let db = TestDb::new().await;
    let store = db.store(1);
    let (mut phones, mut subjects, mut accounts) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = realname_postgres::seed::CopyStreams {
        phones: &mut phones,
        subjects: &mut subjects,
        accounts: &mut accounts,
    };
    realname_postgres::seed::write_copy_csv(&store, 0..20, start(), Some(10), &mut out).unwrap();
    let lines = |bytes: &[u8]| {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let all: Vec<String> = text.lines().map(str::to_owned).collect();
        let distinct: std::collections::BTreeSet<_> = all.iter().cloned().collect();
        assert_eq!(all.len(), distinct.len(), "duplicate rows");
        all
    };
    assert_eq!(lines(&phones).len(), 20);
    assert_eq!(lines(&subjects).len(), 18);
    let accounts = lines(&accounts);
    assert_eq!(accounts.len(), 20);
    assert_eq!(
        accounts
            .iter()
            .filter(|l| l.contains(",unverified,"))
            .count(),
        2
    );
}

#[tokio::test]
async fn the_mix_seed_writes_persons_enterprises_unverified_and_inheriting_sub_accounts() {
    use realname_postgres::seed::{ACCOUNT_COLUMNS, CopyStreams, MixKind, write_mix_csv};
    let db = TestDb::new().await;
    let store = db.store(1);
    let (mut phones, mut subjects, mut accounts, mut roster) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut out = CopyStreams {
        phones: &mut phones,
        subjects: &mut subjects,
        accounts: &mut accounts,
    };
    write_mix_csv(&store, 0..100, start(), &mut out, &mut roster).unwrap();
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
    let roster = text(&roster);
    let kinds: Vec<&str> = roster
        .lines()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let share = |kind: MixKind| kinds.iter().filter(|k| **k == kind.as_str()).count();
    assert_eq!(share(MixKind::Person), 65);
    assert_eq!(share(MixKind::Enterprise), 10);
    assert_eq!(share(MixKind::Unverified), 15);
    assert_eq!(share(MixKind::SubAccount), 10);
    let columns = ACCOUNT_COLUMNS.split(", ").count();
    let rows: Vec<Vec<String>> = text(&accounts)
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert!(
        rows.iter().all(|r| r.len() == columns),
        "one field per column"
    );
    // A sub-account names the account before it as its root, inherits, and has no phone or
    // subject of its own (R16).
    for (i, row) in rows.iter().enumerate() {
        if MixKind::of(i as u64) == MixKind::SubAccount {
            assert_eq!(row[1], rows[i - 1][0], "the root is the person before it");
            assert_eq!(row[2], "true");
            assert!(row[5].is_empty() && row[7].is_empty());
        } else {
            assert!(row[1].is_empty() && row[2] == "false");
        }
    }
    // One subject row per verified account, one phone row per root account.
    assert_eq!(text(&subjects).lines().count(), 75);
    assert_eq!(text(&phones).lines().count(), 90);
}

//! The capability cache against real PostgreSQL (R12): it really caches, a committed
//! change reaches it within the staleness bound, and without its listener it answers from the
//! database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::exec;
use realname_domain::{AccountId, AccountState, RealNameStatus};
use realname_ports::CapabilityReader;
use realname_postgres::seed::insert_verified_enterprises;
use realname_postgres::{CachedCapabilities, CapabilityCacheSettings};
use realname_test_support::TestDb;
use tokio_util::sync::CancellationToken;

fn settings(enabled: bool) -> CapabilityCacheSettings {
    CapabilityCacheSettings {
        enabled,
        max_staleness_ms: 1000,
        ttl_secs: 600,
        capacity: 1000,
        warm_on_start: false,
    }
}

async fn one_account(db: &TestDb) -> AccountId {
    accounts(db, 1).await[0]
}

async fn accounts(db: &TestDb, n: u64) -> Vec<AccountId> {
    let store = db.store(2);
    insert_verified_enterprises(&store, 0..n, 1, chrono::Utc::now())
        .await
        .unwrap();
    let rows: Vec<uuid::Uuid> = {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: uuid::Uuid,
        }
        diesel::sql_query("SELECT id FROM accounts")
            .load::<Id>(&mut crate::common::raw(&db.url).await)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    rows.into_iter().map(AccountId::from_uuid).collect()
}

async fn until(limit: Duration, check: impl AsyncFn() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// A cache over `db` with its listener started, once it counts as fresh.
async fn started(
    db: &TestDb,
    settings: CapabilityCacheSettings,
) -> (Arc<CachedCapabilities>, CancellationToken) {
    started_on(db, Arc::new(db.store(4)), settings).await
}

async fn state_of(cache: &CachedCapabilities, id: AccountId) -> AccountState {
    let facts = cache.capability_facts(id).await.unwrap().unwrap();
    facts.inputs.state
}

/// The same, over `store`.
async fn started_on(
    db: &TestDb,
    store: Arc<realname_postgres::PgStore>,
    settings: CapabilityCacheSettings,
) -> (Arc<CachedCapabilities>, CancellationToken) {
    let cache = CachedCapabilities::new(store, settings);
    let stop = CancellationToken::new();
    cache.spawn(db.url.clone(), stop.clone());
    assert!(
        until(Duration::from_secs(5), async || cache.is_fresh())
            .await
            .is_some(),
        "the listener never became fresh"
    );
    (cache, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_change_reaches_the_cache_within_the_bound() {
    let db = TestDb::new().await;
    let id = one_account(&db).await;
    let (cache, stop) = started(&db, settings(true)).await;
    let status = async || cache.capability_facts(id).await.unwrap().unwrap().inputs;
    assert_eq!(status().await.status, RealNameStatus::Verified);

    // -- A change that sends no notification stays invisible: the answer comes from the cache.
    exec(
        &db.url,
        "ALTER TABLE accounts DISABLE TRIGGER accounts_capability_changed",
    )
    .await;
    exec(&db.url, "UPDATE accounts SET status = 'revoked'").await;
    exec(
        &db.url,
        "ALTER TABLE accounts ENABLE TRIGGER accounts_capability_changed",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        status().await.status,
        RealNameStatus::Verified,
        "not cached"
    );

    // -- A normal change (a freeze) is seen within the bound.
    exec(&db.url, "UPDATE accounts SET state = 'frozen'").await;
    let seen = until(Duration::from_secs(3), async || {
        status().await.state == AccountState::Frozen
    })
    .await;
    stop.cancel();
    let seen = seen.expect("the freeze was never seen");
    assert!(seen <= Duration::from_millis(1000), "seen after {seen:?}");
}

#[tokio::test]
async fn without_a_listener_every_answer_comes_from_the_database() {
    let db = TestDb::new().await;
    let id = one_account(&db).await;
    // Not spawned: no ping is ever processed, so the cache never counts as fresh.
    let cache = CachedCapabilities::new(Arc::new(db.store(2)), settings(true));
    let status = async || {
        let facts = cache.capability_facts(id).await.unwrap().unwrap();
        facts.inputs.status
    };
    assert_eq!(status().await, RealNameStatus::Verified);
    exec(
        &db.url,
        "ALTER TABLE accounts DISABLE TRIGGER accounts_capability_changed",
    )
    .await;
    exec(&db.url, "UPDATE accounts SET status = 'revoked'").await;
    assert_eq!(status().await, RealNameStatus::Revoked);
}

/// Whether `id`'s first read after the listener started came from the cache: the account is
/// revoked behind the cache's back (no notification), then read once.
async fn first_read_is_cached(db: &TestDb, id: AccountId, warm_on_start: bool) -> bool {
    let settings = CapabilityCacheSettings {
        warm_on_start,
        ..settings(true)
    };
    let (cache, stop) = started(db, settings).await;
    // The warm-up is one batch here; give it time to land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    exec(
        &db.url,
        "ALTER TABLE accounts DISABLE TRIGGER accounts_capability_changed",
    )
    .await;
    exec(&db.url, "UPDATE accounts SET status = 'revoked'").await;
    let status = cache
        .capability_facts(id)
        .await
        .unwrap()
        .unwrap()
        .inputs
        .status;
    stop.cancel();
    status == RealNameStatus::Verified
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_warms_the_cache_from_the_table_when_it_starts() {
    let db = TestDb::new().await;
    let id = one_account(&db).await;
    assert!(
        first_read_is_cached(&db, id, true).await,
        "warmed: the first read is answered from the cache"
    );
    let db = TestDb::new().await;
    let id = one_account(&db).await;
    assert!(
        !first_read_is_cached(&db, id, false).await,
        "not warmed: the first read goes to the database"
    );
}

/// A transaction that was running while later ones committed and reached the cache is still
/// seen when it commits. (An invalidation that read changes "after the last one seen" would
/// skip it: its change is older than the later transactions'. Checked against a snapshot-
/// watermark poller of `capability_changes` too, measured against NOTIFY in issue 17.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_after_later_ones_were_polled_is_still_seen() {
    use diesel_async::SimpleAsyncConnection;
    let db = TestDb::new().await;
    let ids = accounts(&db, 2).await;
    let (slow, quick) = (ids[0], ids[1]);
    let (cache, stop) = started(&db, settings(true)).await;
    let state = async |id| state_of(&cache, id).await;
    assert_eq!(state(slow).await, AccountState::Active, "cached as active");
    // The slow transaction writes first and stays open…
    let mut open = crate::common::raw(&db.url).await;
    open.batch_execute(&format!(
        "BEGIN; UPDATE accounts SET state = 'frozen' WHERE id = '{}'",
        slow.as_uuid()
    ))
    .await
    .unwrap();
    // … while a later one commits and is polled.
    exec(
        &db.url,
        &format!(
            "UPDATE accounts SET state = 'frozen' WHERE id = '{}'",
            quick.as_uuid()
        ),
    )
    .await;
    let quick_seen = until(Duration::from_secs(3), async || {
        state(quick).await == AccountState::Frozen
    })
    .await;
    assert!(quick_seen.is_some(), "the later change was seen");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        state(slow).await,
        AccountState::Active,
        "still cached, uncommitted"
    );
    open.batch_execute("COMMIT").await.unwrap();
    let slow_seen = until(Duration::from_secs(3), async || {
        state(slow).await == AccountState::Frozen
    })
    .await;
    stop.cancel();
    let seen = slow_seen.expect("the earlier transaction's change was never seen");
    assert!(seen <= Duration::from_millis(1000), "seen after {seen:?}");
}

/// Read-your-writes on a replica: its own commit evicts the account at once, notification or
/// not. Another replica's commit, without its notification, is not heard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_replicas_own_commit_is_read_at_once_without_a_notification() {
    use realname_ports::UnitOfWork;
    let db = TestDb::new().await;
    let id = one_account(&db).await;
    let store = Arc::new(db.store(4));
    let (cache, stop) = started_on(&db, store.clone(), settings(true)).await;
    let state = async || state_of(&cache, id).await;
    assert_eq!(state().await, AccountState::Active, "cached");
    exec(
        &db.url,
        "ALTER TABLE accounts DISABLE TRIGGER accounts_capability_changed",
    )
    .await;
    let commit = async |store: &realname_postgres::PgStore, to: AccountState| {
        let mut tx = store.begin().await.unwrap();
        let mut account = tx.account_for_update(id).await.unwrap().unwrap();
        account.state = to;
        tx.save_account(&account).await.unwrap();
        tx.commit().await.unwrap();
    };
    commit(&store, AccountState::Frozen).await;
    assert_eq!(state().await, AccountState::Frozen, "read at once");
    let other_replica = db.store(2);
    commit(&other_replica, AccountState::Closed).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    assert_eq!(
        state().await,
        AccountState::Frozen,
        "not heard without its notification"
    );
}

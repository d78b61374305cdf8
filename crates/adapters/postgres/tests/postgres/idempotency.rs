//! `Idempotency-Key` storage (API.md): replay, refusal of another body, leases that let a retry
//! take over from a request that died, answers fenced by the lease and recorded in the use
//! case's transaction, sealed at rest; one claim wins under concurrency.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_domain::identifiers::Phone;
use realname_domain::{Account, Actor, Policy};
use realname_ports::{
    Answer, IdempotencyBegin, IdempotencyClaim, IdempotencyStore, StoreError, StoredResponse,
    UnitOfWork,
};
use realname_postgres::PgStore;
use realname_test_support::{TestClock, TestDb};

use crate::common::count;

const LEASE: Duration = Duration::seconds(60);

async fn begin(store: &PgStore, body: &[u8], now: DateTime<Utc>) -> IdempotencyBegin {
    IdempotencyStore::begin(
        store,
        "s",
        "k",
        body,
        now,
        now + LEASE,
        now - Duration::hours(24),
    )
    .await
    .unwrap()
}

fn claim_of(begun: IdempotencyBegin) -> IdempotencyClaim {
    match begun {
        IdempotencyBegin::Fresh(claim) => claim,
        other => panic!("expected a fresh claim, got {other:?}"),
    }
}

fn answer(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        body: body.as_bytes().to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_replays_its_answer_refuses_another_body_and_lives_24_hours() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let now = Utc::now();
    let claim = claim_of(begin(&store, b"body-a", now).await);
    assert_eq!(
        begin(&store, b"body-a", now).await,
        IdempotencyBegin::InProgress
    );
    store
        .complete(&claim, &answer(r#"{"id":1}"#))
        .await
        .unwrap();
    assert_eq!(
        begin(&store, b"body-a", now).await,
        IdempotencyBegin::Replay(answer(r#"{"id":1}"#))
    );
    assert_eq!(
        begin(&store, b"body-b", now).await,
        IdempotencyBegin::Mismatch
    );
    let later = now + Duration::hours(25);
    claim_of(begin(&store, b"body-b", later).await);
}

/// The attack on the old store: a request that died (a crash between claiming the key and
/// answering) left the key `in progress` for 24 h. Now its lease ends and a retry takes over;
/// the dead holder can no longer answer or release it.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_whose_holder_died_is_taken_over_once_its_lease_ends() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let now = Utc::now();
    let dead = claim_of(begin(&store, b"body", now).await);
    assert_eq!(
        begin(&store, b"body", now + LEASE - Duration::seconds(1)).await,
        IdempotencyBegin::InProgress,
        "within the lease the first request may still answer"
    );
    assert_eq!(
        begin(&store, b"other", now + LEASE * 2).await,
        IdempotencyBegin::Mismatch,
        "a takeover is for the same request only"
    );
    let retry = claim_of(begin(&store, b"body", now + LEASE + Duration::seconds(1)).await);
    assert_eq!(retry.record, dead.record);
    assert_ne!(retry.lease, dead.lease);

    // The dead holder wakes: its answer and its release change nothing.
    store.complete(&dead, &answer("stale")).await.unwrap();
    store.abandon(&dead).await.unwrap();
    let mut tx = UnitOfWork::begin(&store).await.unwrap();
    assert!(matches!(
        tx.record_answer(&dead, &answer("stale")).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);
    store.complete(&retry, &answer("fresh")).await.unwrap();
    assert_eq!(
        begin(&store, b"body", now + LEASE * 3).await,
        IdempotencyBegin::Replay(answer("fresh"))
    );
}

/// The answer is written in the use case's transaction: a rolled-back change leaves no answer
/// (the key stays claimed, and a retry after the lease runs it), a committed one replays.
/// The stored body is sealed: the webhook endpoint's answer carries its secret.
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_commits_with_its_change_or_not_at_all_and_is_sealed() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let now = Utc::now();
    let claim = claim_of(begin(&store, b"body", now).await);

    let mut tx = UnitOfWork::begin(&store).await.unwrap();
    tx.record_answer(&claim, &answer("whsec_rolled_back"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        begin(&store, b"body", now).await,
        IdempotencyBegin::InProgress
    );

    let mut tx = UnitOfWork::begin(&store).await.unwrap();
    tx.record_answer(&claim, &answer("whsec_committed"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        begin(&store, b"body", now).await,
        IdempotencyBegin::Replay(answer("whsec_committed"))
    );
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) AS n FROM idempotency_keys WHERE position('whsec'::bytea in coalesce(sealed_body, body)) > 0"
        )
        .await,
        0,
        "the answer is not stored in the clear"
    );
}

/// A registration whose answer cannot be recorded (its lease went to a retry) is not committed:
/// no account exists without the answer that names it.
#[tokio::test(flavor = "multi_thread")]
async fn a_use_case_that_lost_its_lease_commits_nothing() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let now = Utc::now();
    let clock = Arc::new(TestClock::at(now));
    let register =
        RegisterAccount::new(Arc::new(store.clone()), clock, Arc::new(Policy::default()));
    let render: Arc<dyn Fn(&Account) -> StoredResponse + Send + Sync> =
        Arc::new(|account: &Account| answer(&account.id.to_string()));
    let stale = claim_of(begin(&store, b"body", now).await);
    let _retry = claim_of(begin(&store, b"body", now + LEASE * 2).await);
    let cmd = || RegisterAccountCommand {
        phone: Phone::parse("13800138000").unwrap(),
    };
    let err = register
        .execute_answering(
            &Actor::Service,
            cmd(),
            Some(Answer::new(stale, render.clone())),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        realname_application::AppError::Store(StoreError::Conflict)
    ));
    assert_eq!(
        count(&db.url, "SELECT count(*) AS n FROM accounts").await,
        0
    );
}

/// Eight requests with one key at once, on eight connections: exactly one claims it.
#[tokio::test(flavor = "multi_thread")]
async fn one_of_many_concurrent_requests_claims_a_key() {
    let db = TestDb::new().await;
    let store = db.store(8);
    let now = Utc::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { begin(&store, b"body", now).await })
        })
        .collect();
    let mut fresh = 0;
    for task in tasks {
        match task.await.unwrap() {
            IdempotencyBegin::Fresh(_) => fresh += 1,
            other => assert_eq!(other, IdempotencyBegin::InProgress),
        }
    }
    assert_eq!(fresh, 1);
}

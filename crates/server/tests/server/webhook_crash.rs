//! Crash test: `realname serve` is killed with SIGKILL in the middle of a delivery
//! run against a local receiver, then started again. Every event arrives at least once, with a
//! stable id, so the receiver can dedupe by id and order each account's events by sequence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_domain::identifiers::Phone;
use realname_domain::{Actor, Policy};
use realname_server::startup::SystemClock;
use realname_test_support::TestDb;

const ACCOUNTS: u32 = 120;

fn serve(url: &str) -> Child {
    crate::common::realname(url)
        .arg("serve")
        .env("REALNAME__HTTP__LISTEN", "127.0.0.1:0")
        .env("REALNAME__SCHEDULER__DELIVERY_INTERVAL_SECS", "1")
        .env("REALNAME__SCHEDULER__LEASE_SECS", "2")
        .env("REALNAME__WEBHOOKS__BATCH", "40")
        .env("REALNAME__WEBHOOKS__CONCURRENCY", "2")
        .env("REALNAME__TELEMETRY__FILTER", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_delivery_run_loses_nothing_after_a_restart() {
    // -- Arrange: a subscribed receiver that takes 20 ms per delivery, and 120 accounts, each
    // with its `account.created` event (sequence 1).
    let db = TestDb::new().await;
    let store = Arc::new(db.store(4));
    let receiver = crate::common::subscribed_receiver(&store, Duration::from_millis(20)).await;
    let register = RegisterAccount::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(Policy::default()),
    );
    let mut accounts = BTreeSet::new();
    for n in 0..ACCOUNTS {
        let phone = Phone::parse(&format!("1350000{n:04}")).unwrap();
        let account =
            RegisterAccount::execute(&register, &Actor::Service, RegisterAccountCommand { phone })
                .await
                .unwrap();
        accounts.insert(account.id.to_string());
    }

    // -- Act: kill the first process mid-run, then start a second one.
    let mut first = serve(&db.url);
    let started = receiver
        .wait_for(Duration::from_secs(30), |r| r.len() >= 20)
        .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    assert!(started, "no delivery before the kill");
    let at_kill = receiver.received().len();
    assert!(
        at_kill < ACCOUNTS as usize,
        "the run was over before the kill ({at_kill})"
    );
    let mut second = serve(&db.url);
    let all = receiver
        .wait_for(Duration::from_secs(60), |r| {
            r.iter()
                .map(|d| d.id.clone())
                .collect::<BTreeSet<_>>()
                .len()
                >= ACCOUNTS as usize
        })
        .await;
    second.kill().unwrap();
    second.wait().unwrap();

    // -- Assert: every event at least once; deduped by id, each account's events run 1, 2, …
    assert!(all, "only {} distinct events", receiver.received().len());
    let received = receiver.received();
    let mut by_id = BTreeMap::new();
    for delivery in &received {
        let earlier = by_id.insert(delivery.id.clone(), delivery.body.clone());
        if let Some(earlier) = earlier {
            assert_eq!(
                earlier, delivery.body,
                "a redelivery carries the same event"
            );
        }
    }
    assert_eq!(by_id.len(), ACCOUNTS as usize);
    let mut sequences: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for delivery in &received {
        if seen.insert(delivery.id.clone()) {
            sequences
                .entry(delivery.account_id.clone().unwrap())
                .or_default()
                .push(delivery.sequence.unwrap());
        }
    }
    assert_eq!(sequences.keys().cloned().collect::<BTreeSet<_>>(), accounts);
    for seqs in sequences.values_mut() {
        seqs.sort_unstable();
        assert_eq!(*seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    }
    eprintln!(
        "{} deliveries before the kill, {} in all for {} events",
        at_kill,
        received.len(),
        ACCOUNTS
    );
}

//! Crash safety: `realname serve` is killed with SIGKILL while parallel verifications
//! and webhook deliveries run, then started again. Afterwards SQL over the whole database finds
//! no half-applied application, the quota invariant (R3) holds, every account's events run
//! 1, 2, … without a gap, and every event reached the subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use realname_server::Settings;
use realname_test_support::TestDb;
use realname_test_support::client::{ServiceClient, person};

const PEOPLE: usize = 6;
const ACCOUNTS: usize = 60;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(url: &str, port: u16) -> Child {
    crate::common::realname(url)
        .arg("serve")
        .env("REALNAME__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("REALNAME__SCHEDULER__DELIVERY_INTERVAL_SECS", "1")
        .env("REALNAME__SCHEDULER__LEASE_SECS", "2")
        .env("REALNAME__RATE_LIMIT__ENABLED", "false")
        .env("REALNAME__TELEMETRY__FILTER", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn ready(client: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server never became ready");
}

struct Load {
    client: ServiceClient,
    approved: AtomicUsize,
}

impl Load {
    /// Registers and verifies one account; errors (the server dying) end it early.
    async fn verify(&self, n: usize) -> anyhow::Result<()> {
        let account = self.client.register(&format!("1360000{n:04}")).await?;
        if self
            .client
            .verify_instantly(&account, &person(n % PEOPLE))
            .await?
        {
            self.approved.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

/// Invariants over the whole database; each query counts violations.
const INVARIANTS: &[(&str, &str)] = &[
    (
        "R3/R4: no subject verified on more accounts than its limit",
        "SELECT count(*) AS n FROM (
             SELECT a.subject_key, count(*) AS held, max(s.account_limit) AS override,
                    max(a.subject_type) AS kind
             FROM accounts a JOIN subjects s ON s.subject_key = a.subject_key
             WHERE a.status = 'verified' AND a.state <> 'closed' GROUP BY a.subject_key) x
         WHERE held > coalesce(override, CASE WHEN kind = 'personal' THEN 3 ELSE 10 END)",
    ),
    (
        "an approved application whose account is not verified with its subject",
        "SELECT count(*) AS n FROM applications p JOIN accounts a ON a.id = p.account_id
         WHERE p.status = 'approved' AND (a.status <> 'verified' OR a.subject_key <> p.subject_key)",
    ),
    (
        "a verified account without its account.verified event",
        "SELECT count(*) AS n FROM accounts a WHERE a.status = 'verified' AND NOT EXISTS
             (SELECT 1 FROM events e WHERE e.account_id = a.id AND e.type = 'account.verified')",
    ),
    (
        "a verified account without its audit entry",
        "SELECT count(*) AS n FROM accounts a WHERE a.status = 'verified' AND NOT EXISTS
             (SELECT 1 FROM audit_log l WHERE l.account_id = a.id AND l.action = 'account.verified')",
    ),
    (
        "a decided application without its event",
        "SELECT count(*) AS n FROM applications p WHERE p.status IN ('approved', 'rejected')
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.account_id = p.account_id
             AND e.type = 'application.' || p.status
             AND e.data->>'application_id' = 'app_' || replace(p.id::text, '-', ''))",
    ),
    (
        "an account whose events do not run 1, 2, … up to its counter",
        "SELECT count(*) AS n FROM accounts a WHERE a.event_sequence <> (SELECT count(*) FROM
             events e WHERE e.account_id = a.id) OR a.event_sequence <> coalesce((SELECT
             max(e.sequence) FROM events e WHERE e.account_id = a.id), 0)",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_leaves_nothing_half_applied_and_loses_no_event() {
    // -- Arrange
    let db = TestDb::new().await;
    let store = db.store(2);
    let receiver = crate::common::subscribed_receiver(&store, Duration::from_millis(2)).await;
    let settings = Settings::load(None).unwrap();
    let provider_secret = {
        use secrecy::ExposeSecret;
        secrecy::SecretString::from(settings.providers.secrets.wechat.expose_secret().to_owned())
    };
    let port = free_port();
    let load = Arc::new(Load {
        client: ServiceClient::new(
            &format!("http://127.0.0.1:{port}"),
            settings.auth.clone(),
            provider_secret,
        ),
        approved: AtomicUsize::new(0),
    });
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // -- Act: 16 clients verify accounts of 6 people; the server dies after a few approvals.
    let mut server = serve(&db.url, port);
    ready(&http, &base).await;
    let next = Arc::new(AtomicUsize::new(0));
    let workers = |load: Arc<Load>, next: Arc<AtomicUsize>| {
        (0..16)
            .map(|_| {
                let (load, next) = (load.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if n >= ACCOUNTS {
                            break;
                        }
                        let _ = load.verify(n).await;
                    }
                })
            })
            .collect::<Vec<_>>()
    };
    let first = workers(load.clone(), next.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while AtomicUsize::load(&load.approved, Ordering::SeqCst) < 5
        && AtomicUsize::load(&next, Ordering::SeqCst) < ACCOUNTS
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no progress in 120 s: {} approved, {} started, server exited: {:?}",
            AtomicUsize::load(&load.approved, Ordering::SeqCst),
            AtomicUsize::load(&next, Ordering::SeqCst),
            server.try_wait()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL, mid-flight
    server.wait().unwrap();
    for w in first {
        w.await.unwrap();
    }
    let mut server = serve(&db.url, port);
    ready(&http, &base).await;
    next.store(ACCOUNTS / 2, Ordering::SeqCst); // the rest of the accounts, after the restart
    for w in workers(load.clone(), next.clone()) {
        w.await.unwrap();
    }

    // -- Assert: every event reached the subscriber (deduplicated by id) …
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let events = count(&mut conn, "SELECT count(*) AS n FROM events").await as usize;
    let delivered = receiver
        .wait_for(Duration::from_secs(60), |r| {
            r.iter()
                .map(|d| d.id.clone())
                .collect::<BTreeSet<_>>()
                .len()
                >= events
        })
        .await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(delivered, "not every one of {events} events was delivered");
    // … and no invariant is broken.
    for (what, sql) in INVARIANTS {
        assert_eq!(count(&mut conn, sql).await, 0, "{what}");
    }
    // The event check above matches ids as events carry them: positive control.
    let approved = count(
        &mut conn,
        "SELECT count(*) AS n FROM applications WHERE status = 'approved'",
    )
    .await;
    let approved_events = count(
        &mut conn,
        "SELECT count(*) AS n FROM events e JOIN applications p ON e.data->>'application_id' = \
         'app_' || replace(p.id::text, '-', '') WHERE e.type = 'application.approved'",
    )
    .await;
    assert_eq!((approved > 0, approved), (true, approved_events));
    let verified = count(
        &mut conn,
        "SELECT count(*) AS n FROM accounts WHERE status = 'verified'",
    )
    .await;
    assert!(
        verified > 0 && verified <= (3 * PEOPLE) as i64,
        "{verified} verified"
    );
}

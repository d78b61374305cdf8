//! Test support: per-test PostgreSQL databases cloned from a migrated template, test keys, and
//! a settable clock, a webhook receiver and an HTTP client. A dev-dependency of the tests and a
//! dependency of the benchmark tool; never linked into the `realname` binary.

#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod client;
pub mod receiver;
pub mod smtp;
pub mod tencent;

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use realname_ports::Clock;
use realname_postgres::{CryptoSettings, DatabaseSettings, Keyring, PgStore, admin};

/// The server the tests use: `REALNAME_TEST_DATABASE_URL`, or local trust auth.
#[must_use]
pub fn server_url() -> String {
    std::env::var("REALNAME_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The template's name carries the latest migration, so checkouts of different versions on
/// one server never share a template.
fn template_name() -> String {
    let latest = admin::embedded_versions().pop().unwrap_or_default();
    format!("realname_test_tpl_{latest}")
}
const SETUP_LOCK: i64 = 0x7465_7374_7365_7475; // "testsetu"

/// A database of its own for one test, dropped when the test ends.
#[derive(Debug)]
pub struct TestDb {
    /// Its connection URL.
    pub url: String,
    name: String,
}

impl TestDb {
    /// Clones a fresh database from the migrated template (migrating the template first, under
    /// a cross-process lock, so parallel test processes share one template).
    pub async fn new() -> Self {
        let server = server_url();
        let name = format!("realname_test_{}", uuid::Uuid::new_v4().simple());
        let template = template_name();
        let template_url = admin::with_database(&server, &template).expect("server URL");
        admin::with_server_lock(&server, SETUP_LOCK, async {
            admin::ensure_database(&template_url).await?;
            admin::migrate(&template_url).await?;
            admin::clone_database(&server, &template, &name).await
        })
        .await
        .expect("a test database could be created");
        let url = admin::with_database(&server, &name).expect("server URL");
        Self { url, name }
    }

    /// Database settings for this database.
    #[must_use]
    pub fn settings(&self, pool_size: usize) -> DatabaseSettings {
        DatabaseSettings {
            url: self.url.clone().into(),
            migrate_on_start: false,
            pool_size,
            acquire_timeout_ms: 30_000,
            statement_timeout_ms: 30_000,
            lock_timeout_ms: 30_000,
        }
    }

    /// A store on this database with the test keys.
    #[must_use]
    pub fn store(&self, pool_size: usize) -> PgStore {
        PgStore::connect(&self.settings(pool_size), Arc::new(test_keyring())).expect("pool")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, name) = (server_url(), self.name.clone());
        // Drop runs inside the test's runtime; the database is dropped from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(admin::drop_database(&server, &name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("test database {} was not dropped", self.name);
        }
    }
}

/// Encryption settings with fixed test keys (never used outside tests).
#[must_use]
pub fn test_crypto_settings() -> CryptoSettings {
    let key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    CryptoSettings {
        data_keys: format!("test1:{key}").into(),
        active_key: "test1".to_owned(),
        subject_key: secrecy::SecretString::from("test-subject-key-0123456789abcdef0123"),
        otp_key: secrecy::SecretString::from("test-otp-key-0123456789abcdef0123456"),
    }
}

/// The key ring of [`test_crypto_settings`].
#[must_use]
pub fn test_keyring() -> Keyring {
    Keyring::new(&test_crypto_settings()).expect("test keys are valid")
}

/// A clock that tests move by hand. Times are truncated to microseconds, as PostgreSQL keeps.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    /// A clock standing at `now`.
    #[must_use]
    pub fn at(now: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(now.trunc_subsecs(6))))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Reads `current` every 50 ms until `done` holds for it or `timeout` passes; returns the last
/// reading. The loopback fakes wait with this.
pub async fn eventually<T>(
    timeout: std::time::Duration,
    current: impl Fn() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let now = current();
        if done(&now) || tokio::time::Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

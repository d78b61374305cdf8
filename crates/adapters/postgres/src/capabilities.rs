//! The capability path (R12): facts read without personal data, and a per-replica cache whose
//! staleness is bounded.
//!
//! Every committed change to an account's R12 facts sends `NOTIFY realname_accounts, '<id>'`
//! (a trigger, migration 000011). A listener connection evicts those ids. A ping with its send
//! time goes through the same channel every quarter of the bound; notifications arrive in
//! commit order, so once a ping sent at `S` is processed, every change committed before `S` has
//! been evicted. The cache answers only while the last processed ping is younger than the
//! bound; otherwise (listener down or lagging) every read goes to the database. A read that
//! raced an eviction of the same account is not cached, and entries also expire after a
//! fallback time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures::StreamExt;
use realname_domain::capabilities::CapabilityInputs;
use realname_domain::{AccountId, AccountState, RealNameStatus};
use realname_ports::{CapabilityFacts, CapabilityReader, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::store_error;
use crate::rows::corrupt;
use crate::schema::accounts;
use crate::store::PgStore;

const CHANNEL: &str = "realname_accounts";
const PING: &str = "ping:";

type FactsRow = (
    Uuid,
    Option<Uuid>,
    bool,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

#[async_trait]
impl CapabilityReader for PgStore {
    async fn capability_facts(&self, id: AccountId) -> Result<Option<CapabilityFacts>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<FactsRow> = accounts::table
            .find(id.as_uuid())
            .select((
                accounts::id,
                accounts::root_id,
                accounts::inherits,
                accounts::state,
                accounts::status,
                accounts::agreement_expires_at,
                accounts::revocation_pending_at,
                accounts::credentials_epoch,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(
            |(id, root, inherits, state, status, agreement, pending, epoch)| {
                let id = AccountId::from_uuid(id);
                let root = root.map_or(id, AccountId::from_uuid);
                Ok(CapabilityFacts {
                    id,
                    root,
                    inherits_from: inherits.then_some(root),
                    inputs: CapabilityInputs {
                        state: AccountState::parse(&state)
                            .ok_or_else(|| corrupt("account state"))?,
                        status: RealNameStatus::parse(&status)
                            .ok_or_else(|| corrupt("real-name status"))?,
                        agreement_expires_at: agreement,
                        pending_revocation_at: pending,
                    },
                    credentials_epoch: epoch,
                })
            },
        )
        .transpose()
    }
}

/// Cache settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityCacheSettings {
    /// Whether replicas cache capability facts.
    pub enabled: bool,
    /// The most an answer may lag a committed change, in milliseconds.
    pub max_staleness_ms: u64,
    /// Entries expire after this many seconds whatever happens.
    pub ttl_secs: u64,
    /// At most this many accounts are cached; the cache is emptied when it is full.
    pub capacity: usize,
}

struct Entry {
    facts: CapabilityFacts,
    cached_at: Instant,
}

/// How many evicted ids are remembered before the record is reset (which refuses every fill
/// in flight, as an eviction of everything would).
const EVICTIONS_REMEMBERED: usize = 65_536;

/// The entries, and what was evicted when: a read of the database may fill its entry only if
/// that account was not evicted after the read began. Evictions are numbered in the order the
/// listener processes them.
#[derive(Default)]
struct Entries {
    entries: HashMap<AccountId, Entry>,
    /// The number of the last eviction of each recently evicted account.
    evicted: HashMap<AccountId, u64>,
    /// Evictions up to this number may have touched any account.
    cleared_through: u64,
}

impl Entries {
    fn evict(&mut self, id: Option<AccountId>, number: u64) {
        match id {
            Some(id) if self.evicted.len() < EVICTIONS_REMEMBERED => {
                self.entries.remove(&id);
                self.evicted.insert(id, number);
            }
            Some(id) => {
                self.entries.remove(&id);
                self.evicted.clear();
                self.cleared_through = number;
            }
            None => {
                self.entries.clear();
                self.evicted.clear();
                self.cleared_through = number;
            }
        }
    }

    /// Fills `id` with what a read that began after eviction `began_after` found, unless the
    /// account was evicted since.
    fn fill(&mut self, id: AccountId, entry: Entry, began_after: u64, capacity: usize) -> bool {
        let evicted_since = self.cleared_through > began_after
            || self.evicted.get(&id).is_some_and(|&n| n > began_after);
        if evicted_since {
            return false;
        }
        if self.entries.len() >= capacity {
            self.entries.clear();
        }
        self.entries.insert(id, entry);
        true
    }
}

/// A [`CapabilityReader`] with a bounded-staleness cache in front of the database.
pub struct CachedCapabilities {
    store: Arc<PgStore>,
    settings: CapabilityCacheSettings,
    entries: RwLock<Entries>,
    /// Evictions numbered so far.
    evictions: AtomicU64,
    /// The send time (ms since the epoch) of the last ping the listener processed.
    pinged_at_ms: AtomicI64,
}

impl CachedCapabilities {
    /// A cache over `store`; [`Self::spawn`] starts its listener.
    #[must_use]
    pub fn new(store: Arc<PgStore>, settings: CapabilityCacheSettings) -> Arc<Self> {
        Arc::new(Self {
            store,
            settings,
            entries: RwLock::new(Entries::default()),
            evictions: AtomicU64::new(0),
            pinged_at_ms: AtomicI64::new(i64::MIN),
        })
    }

    /// Starts the listener (on its own connection to `url`) and the pinger, until `stop`.
    pub fn spawn(self: &Arc<Self>, url: String, stop: tokio_util::sync::CancellationToken) {
        let listener = self.clone();
        let listen_stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = listen_stop.cancelled() => {}
                () = listener.listen(&url) => {}
            }
        });
        let pinger = self.clone();
        tokio::spawn(async move {
            let every = Duration::from_millis((pinger.settings.max_staleness_ms / 4).max(10));
            let mut interval = tokio::time::interval(every);
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    _ = interval.tick() => pinger.ping().await,
                }
            }
        });
    }

    /// Whether the cache may answer now: its listener has processed a ping younger than the
    /// staleness bound.
    #[must_use]
    pub fn is_fresh(&self) -> bool {
        self.fresh()
    }

    fn fresh(&self) -> bool {
        let pinged = AtomicI64::load(&self.pinged_at_ms, Ordering::SeqCst);
        let bound = i64::try_from(self.settings.max_staleness_ms).unwrap_or(i64::MAX);
        pinged != i64::MIN && Utc::now().timestamp_millis().saturating_sub(pinged) <= bound
    }

    fn evict(&self, id: Option<AccountId>) {
        let number = self.evictions.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut entries) = self.entries.write() {
            entries.evict(id, number);
        }
    }

    async fn ping(&self) {
        let payload = format!("{PING}{}", Utc::now().timestamp_millis());
        let Ok(mut conn) = self.store.conn().await else {
            return;
        };
        let sent = diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(payload)
            .execute(&mut conn)
            .await;
        if let Err(error) = sent {
            tracing::warn!(error = %error, "capability cache ping failed");
        }
    }

    /// Listens until the connection fails, then reconnects; the cache is emptied each time
    /// it (re)starts listening, since changes may have been missed.
    async fn listen(&self, url: &str) {
        loop {
            match AsyncPgConnection::establish(url).await {
                Ok(mut conn) => {
                    let listening = diesel::sql_query(format!("LISTEN {CHANNEL}"))
                        .execute(&mut conn)
                        .await;
                    if listening.is_ok() {
                        self.evict(None);
                        let mut notifications = std::pin::pin!(conn.notifications_stream());
                        while let Some(Ok(notification)) = notifications.next().await {
                            self.handle(&notification.payload);
                        }
                    }
                    tracing::warn!("capability cache listener lost its connection");
                }
                Err(error) => {
                    tracing::warn!(error = %error, "capability cache listener cannot connect")
                }
            }
            self.pinged_at_ms.store(i64::MIN, Ordering::SeqCst);
            self.evict(None);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    fn handle(&self, payload: &str) {
        if let Some(sent) = payload.strip_prefix(PING) {
            if let Ok(sent) = sent.parse::<i64>() {
                self.pinged_at_ms.fetch_max(sent, Ordering::SeqCst);
            }
            return;
        }
        let id = Uuid::try_parse(payload).ok().map(AccountId::from_uuid);
        // An unreadable payload empties the whole cache rather than risk a stale answer.
        self.evict(id);
    }
}

#[async_trait]
impl CapabilityReader for CachedCapabilities {
    async fn capability_facts(&self, id: AccountId) -> Result<Option<CapabilityFacts>, StoreError> {
        if !self.settings.enabled || !self.fresh() {
            return self.store.capability_facts(id).await;
        }
        let ttl = Duration::from_secs(self.settings.ttl_secs);
        if let Ok(entries) = self.entries.read()
            && let Some(entry) = entries.entries.get(&id)
            && entry.cached_at.elapsed() < ttl
        {
            return Ok(Some(entry.facts));
        }
        let began_after = AtomicU64::load(&self.evictions, Ordering::SeqCst);
        let read_at = Instant::now();
        let facts = self.store.capability_facts(id).await?;
        if let Some(facts) = facts
            && let Ok(mut entries) = self.entries.write()
        {
            let entry = Entry {
                facts,
                cached_at: read_at,
            };
            entries.fill(id, entry, began_after, self.settings.capacity);
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: AccountId) -> Entry {
        Entry {
            facts: CapabilityFacts {
                id,
                root: id,
                inherits_from: None,
                inputs: CapabilityInputs {
                    state: AccountState::Active,
                    status: RealNameStatus::Verified,
                    agreement_expires_at: None,
                    pending_revocation_at: None,
                },
                credentials_epoch: None,
            },
            cached_at: Instant::now(),
        }
    }

    #[test]
    fn a_read_that_raced_an_eviction_of_its_account_is_not_cached() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let mut cache = Entries::default();
        // A read of `a` begins after eviction 4; `a` changes (eviction 5) before it returns.
        cache.evict(Some(a), 5);
        assert!(!cache.fill(a, entry(a), 4, 10));
        assert!(!cache.entries.contains_key(&a));
        // A read that began after that eviction may fill.
        assert!(cache.fill(a, entry(a), 5, 10));
        // Another account's change does not hold back the fill of `b`.
        cache.evict(Some(a), 6);
        assert!(cache.fill(b, entry(b), 5, 10));
        assert!(!cache.entries.contains_key(&a), "evicted");
    }

    #[test]
    fn an_eviction_of_everything_refuses_every_fill_in_flight() {
        let a = AccountId::new();
        let mut cache = Entries::default();
        assert!(cache.fill(a, entry(a), 0, 10));
        cache.evict(None, 1);
        assert!(cache.entries.is_empty());
        assert!(!cache.fill(a, entry(a), 0, 10));
        assert!(cache.fill(a, entry(a), 1, 10));
    }

    #[test]
    fn a_full_record_of_evictions_is_reset_conservatively() {
        let mut cache = Entries::default();
        for n in 1..=EVICTIONS_REMEMBERED as u64 {
            cache.evict(Some(AccountId::new()), n);
        }
        let last = EVICTIONS_REMEMBERED as u64 + 1;
        cache.evict(Some(AccountId::new()), last);
        assert!(cache.evicted.is_empty());
        let unrelated = AccountId::new();
        assert!(
            !cache.fill(unrelated, entry(unrelated), last - 1, 10),
            "a read older than the reset cannot know what changed"
        );
        assert!(cache.fill(unrelated, entry(unrelated), last, 10));
    }

    #[test]
    fn a_full_cache_starts_over() {
        let mut cache = Entries::default();
        let (a, b) = (AccountId::new(), AccountId::new());
        assert!(cache.fill(a, entry(a), 0, 1));
        assert!(cache.fill(b, entry(b), 0, 1));
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.entries.contains_key(&b));
    }
}

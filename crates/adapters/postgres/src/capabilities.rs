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
//!
//! Each time the listener starts, the cache is warmed from the table in batches, under the
//! same rule as any read: a batch fills only accounts not evicted since it began. Entries are
//! packed (24 bytes with the key; sub-accounts' roots and the few accounts' times in maps of
//! their own), so that a replica holds every account of a million-account table in its bound.

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

/// The columns R12 reads of an account: no personal data.
#[derive(Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::pg::Pg))]
struct FactsRow {
    id: Uuid,
    root_id: Option<Uuid>,
    inherits: bool,
    state: String,
    status: String,
    agreement_expires_at: Option<DateTime<Utc>>,
    revocation_pending_at: Option<DateTime<Utc>>,
    credentials_epoch: Option<DateTime<Utc>>,
}

fn facts_of(row: FactsRow) -> Result<CapabilityFacts, StoreError> {
    let id = AccountId::from_uuid(row.id);
    let root = row.root_id.map_or(id, AccountId::from_uuid);
    Ok(CapabilityFacts {
        id,
        root,
        inherits_from: row.inherits.then_some(root),
        inputs: CapabilityInputs {
            state: AccountState::parse(&row.state).ok_or_else(|| corrupt("account state"))?,
            status: RealNameStatus::parse(&row.status)
                .ok_or_else(|| corrupt("real-name status"))?,
            agreement_expires_at: row.agreement_expires_at,
            pending_revocation_at: row.revocation_pending_at,
        },
        credentials_epoch: row.credentials_epoch,
    })
}

#[async_trait]
impl CapabilityReader for PgStore {
    async fn capability_facts(&self, id: AccountId) -> Result<Option<CapabilityFacts>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<FactsRow> = accounts::table
            .find(id.as_uuid())
            .select(FactsRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(facts_of).transpose()
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
    /// At most this many accounts are cached; the cache is emptied when a read finds it full
    /// (the warm-up stops there instead).
    pub capacity: usize,
    /// Whether the listener warms the cache from the table each time it starts.
    pub warm_on_start: bool,
}

/// The accounts read per warm-up batch.
const WARM_BATCH: i64 = 10_000;

/// An absent time in a [`Packed`] entry.
const NO_TIME: i64 = i64::MIN;

/// One account's facts as the cache keeps them: state, status, inheritance and whether it has
/// times in one byte, and when it was cached in seconds since the cache began. A sub-account's
/// root is kept in [`Entries::roots`], and the times of the few accounts that have any in
/// [`Entries::times`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    cached_at: u32,
    flags: u8,
}

/// An account's agreement expiry, pending revocation and credentials epoch, in microseconds
/// (as PostgreSQL keeps them, so nothing is rounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Times([i64; 3]);

fn pack_time(at: Option<DateTime<Utc>>) -> i64 {
    at.map_or(NO_TIME, |t| t.timestamp_micros())
}

fn unpack_time(at: i64) -> Option<DateTime<Utc>> {
    if at == NO_TIME {
        return None;
    }
    DateTime::from_timestamp_micros(at)
}

const STATES: [AccountState; 3] = [
    AccountState::Active,
    AccountState::Frozen,
    AccountState::Closed,
];
const STATUSES: [RealNameStatus; 3] = [
    RealNameStatus::Unverified,
    RealNameStatus::Verified,
    RealNameStatus::Revoked,
];
const INHERITS: u8 = 1 << 4;
const HAS_TIMES: u8 = 1 << 5;

impl Packed {
    fn pack(facts: &CapabilityFacts, cached_at: u32) -> (Self, Option<Times>) {
        let index = |found: Option<usize>| u8::try_from(found.unwrap_or(0)).unwrap_or(0);
        let state = index(STATES.iter().position(|s| *s == facts.inputs.state));
        let status = index(STATUSES.iter().position(|s| *s == facts.inputs.status));
        let inherits = if facts.inherits_from.is_some() {
            INHERITS
        } else {
            0
        };
        let times = Times([
            pack_time(facts.inputs.agreement_expires_at),
            pack_time(facts.inputs.pending_revocation_at),
            pack_time(facts.credentials_epoch),
        ]);
        let times = times.0.iter().any(|t| *t != NO_TIME).then_some(times);
        let has_times = if times.is_some() { HAS_TIMES } else { 0 };
        let flags = state | status << 2 | inherits | has_times;
        (Self { cached_at, flags }, times)
    }

    fn unpack(self, id: AccountId, root: AccountId, times: Option<Times>) -> CapabilityFacts {
        let [agreement, pending, epoch] = times.map_or([NO_TIME; 3], |t| t.0);
        CapabilityFacts {
            id,
            root,
            inherits_from: (self.flags & INHERITS != 0).then_some(root),
            inputs: CapabilityInputs {
                state: STATES[usize::from(self.flags & 3).min(2)],
                status: STATUSES[usize::from(self.flags >> 2 & 3).min(2)],
                agreement_expires_at: unpack_time(agreement),
                pending_revocation_at: unpack_time(pending),
            },
            credentials_epoch: unpack_time(epoch),
        }
    }
}

/// How many evicted ids are remembered before the record is reset (which refuses every fill
/// in flight, as an eviction of everything would).
const EVICTIONS_REMEMBERED: usize = 65_536;

/// The entries, and what was evicted when: a read of the database may fill its entry only if
/// that account was not evicted after the read began. Evictions are numbered in the order the
/// listener processes them.
#[derive(Default)]
struct Entries {
    entries: HashMap<AccountId, Packed>,
    /// The root of each cached sub-account (R16); a root account is its own.
    roots: HashMap<AccountId, AccountId>,
    /// The times of each cached account that has any.
    times: HashMap<AccountId, Times>,
    /// The number of the last eviction of each recently evicted account.
    evicted: HashMap<AccountId, u64>,
    /// Evictions up to this number may have touched any account.
    cleared_through: u64,
}

impl Entries {
    fn evict(&mut self, id: Option<AccountId>, number: u64) {
        match id {
            Some(id) if self.evicted.len() < EVICTIONS_REMEMBERED => {
                self.remove(id);
                self.evicted.insert(id, number);
            }
            Some(id) => {
                self.remove(id);
                self.evicted.clear();
                self.cleared_through = number;
            }
            None => {
                self.clear();
                self.evicted.clear();
                self.cleared_through = number;
            }
        }
    }

    fn remove(&mut self, id: AccountId) {
        if let Some(packed) = self.entries.remove(&id) {
            if packed.flags & HAS_TIMES != 0 {
                self.times.remove(&id);
            }
            self.roots.remove(&id);
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.roots.clear();
        self.times.clear();
    }

    /// The cached facts of `id`, if cached at or after `fresh_from`.
    fn get(&self, id: AccountId, fresh_from: u32) -> Option<CapabilityFacts> {
        let packed = self
            .entries
            .get(&id)
            .filter(|p| p.cached_at >= fresh_from)?;
        let root = self.roots.get(&id).copied().unwrap_or(id);
        let times = (packed.flags & HAS_TIMES != 0)
            .then(|| self.times.get(&id).copied())
            .flatten();
        Some(packed.unpack(id, root, times))
    }

    /// Fills `facts` as what a read that began after eviction `began_after` found, unless the
    /// account was evicted since. A full cache is emptied first, or, when `full` says so, the
    /// fill is refused.
    fn fill(
        &mut self,
        facts: &CapabilityFacts,
        cached_at: u32,
        began_after: u64,
        capacity: usize,
        full: WhenFull,
    ) -> bool {
        let id = facts.id;
        let evicted_since = self.cleared_through > began_after
            || self.evicted.get(&id).is_some_and(|&n| n > began_after);
        if evicted_since {
            return false;
        }
        if self.entries.len() >= capacity && !self.entries.contains_key(&id) {
            match full {
                WhenFull::StartOver => self.clear(),
                WhenFull::Refuse => return false,
            }
        }
        self.remove(id);
        let (packed, times) = Packed::pack(facts, cached_at);
        self.entries.insert(id, packed);
        if let Some(times) = times {
            self.times.insert(id, times);
        }
        if facts.root != id {
            self.roots.insert(id, facts.root);
        }
        true
    }
}

/// What a fill does when the cache is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WhenFull {
    /// A read: empty the cache and start over.
    StartOver,
    /// The warm-up: stop filling.
    Refuse,
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
    /// What entries' `cached_at` counts from.
    started: Instant,
}

impl CachedCapabilities {
    /// A cache over `store`; [`Self::spawn`] starts its listener.
    #[must_use]
    pub fn new(store: Arc<PgStore>, settings: CapabilityCacheSettings) -> Arc<Self> {
        let cache = Arc::new(Self {
            store,
            settings,
            entries: RwLock::new(Entries::default()),
            evictions: AtomicU64::new(0),
            pinged_at_ms: AtomicI64::new(i64::MIN),
            started: Instant::now(),
        });
        // This replica's own commits evict at once: a caller reads its own change.
        let heard = Arc::downgrade(&cache);
        cache.store.on_commit(Box::new(move |saved| {
            if let Some(cache) = heard.upgrade() {
                for id in saved {
                    cache.evict(Some(AccountId::from_uuid(*id)));
                }
            }
        }));
        cache
    }

    /// Starts the listener (on its own connection to `url`) and the pinger, until `stop`.
    pub fn spawn(self: &Arc<Self>, url: String, stop: tokio_util::sync::CancellationToken) {
        let listener = self.clone();
        let listen_stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = listen_stop.cancelled() => {}
                () = listener.listen(&url, &listen_stop) => {}
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

    /// Seconds since the cache began, as entries' `cached_at` counts them.
    fn now_secs(&self) -> u32 {
        u32::try_from(self.started.elapsed().as_secs()).unwrap_or(u32::MAX)
    }

    /// The oldest `cached_at` still inside the fallback expiry.
    fn fresh_from(&self) -> u32 {
        let ttl = u32::try_from(self.settings.ttl_secs).unwrap_or(u32::MAX);
        self.now_secs().saturating_sub(ttl)
    }

    /// Reads the whole table in id order, one batch at a time, filling the cache under the
    /// rule of every read (no account evicted since its batch began) until it is full, or
    /// until the cache is emptied again (the listener restarted: a new warm-up begins).
    async fn warm(&self) {
        let generation = self.entries.read().map_or(0, |e| e.cleared_through);
        let mut after = Uuid::nil();
        let started = Instant::now();
        let mut warmed = 0_usize;
        loop {
            let began_after = AtomicU64::load(&self.evictions, Ordering::SeqCst);
            let read_at = self.now_secs();
            let batch: Result<Vec<FactsRow>, StoreError> = async {
                let mut conn = self.store.conn().await?;
                accounts::table
                    .filter(accounts::id.gt(after))
                    .order(accounts::id)
                    .limit(WARM_BATCH)
                    .select(FactsRow::as_select())
                    .load(&mut conn)
                    .await
                    .map_err(store_error)
            }
            .await;
            let rows = match batch {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::warn!(error = %error, "capability cache warm-up stopped");
                    return;
                }
            };
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let Ok(mut entries) = self.entries.write() else {
                return;
            };
            if entries.cleared_through != generation {
                return;
            }
            for facts in rows.into_iter().filter_map(|row| facts_of(row).ok()) {
                let capacity = self.settings.capacity;
                if !entries.fill(&facts, read_at, began_after, capacity, WhenFull::Refuse)
                    && entries.entries.len() >= capacity
                {
                    tracing::info!(
                        accounts = warmed,
                        "capability cache warm-up reached its capacity"
                    );
                    return;
                }
                warmed += 1;
            }
            drop(entries);
            after = last;
        }
        tracing::info!(
            accounts = warmed,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "capability cache warmed"
        );
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
    /// it (re)starts listening, since changes may have been missed, and then warmed.
    async fn listen(self: &Arc<Self>, url: &str, stop: &tokio_util::sync::CancellationToken) {
        loop {
            match AsyncPgConnection::establish(url).await {
                Ok(mut conn) => {
                    let listening = diesel::sql_query(format!("LISTEN {CHANNEL}"))
                        .execute(&mut conn)
                        .await;
                    if listening.is_ok() {
                        self.evict(None);
                        if self.settings.enabled && self.settings.warm_on_start {
                            let (cache, stop) = (self.clone(), stop.clone());
                            tokio::spawn(async move {
                                tokio::select! {
                                    () = stop.cancelled() => {}
                                    () = cache.warm() => {}
                                }
                            });
                        }
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
        if let Ok(entries) = self.entries.read()
            && let Some(facts) = entries.get(id, self.fresh_from())
        {
            return Ok(Some(facts));
        }
        let began_after = AtomicU64::load(&self.evictions, Ordering::SeqCst);
        let read_at = self.now_secs();
        let facts = self.store.capability_facts(id).await?;
        if let Some(facts) = &facts
            && let Ok(mut entries) = self.entries.write()
        {
            let capacity = self.settings.capacity;
            entries.fill(facts, read_at, began_after, capacity, WhenFull::StartOver);
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: AccountId) -> CapabilityFacts {
        CapabilityFacts {
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
        }
    }

    fn fill(cache: &mut Entries, id: AccountId, began_after: u64, capacity: usize) -> bool {
        cache.fill(&facts(id), 0, began_after, capacity, WhenFull::StartOver)
    }

    #[test]
    fn a_read_that_raced_an_eviction_of_its_account_is_not_cached() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let mut cache = Entries::default();
        // A read of `a` begins after eviction 4; `a` changes (eviction 5) before it returns.
        cache.evict(Some(a), 5);
        assert!(!fill(&mut cache, a, 4, 10));
        assert!(!cache.entries.contains_key(&a));
        // A read that began after that eviction may fill.
        assert!(fill(&mut cache, a, 5, 10));
        // Another account's change does not hold back the fill of `b`.
        cache.evict(Some(a), 6);
        assert!(fill(&mut cache, b, 5, 10));
        assert!(!cache.entries.contains_key(&a), "evicted");
    }

    #[test]
    fn an_eviction_of_everything_refuses_every_fill_in_flight() {
        let a = AccountId::new();
        let mut cache = Entries::default();
        assert!(fill(&mut cache, a, 0, 10));
        cache.evict(None, 1);
        assert!(cache.entries.is_empty());
        assert!(!fill(&mut cache, a, 0, 10));
        assert!(fill(&mut cache, a, 1, 10));
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
            !fill(&mut cache, unrelated, last - 1, 10),
            "a read older than the reset cannot know what changed"
        );
        assert!(fill(&mut cache, unrelated, last, 10));
    }

    #[test]
    fn a_full_cache_starts_over_for_a_read_and_refuses_the_warm_up() {
        let mut cache = Entries::default();
        let (a, b, c) = (AccountId::new(), AccountId::new(), AccountId::new());
        assert!(fill(&mut cache, a, 0, 1));
        assert!(fill(&mut cache, b, 0, 1));
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.entries.contains_key(&b));
        assert!(!cache.fill(&facts(c), 0, 0, 1, WhenFull::Refuse));
        assert!(cache.entries.contains_key(&b), "the warm-up evicts nothing");
    }

    #[test]
    fn packing_keeps_every_fact_to_the_microsecond() {
        let root = AccountId::new();
        let at = |micros: i64| DateTime::from_timestamp_micros(micros);
        for state in STATES {
            for status in STATUSES {
                for (inherits, agreement, pending, epoch) in [
                    (
                        true,
                        at(1_764_000_000_123_456),
                        None,
                        at(1_700_000_000_000_001),
                    ),
                    (false, None, at(1_800_000_000_999_999), None),
                ] {
                    let sub = CapabilityFacts {
                        id: AccountId::new(),
                        root,
                        inherits_from: inherits.then_some(root),
                        inputs: CapabilityInputs {
                            state,
                            status,
                            agreement_expires_at: agreement,
                            pending_revocation_at: pending,
                        },
                        credentials_epoch: epoch,
                    };
                    let mut cache = Entries::default();
                    assert!(cache.fill(&sub, 7, 0, 10, WhenFull::Refuse));
                    assert_eq!(cache.get(sub.id, 0), Some(sub));
                    assert_eq!(cache.get(sub.id, 8), None, "older than the fallback expiry");
                    cache.evict(Some(sub.id), 1);
                    assert!(cache.roots.is_empty(), "the root goes with its entry");
                    assert!(cache.times.is_empty(), "and so do its times");
                }
            }
        }
    }

    #[test]
    fn an_entry_with_its_key_takes_24_bytes() {
        assert_eq!(
            std::mem::size_of::<(AccountId, Packed)>(),
            24,
            "the capacity's memory figure in the README counts on it"
        );
    }
}

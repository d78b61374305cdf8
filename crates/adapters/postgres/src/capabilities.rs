//! The capability path (R12): facts read without personal data, and a per-replica cache whose
//! staleness is bounded.
//!
//! Every committed change to an account's R12 facts writes a row to `capability_changes`, with
//! its transaction's id (a trigger, migrations 000011 and 000024). Each replica polls that table
//! every tenth of the bound on a connection of its own, by snapshot watermark (see
//! [`Watermark`]), and evicts the accounts it finds. Once a poll sent at `S` is processed, every
//! change committed before `S` has been evicted, so the cache answers only while the last
//! processed poll is younger than the bound; otherwise (poller down or lagging) every read goes
//! to the database. A read that raced an eviction of the same account is not cached, and
//! entries also expire after a fallback time. (Until migration 000024 the trigger sent
//! `NOTIFY`, whose database-wide commit lock made notifying transactions commit one at a time.)
//!
//! Each time the poller starts, the cache is emptied and warmed from the table in batches,
//! under the same rule as any read: a batch fills only accounts not evicted since it began.
//! Entries are packed (24 bytes with the key; sub-accounts' roots and the few accounts' times
//! in maps of their own), so that a replica holds every account of a million-account table in
//! its bound.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use realname_domain::capabilities::CapabilityInputs;
use realname_domain::{AccountId, AccountState, RealNameStatus};
use realname_ports::{CapabilityFacts, CapabilityReader, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::store_error;
use crate::rows::corrupt;
use crate::schema::accounts;
use crate::store::PgStore;

/// One poll: the snapshot's xmin, and the changes of transactions from `$1` (the previous
/// poll's xmin) on, none on the first poll of a connection.
const POLL: &str = "SELECT s.xmin, c.xid, c.account_id \
    FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin) s \
    LEFT JOIN capability_changes c ON $1::bigint IS NOT NULL AND c.xid >= $1::bigint";

/// Rows older than this are pruned; a poller that has not polled for half of it starts over.
const KEEP_CHANGES: Duration = Duration::from_secs(60);
const PRUNE: &str =
    "DELETE FROM capability_changes WHERE changed_at < now() - interval '60 seconds'";
/// How many polls between prunes.
const GC_EVERY_POLLS: u64 = 100;

#[derive(diesel::QueryableByName)]
struct ChangeRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    xmin: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    xid: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    account_id: Option<Uuid>,
}

/// Where a connection's polls have got to.
#[derive(Default)]
struct Watermark {
    /// The last poll's xmin: the next poll reads from there.
    low: Option<i64>,
    /// Transactions at or above `low` whose changes were processed: a transaction's rows
    /// become visible all at once, at its commit.
    seen: std::collections::HashSet<i64>,
    /// When the last poll was sent.
    last: Option<DateTime<Utc>>,
    polls: u64,
}

/// What a poll asks of the cache.
#[derive(Debug, PartialEq, Eq)]
enum Advance {
    /// The first poll, or one after too long a gap: changes may have been missed.
    StartOver,
    /// These accounts changed.
    Evict(Vec<AccountId>),
}

impl Watermark {
    /// Takes in one poll's rows, sent at `sent`.
    fn advance(&mut self, rows: &[ChangeRow], sent: DateTime<Utc>) -> Advance {
        self.polls += 1;
        let too_late = self
            .last
            .is_some_and(|last| (sent - last).to_std().unwrap_or_default() > KEEP_CHANGES / 2);
        self.last = Some(sent);
        let first = self.low.is_none();
        // Every poll answers the snapshot's row, even with no change.
        let Some(xmin) = rows.first().map(|r| r.xmin) else {
            return Advance::StartOver;
        };
        let mut fresh = std::collections::HashSet::new();
        let mut ids = Vec::new();
        for row in rows {
            if let (Some(xid), Some(account)) = (row.xid, row.account_id)
                && !self.seen.contains(&xid)
            {
                fresh.insert(xid);
                ids.push(AccountId::from_uuid(account));
            }
        }
        self.seen.extend(fresh);
        let low = self.low.map_or(xmin, |low| low.max(xmin));
        self.seen.retain(|&xid| xid >= low);
        self.low = Some(low);
        if first || too_late {
            Advance::StartOver
        } else {
            Advance::Evict(ids)
        }
    }
}

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

const FACTS: (
    accounts::id,
    accounts::root_id,
    accounts::inherits,
    accounts::state,
    accounts::status,
    accounts::agreement_expires_at,
    accounts::revocation_pending_at,
    accounts::credentials_epoch,
) = (
    accounts::id,
    accounts::root_id,
    accounts::inherits,
    accounts::state,
    accounts::status,
    accounts::agreement_expires_at,
    accounts::revocation_pending_at,
    accounts::credentials_epoch,
);

fn facts_of(row: FactsRow) -> Result<CapabilityFacts, StoreError> {
    let (id, root, inherits, state, status, agreement, pending, epoch) = row;
    let id = AccountId::from_uuid(id);
    let root = root.map_or(id, AccountId::from_uuid);
    Ok(CapabilityFacts {
        id,
        root,
        inherits_from: inherits.then_some(root),
        inputs: CapabilityInputs {
            state: AccountState::parse(&state).ok_or_else(|| corrupt("account state"))?,
            status: RealNameStatus::parse(&status).ok_or_else(|| corrupt("real-name status"))?,
            agreement_expires_at: agreement,
            pending_revocation_at: pending,
        },
        credentials_epoch: epoch,
    })
}

#[async_trait]
impl CapabilityReader for PgStore {
    async fn capability_facts(&self, id: AccountId) -> Result<Option<CapabilityFacts>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<FactsRow> = accounts::table
            .find(id.as_uuid())
            .select(FACTS)
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
        Arc::new(Self {
            store,
            settings,
            entries: RwLock::new(Entries::default()),
            evictions: AtomicU64::new(0),
            pinged_at_ms: AtomicI64::new(i64::MIN),
            started: Instant::now(),
        })
    }

    /// Starts the poller of `capability_changes` (on its own connection to `url`), until
    /// `stop`.
    pub fn spawn(self: &Arc<Self>, url: String, stop: tokio_util::sync::CancellationToken) {
        let poller = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = poller.poll_changes(&url, &stop) => {}
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
                    .select(FACTS)
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
            let Some(last) = rows.last().map(|r| r.0) else {
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

    /// Empties the cache, since changes may have been missed, and warms it again.
    fn start_over(self: &Arc<Self>, stop: &tokio_util::sync::CancellationToken) {
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
    }

    /// Polls `capability_changes` every tenth of the bound until the connection fails, then
    /// reconnects. Each poll reads, with one snapshot, that snapshot's xmin and the rows of
    /// transactions from the previous poll's xmin on: every transaction below an xmin has
    /// ended, so nothing committed later can be missed. Once a poll sent at `S` is processed,
    /// every change committed before `S` has been evicted, which is what freshness counts.
    async fn poll_changes(self: &Arc<Self>, url: &str, stop: &tokio_util::sync::CancellationToken) {
        let every = Duration::from_millis((self.settings.max_staleness_ms / 10).max(10));
        loop {
            match AsyncPgConnection::establish(url).await {
                Ok(mut conn) => {
                    let mut watermark = Watermark::default();
                    let mut ticks = tokio::time::interval(every);
                    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        ticks.tick().await;
                        let sent = Utc::now();
                        let polled: Result<Vec<ChangeRow>, _> = diesel::sql_query(POLL)
                            .bind::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>, _>(
                                watermark.low,
                            )
                            .load(&mut conn)
                            .await;
                        let Ok(rows) = polled else { break };
                        match watermark.advance(&rows, sent) {
                            Advance::StartOver => self.start_over(stop),
                            Advance::Evict(ids) => {
                                for id in ids {
                                    self.evict(Some(id));
                                }
                            }
                        }
                        self.pinged_at_ms
                            .fetch_max(sent.timestamp_millis(), Ordering::SeqCst);
                        if watermark.polls.is_multiple_of(GC_EVERY_POLLS) {
                            let pruned = diesel::sql_query(PRUNE).execute(&mut conn).await;
                            if let Err(error) = pruned {
                                tracing::warn!(error = %error, "capability changes not pruned");
                            }
                        }
                    }
                    tracing::warn!("capability change poller lost its connection");
                }
                Err(error) => {
                    tracing::warn!(error = %error, "capability change poller cannot connect")
                }
            }
            self.pinged_at_ms.store(i64::MIN, Ordering::SeqCst);
            self.evict(None);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
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

    fn row(xmin: i64, change: Option<(i64, AccountId)>) -> ChangeRow {
        ChangeRow {
            xmin,
            xid: change.map(|c| c.0),
            account_id: change.map(|c| c.1.as_uuid()),
        }
    }

    #[test]
    fn the_watermark_evicts_each_committed_transaction_once_and_starts_over_after_a_gap() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let t0 = Utc::now();
        let later = |ms: i64| t0 + chrono::Duration::milliseconds(ms);
        let mut mark = Watermark::default();
        // The first poll of a connection knows nothing of what it missed.
        assert_eq!(mark.advance(&[row(100, None)], t0), Advance::StartOver);
        assert_eq!(mark.low, Some(100));
        // Transaction 105 committed; 101 still runs, so the xmin stays at 101.
        let polled = [row(101, Some((105, a)))];
        assert_eq!(mark.advance(&polled, later(100)), Advance::Evict(vec![a]));
        // 105 is read again (it is above the xmin) but evicts nothing twice; 101 commits.
        let polled = [row(101, Some((101, b))), row(101, Some((105, a)))];
        assert_eq!(mark.advance(&polled, later(200)), Advance::Evict(vec![b]));
        // Once the xmin passes them, they are forgotten.
        assert_eq!(
            mark.advance(&[row(110, None)], later(300)),
            Advance::Evict(vec![])
        );
        assert!(mark.seen.is_empty());
        assert_eq!(mark.low, Some(110));
        // A poller that stalled for half the rows' lifetime may have lost rows to the pruning.
        let stalled = later(300) + chrono::Duration::seconds(31);
        assert_eq!(mark.advance(&[row(120, None)], stalled), Advance::StartOver);
        // And an answer without its snapshot row is not trusted.
        assert_eq!(mark.advance(&[], stalled), Advance::StartOver);
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

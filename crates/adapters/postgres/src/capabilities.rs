//! The capability path (R12): facts read without personal data, and a per-replica cache whose
//! staleness is bounded.
//!
//! Every committed change to an account's R12 facts sends `NOTIFY realname_accounts, '<id>'`
//! (a trigger, migration 000011). A listener connection evicts those ids. A ping with its send
//! time goes through the same channel every quarter of the bound; notifications arrive in
//! commit order, so once a ping sent at `S` is processed, every change committed before `S` has
//! been evicted. The cache answers only while the last processed ping is younger than the
//! bound; otherwise (listener down or lagging) every read goes to the database. A read that
//! raced an eviction is not cached, and entries also expire after a fallback time.

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
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|(id, root, inherits, state, status, agreement, pending)| {
            let id = AccountId::from_uuid(id);
            let root = root.map_or(id, AccountId::from_uuid);
            Ok(CapabilityFacts {
                id,
                root,
                inherits_from: inherits.then_some(root),
                inputs: CapabilityInputs {
                    state: AccountState::parse(&state).ok_or_else(|| corrupt("account state"))?,
                    status: RealNameStatus::parse(&status)
                        .ok_or_else(|| corrupt("real-name status"))?,
                    agreement_expires_at: agreement,
                    pending_revocation_at: pending,
                },
            })
        })
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

/// A [`CapabilityReader`] with a bounded-staleness cache in front of the database.
pub struct CachedCapabilities {
    store: Arc<PgStore>,
    settings: CapabilityCacheSettings,
    entries: RwLock<HashMap<AccountId, Entry>>,
    /// Evictions processed so far: a read that overlaps one is not cached.
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
            entries: RwLock::new(HashMap::new()),
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
        self.evictions.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.write() {
            match id {
                Some(id) => {
                    entries.remove(&id);
                }
                None => entries.clear(),
            }
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
            && let Some(entry) = entries.get(&id)
            && entry.cached_at.elapsed() < ttl
        {
            return Ok(Some(entry.facts));
        }
        let evictions = AtomicU64::load(&self.evictions, Ordering::SeqCst);
        let read_at = Instant::now();
        let facts = self.store.capability_facts(id).await?;
        if let Some(facts) = facts
            && let Ok(mut entries) = self.entries.write()
            && AtomicU64::load(&self.evictions, Ordering::SeqCst) == evictions
        {
            if entries.len() >= self.settings.capacity {
                entries.clear();
            }
            entries.insert(
                id,
                Entry {
                    facts,
                    cached_at: read_at,
                },
            );
        }
        Ok(facts)
    }
}

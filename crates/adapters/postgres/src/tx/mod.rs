//! `PgTransaction`: one open transaction on a pooled connection. Locks are row locks taken
//! here; decisions are the domain's.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::FutureExt;
use realname_domain::Application;
use realname_domain::audit::AuditEntry;
use realname_domain::event::NewEvent;
use realname_ports::{StoreError, Transaction};
use uuid::Uuid;

use crate::error::store_error;
use crate::rows::{ApplicationRow, Codec};
use crate::schema::{accounts, applications, audit_log, events};
use crate::store::CommitObserver;

mod accounts_tx;
mod applications_tx;
mod identity_tx;
mod outbox_tx;
mod phones_tx;
pub(crate) mod slots_tx;
pub(crate) use accounts_tx::{InvitationRow, invitation};

/// An open transaction. Dropped without commit, it sends a ROLLBACK, which runs before anything
/// the connection is given next; a connection that cannot take it is taken out of the pool and
/// closed, which rolls it back on the server.
pub(crate) struct PgTransaction {
    conn: Option<Object<AsyncPgConnection>>,
    codec: Codec,
    /// Events and audit entries appended so far, written at commit.
    outbox: Outbox,
    /// The heads of the accounts this transaction has locked, read with the lock.
    heads: HashMap<Uuid, Head>,
    /// The accounts this transaction saved, told to the store's observer once it commits.
    saved: Vec<Uuid>,
    committed: Arc<OnceLock<CommitObserver>>,
}

/// What a transaction appends to its accounts' event sequences and audit chains. Nothing in a
/// transaction reads them back, so they are written at commit: one locking read of the
/// accounts' heads, then the events, the audit entries and the new heads pipelined, instead of
/// five statements per record (a verification was bound by round trips).
#[derive(Default)]
struct Outbox {
    events: Vec<(NewEvent, DateTime<Utc>)>,
    audit: Vec<AuditEntry>,
}

/// An account's event sequence and audit head, as the outbox advances them.
struct Head {
    sequence: i64,
    hash: [u8; 32],
}

impl Head {
    fn read(sequence: i64, hash: Vec<u8>) -> Result<Self, StoreError> {
        let hash = hash
            .try_into()
            .map_err(|_| StoreError::Unknown(anyhow::anyhow!("audit head is not 32 bytes")))?;
        Ok(Self { sequence, hash })
    }

    /// The account's next event number (SPEC §6).
    fn next_sequence(&mut self) -> i64 {
        self.sequence += 1;
        self.sequence
    }

    /// Chains `entry` (R22); returns the hash it follows.
    fn chain(&mut self, entry: &AuditEntry) -> [u8; 32] {
        let previous = self.hash;
        self.hash = entry.chained_hash(&previous);
        previous
    }
}

fn head_of(heads: &mut HashMap<Uuid, Head>, id: Uuid) -> Result<&mut Head, StoreError> {
    heads.get_mut(&id).ok_or(StoreError::NotFound)
}

impl PgTransaction {
    pub(crate) async fn begin(
        conn: Object<AsyncPgConnection>,
        codec: Codec,
        committed: Arc<OnceLock<CommitObserver>>,
    ) -> Result<Self, StoreError> {
        send_only(&conn, "BEGIN").map_err(store_error)?;
        Ok(Self {
            conn: Some(conn),
            codec,
            outbox: Outbox::default(),
            heads: HashMap::new(),
            saved: Vec::new(),
            committed,
        })
    }

    /// Writes the outbox: numbers the events, chains the audit entries (R22), and sends the
    /// events, the entries and the accounts' new heads in one pipeline.
    async fn flush(&mut self) -> Result<(), StoreError> {
        let Outbox { events, audit } = std::mem::take(&mut self.outbox);
        if events.is_empty() && audit.is_empty() {
            return Ok(());
        }
        let touched: BTreeSet<Uuid> = events
            .iter()
            .filter_map(|(e, _)| e.account_id.map(|a| a.as_uuid()))
            .chain(audit.iter().map(|a| a.account_id.as_uuid()))
            .collect();
        let mut heads = self.lock_heads(&touched).await?;

        let mut event_rows = Vec::with_capacity(events.len());
        for (event, at) in &events {
            let account = event.account_id.map(|a| a.as_uuid());
            let sequence = match account {
                Some(id) => Some(head_of(&mut heads, id)?.next_sequence()),
                None => None,
            };
            let data: serde_json::Map<String, serde_json::Value> = event
                .event
                .data()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
                .collect();
            event_rows.push((
                events::id.eq(Uuid::now_v7()),
                events::account_id.eq(account),
                events::sequence.eq(sequence),
                events::event_type.eq(event.event.type_name()),
                events::data.eq(serde_json::Value::Object(data)),
                events::created_at.eq(*at),
            ));
        }
        let mut audit_rows = Vec::with_capacity(audit.len());
        for entry in &audit {
            let head = head_of(&mut heads, entry.account_id.as_uuid())?;
            let previous = head.chain(entry);
            audit_rows.push((
                audit_log::account_id.eq(entry.account_id.as_uuid()),
                audit_log::actor.eq(&entry.actor),
                audit_log::action.eq(&entry.action),
                audit_log::before.eq(&entry.before),
                audit_log::after.eq(&entry.after),
                audit_log::reason.eq(&entry.reason),
                audit_log::at.eq(entry.at),
                audit_log::prev_hash.eq(previous.to_vec()),
                audit_log::hash.eq(head.hash.to_vec()),
            ));
        }

        // All sent before the first answer is read. The writes are independent of each other
        // (each account's entries are in one statement, in chain order), so the order the
        // server runs them in does not matter.
        let mut shared: &AsyncPgConnection = self.conn()?;
        let mut writes = Vec::with_capacity(2 + heads.len());
        if !event_rows.is_empty() {
            writes.push(
                diesel::insert_into(events::table)
                    .values(&event_rows)
                    .execute(&mut shared),
            );
        }
        if !audit_rows.is_empty() {
            writes.push(
                diesel::insert_into(audit_log::table)
                    .values(&audit_rows)
                    .execute(&mut shared),
            );
        }
        for (id, head) in &heads {
            writes.push(
                diesel::update(accounts::table.find(*id))
                    .set((
                        accounts::event_sequence.eq(head.sequence),
                        accounts::audit_head.eq(head.hash.to_vec()),
                    ))
                    .execute(&mut shared),
            );
        }
        futures::future::try_join_all(writes)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// The heads of `touched`: those this transaction read with its lock on the account, and
    /// the others locked now, in id order as every lock of several accounts.
    async fn lock_heads(
        &mut self,
        touched: &BTreeSet<Uuid>,
    ) -> Result<HashMap<Uuid, Head>, StoreError> {
        let mut heads = std::mem::take(&mut self.heads);
        heads.retain(|id, _| touched.contains(id));
        let unlocked: Vec<Uuid> = touched
            .iter()
            .filter(|id| !heads.contains_key(id))
            .copied()
            .collect();
        if !unlocked.is_empty() {
            let rows: Vec<(Uuid, i64, Vec<u8>)> = accounts::table
                .filter(accounts::id.eq_any(&unlocked))
                .select((accounts::id, accounts::event_sequence, accounts::audit_head))
                .order(accounts::id.asc())
                .for_update()
                .load(self.conn()?)
                .await
                .map_err(store_error)?;
            for (id, sequence, hash) in rows {
                heads.insert(id, Head::read(sequence, hash)?);
            }
        }
        Ok(heads)
    }

    fn conn(&mut self) -> Result<&mut AsyncPgConnection, StoreError> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("the transaction is finished")))
    }

    async fn load_application(&mut self, filter: Uuid) -> Result<Option<Application>, StoreError> {
        let row: Option<ApplicationRow> = applications::table
            .find(filter)
            .filter(applications::subject_enc.is_not_null())
            .select(ApplicationRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.application(r)).transpose()
    }
}

#[async_trait]
impl Transaction for PgTransaction {
    async fn rollback(mut self: Box<Self>) -> Result<(), StoreError> {
        let conn = self.conn.take().ok_or(StoreError::NotFound)?;
        roll_back(conn);
        Ok(())
    }
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.flush().await?;
        let conn = self.conn.take().ok_or(StoreError::NotFound)?;
        let mut shared: &AsyncPgConnection = &conn;
        match SimpleAsyncConnection::batch_execute(&mut shared, "COMMIT").await {
            Ok(()) => {
                if let Some(observer) = self.committed.get() {
                    observer(&self.saved);
                }
                Ok(())
            }
            Err(e) => {
                self.conn = Some(conn);
                Err(store_error(e))
            }
        }
    }
}

/// An update of one row by id: zero rows means it does not exist.
fn found(updated: usize) -> Result<(), StoreError> {
    if updated == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

impl Drop for PgTransaction {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            roll_back(conn);
        }
    }
}

/// Sends `sql` without waiting for its answer. Whatever is sent after it on the same
/// connection runs after it, so a transaction's `BEGIN` costs no round trip of its own, nor
/// does the `ROLLBACK` before a connection goes back to the pool. Whether it worked
/// shows in the answer to the next statement.
fn send_only(conn: &AsyncPgConnection, sql: &str) -> Result<(), diesel::result::Error> {
    let mut shared = conn;
    // The first poll hands the query to the connection's task; the answer is not awaited.
    match SimpleAsyncConnection::batch_execute(&mut shared, sql).now_or_never() {
        Some(Err(e)) => Err(e),
        Some(Ok(())) | None => Ok(()),
    }
}

/// Rolls back and returns the connection to the pool; one that cannot take the `ROLLBACK` is
/// taken out of the pool and closed, which rolls back on the server.
fn roll_back(conn: Object<AsyncPgConnection>) {
    if send_only(&conn, "ROLLBACK").is_err() {
        drop(Object::take(conn));
    }
}

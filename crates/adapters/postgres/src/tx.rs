//! `PgTransaction`: one open transaction on a pooled connection. Locks are row locks taken
//! here; decisions are the domain's.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::FutureExt;
use realname_domain::audit::AuditEntry;
use realname_domain::event::NewEvent;
use realname_domain::identifiers::{Phone, Uscc};
use realname_domain::identity::{Case, IdentityProof};
use realname_domain::invitation::{Invitation, InvitationStatus};
use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
use realname_domain::quota::{PhoneSlots, QuotaOverride, SlotHolder, SubjectSlots};
use realname_domain::{
    Account, AccountId, Application, ApplicationId, CaseId, FailureCode, Holding, InvitationId,
    ProofId, Subject,
};
use realname_ports::{StoreError, Transaction};
use uuid::Uuid;

use crate::error::store_error;
use crate::holding::holding;
use crate::identity::{CaseRow, ProofRow};
use crate::rows::{AccountRow, ApplicationRow, Codec, PhoneChangeRow};
use crate::schema::{
    accounts, applications, audit_log, cases, events, identity_proofs, phone_changes,
    phone_numbers, quota_overrides, sub_account_invitations, subjects,
};
use crate::store::UNDECIDED;

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
    ) -> Result<Self, StoreError> {
        send_only(&conn, "BEGIN").map_err(store_error)?;
        Ok(Self {
            conn: Some(conn),
            codec,
            outbox: Outbox::default(),
            heads: HashMap::new(),
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
    async fn lock_phone(&mut self, phone: &Phone, limit: u32) -> Result<PhoneSlots, StoreError> {
        let key = self.codec.phone_key(phone);
        diesel::insert_into(phone_numbers::table)
            .values(phone_numbers::phone_key.eq(&key))
            .on_conflict_do_nothing()
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        phone_numbers::table
            .find(&key)
            .select(phone_numbers::phone_key)
            .for_update()
            .first::<Vec<u8>>(self.conn()?)
            .await
            .map_err(store_error)?;
        let bound: i64 = accounts::table
            .filter(accounts::phone_key.eq(&key))
            .filter(holding(Holding::PHONE_BINDING))
            .count()
            .get_result(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(PhoneSlots {
            limit,
            bound: u32::try_from(bound).unwrap_or(u32::MAX),
        })
    }

    async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError> {
        diesel::insert_into(accounts::table)
            .values(self.codec.account_write(account))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn account_for_update(&mut self, id: AccountId) -> Result<Option<Account>, StoreError> {
        // The lock also reads the account's heads, so that the outbox need not read them again.
        let row: Option<(AccountRow, i64, Vec<u8>)> = accounts::table
            .find(id.as_uuid())
            .select((
                AccountRow::as_select(),
                accounts::event_sequence,
                accounts::audit_head,
            ))
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        let Some((row, sequence, hash)) = row else {
            return Ok(None);
        };
        self.heads.insert(row.id, Head::read(sequence, hash)?);
        self.codec.account(row).map(Some)
    }

    async fn save_account(&mut self, account: &Account) -> Result<(), StoreError> {
        let updated = diesel::update(accounts::table.find(account.id.as_uuid()))
            .set((
                self.codec.account_write(account),
                accounts::updated_at.eq(diesel::dsl::now),
            ))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        found(updated)
    }

    async fn lock_subject(
        &mut self,
        subject: &Subject,
        default_limit: u32,
    ) -> Result<SubjectSlots, StoreError> {
        let key = self.codec.subject_key(subject);
        let subject_type = subject.subject_type();
        diesel::insert_into(subjects::table)
            .values((
                subjects::subject_key.eq(&key),
                subjects::subject_type.eq(subject_type.as_str()),
            ))
            .on_conflict_do_nothing()
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        let override_limit: Option<i32> = subjects::table
            .find(&key)
            .select(subjects::account_limit)
            .for_update()
            .first(self.conn()?)
            .await
            .map_err(store_error)?;
        let rows: Vec<(Uuid, Option<Vec<u8>>, Option<DateTime<Utc>>)> = accounts::table
            .filter(accounts::subject_key.eq(&key))
            .filter(holding(Holding::SUBJECT_SLOT))
            .order(accounts::verified_at.asc())
            .select((accounts::id, accounts::phone_enc, accounts::verified_at))
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        let holders = rows
            .into_iter()
            .map(|(id, phone_enc, verified_at)| {
                Ok(SlotHolder {
                    account_id: AccountId::from_uuid(id),
                    phone_masked: match phone_enc {
                        Some(sealed) => self.codec.open_phone(&sealed, id)?.masked(),
                        None => "redacted".to_owned(),
                    },
                    verified_at: verified_at.unwrap_or_default(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let limit = override_limit
            .and_then(|l| u32::try_from(l).ok())
            .unwrap_or(default_limit);
        Ok(SubjectSlots {
            subject_type,
            limit,
            holders,
        })
    }

    async fn undecided_application(
        &mut self,
        account: AccountId,
    ) -> Result<Option<Application>, StoreError> {
        let row: Option<ApplicationRow> = applications::table
            .filter(applications::account_id.eq(account.as_uuid()))
            .filter(applications::status.eq_any(UNDECIDED))
            .select(ApplicationRow::as_select())
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.application(r)).transpose()
    }

    async fn failed_attempts_since(
        &mut self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let counted: Vec<&str> = FailureCode::ALL
            .into_iter()
            .filter(|c| c.counts_as_failed_attempt())
            .map(FailureCode::as_str)
            .collect();
        let times: Vec<Option<DateTime<Utc>>> = applications::table
            .filter(applications::account_id.eq(account.as_uuid()))
            .filter(applications::status.eq("rejected"))
            .filter(applications::decided_at.ge(since))
            .filter(applications::failure_code.eq_any(counted))
            .select(applications::decided_at)
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(times.into_iter().flatten().collect())
    }

    async fn application_for_update(
        &mut self,
        id: ApplicationId,
    ) -> Result<Option<Application>, StoreError> {
        self.load_application(id.as_uuid()).await
    }

    async fn insert_application(&mut self, application: &Application) -> Result<(), StoreError> {
        diesel::insert_into(applications::table)
            .values(self.codec.application_write(application))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn save_application(&mut self, application: &Application) -> Result<(), StoreError> {
        let updated = diesel::update(applications::table.find(application.id.as_uuid()))
            .set(self.codec.application_write(application))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        found(updated)
    }

    async fn append_event(
        &mut self,
        event: &NewEvent,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.outbox.events.push((event.clone(), at));
        Ok(())
    }

    async fn sub_accounts_for_update(
        &mut self,
        root: AccountId,
    ) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = accounts::table
            .filter(accounts::root_id.eq(root.as_uuid()))
            .order(accounts::id.asc())
            .select(AccountRow::as_select())
            .for_update()
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(|r| self.codec.account(r)).collect()
    }

    async fn save_proof(&mut self, proof: &IdentityProof) -> Result<(), StoreError> {
        let row = self.codec.proof_row(proof);
        diesel::insert_into(identity_proofs::table)
            .values(&row)
            .on_conflict(identity_proofs::id)
            .do_update()
            .set(&row)
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn proof_for_update(&mut self, id: ProofId) -> Result<Option<IdentityProof>, StoreError> {
        let row: Option<ProofRow> = identity_proofs::table
            .find(id.as_uuid())
            .select(ProofRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.proof(r)).transpose()
    }

    async fn proof_by_session_for_update(
        &mut self,
        session_ref: &str,
    ) -> Result<Option<IdentityProof>, StoreError> {
        let row: Option<ProofRow> = identity_proofs::table
            .filter(identity_proofs::session_ref.eq(session_ref))
            .select(ProofRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.proof(r)).transpose()
    }

    async fn accounts_of_subject(&mut self, subject: &Subject) -> Result<Vec<Account>, StoreError> {
        let key = self.codec.subject_key(subject);
        let rows: Vec<AccountRow> = accounts::table
            .filter(accounts::subject_key.eq(key))
            .order(accounts::id.asc())
            .select(AccountRow::as_select())
            .for_update()
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(|r| self.codec.account(r)).collect()
    }

    async fn save_case(&mut self, case: &Case) -> Result<(), StoreError> {
        let row = self.codec.case_row(case);
        diesel::insert_into(cases::table)
            .values(&row)
            .on_conflict(cases::id)
            .do_update()
            .set(&row)
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn case_for_update(&mut self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let row: Option<CaseRow> = cases::table
            .find(id.as_uuid())
            .select(CaseRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.case(r)).transpose()
    }

    async fn save_invitation(&mut self, invitation: &Invitation) -> Result<(), StoreError> {
        let row = (
            sub_account_invitations::id.eq(invitation.id.as_uuid()),
            sub_account_invitations::root_id.eq(invitation.root_id.as_uuid()),
            sub_account_invitations::account_id.eq(invitation.account_id.as_uuid()),
            sub_account_invitations::status.eq(invitation.status.as_str()),
            sub_account_invitations::created_at.eq(invitation.created_at),
            sub_account_invitations::decided_at.eq(invitation.decided_at),
        );
        diesel::insert_into(sub_account_invitations::table)
            .values(row)
            .on_conflict(sub_account_invitations::id)
            .do_update()
            .set((
                sub_account_invitations::status.eq(invitation.status.as_str()),
                sub_account_invitations::decided_at.eq(invitation.decided_at),
            ))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn invitation_for_update(
        &mut self,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        let row: Option<(
            Uuid,
            Uuid,
            Uuid,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
        )> = sub_account_invitations::table
            .find(id.as_uuid())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|(id, root, account, status, created_at, decided_at)| {
            Ok(Invitation {
                id: InvitationId::from_uuid(id),
                root_id: AccountId::from_uuid(root),
                account_id: AccountId::from_uuid(account),
                status: InvitationStatus::parse(&status).ok_or_else(|| {
                    StoreError::Unknown(anyhow::anyhow!("stored invitation status is not valid"))
                })?,
                created_at,
                decided_at,
            })
        })
        .transpose()
    }

    async fn insert_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError> {
        diesel::insert_into(phone_changes::table)
            .values(self.codec.phone_change_row(change))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn phone_change_for_update(
        &mut self,
        id: PhoneChangeId,
    ) -> Result<Option<PhoneChange>, StoreError> {
        let row: Option<PhoneChangeRow> = phone_changes::table
            .find(id.as_uuid())
            .filter(phone_changes::phone_enc.is_not_null())
            .select(PhoneChangeRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.phone_change(r)).transpose()
    }

    async fn save_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError> {
        let updated = diesel::update(phone_changes::table.find(change.id.as_uuid()))
            .set(self.codec.phone_change_row(change))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        found(updated)
    }

    async fn redact_account(&mut self, account: &Account) -> Result<(), StoreError> {
        let id = account.id.as_uuid();
        let updated = diesel::update(accounts::table.find(id))
            .filter(accounts::state.eq("closed"))
            .set((
                accounts::phone_key.eq(None::<Vec<u8>>),
                accounts::phone_enc.eq(None::<Vec<u8>>),
                accounts::subject_enc.eq(None::<Vec<u8>>),
                accounts::redacted_at.eq(account.redacted_at),
            ))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        found(updated)?;
        diesel::update(applications::table.filter(applications::account_id.eq(id)))
            .set((
                applications::subject_enc.eq(None::<Vec<u8>>),
                applications::review_note_enc.eq(None::<Vec<u8>>),
            ))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        diesel::update(phone_changes::table.filter(phone_changes::account_id.eq(id)))
            .set(phone_changes::phone_enc.eq(None::<Vec<u8>>))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn cancel_phone_changes(&mut self, account: AccountId) -> Result<(), StoreError> {
        diesel::update(phone_changes::table)
            .filter(phone_changes::account_id.eq(account.as_uuid()))
            .filter(phone_changes::status.eq("pending"))
            .set(phone_changes::status.eq("cancelled"))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn set_enterprise_limit(
        &mut self,
        uscc: &Uscc,
        change: &QuotaOverride,
    ) -> Result<Option<u32>, StoreError> {
        let key = self.codec.keyed_subject_material(&uscc.key_material());
        diesel::insert_into(subjects::table)
            .values((
                subjects::subject_key.eq(&key),
                subjects::subject_type.eq("enterprise"),
            ))
            .on_conflict_do_nothing()
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        let previous: Option<i32> = subjects::table
            .find(&key)
            .select(subjects::account_limit)
            .for_update()
            .first(self.conn()?)
            .await
            .map_err(store_error)?;
        let limit = i32::try_from(change.limit).map_err(|e| StoreError::Unknown(e.into()))?;
        diesel::update(subjects::table.find(&key))
            .set(subjects::account_limit.eq(limit))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        diesel::insert_into(quota_overrides::table)
            .values((
                quota_overrides::subject_key.eq(&key),
                quota_overrides::previous_limit.eq(previous),
                quota_overrides::new_limit.eq(limit),
                quota_overrides::actor.eq(&change.actor),
                quota_overrides::reason.eq(&change.reason),
                quota_overrides::at.eq(change.at),
            ))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(previous.and_then(|p| u32::try_from(p).ok()))
    }

    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.outbox.audit.push(entry.clone());
        Ok(())
    }

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
            Ok(()) => Ok(()),
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

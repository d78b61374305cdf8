//! Accounts and sub-account associations (R16, R21).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use realname_domain::invitation::{Invitation, InvitationStatus};
use realname_domain::{Account, AccountId, InvitationId};
use realname_ports::StoreError;
use uuid::Uuid;

use crate::error::store_error;
use crate::rows::AccountRow;
use crate::schema::{accounts, applications, phone_changes, sub_account_invitations};

use super::{Head, PgTransaction, found};

/// An account row locked for update, with its heads: what the outbox chains from.
pub(super) type LockedRow = (AccountRow, i64, Vec<u8>);

/// Locks the account and reads it with its heads, so that the outbox need not read them again.
/// On a shared connection, so that other reads can be pipelined behind it.
pub(super) async fn lock_account(
    conn: &mut &AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<LockedRow>> {
    accounts::table
        .find(id)
        .select((
            AccountRow::as_select(),
            accounts::event_sequence,
            accounts::audit_head,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()
}

impl PgTransaction {
    /// Keeps a locked row's heads for the outbox and decodes the account.
    pub(super) fn locked(
        &mut self,
        (row, sequence, hash): LockedRow,
    ) -> Result<Account, StoreError> {
        self.heads.insert(row.id, Head::read(sequence, hash)?);
        self.codec.account(row)
    }
}

#[async_trait]
impl realname_ports::AccountsTx for PgTransaction {
    async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError> {
        diesel::insert_into(accounts::table)
            .values(self.codec.account_write(account))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn account_for_update(&mut self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let mut conn: &AsyncPgConnection = self.conn()?;
        let row = lock_account(&mut conn, id.as_uuid())
            .await
            .map_err(store_error)?;
        row.map(|row| self.locked(row)).transpose()
    }

    async fn save_account(&mut self, account: &Account) -> Result<(), StoreError> {
        self.saved.push(account.id.as_uuid());
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
                applications::review_context_enc.eq(None::<Vec<u8>>),
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
        let row: Option<InvitationRow> = sub_account_invitations::table
            .find(id.as_uuid())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(invitation).transpose()
    }
}

/// An invitation as stored: id, root, account, status, created, decided.
pub(crate) type InvitationRow = (
    Uuid,
    Uuid,
    Uuid,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

/// The invitation of a stored row.
pub(crate) fn invitation(
    (id, root, account, status, created_at, decided_at): InvitationRow,
) -> Result<Invitation, StoreError> {
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
}

//! Reading the R22 audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::AccountId;
use realname_domain::audit::{AuditEntry, ChainedEntry};
use realname_ports::{AuditPage, AuditReader, Page, StoreError};
use uuid::Uuid;

use crate::error::store_error;
use crate::schema::{accounts, audit_log};
use crate::store::PgStore;

type AuditRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    Vec<u8>,
    Vec<u8>,
);

fn hash(bytes: Vec<u8>) -> [u8; 32] {
    // A stored hash of another length can never match a computed one: verification names it.
    bytes.try_into().unwrap_or([0xff; 32])
}

#[async_trait]
impl AuditReader for PgStore {
    #[tracing::instrument(name = "pg.audit_log", skip_all, fields(account.id = %account))]
    async fn audit_log(&self, account: AccountId) -> Result<Vec<ChainedEntry>, StoreError> {
        let mut conn = self.conn().await?;
        entries(&mut conn, account, None, None).await
    }

    #[tracing::instrument(name = "pg.audit_page", skip_all, fields(account.id = %account))]
    async fn audit_page(
        &self,
        account: AccountId,
        page: Page<i64>,
    ) -> Result<AuditPage, StoreError> {
        let mut conn = self.conn().await?;
        let limit = i64::from(page.limit);
        let mut found = entries(&mut conn, account, page.starting_after, Some(limit + 1)).await?;
        let has_more = found.len() > page.limit as usize;
        found.truncate(page.limit as usize);
        let head: Option<Vec<u8>> = accounts::table
            .find(account.as_uuid())
            .select(accounts::audit_head)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        Ok(AuditPage {
            entries: found,
            has_more,
            head: head.map(hash).filter(|h| *h != [0; 32]),
        })
    }

    async fn audited_accounts(
        &self,
        after: Option<AccountId>,
        limit: u32,
    ) -> Result<Vec<AccountId>, StoreError> {
        let mut conn = self.conn().await?;
        let after = after.map_or(Uuid::nil(), |a| a.as_uuid());
        let ids: Vec<Uuid> = audit_log::table
            .filter(audit_log::account_id.gt(after))
            .select(audit_log::account_id)
            .distinct()
            .order(audit_log::account_id.asc())
            .limit(i64::from(limit))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(ids.into_iter().map(AccountId::from_uuid).collect())
    }

    async fn count_audited_accounts(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let n: i64 = audit_log::table
            .select(diesel::dsl::count(audit_log::account_id).aggregate_distinct())
            .get_result(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// The account's entries after entry `after`, oldest first, at most `limit`.
async fn entries(
    conn: &mut diesel_async::AsyncPgConnection,
    account: AccountId,
    after: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<ChainedEntry>, StoreError> {
    let mut query = audit_log::table
        .filter(audit_log::account_id.eq(account.as_uuid()))
        .order(audit_log::id.asc())
        .select((
            audit_log::id,
            audit_log::actor,
            audit_log::action,
            audit_log::before,
            audit_log::after,
            audit_log::reason,
            audit_log::at,
            audit_log::prev_hash,
            audit_log::hash,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(audit_log::id.gt(after));
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    let rows: Vec<AuditRow> = query.load(conn).await.map_err(store_error)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, actor, action, before, after, reason, at, prev_hash, stored_hash)| ChainedEntry {
                id,
                entry: AuditEntry {
                    account_id: account,
                    actor,
                    action,
                    before,
                    after,
                    reason,
                    at,
                },
                prev_hash: hash(prev_hash),
                hash: hash(stored_hash),
            },
        )
        .collect())
}

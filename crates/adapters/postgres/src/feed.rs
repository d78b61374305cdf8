//! The event feed (SPEC §6): oldest first, by transaction and insertion order, showing only
//! transactions that no running transaction can still precede.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use realname_domain::AccountId;
use realname_ports::{EventFeed, FeedEvent, StoreError};
use uuid::Uuid;

use crate::error::store_error;
use crate::store::PgStore;

#[derive(diesel::QueryableByName)]
struct FeedRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    account_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<BigInt>)]
    sequence: Option<i64>,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Jsonb)]
    data: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

const FEED: &str = "
SELECT e.id, e.account_id, e.sequence, e.type AS event_type, e.data, e.created_at
FROM events e
WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
  AND ($1::uuid IS NULL OR e.account_id = $1)
  AND ($2::uuid IS NULL OR (e.txid, e.position) > (SELECT c.txid, c.position FROM events c WHERE c.id = $2))
ORDER BY e.txid, e.position
LIMIT $3";

/// The last event of the feed as [`FEED`] shows it now.
const HEAD: &str = "
SELECT e.id FROM events e
WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
ORDER BY e.txid DESC, e.position DESC
LIMIT 1";

#[derive(diesel::QueryableByName)]
struct HeadRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[async_trait]
impl EventFeed for PgStore {
    async fn head(&self) -> Result<Option<Uuid>, StoreError> {
        let mut conn = self.conn().await?;
        let head: Option<HeadRow> = diesel::sql_query(HEAD)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        Ok(head.map(|h| h.id))
    }

    #[tracing::instrument(name = "pg.events", skip_all)]
    async fn events(
        &self,
        account: Option<AccountId>,
        starting_after: Option<Uuid>,
        limit: u32,
    ) -> Result<(Vec<FeedEvent>, bool), StoreError> {
        let mut conn = self.conn().await?;
        let take = i32::try_from(limit).unwrap_or(i32::MAX).saturating_add(1);
        let rows: Vec<FeedRow> = diesel::sql_query(FEED)
            .bind::<Nullable<SqlUuid>, _>(account.map(|a| a.as_uuid()))
            .bind::<Nullable<SqlUuid>, _>(starting_after)
            .bind::<Integer, _>(take)
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        let has_more = rows.len() > limit as usize;
        let events = rows
            .into_iter()
            .take(limit as usize)
            .map(|r| FeedEvent {
                id: r.id,
                account_id: r.account_id.map(AccountId::from_uuid),
                sequence: r.sequence,
                event_type: r.event_type,
                data: r.data,
                created_at: r.created_at,
            })
            .collect();
        Ok((events, has_more))
    }
}

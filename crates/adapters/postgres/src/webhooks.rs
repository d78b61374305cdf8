//! Webhook subscriptions and the delivery queue (SPEC §6). Secrets are sealed at rest; claims
//! are `FOR UPDATE SKIP LOCKED` plus a lease, committed before any post.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel::sql_types::{Array, BigInt, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use realname_domain::AccountId;
use realname_domain::webhook::{EndpointUrl, SigningSecrets, WebhookEndpoint, WebhookSecret};
use realname_ports::{
    Delivery, DeliveryRecord, DeliveryStatus, DeliveryUpdate, FeedEvent, StoreError, WebhookStore,
};
use uuid::Uuid;

use crate::crypto::Aad;
use crate::error::store_error;
use crate::rows::corrupt;
use crate::schema::{events, webhook_deliveries, webhook_endpoints};
use crate::store::PgStore;

const CLAIM: &str = "
WITH due AS (
    SELECT d.endpoint_id, d.event_id FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1
      AND (d.lease_until IS NULL OR d.lease_until < $1)
      AND NOT e.disabled AND e.deleted_at IS NULL
    ORDER BY d.next_attempt_at
    LIMIT $2
    FOR UPDATE OF d SKIP LOCKED)
UPDATE webhook_deliveries d SET lease_owner = $3, lease_until = $4
FROM due WHERE d.endpoint_id = due.endpoint_id AND d.event_id = due.event_id
RETURNING d.endpoint_id, d.event_id, d.attempts, d.queued_at";

const RECORD: &str = "
UPDATE webhook_deliveries d
SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
    last_error = u.last_error, last_attempt_at = u.attempted_at,
    lease_owner = NULL, lease_until = NULL
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::text[],
            $7::timestamptz[])
    AS u(endpoint_id, event_id, status, attempts, next_attempt_at, last_error, attempted_at)
WHERE d.endpoint_id = u.endpoint_id AND d.event_id = u.event_id AND d.lease_owner = $8
  AND d.status = 'pending'";

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    endpoint_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    event_id: Uuid,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    queued_at: DateTime<Utc>,
}

type EventRow = (
    Uuid,
    Option<Uuid>,
    Option<i64>,
    String,
    serde_json::Value,
    DateTime<Utc>,
);

fn secret_aad(endpoint: Uuid) -> Aad<'static> {
    Aad {
        table: "webhook_endpoints",
        column: "secret_enc",
        row: endpoint,
    }
}

fn previous_secret_aad(endpoint: Uuid) -> Aad<'static> {
    Aad {
        table: "webhook_endpoints",
        column: "previous_secret_enc",
        row: endpoint,
    }
}

/// An endpoint as stored, without its secrets.
#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: Uuid,
    url: String,
    event_types: Vec<String>,
    disabled: bool,
    created_at: DateTime<Utc>,
    secret_rotated_at: Option<DateTime<Utc>>,
    previous_secret_until: Option<DateTime<Utc>>,
}

impl EndpointRow {
    fn into_endpoint(self) -> Result<WebhookEndpoint, StoreError> {
        Ok(WebhookEndpoint {
            id: self.id,
            // Stored URLs were checked when created; development URLs stay readable.
            url: EndpointUrl::parse(&self.url, true).map_err(|_| corrupt("webhook url"))?,
            event_types: self.event_types,
            disabled: self.disabled,
            created_at: self.created_at,
            secret_rotated_at: self.secret_rotated_at,
            previous_secret_expires_at: self.previous_secret_until,
        })
    }
}

/// An endpoint's URL and sealed secrets, as a delivery needs them.
#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct SecretsRow {
    id: Uuid,
    url: String,
    secret_enc: Vec<u8>,
    previous_secret_enc: Option<Vec<u8>>,
    previous_secret_until: Option<DateTime<Utc>>,
}

impl PgStore {
    fn secret(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<WebhookSecret, StoreError> {
        let plain = self.codec().open_bytes(sealed, aad)?;
        let secret = String::from_utf8(plain).map_err(|_| corrupt("webhook secret"))?;
        Ok(WebhookSecret::from_stored(secret))
    }

    fn secrets(&self, row: &SecretsRow) -> Result<SigningSecrets, StoreError> {
        let previous = match (&row.previous_secret_enc, row.previous_secret_until) {
            (Some(sealed), Some(until)) => {
                Some((self.secret(sealed, &previous_secret_aad(row.id))?, until))
            }
            _ => None,
        };
        Ok(SigningSecrets {
            current: self.secret(&row.secret_enc, &secret_aad(row.id))?,
            previous,
        })
    }
}

/// The endpoints not deleted.
fn live() -> diesel::dsl::IsNull<webhook_endpoints::deleted_at> {
    webhook_endpoints::deleted_at.is_null()
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        secret: &WebhookSecret,
        cursor: Option<Uuid>,
    ) -> Result<(), StoreError> {
        let sealed = self
            .codec()
            .seal_bytes(secret.expose().as_bytes(), &secret_aad(endpoint.id));
        let mut conn = self.conn().await?;
        diesel::insert_into(webhook_endpoints::table)
            .values((
                webhook_endpoints::id.eq(endpoint.id),
                webhook_endpoints::url.eq(endpoint.url.as_str()),
                webhook_endpoints::event_types.eq(&endpoint.event_types),
                webhook_endpoints::secret_enc.eq(sealed),
                webhook_endpoints::cursor_event.eq(cursor),
                webhook_endpoints::created_at.eq(endpoint.created_at),
            ))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn endpoints(&self) -> Result<Vec<(WebhookEndpoint, Option<Uuid>)>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(EndpointRow, Option<Uuid>)> = webhook_endpoints::table
            .filter(live())
            .order(webhook_endpoints::id.asc())
            .select((EndpointRow::as_select(), webhook_endpoints::cursor_event))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        rows.into_iter()
            .map(|(row, cursor)| Ok((row.into_endpoint()?, cursor)))
            .collect()
    }

    async fn list_endpoints(
        &self,
        page: realname_ports::Page<Uuid>,
    ) -> Result<(Vec<WebhookEndpoint>, bool), StoreError> {
        let mut conn = self.conn().await?;
        let mut query = webhook_endpoints::table.filter(live()).into_boxed();
        if let Some(after) = page.starting_after {
            query = query.filter(webhook_endpoints::id.gt(after));
        }
        let rows: Vec<EndpointRow> = query
            // Endpoint ids are UUIDv7: oldest first.
            .order(webhook_endpoints::id.asc())
            .limit(i64::from(page.limit) + 1)
            .select(EndpointRow::as_select())
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        let endpoints = rows
            .into_iter()
            .take(page.limit as usize)
            .map(EndpointRow::into_endpoint)
            .collect::<Result<_, _>>()?;
        Ok((endpoints, has_more))
    }

    async fn endpoint(&self, id: Uuid) -> Result<WebhookEndpoint, StoreError> {
        let mut conn = self.conn().await?;
        webhook_endpoints::table
            .find(id)
            .filter(live())
            .select(EndpointRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?
            .ok_or(StoreError::NotFound)?
            .into_endpoint()
    }

    async fn set_disabled(&self, id: Uuid, disabled: bool) -> Result<WebhookEndpoint, StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(webhook_endpoints::table.find(id).filter(live()))
            .set(webhook_endpoints::disabled.eq(disabled))
            .returning(EndpointRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store_error)?
            .ok_or(StoreError::NotFound)?
            .into_endpoint()
    }

    async fn delete_endpoint(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let deleted = diesel::update(webhook_endpoints::table.find(id).filter(live()))
                .set((
                    webhook_endpoints::deleted_at.eq(now),
                    // Nothing signs for a deleted endpoint any more.
                    webhook_endpoints::previous_secret_enc.eq(None::<Vec<u8>>),
                    webhook_endpoints::previous_secret_until.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)
                .await?;
            if deleted == 0 {
                return Err(diesel::result::Error::NotFound);
            }
            diesel::update(
                webhook_deliveries::table
                    .filter(webhook_deliveries::endpoint_id.eq(id))
                    .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
            )
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Cancelled.as_str()),
                webhook_deliveries::next_attempt_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)
            .await
        })
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn rotate_secret(
        &self,
        id: Uuid,
        secret: &WebhookSecret,
        now: DateTime<Utc>,
        previous_until: DateTime<Utc>,
    ) -> Result<WebhookEndpoint, StoreError> {
        let codec = self.codec();
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let current: Option<Vec<u8>> = webhook_endpoints::table
                .find(id)
                .filter(live())
                .select(webhook_endpoints::secret_enc)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(current) = current else {
                return Ok(None);
            };
            // The replaced secret is sealed again under its new column.
            let replaced = codec
                .open_bytes(&current, &secret_aad(id))
                .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?;
            let previous = codec.seal_bytes(&replaced, &previous_secret_aad(id));
            let sealed = codec.seal_bytes(secret.expose().as_bytes(), &secret_aad(id));
            diesel::update(webhook_endpoints::table.find(id))
                .set((
                    webhook_endpoints::secret_enc.eq(sealed),
                    webhook_endpoints::previous_secret_enc.eq(previous),
                    webhook_endpoints::previous_secret_until.eq(previous_until),
                    webhook_endpoints::secret_rotated_at.eq(now),
                ))
                .returning(EndpointRow::as_returning())
                .get_result(conn)
                .await
                .map(Some)
        })
        .await
        .map_err(store_error)?
        .ok_or(StoreError::NotFound)?
        .into_endpoint()
    }

    async fn drop_previous_secrets(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let dropped = diesel::update(
            webhook_endpoints::table.filter(webhook_endpoints::previous_secret_until.le(now)),
        )
        .set((
            webhook_endpoints::previous_secret_enc.eq(None::<Vec<u8>>),
            webhook_endpoints::previous_secret_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
        Ok(dropped as u64)
    }

    async fn queue(
        &self,
        endpoint: Uuid,
        events: &[Uuid],
        cursor: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let events = events.to_vec();
        conn.transaction(async |conn| {
            diesel::sql_query(
                "INSERT INTO webhook_deliveries
                     (endpoint_id, event_id, status, attempts, next_attempt_at, queued_at)
                 SELECT $1, e, 'pending', 0, $3, $3 FROM unnest($2::uuid[]) AS e
                 ON CONFLICT DO NOTHING",
            )
            .bind::<SqlUuid, _>(endpoint)
            .bind::<Array<SqlUuid>, _>(&events)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            diesel::update(webhook_endpoints::table.find(endpoint))
                .set(webhook_endpoints::cursor_event.eq(cursor))
                .execute(conn)
                .await
        })
        .await
        .map_err(store_error)?;
        Ok(())
    }

    #[tracing::instrument(name = "pg.claim_deliveries", skip_all, fields(owner))]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut conn = self.conn().await?;
        let claimed: Vec<Claimed> = diesel::sql_query(CLAIM)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(i64::from(limit))
            .bind::<Text, _>(owner)
            .bind::<Timestamptz, _>(now + lease)
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let endpoint_ids: Vec<Uuid> = claimed.iter().map(|c| c.endpoint_id).collect();
        let endpoints: HashMap<Uuid, SecretsRow> = webhook_endpoints::table
            .filter(webhook_endpoints::id.eq_any(&endpoint_ids))
            .select(SecretsRow::as_select())
            .load::<SecretsRow>(&mut conn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let event_ids: Vec<Uuid> = claimed.iter().map(|c| c.event_id).collect();
        let events: HashMap<Uuid, EventRow> = events::table
            .filter(events::id.eq_any(&event_ids))
            .select((
                events::id,
                events::account_id,
                events::sequence,
                events::event_type,
                events::data,
                events::created_at,
            ))
            .load::<EventRow>(&mut conn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|row| (row.0, row))
            .collect();
        claimed
            .into_iter()
            .map(|c| {
                let row = endpoints
                    .get(&c.endpoint_id)
                    .ok_or_else(|| corrupt("delivery endpoint"))?;
                let secrets = self.secrets(row)?;
                let (id, account, sequence, event_type, data, created_at) = events
                    .get(&c.event_id)
                    .cloned()
                    .ok_or_else(|| corrupt("delivery event"))?;
                Ok(Delivery {
                    endpoint_id: c.endpoint_id,
                    url: row.url.clone(),
                    secrets,
                    event: FeedEvent {
                        id,
                        account_id: account.map(AccountId::from_uuid),
                        sequence,
                        event_type,
                        data,
                        created_at,
                    },
                    attempts: u32::try_from(c.attempts).unwrap_or(0),
                    queued_at: c.queued_at,
                })
            })
            .collect()
    }

    #[tracing::instrument(name = "pg.record_attempts", skip_all, fields(owner, n = updates.len()))]
    async fn record_attempts(
        &self,
        owner: &str,
        updates: &[DeliveryUpdate],
    ) -> Result<(), StoreError> {
        if updates.is_empty() {
            return Ok(());
        }
        let column =
            |f: &dyn Fn(&DeliveryUpdate) -> Uuid| updates.iter().map(f).collect::<Vec<_>>();
        let endpoints = column(&|u| u.endpoint_id);
        let events = column(&|u| u.event_id);
        let statuses: Vec<&str> = updates.iter().map(|u| u.status.as_str()).collect();
        let attempts: Vec<i32> = updates
            .iter()
            .map(|u| i32::try_from(u.attempts).unwrap_or(i32::MAX))
            .collect();
        let next: Vec<Option<DateTime<Utc>>> = updates.iter().map(|u| u.next_attempt_at).collect();
        let errors: Vec<Option<&str>> = updates.iter().map(|u| u.last_error.as_deref()).collect();
        let attempted: Vec<DateTime<Utc>> = updates.iter().map(|u| u.attempted_at).collect();
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            crate::store::index_lookups_only(conn).await?;
            diesel::sql_query(RECORD)
                .bind::<Array<SqlUuid>, _>(endpoints)
                .bind::<Array<SqlUuid>, _>(events)
                .bind::<Array<Text>, _>(statuses)
                .bind::<Array<Int4>, _>(attempts)
                .bind::<Array<Nullable<Timestamptz>>, _>(next)
                .bind::<Array<Nullable<Text>>, _>(errors)
                .bind::<Array<Timestamptz>, _>(attempted)
                .bind::<Text, _>(owner)
                .execute(conn)
                .await
        })
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn deliveries(
        &self,
        endpoint: Uuid,
        status: Option<DeliveryStatus>,
        page: realname_ports::Page<Uuid>,
    ) -> Result<(Vec<DeliveryRecord>, bool), StoreError> {
        let mut conn = self.conn().await?;
        let exists: i64 = webhook_endpoints::table
            .find(endpoint)
            .filter(live())
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store_error)?;
        if exists == 0 {
            return Err(StoreError::NotFound);
        }
        let mut query = webhook_deliveries::table
            .inner_join(events::table.on(events::id.eq(webhook_deliveries::event_id)))
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(webhook_deliveries::status.eq(status.as_str()));
        }
        if let Some(after) = page.starting_after {
            query = query.filter(webhook_deliveries::event_id.lt(after));
        }
        let rows: Vec<(
            Uuid,
            String,
            String,
            i32,
            Option<String>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
        )> = query
            // Event ids are UUIDv7: newest event first, a stable order to page by.
            .order(webhook_deliveries::event_id.desc())
            .limit(i64::from(page.limit) + 1)
            .select((
                webhook_deliveries::event_id,
                events::event_type,
                webhook_deliveries::status,
                webhook_deliveries::attempts,
                webhook_deliveries::last_error,
                webhook_deliveries::queued_at,
                webhook_deliveries::last_attempt_at,
            ))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        let found = rows
            .into_iter()
            .take(page.limit as usize)
            .map(
                |(
                    event_id,
                    event_type,
                    status,
                    attempts,
                    last_error,
                    queued_at,
                    last_attempt_at,
                )| {
                    Ok(DeliveryRecord {
                        endpoint_id: endpoint,
                        event_id,
                        event_type,
                        status: DeliveryStatus::parse(&status)
                            .ok_or_else(|| corrupt("delivery status"))?,
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        last_error,
                        queued_at,
                        last_attempt_at,
                    })
                },
            )
            .collect::<Result<_, StoreError>>()?;
        Ok((found, has_more))
    }
}

//! `Idempotency-Key` storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_ports::{IdempotencyBegin, IdempotencyStore, StoreError, StoredResponse};

use crate::error::store_error;
use crate::schema::idempotency_keys as keys;
use crate::store::PgStore;

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        let mut conn = self.conn().await?;
        let this = keys::table.find((scope, key));
        diesel::delete(this.filter(keys::created_at.lt(expired_before)))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        let inserted = diesel::insert_into(keys::table)
            .values((
                keys::scope.eq(scope),
                keys::key.eq(key),
                keys::fingerprint.eq(fingerprint),
                keys::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        if inserted == 1 {
            return Ok(IdempotencyBegin::Fresh);
        }
        let (stored, status, body): (Vec<u8>, Option<i16>, Option<Vec<u8>>) = this
            .select((keys::fingerprint, keys::status, keys::body))
            .first(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(match (stored == fingerprint, status, body) {
            (false, _, _) => IdempotencyBegin::Mismatch,
            (true, Some(status), Some(body)) => IdempotencyBegin::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            (true, _, _) => IdempotencyBegin::InProgress,
        })
    }

    async fn prune(&self, expired_before: DateTime<Utc>, limit: u32) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        // A bounded batch, so one tick never holds a long lock on a large table.
        diesel::sql_query(
            "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM idempotency_keys WHERE created_at < $1 LIMIT $2))",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(expired_before)
        .bind::<diesel::sql_types::BigInt, _>(i64::from(limit))
        .execute(&mut conn)
        .await
        .map_err(store_error)
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(keys::table.find((scope, key)))
            .set((
                keys::status.eq(i16::try_from(response.status).unwrap_or(500)),
                keys::body.eq(&response.body),
            ))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(keys::table.find((scope, key)))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

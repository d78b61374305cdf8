//! `Idempotency-Key` storage: claims under a lease, answers fenced by it and sealed at rest
//! (a webhook endpoint's answer carries its secret).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use realname_ports::{
    IdempotencyBegin, IdempotencyClaim, IdempotencyStore, StoreError, StoredResponse,
};
use uuid::Uuid;

use crate::crypto::Aad;
use crate::error::store_error;
use crate::rows::Codec;
use crate::schema::idempotency_keys as keys;
use crate::store::PgStore;

fn aad(record: Uuid) -> Aad<'static> {
    Aad {
        table: "idempotency_keys",
        column: "body",
        row: record,
    }
}

/// Writes the answer to `claim` if it still holds the lease and nothing is answered yet;
/// returns whether it did. In a transaction, the row stays locked until commit, so a takeover
/// waits and then finds the key answered.
pub(crate) async fn write_answer(
    conn: &mut AsyncPgConnection,
    codec: &Codec,
    claim: &IdempotencyClaim,
    response: &StoredResponse,
) -> Result<bool, StoreError> {
    let sealed = codec.seal_bytes(&response.body, &aad(claim.record));
    let written = diesel::update(
        keys::table
            .find((&claim.scope, &claim.key))
            .filter(keys::lease.eq(claim.lease))
            .filter(keys::status.is_null()),
    )
    .set((
        keys::status.eq(i16::try_from(response.status).unwrap_or(500)),
        keys::sealed_body.eq(sealed),
        keys::leased_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await
    .map_err(store_error)?;
    Ok(written == 1)
}

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        let mut conn = self.conn().await?;
        let this = keys::table.find((scope, key));
        diesel::delete(this.filter(keys::created_at.lt(expired_before)))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        let claim = |record| IdempotencyClaim {
            scope: scope.to_owned(),
            key: key.to_owned(),
            record,
            lease: Uuid::new_v4(),
        };
        let fresh = claim(Uuid::new_v4());
        let inserted = diesel::insert_into(keys::table)
            .values((
                keys::scope.eq(scope),
                keys::key.eq(key),
                keys::fingerprint.eq(fingerprint),
                keys::created_at.eq(now),
                keys::record.eq(fresh.record),
                keys::lease.eq(fresh.lease),
                keys::leased_until.eq(lease_until),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        if inserted == 1 {
            return Ok(IdempotencyBegin::Fresh(fresh));
        }
        // An unanswered key whose holder's lease ended (it crashed, or gave up) is taken over,
        // for the same request only. Keys from before leases have none and are taken at once.
        let lease = Uuid::new_v4();
        let taken: Option<Uuid> = diesel::update(
            this.filter(keys::status.is_null())
                .filter(keys::fingerprint.eq(fingerprint))
                .filter(keys::leased_until.is_null().or(keys::leased_until.lt(now))),
        )
        .set((keys::lease.eq(lease), keys::leased_until.eq(lease_until)))
        .returning(keys::record)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store_error)?;
        if let Some(record) = taken {
            return Ok(IdempotencyBegin::Fresh(IdempotencyClaim {
                lease,
                ..claim(record)
            }));
        }
        let row: Option<(Vec<u8>, Option<i16>, Option<Vec<u8>>, Option<Vec<u8>>, Uuid)> = this
            .select((
                keys::fingerprint,
                keys::status,
                keys::body,
                keys::sealed_body,
                keys::record,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        // Gone between the statements (its holder abandoned it): a retry will claim it.
        let Some((stored, status, legacy, sealed, record)) = row else {
            return Ok(IdempotencyBegin::InProgress);
        };
        if stored != fingerprint {
            return Ok(IdempotencyBegin::Mismatch);
        }
        let body = match (sealed, legacy) {
            (Some(sealed), _) => Some(self.codec().open_bytes(&sealed, &aad(record))?),
            (None, legacy) => legacy,
        };
        Ok(match status.zip(body) {
            Some((status, body)) => IdempotencyBegin::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            None => IdempotencyBegin::InProgress,
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
        claim: &IdempotencyClaim,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        write_answer(&mut conn, self.codec(), claim, response).await?;
        Ok(())
    }

    async fn abandon(&self, claim: &IdempotencyClaim) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(
            keys::table
                .find((&claim.scope, &claim.key))
                .filter(keys::lease.eq(claim.lease))
                .filter(keys::status.is_null()),
        )
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
        Ok(())
    }
}

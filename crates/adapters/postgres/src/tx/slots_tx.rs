//! Subject slots and limits (R3, R4).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use realname_domain::identifiers::Uscc;
use realname_domain::quota::{QuotaOverride, SlotHolder, SubjectSlots};
use realname_domain::{AccountId, Holding, Subject};
use realname_ports::StoreError;
use uuid::Uuid;

use crate::error::store_error;
use crate::holding::holding;
use crate::schema::{accounts, quota_overrides, subjects};

use super::PgTransaction;

#[async_trait]
impl realname_ports::SlotsTx for PgTransaction {
    async fn lock_subject(
        &mut self,
        subject: &Subject,
        default_limit: u32,
    ) -> Result<SubjectSlots, StoreError> {
        let key = self.codec.subject_key(subject);
        let subject_type = subject.subject_type();
        // One statement creates the subject's row if it is new and locks it either way (the
        // update sets nothing new), and the holders' read is pipelined behind it: one round
        // trip, and the server reads the holders after the lock is taken.
        let (override_limit, rows) = {
            let mut conn: &AsyncPgConnection = self.conn()?;
            let mut behind = conn;
            let lock = diesel::insert_into(subjects::table)
                .values((
                    subjects::subject_key.eq(&key),
                    subjects::subject_type.eq(subject_type.as_str()),
                ))
                .on_conflict(subjects::subject_key)
                .do_update()
                .set(subjects::subject_type.eq(subjects::subject_type))
                .returning(subjects::account_limit)
                .get_result::<Option<i32>>(&mut conn);
            futures::try_join!(lock, holder_rows(&mut behind, &key)).map_err(store_error)?
        };
        let holders = holders_of(rows, &self.codec)?;
        let limit = override_limit
            .and_then(|l| u32::try_from(l).ok())
            .unwrap_or(default_limit);
        Ok(SubjectSlots {
            subject_type,
            limit,
            holders,
        })
    }

    async fn set_enterprise_limit(
        &mut self,
        uscc: &Uscc,
        change: &QuotaOverride,
    ) -> Result<(Option<u32>, Vec<AccountId>), StoreError> {
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
        let codec = self.codec.clone();
        let holders = slot_holders(self.conn()?, &codec, &key).await?;
        Ok((
            previous.and_then(|p| u32::try_from(p).ok()),
            holders.into_iter().map(|h| h.account_id).collect(),
        ))
    }
}

/// A slot holder as stored: id, sealed phone, verified at.
type HolderRow = (Uuid, Option<Vec<u8>>, Option<DateTime<Utc>>);

/// The accounts holding the slots of the subject `key` (R3, R4), oldest verification first, their
/// phones masked.
pub(crate) async fn slot_holders(
    conn: &mut diesel_async::AsyncPgConnection,
    codec: &crate::rows::Codec,
    key: &[u8],
) -> Result<Vec<SlotHolder>, StoreError> {
    let mut shared: &AsyncPgConnection = conn;
    let rows = holder_rows(&mut shared, key).await.map_err(store_error)?;
    holders_of(rows, codec)
}

/// The accounts holding the subject's slots, oldest first (R3).
async fn holder_rows(conn: &mut &AsyncPgConnection, key: &[u8]) -> QueryResult<Vec<HolderRow>> {
    accounts::table
        .filter(accounts::subject_key.eq(key))
        .filter(holding(Holding::SUBJECT_SLOT))
        .order(accounts::verified_at.asc())
        .select((accounts::id, accounts::phone_enc, accounts::verified_at))
        .load(conn)
        .await
}

fn holders_of(
    rows: Vec<HolderRow>,
    codec: &crate::rows::Codec,
) -> Result<Vec<SlotHolder>, StoreError> {
    rows.into_iter()
        .map(|(id, phone_enc, verified_at)| {
            Ok(SlotHolder {
                account_id: AccountId::from_uuid(id),
                phone_masked: match phone_enc {
                    Some(sealed) => codec.open_phone(&sealed, id)?.masked(),
                    None => "redacted".to_owned(),
                },
                verified_at: verified_at.unwrap_or_default(),
            })
        })
        .collect()
}

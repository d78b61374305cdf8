//! Subject slots and limits (R3, R4).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
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
        let codec = self.codec.clone();
        let holders = slot_holders(self.conn()?, &codec, &key).await?;
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
    let rows: Vec<HolderRow> = accounts::table
        .filter(accounts::subject_key.eq(key))
        .filter(holding(Holding::SUBJECT_SLOT))
        .order(accounts::verified_at.asc())
        .select((accounts::id, accounts::phone_enc, accounts::verified_at))
        .load(conn)
        .await
        .map_err(store_error)?;
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

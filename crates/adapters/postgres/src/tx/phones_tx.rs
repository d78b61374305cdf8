//! Phone bindings and changes (R19).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId};
use realname_domain::quota::PhoneSlots;
use realname_domain::{AccountId, Holding};
use realname_ports::StoreError;

use crate::error::store_error;
use crate::holding::holding;
use crate::rows::PhoneChangeRow;
use crate::schema::{accounts, phone_changes, phone_numbers};

use super::{PgTransaction, found};

#[async_trait]
impl realname_ports::PhonesTx for PgTransaction {
    async fn otp_sends(
        &mut self,
        phone: &Phone,
        phone_since: chrono::DateTime<chrono::Utc>,
        account: realname_domain::AccountId,
        account_since: chrono::DateTime<chrono::Utc>,
    ) -> Result<realname_domain::phone_change::OtpSends, StoreError> {
        let key = self.codec.phone_key(phone);
        let to_phone: Vec<chrono::DateTime<chrono::Utc>> = phone_changes::table
            .filter(phone_changes::phone_key.eq(key))
            .filter(phone_changes::created_at.gt(phone_since))
            .select(phone_changes::created_at)
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        let for_account: Vec<chrono::DateTime<chrono::Utc>> = phone_changes::table
            .filter(phone_changes::account_id.eq(account.as_uuid()))
            .filter(phone_changes::created_at.gt(account_since))
            .select(phone_changes::created_at)
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(realname_domain::phone_change::OtpSends {
            to_phone,
            for_account,
        })
    }

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
}

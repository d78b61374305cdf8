//! Phone changes as stored (the new number sealed, R19).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use realname_domain::AccountId;
use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{PhoneChange, PhoneChangeId, PhoneChangeStatus};
use realname_ports::StoreError;
use uuid::Uuid;

use crate::crypto::Aad;
use crate::schema::phone_changes;

use super::{Codec, corrupt};

/// A phone change as stored.
#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = phone_changes, check_for_backend(diesel::pg::Pg))]
pub(crate) struct PhoneChangeRow {
    id: Uuid,
    account_id: Uuid,
    phone_key: Vec<u8>,
    phone_enc: Option<Vec<u8>>,
    code_hash: Vec<u8>,
    failed_tries: i32,
    status: String,
    expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    max_tries: i32,
}

impl Codec {
    pub(crate) fn phone_change_row(&self, change: &PhoneChange) -> PhoneChangeRow {
        let id = change.id.as_uuid();
        let aad = Aad {
            table: "phone_changes",
            column: "phone_enc",
            row: id,
        };
        PhoneChangeRow {
            id,
            account_id: change.account_id.as_uuid(),
            phone_key: self.phone_key(&change.new_phone),
            phone_enc: Some(self.keys.seal(change.new_phone.as_str().as_bytes(), &aad)),
            code_hash: change.code_hash.to_vec(),
            failed_tries: i32::try_from(change.failed_tries).unwrap_or(i32::MAX),
            max_tries: i32::try_from(change.max_tries).unwrap_or(i32::MAX),
            status: change.status.as_str().to_owned(),
            expires_at: change.expires_at,
            created_at: change.created_at,
        }
    }

    pub(crate) fn phone_change(&self, row: PhoneChangeRow) -> Result<PhoneChange, StoreError> {
        let aad = Aad {
            table: "phone_changes",
            column: "phone_enc",
            row: row.id,
        };
        let sealed = row
            .phone_enc
            .ok_or_else(|| corrupt("redacted phone change"))?;
        let digits = self
            .keys
            .open(&sealed, &aad)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let digits = String::from_utf8(digits).map_err(|_| corrupt("phone"))?;
        Ok(PhoneChange {
            id: PhoneChangeId::from_uuid(row.id),
            account_id: AccountId::from_uuid(row.account_id),
            new_phone: Phone::parse(&digits).map_err(|_| corrupt("phone"))?,
            code_hash: row.code_hash.try_into().map_err(|_| corrupt("code hash"))?,
            failed_tries: u32::try_from(row.failed_tries).unwrap_or(u32::MAX),
            max_tries: u32::try_from(row.max_tries).unwrap_or(0),
            status: PhoneChangeStatus::parse(&row.status)
                .ok_or_else(|| corrupt("phone change status"))?,
            expires_at: row.expires_at,
            created_at: row.created_at,
        })
    }
}

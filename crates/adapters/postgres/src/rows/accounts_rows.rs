//! Accounts as stored (the phone and subject sealed, SPEC §4).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use realname_domain::identifiers::Phone;
use realname_domain::{
    Account, AccountId, AccountKind, AccountState, Method, RealNameStatus, Verification,
};
use realname_ports::StoreError;
use uuid::Uuid;

use crate::crypto::Aad;
use crate::schema::accounts;

use super::{Codec, corrupt};

/// An account as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::pg::Pg))]
pub(crate) struct AccountRow {
    pub(crate) id: Uuid,
    root_id: Option<Uuid>,
    state: String,
    status: String,
    phone_enc: Option<Vec<u8>>,
    subject_enc: Option<Vec<u8>>,
    verified_method: Option<String>,
    verified_at: Option<DateTime<Utc>>,
    last_authenticated_at: Option<DateTime<Utc>>,
    agreement_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    revocation_pending_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    inherits: bool,
    redacted_at: Option<DateTime<Utc>>,
    credentials_epoch: Option<DateTime<Utc>>,
}

/// Every stored column of an account that the domain can change.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = accounts, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct AccountWrite {
    pub(crate) id: Uuid,
    pub(crate) root_id: Option<Uuid>,
    pub(crate) state: &'static str,
    pub(crate) status: &'static str,
    pub(crate) phone_key: Option<Vec<u8>>,
    pub(crate) phone_enc: Option<Vec<u8>>,
    pub(crate) subject_key: Option<Vec<u8>>,
    pub(crate) subject_type: Option<&'static str>,
    pub(crate) subject_enc: Option<Vec<u8>>,
    pub(crate) verified_method: Option<&'static str>,
    pub(crate) verified_at: Option<DateTime<Utc>>,
    pub(crate) last_authenticated_at: Option<DateTime<Utc>>,
    pub(crate) agreement_expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) revocation_pending_at: Option<DateTime<Utc>>,
    pub(crate) closed_at: Option<DateTime<Utc>>,
    pub(crate) inherits: bool,
    pub(crate) redacted_at: Option<DateTime<Utc>>,
    pub(crate) credentials_epoch: Option<DateTime<Utc>>,
}

impl Codec {
    pub(crate) fn account_write(&self, account: &Account) -> AccountWrite {
        let id = account.id.as_uuid();
        let verification = account.verification.as_ref();
        let subject_aad = Aad {
            table: "accounts",
            column: "subject_enc",
            row: id,
        };
        let phone_aad = Aad {
            table: "accounts",
            column: "phone_enc",
            row: id,
        };
        AccountWrite {
            id,
            root_id: match account.kind {
                AccountKind::Root => None,
                AccountKind::Sub { root, .. } => Some(root.as_uuid()),
            },
            inherits: account.inherited_from().is_some(),
            state: account.state.as_str(),
            status: account.status.as_str(),
            phone_key: account.phone.as_ref().map(|p| self.phone_key(p)),
            phone_enc: account
                .phone
                .as_ref()
                .map(|p| self.keys.seal(p.as_str().as_bytes(), &phone_aad)),
            subject_key: verification.map(|v| self.subject_key(&v.subject)),
            subject_type: verification.map(|v| v.subject.subject_type().as_str()),
            subject_enc: verification.map(|v| self.seal_subject(&v.subject, &subject_aad)),
            verified_method: verification.map(|v| v.method.as_str()),
            verified_at: verification.map(|v| v.verified_at),
            last_authenticated_at: verification.map(|v| v.last_authenticated_at),
            agreement_expires_at: account.agreement_expires_at,
            created_at: account.created_at,
            revocation_pending_at: account.revocation_pending_at,
            closed_at: account.closed_at,
            redacted_at: account.redacted_at,
            credentials_epoch: account.credentials_epoch,
        }
    }

    pub(crate) fn account(&self, row: AccountRow) -> Result<Account, StoreError> {
        let subject_aad = Aad {
            table: "accounts",
            column: "subject_enc",
            row: row.id,
        };
        let verification = match (
            row.subject_enc,
            row.verified_method,
            row.verified_at,
            row.last_authenticated_at,
        ) {
            (Some(sealed), Some(method), Some(verified_at), Some(last)) => Some(Verification {
                subject: self.open_subject(&sealed, &subject_aad)?,
                method: Method::parse(&method).ok_or_else(|| corrupt("method"))?,
                verified_at,
                last_authenticated_at: last,
            }),
            _ => None,
        };
        Ok(Account {
            id: AccountId::from_uuid(row.id),
            kind: row
                .root_id
                .map_or(AccountKind::Root, |root| AccountKind::Sub {
                    root: AccountId::from_uuid(root),
                    inherits: row.inherits,
                }),
            phone: row
                .phone_enc
                .map(|p| self.open_phone(&p, row.id))
                .transpose()?,
            state: AccountState::parse(&row.state).ok_or_else(|| corrupt("state"))?,
            status: RealNameStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            verification,
            agreement_expires_at: row.agreement_expires_at,
            revocation_pending_at: row.revocation_pending_at,
            closed_at: row.closed_at,
            redacted_at: row.redacted_at,
            created_at: row.created_at,
            credentials_epoch: row.credentials_epoch,
        })
    }

    pub(crate) fn open_phone(&self, sealed: &[u8], account: Uuid) -> Result<Phone, StoreError> {
        let aad = Aad {
            table: "accounts",
            column: "phone_enc",
            row: account,
        };
        let bytes = self
            .keys
            .open(sealed, &aad)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let digits = String::from_utf8(bytes).map_err(|_| corrupt("phone"))?;
        Phone::parse(&digits).map_err(|_| corrupt("phone"))
    }
}

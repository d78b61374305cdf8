//! Row structs per purpose, and their conversion to and from domain values. Personal data is
//! sealed here on the way in and opened on the way out (SPEC §4).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use realname_domain::enterprise::ReviewReason;
use realname_domain::identifiers::{EnterpriseName, PersonName, Phone, Uscc};
use realname_domain::phone_change::{PhoneChange, PhoneChangeId, PhoneChangeStatus};
use realname_domain::quota::SlotHolder;
use realname_domain::{
    Account, AccountId, AccountKind, AccountState, Amount, Application, ApplicationId,
    ApplicationStatus, DocumentType, EnterpriseSubject, Failure, FailureCode, Method, NextAction,
    PersonalDocument, PersonalSubject, Purpose, RealNameStatus, Region, Subject, Verification,
};
use realname_ports::StoreError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crypto::{Aad, Keyring};
use crate::schema::{accounts, applications, phone_changes};

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
}

/// An application as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = applications, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ApplicationRow {
    id: Uuid,
    account_id: Uuid,
    purpose: String,
    method: String,
    status: String,
    subject_enc: Option<Vec<u8>>,
    session_ref: Option<String>,
    next_action: Option<serde_json::Value>,
    deadline: Option<DateTime<Utc>>,
    overdue: bool,
    failure_code: Option<String>,
    failure_holders: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    escalated: bool,
    review_reason: Option<String>,
    review_note_enc: Option<Vec<u8>>,
    failure_reason: Option<String>,
}

/// Every stored column of an application.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = applications, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct ApplicationWrite {
    id: Uuid,
    account_id: Uuid,
    purpose: &'static str,
    method: &'static str,
    status: &'static str,
    subject_type: &'static str,
    subject_key: Vec<u8>,
    subject_enc: Option<Vec<u8>>,
    session_ref: Option<String>,
    next_action: Option<serde_json::Value>,
    session_expires_at: Option<DateTime<Utc>>,
    deadline: Option<DateTime<Utc>>,
    overdue: bool,
    failure_code: Option<&'static str>,
    failure_holders: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    escalated: bool,
    review_reason: Option<&'static str>,
    review_note_enc: Option<Vec<u8>>,
    failure_reason: Option<String>,
}

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
}

/// The plaintext of a sealed subject.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum SealedSubject {
    Personal {
        document_type: String,
        number: String,
        name: String,
        region: String,
    },
    Enterprise {
        name: String,
        uscc: String,
        region: String,
        legal_person_name: Option<String>,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StoredNextAction {
    ScanQr {
        qr_url: String,
        expires_at: DateTime<Utc>,
    },
    FaceLiveness {
        session_url: String,
        expires_at: DateTime<Utc>,
    },
    Pay {
        reference: String,
        amount_fen: Option<i64>,
        payee_account: Option<String>,
        expires_at: DateTime<Utc>,
    },
}

#[derive(Serialize, Deserialize)]
struct StoredHolder {
    account_id: Uuid,
    phone_masked: String,
    verified_at: DateTime<Utc>,
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("stored {what} is not valid"))
}

/// Seals and opens personal data, and converts rows.
#[derive(Debug, Clone)]
pub(crate) struct Codec {
    keys: Arc<Keyring>,
}

impl Codec {
    pub(crate) fn new(keys: Arc<Keyring>) -> Self {
        Self { keys }
    }

    /// The subject key of a subject (SPEC §4).
    pub(crate) fn subject_key(&self, subject: &Subject) -> Vec<u8> {
        self.keyed_subject_material(&subject.key_material())
    }

    /// The subject key of normalised key material (`Subject::key_material`).
    pub(crate) fn keyed_subject_material(&self, material: &str) -> Vec<u8> {
        self.keys.keyed_hash("subject", material)
    }

    /// The phone key of a number (SPEC §4): the 11 digits.
    pub(crate) fn phone_key(&self, phone: &Phone) -> Vec<u8> {
        self.keys.keyed_hash("phone", phone.as_str())
    }

    fn seal_subject(&self, subject: &Subject, aad: &Aad<'_>) -> Vec<u8> {
        let plain = match subject {
            Subject::Personal(p) => SealedSubject::Personal {
                document_type: p.document.kind().as_str().to_owned(),
                number: p.document.number().to_owned(),
                name: p.name.as_str().to_owned(),
                region: p.region.as_str().to_owned(),
            },
            Subject::Enterprise(e) => SealedSubject::Enterprise {
                name: e.name.as_str().to_owned(),
                uscc: e.uscc.as_str().to_owned(),
                region: e.region.as_str().to_owned(),
                legal_person_name: e.legal_person_name.as_ref().map(|n| n.as_str().to_owned()),
            },
        };
        let bytes = serde_json::to_vec(&plain).unwrap_or_default();
        self.keys.seal(&bytes, aad)
    }

    fn open_subject(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<Subject, StoreError> {
        let bytes = self
            .keys
            .open(sealed, aad)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let plain: SealedSubject =
            serde_json::from_slice(&bytes).map_err(|_| corrupt("subject"))?;
        Ok(match plain {
            SealedSubject::Personal {
                document_type,
                number,
                name,
                region,
            } => {
                let kind =
                    DocumentType::parse(&document_type).ok_or_else(|| corrupt("document type"))?;
                Subject::Personal(PersonalSubject {
                    document: PersonalDocument::parse(kind, &number, chrono::NaiveDate::MAX)
                        .map_err(|_| corrupt("document"))?,
                    name: PersonName::parse(&name).map_err(|_| corrupt("name"))?,
                    region: Region::parse(&region).ok_or_else(|| corrupt("region"))?,
                })
            }
            SealedSubject::Enterprise {
                name,
                uscc,
                region,
                legal_person_name,
            } => Subject::Enterprise(EnterpriseSubject {
                name: EnterpriseName::parse(&name).map_err(|_| corrupt("enterprise name"))?,
                uscc: Uscc::parse(&uscc).map_err(|_| corrupt("uscc"))?,
                region: Region::parse(&region).ok_or_else(|| corrupt("region"))?,
                legal_person_name: legal_person_name
                    .map(|n| PersonName::parse(&n).map_err(|_| corrupt("legal person")))
                    .transpose()?,
            }),
        })
    }

    pub(crate) fn seal_subject_for(&self, subject: &Subject, aad: &Aad<'_>) -> Vec<u8> {
        self.seal_subject(subject, aad)
    }

    pub(crate) fn open_subject_for(
        &self,
        sealed: &[u8],
        aad: &Aad<'_>,
    ) -> Result<Subject, StoreError> {
        self.open_subject(sealed, aad)
    }

    pub(crate) fn seal_bytes(&self, plain: &[u8], aad: &Aad<'_>) -> Vec<u8> {
        self.keys.seal(plain, aad)
    }

    pub(crate) fn open_bytes(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<Vec<u8>, StoreError> {
        self.keys
            .open(sealed, aad)
            .map_err(|e| StoreError::Unknown(e.into()))
    }

    fn seal_note(&self, note: &str, application: Uuid) -> Vec<u8> {
        self.keys.seal(
            note.as_bytes(),
            &Aad {
                table: "applications",
                column: "review_note_enc",
                row: application,
            },
        )
    }

    fn open_note(&self, sealed: &[u8], application: Uuid) -> Result<String, StoreError> {
        let aad = Aad {
            table: "applications",
            column: "review_note_enc",
            row: application,
        };
        let bytes = self
            .keys
            .open(sealed, &aad)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        String::from_utf8(bytes).map_err(|_| corrupt("review note"))
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
            status: PhoneChangeStatus::parse(&row.status)
                .ok_or_else(|| corrupt("phone change status"))?,
            expires_at: row.expires_at,
            created_at: row.created_at,
        })
    }

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
        })
    }

    pub(crate) fn application_write(&self, app: &Application) -> ApplicationWrite {
        let id = app.id.as_uuid();
        let aad = Aad {
            table: "applications",
            column: "subject_enc",
            row: id,
        };
        let failure = app.failure.as_ref();
        ApplicationWrite {
            id,
            account_id: app.account_id.as_uuid(),
            purpose: app.purpose.as_str(),
            method: app.method.as_str(),
            status: app.status.as_str(),
            subject_type: app.subject.subject_type().as_str(),
            subject_key: self.subject_key(&app.subject),
            subject_enc: Some(self.seal_subject(&app.subject, &aad)),
            session_ref: app.session_ref.clone(),
            next_action: app.next_action.as_ref().map(next_action_json),
            session_expires_at: app.next_action.as_ref().map(NextAction::expires_at),
            deadline: app.deadline,
            overdue: app.overdue,
            failure_code: failure.map(|f| f.code.as_str()),
            failure_holders: failure
                .filter(|f| !f.holding_accounts.is_empty())
                .map(|f| holders_json(&f.holding_accounts)),
            created_at: app.created_at,
            decided_at: app.decided_at,
            escalated: app.escalated,
            review_reason: app.review_reason.map(ReviewReason::as_str),
            review_note_enc: app.review_note.as_deref().map(|n| self.seal_note(n, id)),
            failure_reason: failure.and_then(|f| f.reason.clone()),
        }
    }

    pub(crate) fn application(&self, row: ApplicationRow) -> Result<Application, StoreError> {
        let aad = Aad {
            table: "applications",
            column: "subject_enc",
            row: row.id,
        };
        let failure = match row.failure_code {
            Some(code) => Some(Failure {
                code: FailureCode::parse(&code).ok_or_else(|| corrupt("failure code"))?,
                holding_accounts: row
                    .failure_holders
                    .map(holders)
                    .transpose()?
                    .unwrap_or_default(),
                reason: row.failure_reason,
            }),
            None => None,
        };
        Ok(Application {
            id: ApplicationId::from_uuid(row.id),
            account_id: AccountId::from_uuid(row.account_id),
            purpose: Purpose::parse(&row.purpose).ok_or_else(|| corrupt("purpose"))?,
            method: Method::parse(&row.method).ok_or_else(|| corrupt("method"))?,
            subject: self.open_subject(
                row.subject_enc
                    .as_deref()
                    .ok_or_else(|| corrupt("redacted application"))?,
                &aad,
            )?,
            status: ApplicationStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            session_ref: row.session_ref,
            next_action: row.next_action.map(next_action).transpose()?,
            deadline: row.deadline,
            overdue: row.overdue,
            escalated: row.escalated,
            review_reason: row.review_reason.as_deref().and_then(ReviewReason::parse),
            review_note: row
                .review_note_enc
                .map(|n| self.open_note(&n, row.id))
                .transpose()?,
            failure,
            created_at: row.created_at,
            decided_at: row.decided_at,
        })
    }
}

pub(crate) fn next_action_json(action: &NextAction) -> serde_json::Value {
    let stored = match action.clone() {
        NextAction::ScanQr { qr_url, expires_at } => {
            StoredNextAction::ScanQr { qr_url, expires_at }
        }
        NextAction::FaceLiveness {
            session_url,
            expires_at,
        } => StoredNextAction::FaceLiveness {
            session_url,
            expires_at,
        },
        NextAction::Pay {
            reference,
            amount,
            payee_account,
            expires_at,
        } => StoredNextAction::Pay {
            reference,
            amount_fen: amount.map(|a| a.0),
            payee_account,
            expires_at,
        },
    };
    serde_json::to_value(stored).unwrap_or_default()
}

pub(crate) fn next_action(value: serde_json::Value) -> Result<NextAction, StoreError> {
    let stored: StoredNextAction =
        serde_json::from_value(value).map_err(|_| corrupt("next action"))?;
    Ok(match stored {
        StoredNextAction::ScanQr { qr_url, expires_at } => {
            NextAction::ScanQr { qr_url, expires_at }
        }
        StoredNextAction::FaceLiveness {
            session_url,
            expires_at,
        } => NextAction::FaceLiveness {
            session_url,
            expires_at,
        },
        StoredNextAction::Pay {
            reference,
            amount_fen,
            payee_account,
            expires_at,
        } => NextAction::Pay {
            reference,
            amount: amount_fen.map(Amount),
            payee_account,
            expires_at,
        },
    })
}

fn holders_json(holders: &[SlotHolder]) -> serde_json::Value {
    let stored: Vec<StoredHolder> = holders
        .iter()
        .map(|h| StoredHolder {
            account_id: h.account_id.as_uuid(),
            phone_masked: h.phone_masked.clone(),
            verified_at: h.verified_at,
        })
        .collect();
    serde_json::to_value(stored).unwrap_or_default()
}

fn holders(value: serde_json::Value) -> Result<Vec<SlotHolder>, StoreError> {
    let stored: Vec<StoredHolder> =
        serde_json::from_value(value).map_err(|_| corrupt("holders"))?;
    Ok(stored
        .into_iter()
        .map(|h| SlotHolder {
            account_id: AccountId::from_uuid(h.account_id),
            phone_masked: h.phone_masked,
            verified_at: h.verified_at,
        })
        .collect())
}

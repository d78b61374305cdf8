//! Applications as stored: the subject and reviewer note sealed, the next action and slot holders as JSON.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use realname_domain::enterprise::{RegistryRecord, RegistryStatus, ReviewReason};
use realname_domain::quota::SlotHolder;
use realname_domain::{
    AccountId, Amount, Application, ApplicationId, ApplicationStatus, CreditReceived, Failure,
    FailureCode, Method, NextAction, Purpose, RegistryCheck, ReviewContext,
};
use realname_ports::StoreError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crypto::Aad;
use crate::schema::applications;

use super::{Codec, corrupt};

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
    review_context_enc: Option<Vec<u8>>,
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
    review_context_enc: Option<Vec<u8>>,
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

impl Codec {
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
            review_context_enc: self.seal_review_context(&app.review_context, id),
        }
    }

    fn review_context_aad(application: Uuid) -> Aad<'static> {
        Aad {
            table: "applications",
            column: "review_context_enc",
            row: application,
        }
    }

    /// The review context as sealed JSON; `None` while it is empty.
    fn seal_review_context(&self, context: &ReviewContext, application: Uuid) -> Option<Vec<u8>> {
        if *context == ReviewContext::default() {
            return None;
        }
        let registry = context.registry.as_ref().map(|check| {
            serde_json::json!({
                "checked_at": check.checked_at,
                "record": check.record.as_ref().map(|r| serde_json::json!({
                    "name": r.name,
                    "status": registry_status(&r.status),
                    "legal_representative": r.legal_representative,
                })),
            })
        });
        let credit = context.payment_credit.as_ref().map(|c| {
            serde_json::json!({
                "amount_fen": c.amount.0,
                "payer_name": c.payer_name,
                "payer_account": c.payer_account,
                "received_at": c.received_at,
            })
        });
        let plain = serde_json::json!({"registry": registry, "payment_credit": credit}).to_string();
        Some(self.seal_bytes(plain.as_bytes(), &Self::review_context_aad(application)))
    }

    fn open_review_context(
        &self,
        sealed: Option<&[u8]>,
        application: Uuid,
    ) -> Result<ReviewContext, StoreError> {
        let Some(sealed) = sealed else {
            return Ok(ReviewContext::default());
        };
        let plain = self.open_bytes(sealed, &Self::review_context_aad(application))?;
        let stored: StoredReviewContext =
            serde_json::from_slice(&plain).map_err(|_| corrupt("review context"))?;
        Ok(ReviewContext {
            registry: stored.registry.map(|check| {
                Box::new(RegistryCheck {
                    record: check.record.map(|r| RegistryRecord {
                        status: parse_registry_status(&r.status),
                        name: r.name,
                        legal_representative: r.legal_representative,
                    }),
                    checked_at: check.checked_at,
                })
            }),
            payment_credit: stored.payment_credit.map(|c| {
                Box::new(CreditReceived {
                    amount: Amount(c.amount_fen),
                    payer_name: c.payer_name,
                    payer_account: c.payer_account,
                    received_at: c.received_at,
                })
            }),
        })
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
            review_context: self.open_review_context(row.review_context_enc.as_deref(), row.id)?,
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

/// The review context's sealed JSON.
#[derive(Deserialize)]
struct StoredReviewContext {
    registry: Option<StoredRegistryCheck>,
    payment_credit: Option<StoredCredit>,
}

#[derive(Deserialize)]
struct StoredRegistryCheck {
    checked_at: DateTime<Utc>,
    record: Option<StoredRecord>,
}

#[derive(Deserialize)]
struct StoredRecord {
    name: String,
    status: String,
    legal_representative: String,
}

#[derive(Deserialize)]
struct StoredCredit {
    amount_fen: i64,
    payer_name: String,
    payer_account: String,
    received_at: DateTime<Utc>,
}

fn registry_status(status: &RegistryStatus) -> &str {
    match status {
        RegistryStatus::Active => "active",
        RegistryStatus::Deregistered => "deregistered",
        RegistryStatus::Other(other) => other,
    }
}

fn parse_registry_status(raw: &str) -> RegistryStatus {
    match raw {
        "active" => RegistryStatus::Active,
        "deregistered" => RegistryStatus::Deregistered,
        other => RegistryStatus::Other(other.to_owned()),
    }
}

//! Identity proofs and cases (R14, R15): rows, sealing, and the case reader.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::identity::{Case, CaseKind, CaseOutcome, IdentityProof, ProofStatus};
use realname_domain::{AccountId, CaseId, Method, ProofId};
use realname_ports::{CaseReader, Page, StoreError};
use uuid::Uuid;

use crate::crypto::Aad;
use crate::error::store_error;
use crate::rows::{Codec, corrupt};
use crate::schema::{cases, identity_proofs};
use crate::store::PgStore;

/// An identity proof as stored.
#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = identity_proofs, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct ProofRow {
    id: Uuid,
    owner: String,
    method: String,
    subject_key: Vec<u8>,
    subject_enc: Option<Vec<u8>>,
    secret_enc: Option<Vec<u8>>,
    status: String,
    session_ref: Option<String>,
    next_action: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    passed_at: Option<DateTime<Utc>>,
    redacted_at: Option<DateTime<Utc>>,
}

/// A case as stored.
#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cases, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct CaseRow {
    id: Uuid,
    kind: String,
    opened_by: String,
    proof_id: Option<Uuid>,
    account_ids: Vec<Uuid>,
    message_enc: Option<Vec<u8>>,
    outcome: Option<String>,
    created_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<String>,
    resolution_note_enc: Option<Vec<u8>>,
}

impl Codec {
    pub(crate) fn proof_row(&self, proof: &IdentityProof) -> ProofRow {
        let id = proof.id.as_uuid();
        let aad = |column| Aad {
            table: "identity_proofs",
            column,
            row: id,
        };
        ProofRow {
            id,
            owner: proof.owner.clone(),
            method: proof.method.as_str().to_owned(),
            subject_key: self.subject_key(&proof.subject),
            subject_enc: Some(self.seal_subject_for(&proof.subject, &aad("subject_enc"))),
            secret_enc: Some(self.seal_bytes(&proof.secret, &aad("secret_enc"))),
            status: proof.status.as_str().to_owned(),
            session_ref: proof.session_ref.clone(),
            next_action: proof
                .next_action
                .as_ref()
                .map(crate::rows::next_action_json),
            created_at: proof.created_at,
            passed_at: proof.passed_at,
            redacted_at: None,
        }
    }

    pub(crate) fn proof(&self, row: ProofRow) -> Result<IdentityProof, StoreError> {
        let aad = |column| Aad {
            table: "identity_proofs",
            column,
            row: row.id,
        };
        // A redacted proof (R21) is not loaded: the finders skip it.
        let (Some(subject), Some(secret)) = (&row.subject_enc, &row.secret_enc) else {
            return Err(corrupt("redacted proof"));
        };
        let secret = self.open_bytes(secret, &aad("secret_enc"))?;
        Ok(IdentityProof {
            id: ProofId::from_uuid(row.id),
            owner: row.owner,
            method: Method::parse(&row.method).ok_or_else(|| corrupt("method"))?,
            subject: self.open_subject_for(subject, &aad("subject_enc"))?,
            status: ProofStatus::parse(&row.status).ok_or_else(|| corrupt("proof status"))?,
            secret: secret.try_into().map_err(|_| corrupt("proof secret"))?,
            session_ref: row.session_ref,
            next_action: row.next_action.map(crate::rows::next_action).transpose()?,
            created_at: row.created_at,
            passed_at: row.passed_at,
        })
    }

    pub(crate) fn case_row(&self, case: &Case) -> CaseRow {
        let id = case.id.as_uuid();
        let seal = |column, text: &String| {
            let aad = Aad {
                table: "cases",
                column,
                row: id,
            };
            self.seal_bytes(text.as_bytes(), &aad)
        };
        CaseRow {
            id,
            kind: case.kind.as_str().to_owned(),
            opened_by: case.opened_by.clone(),
            proof_id: case.proof_id.map(|p| p.as_uuid()),
            account_ids: case.account_ids.iter().map(AccountId::as_uuid).collect(),
            message_enc: case.message.as_ref().map(|m| seal("message_enc", m)),
            outcome: case.outcome.map(|o| o.as_str().to_owned()),
            created_at: case.created_at,
            resolved_at: case.resolved_at,
            resolved_by: case.resolved_by.clone(),
            resolution_note_enc: case
                .resolution_note
                .as_ref()
                .map(|n| seal("resolution_note_enc", n)),
        }
    }

    pub(crate) fn case(&self, row: CaseRow) -> Result<Case, StoreError> {
        let open = |column, sealed: Option<Vec<u8>>| {
            sealed
                .map(|sealed| {
                    let aad = Aad {
                        table: "cases",
                        column,
                        row: row.id,
                    };
                    let text = self.open_bytes(&sealed, &aad)?;
                    String::from_utf8(text).map_err(|_| corrupt(column))
                })
                .transpose()
        };
        Ok(Case {
            id: CaseId::from_uuid(row.id),
            kind: CaseKind::parse(&row.kind).ok_or_else(|| corrupt("case kind"))?,
            opened_by: row.opened_by,
            proof_id: row.proof_id.map(ProofId::from_uuid),
            account_ids: row
                .account_ids
                .into_iter()
                .map(AccountId::from_uuid)
                .collect(),
            message: open("message_enc", row.message_enc)?,
            outcome: row
                .outcome
                .as_deref()
                .map(|o| CaseOutcome::parse(o).ok_or_else(|| corrupt("case outcome")))
                .transpose()?,
            created_at: row.created_at,
            resolved_at: row.resolved_at,
            resolved_by: row.resolved_by,
            resolution_note: open("resolution_note_enc", row.resolution_note_enc)?,
        })
    }
}

#[async_trait]
impl CaseReader for PgStore {
    async fn cases(
        &self,
        kind: Option<CaseKind>,
        open_only: bool,
        page: Page<CaseId>,
    ) -> Result<(Vec<Case>, bool), StoreError> {
        let mut conn = self.conn().await?;
        // Case ids are UUIDv7: their order is their opening order.
        let mut query = cases::table
            .into_boxed()
            .order(cases::id.asc())
            .limit(i64::from(page.limit) + 1);
        if let Some(after) = page.starting_after {
            query = query.filter(cases::id.gt(after.as_uuid()));
        }
        if let Some(kind) = kind {
            query = query.filter(cases::kind.eq(kind.as_str()));
        }
        if open_only {
            query = query.filter(cases::outcome.is_null());
        }
        let rows: Vec<CaseRow> = query
            .select(CaseRow::as_select())
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        let found = rows
            .into_iter()
            .take(page.limit as usize)
            .map(|r| self.codec().case(r))
            .collect::<Result<_, _>>()?;
        Ok((found, has_more))
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<CaseRow> = cases::table
            .find(id.as_uuid())
            .select(CaseRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec().case(r)).transpose()
    }
}

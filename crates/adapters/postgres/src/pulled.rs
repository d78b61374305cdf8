//! Pulled provider sessions (FaceID): the row, and the reader the return URL and the poll job
//! use (R5).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::identity::ProofStatus;
use realname_domain::{ApplicationId, Method, ProofId};
use realname_ports::{PulledSession, PulledSessions, SessionOwner, StoreError};
use uuid::Uuid;

use crate::error::store_error;
use crate::rows::corrupt;
use crate::schema::{applications, identity_proofs, pulled_sessions};
use crate::store::{PgStore, UNDECIDED};

/// A pulled session as stored.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = pulled_sessions, check_for_backend(diesel::pg::Pg))]
pub(crate) struct PulledRow {
    session_ref: String,
    method: String,
    provider_token: String,
    application_id: Option<Uuid>,
    proof_id: Option<Uuid>,
    expires_at: DateTime<Utc>,
}

impl PulledRow {
    pub(crate) fn of(session: &PulledSession) -> Self {
        let (application_id, proof_id) = match session.owner {
            SessionOwner::Application(id) => (Some(id.as_uuid()), None),
            SessionOwner::Proof(id) => (None, Some(id.as_uuid())),
        };
        Self {
            session_ref: session.session_ref.clone(),
            method: session.method.as_str().to_owned(),
            provider_token: session.provider_token.clone(),
            application_id,
            proof_id,
            expires_at: session.expires_at,
        }
    }

    fn session(self) -> Result<PulledSession, StoreError> {
        let owner = match (self.application_id, self.proof_id) {
            (Some(id), None) => SessionOwner::Application(ApplicationId::from_uuid(id)),
            (None, Some(id)) => SessionOwner::Proof(ProofId::from_uuid(id)),
            _ => return Err(corrupt("pulled session owner")),
        };
        Ok(PulledSession {
            method: Method::parse(&self.method).ok_or_else(|| corrupt("pulled session method"))?,
            session_ref: self.session_ref,
            provider_token: self.provider_token,
            owner,
            expires_at: self.expires_at,
        })
    }
}

#[async_trait]
impl PulledSessions for PgStore {
    #[tracing::instrument(name = "pg.pulled_session", skip_all)]
    async fn pulled_session(&self, session_ref: &str) -> Result<Option<PulledSession>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<PulledRow> = pulled_sessions::table
            .find(session_ref)
            .select(PulledRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(PulledRow::session).transpose()
    }

    #[tracing::instrument(name = "pg.open_pulled_sessions", skip_all)]
    async fn open_pulled_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<PulledSession>, StoreError> {
        let mut conn = self.conn().await?;
        let undecided_applications = applications::table
            .filter(applications::status.eq_any(UNDECIDED))
            .select(applications::id.nullable());
        let undecided_proofs = identity_proofs::table
            .filter(identity_proofs::status.eq(ProofStatus::AwaitingAction.as_str()))
            .select(identity_proofs::id.nullable());
        let rows: Vec<PulledRow> = pulled_sessions::table
            .filter(pulled_sessions::expires_at.gt(now))
            .filter(
                pulled_sessions::application_id
                    .eq_any(undecided_applications)
                    .or(pulled_sessions::proof_id.eq_any(undecided_proofs)),
            )
            .order(pulled_sessions::expires_at.asc())
            .limit(i64::from(limit))
            .select(PulledRow::as_select())
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(PulledRow::session).collect()
    }
}

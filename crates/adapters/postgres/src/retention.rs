//! The R21 retention sweep's storage: finders narrowed by date, and one redacting transaction.
//! Which record is due is the domain's to say (`realname_domain::retention`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::not;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use realname_domain::retention::{DecidedSubject, KeptProof};
use realname_domain::{ApplicationId, ApplicationStatus, CaseId, ProofId};
use realname_ports::{Redactions, RetentionStore, StoreError};
use uuid::Uuid;

use crate::error::store_error;
use crate::schema::{accounts, applications, cases, identity_proofs};
use crate::store::PgStore;

const APPROVED: &str = ApplicationStatus::Approved.as_str();

#[async_trait]
impl RetentionStore for PgStore {
    async fn superseded_subjects(
        &self,
        decided_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(ApplicationId, DecidedSubject)>, StoreError> {
        let mut conn = self.conn().await?;
        let same_subject =
            accounts::subject_key.is_not_distinct_from(applications::subject_key.nullable());
        let rows: Vec<(Uuid, Option<DateTime<Utc>>, String, bool)> = applications::table
            .inner_join(accounts::table)
            .filter(applications::subject_enc.is_not_null())
            .filter(applications::decided_at.le(decided_before))
            // Narrows the search to what the domain will call superseded: not the approved
            // subject the account still has.
            .filter(not(applications::status.eq(APPROVED).and(same_subject)))
            .order(applications::decided_at.asc())
            .limit(i64::from(limit))
            .select((
                applications::id,
                applications::decided_at,
                applications::status,
                same_subject,
            ))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, decided_at, status, still_the_accounts)| {
                Some((
                    ApplicationId::from_uuid(id),
                    DecidedSubject {
                        decided_at: decided_at?,
                        approved: status == APPROVED,
                        still_the_accounts,
                    },
                ))
            })
            .collect())
    }

    async fn kept_proofs(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(ProofId, KeptProof)>, StoreError> {
        let mut conn = self.conn().await?;
        // A proof passes after it starts, so one kept since `before` started by then.
        let rows: Vec<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> = identity_proofs::table
            .filter(identity_proofs::redacted_at.is_null())
            .filter(identity_proofs::created_at.le(before))
            .filter(
                identity_proofs::passed_at
                    .le(before)
                    .or(identity_proofs::passed_at.is_null()),
            )
            .order(identity_proofs::created_at.asc())
            .limit(i64::from(limit))
            .select((
                identity_proofs::id,
                identity_proofs::created_at,
                identity_proofs::passed_at,
            ))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, created_at, passed_at)| {
                let proof = KeptProof {
                    created_at,
                    passed_at,
                };
                (ProofId::from_uuid(id), proof)
            })
            .collect())
    }

    async fn case_messages(
        &self,
        opened_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(CaseId, DateTime<Utc>)>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(Uuid, DateTime<Utc>)> = cases::table
            .filter(cases::message_enc.is_not_null())
            .filter(cases::created_at.le(opened_before))
            .order(cases::created_at.asc())
            .limit(i64::from(limit))
            .select((cases::id, cases::created_at))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, opened)| (CaseId::from_uuid(id), opened))
            .collect())
    }

    async fn redact(&self, redactions: &Redactions, at: DateTime<Utc>) -> Result<(), StoreError> {
        let subjects: Vec<Uuid> = redactions.subjects.iter().map(|i| i.as_uuid()).collect();
        let proofs: Vec<Uuid> = redactions.proofs.iter().map(|i| i.as_uuid()).collect();
        let cases: Vec<Uuid> = redactions
            .case_messages
            .iter()
            .map(|i| i.as_uuid())
            .collect();
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            diesel::update(applications::table.filter(applications::id.eq_any(&subjects)))
                .set((
                    applications::subject_enc.eq(None::<Vec<u8>>),
                    applications::review_note_enc.eq(None::<Vec<u8>>),
                    applications::review_context_enc.eq(None::<Vec<u8>>),
                ))
                .execute(conn)
                .await?;
            diesel::update(
                identity_proofs::table
                    .filter(identity_proofs::id.eq_any(&proofs))
                    .filter(identity_proofs::redacted_at.is_null()),
            )
            .set((
                identity_proofs::subject_enc.eq(None::<Vec<u8>>),
                identity_proofs::secret_enc.eq(None::<Vec<u8>>),
                identity_proofs::redacted_at.eq(at),
            ))
            .execute(conn)
            .await?;
            diesel::update(cases::table.filter(cases::id.eq_any(&cases)))
                .set(cases::message_enc.eq(None::<Vec<u8>>))
                .execute(conn)
                .await
        })
        .await
        .map_err(store_error)?;
        Ok(())
    }
}

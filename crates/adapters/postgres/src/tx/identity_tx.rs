//! Identity proofs and cases (R14, R15).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::identity::{Case, IdentityProof};
use realname_domain::{Account, CaseId, ProofId, Subject};
use realname_ports::StoreError;

use crate::error::store_error;
use crate::identity::{CaseRow, ProofRow};
use crate::rows::AccountRow;
use crate::schema::{accounts, cases, identity_proofs};

use super::PgTransaction;

#[async_trait]
impl realname_ports::IdentityTx for PgTransaction {
    async fn save_proof(&mut self, proof: &IdentityProof) -> Result<(), StoreError> {
        let row = self.codec.proof_row(proof);
        diesel::insert_into(identity_proofs::table)
            .values(&row)
            .on_conflict(identity_proofs::id)
            .do_update()
            .set(&row)
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn proof_for_update(&mut self, id: ProofId) -> Result<Option<IdentityProof>, StoreError> {
        let row: Option<ProofRow> = identity_proofs::table
            .find(id.as_uuid())
            .filter(identity_proofs::redacted_at.is_null())
            .select(ProofRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.proof(r)).transpose()
    }

    async fn proof_by_session_for_update(
        &mut self,
        session_ref: &str,
    ) -> Result<Option<IdentityProof>, StoreError> {
        let row: Option<ProofRow> = identity_proofs::table
            .filter(identity_proofs::session_ref.eq(session_ref))
            .filter(identity_proofs::redacted_at.is_null())
            .select(ProofRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.proof(r)).transpose()
    }

    async fn accounts_of_subject(&mut self, subject: &Subject) -> Result<Vec<Account>, StoreError> {
        let key = self.codec.subject_key(subject);
        let rows: Vec<AccountRow> = accounts::table
            .filter(accounts::subject_key.eq(key))
            .order(accounts::id.asc())
            .select(AccountRow::as_select())
            .for_update()
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(|r| self.codec.account(r)).collect()
    }

    async fn save_case(&mut self, case: &Case) -> Result<(), StoreError> {
        let row = self.codec.case_row(case);
        diesel::insert_into(cases::table)
            .values(&row)
            .on_conflict(cases::id)
            .do_update()
            .set(&row)
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn case_for_update(&mut self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let row: Option<CaseRow> = cases::table
            .find(id.as_uuid())
            .select(CaseRow::as_select())
            .for_update()
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.case(r)).transpose()
    }
}

//! Applications (R2, R6, R7, R8).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use realname_domain::{AccountId, Application, ApplicationId, FailureCode};
use realname_ports::{PulledSession, StoreError};

use crate::error::store_error;
use crate::pulled::PulledRow;
use crate::rows::ApplicationRow;
use crate::schema::{applications, pulled_sessions};
use crate::store::UNDECIDED;

use super::{PgTransaction, found};

#[async_trait]
impl realname_ports::ApplicationsTx for PgTransaction {
    async fn undecided_application(
        &mut self,
        account: AccountId,
    ) -> Result<Option<Application>, StoreError> {
        let row: Option<ApplicationRow> = applications::table
            .filter(applications::account_id.eq(account.as_uuid()))
            .filter(applications::status.eq_any(UNDECIDED))
            .select(ApplicationRow::as_select())
            .first(self.conn()?)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.application(r)).transpose()
    }

    async fn failed_attempts_since(
        &mut self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let counted: Vec<&str> = FailureCode::ALL
            .into_iter()
            .filter(|c| c.counts_as_failed_attempt())
            .map(FailureCode::as_str)
            .collect();
        let times: Vec<Option<DateTime<Utc>>> = applications::table
            .filter(applications::account_id.eq(account.as_uuid()))
            .filter(applications::status.eq("rejected"))
            .filter(applications::decided_at.ge(since))
            .filter(applications::failure_code.eq_any(counted))
            .select(applications::decided_at)
            .load(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(times.into_iter().flatten().collect())
    }

    async fn application_for_update(
        &mut self,
        id: ApplicationId,
    ) -> Result<Option<Application>, StoreError> {
        self.load_application(id.as_uuid()).await
    }

    async fn insert_application(&mut self, application: &Application) -> Result<(), StoreError> {
        diesel::insert_into(applications::table)
            .values(self.codec.application_write(application))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn save_application(&mut self, application: &Application) -> Result<(), StoreError> {
        let updated = diesel::update(applications::table.find(application.id.as_uuid()))
            .set(self.codec.application_write(application))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        found(updated)
    }

    async fn insert_pulled_session(&mut self, session: &PulledSession) -> Result<(), StoreError> {
        diesel::insert_into(pulled_sessions::table)
            .values(PulledRow::of(session))
            .execute(self.conn()?)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

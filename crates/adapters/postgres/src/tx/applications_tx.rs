//! Applications (R2, R6, R7, R8).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use realname_domain::{AccountId, Application, ApplicationId, FailureCode};
use realname_ports::{AdmissionFacts, PulledSession, StoreError};

use crate::error::store_error;
use crate::pulled::PulledRow;
use crate::rows::ApplicationRow;
use crate::schema::{applications, pulled_sessions};
use crate::store::UNDECIDED;

use super::accounts_tx::lock_account;
use super::{PgTransaction, found};

/// The failure codes that count as an attempt (R7).
fn counted_failures() -> Vec<&'static str> {
    FailureCode::ALL
        .into_iter()
        .filter(|c| c.counts_as_failed_attempt())
        .map(FailureCode::as_str)
        .collect()
}

#[async_trait]
impl realname_ports::ApplicationsTx for PgTransaction {
    async fn admission_facts(
        &mut self,
        account: AccountId,
        failures_since: DateTime<Utc>,
    ) -> Result<Option<AdmissionFacts>, StoreError> {
        let id = account.as_uuid();
        let counted = counted_failures();
        // One round trip: the history query is sent behind the lock, and the server runs it
        // after the lock is taken.
        let (locked, history) = {
            let mut conn: &AsyncPgConnection = self.conn()?;
            let mut behind = conn;
            let history = applications::table
                .filter(applications::account_id.eq(id))
                .filter(
                    applications::status
                        .eq_any(UNDECIDED)
                        .or(applications::status
                            .eq("rejected")
                            .and(applications::decided_at.ge(failures_since))
                            .and(applications::failure_code.eq_any(counted))),
                )
                .select((applications::status, applications::decided_at))
                .load::<(String, Option<DateTime<Utc>>)>(&mut behind);
            futures::try_join!(lock_account(&mut conn, id), history).map_err(store_error)?
        };
        let Some(locked) = locked else {
            return Ok(None);
        };
        let account = self.locked(locked)?;
        let undecided = history
            .iter()
            .any(|(status, _)| UNDECIDED.contains(&status.as_str()));
        let failures = history
            .into_iter()
            .filter(|(status, _)| !UNDECIDED.contains(&status.as_str()))
            .filter_map(|(_, at)| at)
            .collect();
        Ok(Some(AdmissionFacts {
            account,
            undecided,
            failures,
        }))
    }

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
        let counted = counted_failures();
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

//! Job claims: `FOR UPDATE SKIP LOCKED` plus a lease, committed before the work starts.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use realname_domain::{Application, ApplicationId};
use realname_ports::{DeadlineClaims, StoreError};

use crate::error::store_error;
use crate::rows::ApplicationRow;
use crate::schema::applications;
use crate::store::{PgStore, UNDECIDED};

#[async_trait]
impl DeadlineClaims for PgStore {
    #[tracing::instrument(name = "pg.claim_due", skip_all, fields(owner))]
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        let mut conn = self.conn().await?;
        let claimed: Vec<ApplicationRow> = conn
            .transaction(async |conn| {
                // Undecided, past the deadline, needing an action (expiry while the applicant
                // still owes it, or a first escalation), not held under another claimer's lease.
                let due: Vec<uuid::Uuid> = applications::table
                    .filter(applications::status.eq_any(UNDECIDED))
                    .filter(applications::deadline.le(now))
                    .filter(
                        applications::escalated
                            .eq(false)
                            .or(applications::status.ne("in_review")),
                    )
                    .filter(
                        applications::lease_until
                            .is_null()
                            .or(applications::lease_until.lt(now)),
                    )
                    .order(applications::deadline.asc())
                    .limit(i64::from(limit))
                    .select(applications::id)
                    .for_update()
                    .skip_locked()
                    .load(conn)
                    .await?;
                diesel::update(applications::table)
                    .filter(applications::id.eq_any(due))
                    .set((
                        applications::lease_owner.eq(owner),
                        applications::lease_until.eq(now + lease),
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_results(conn)
                    .await
            })
            .await
            .map_err(store_error)?;
        claimed
            .into_iter()
            .map(|row| self.codec().application(row))
            .collect()
    }

    async fn release(&self, id: ApplicationId, owner: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(applications::table)
            .filter(applications::id.eq(id.as_uuid()))
            .filter(applications::lease_owner.eq(owner))
            .set((
                applications::lease_owner.eq(None::<String>),
                applications::lease_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

//! Durable notifications (R8, R14, R17, R19): written in the caller's transaction, claimed with
//! `FOR UPDATE SKIP LOCKED` plus a lease, settled only by the claimer holding the lease.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use realname_domain::identifiers::Phone;
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::{AccountId, ApplicationId, NotificationId};
use realname_ports::{
    ClaimedNotification, NotificationRecord, NotificationStatus, NotificationStore, Page,
    Settlement, StoreError,
};
use uuid::Uuid;

use crate::crypto::Aad;
use crate::error::store_error;
use crate::rows::{Codec, corrupt};
use crate::schema::{accounts, notifications};
use crate::store::PgStore;

const CLAIM: &str = "
WITH due AS (
    SELECT id FROM notifications
    WHERE status = 'pending' AND next_attempt_at <= $1
      AND (lease_until IS NULL OR lease_until < $1)
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
UPDATE notifications n SET lease_owner = $3, lease_until = $4
FROM due WHERE n.id = due.id
RETURNING n.id";

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// A notification as stored.
#[derive(Insertable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
pub(crate) struct NewNotificationRow {
    id: Uuid,
    kind: &'static str,
    account_id: Uuid,
    application_id: Option<Uuid>,
    phone_enc: Option<Vec<u8>>,
    at: Option<DateTime<Utc>>,
    status: &'static str,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
struct NotificationRow {
    id: Uuid,
    kind: String,
    account_id: Uuid,
    application_id: Option<Uuid>,
    phone_enc: Option<Vec<u8>>,
    at: Option<DateTime<Utc>>,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    last_attempt_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

fn phone_aad(id: Uuid) -> Aad<'static> {
    Aad {
        table: "notifications",
        column: "phone_enc",
        row: id,
    }
}

impl Codec {
    pub(crate) fn notification_row(&self, notification: &Notification) -> NewNotificationRow {
        let id = notification.id.as_uuid();
        NewNotificationRow {
            id,
            kind: notification.kind.as_str(),
            account_id: notification.account_id.as_uuid(),
            application_id: notification.application_id.map(|a| a.as_uuid()),
            phone_enc: notification
                .phone
                .as_ref()
                .map(|p| self.seal_bytes(p.as_str().as_bytes(), &phone_aad(id))),
            at: notification.at,
            status: NotificationStatus::Pending.as_str(),
            next_attempt_at: notification.created_at,
            created_at: notification.created_at,
        }
    }

    fn open_notification_phone(&self, sealed: &[u8], id: Uuid) -> Result<Phone, StoreError> {
        let bytes = self.open_bytes(sealed, &phone_aad(id))?;
        let digits = String::from_utf8(bytes).map_err(|_| corrupt("notification phone"))?;
        Phone::parse(&digits).map_err(|_| corrupt("notification phone"))
    }
}

impl NotificationRow {
    fn kind(&self) -> Result<NoticeKind, StoreError> {
        NoticeKind::parse(&self.kind).ok_or_else(|| corrupt("notification kind"))
    }

    fn record(self) -> Result<NotificationRecord, StoreError> {
        let kind = self.kind()?;
        Ok(NotificationRecord {
            id: NotificationId::from_uuid(self.id),
            kind,
            channel: kind.channel(),
            account_id: AccountId::from_uuid(self.account_id),
            status: NotificationStatus::parse(&self.status)
                .ok_or_else(|| corrupt("notification status"))?,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            last_error: self.last_error,
            created_at: self.created_at,
            last_attempt_at: self.last_attempt_at,
        })
    }
}

#[async_trait]
impl NotificationStore for PgStore {
    #[tracing::instrument(name = "pg.claim_notifications", skip_all)]
    async fn claim_notifications(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedNotification>, StoreError> {
        let mut conn = self.conn().await?;
        let claimed: Vec<ClaimedId> = diesel::sql_query(CLAIM)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(i64::from(limit))
            .bind::<Text, _>(owner)
            .bind::<Timestamptz, _>(now + lease)
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = claimed.into_iter().map(|c| c.id).collect();
        let rows: Vec<(NotificationRow, Option<Vec<u8>>)> = notifications::table
            .inner_join(accounts::table)
            .filter(notifications::id.eq_any(&ids))
            .select((NotificationRow::as_select(), accounts::phone_enc))
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        let codec = self.codec();
        rows.into_iter()
            .map(|(row, account_phone)| {
                // Decrypted only now, at send time: the stored number, else the bound phone.
                let phone = match (&row.phone_enc, account_phone) {
                    (Some(own), _) => Some(codec.open_notification_phone(own, row.id)?),
                    (None, Some(bound)) => Some(codec.open_phone(&bound, row.account_id)?),
                    (None, None) => None,
                };
                let notification = Notification {
                    id: NotificationId::from_uuid(row.id),
                    kind: row.kind()?,
                    account_id: AccountId::from_uuid(row.account_id),
                    application_id: row.application_id.map(ApplicationId::from_uuid),
                    phone: None,
                    at: row.at,
                    created_at: row.created_at,
                };
                Ok(ClaimedNotification {
                    notification,
                    phone,
                    attempts: u32::try_from(row.attempts).unwrap_or(0),
                })
            })
            .collect()
    }

    #[tracing::instrument(name = "pg.settle_notification", skip_all)]
    async fn settle_notification(
        &self,
        id: NotificationId,
        owner: &str,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (status, next, error) = match settlement {
            Settlement::Sent => (NotificationStatus::Sent, None, None),
            Settlement::Retry { at, error } => {
                (NotificationStatus::Pending, Some(*at), Some(error.clone()))
            }
            Settlement::Failed { error } => (NotificationStatus::Failed, None, Some(error.clone())),
        };
        let mut conn = self.conn().await?;
        let target = notifications::table
            .filter(notifications::id.eq(id.as_uuid()))
            .filter(notifications::lease_owner.eq(owner));
        let changes = (
            notifications::status.eq(status.as_str()),
            notifications::attempts.eq(notifications::attempts + 1),
            notifications::last_attempt_at.eq(now),
            notifications::last_error.eq(error),
            notifications::lease_owner.eq(None::<String>),
            notifications::lease_until.eq(None::<DateTime<Utc>>),
        );
        match next {
            Some(next) => {
                diesel::update(target)
                    .set((changes, notifications::next_attempt_at.eq(next)))
                    .execute(&mut conn)
                    .await
            }
            None => diesel::update(target).set(changes).execute(&mut conn).await,
        }
        .map_err(store_error)?;
        Ok(())
    }

    #[tracing::instrument(name = "pg.list_notifications", skip_all)]
    async fn list_notifications(
        &self,
        status: Option<NotificationStatus>,
        page: Page<NotificationId>,
    ) -> Result<(Vec<NotificationRecord>, bool), StoreError> {
        let mut conn = self.conn().await?;
        let mut query = notifications::table
            .select(NotificationRow::as_select())
            .order(notifications::id.desc())
            .limit(i64::from(page.limit) + 1)
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(notifications::status.eq(status.as_str()));
        }
        if let Some(after) = page.starting_after {
            query = query.filter(notifications::id.lt(after.as_uuid()));
        }
        let mut rows: Vec<NotificationRow> = query.load(&mut conn).await.map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        rows.truncate(page.limit as usize);
        let records = rows
            .into_iter()
            .map(NotificationRow::record)
            .collect::<Result<_, _>>()?;
        Ok((records, has_more))
    }
}

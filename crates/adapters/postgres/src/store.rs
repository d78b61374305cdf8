//! `PgStore`: the pool, the read ports, readiness and the unit of work.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::FutureExt;
use realname_domain::{Account, AccountId, Application, ApplicationId, ApplicationStatus};
use realname_ports::{
    AccountReader, ApplicationReader, Page, Readiness, StoreError, Transaction, UnitOfWork,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::crypto::Keyring;
use crate::error::{pool_error, store_error};
use crate::rows::{AccountRow, ApplicationRow, Codec};
use crate::schema::{accounts, applications};
use crate::tx::PgTransaction;

/// Database settings.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// The connection URL; it may hold a password, so it is a secret.
    pub url: SecretString,
    /// Run migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Connections in the pool.
    pub pool_size: usize,
    /// How long to wait for a pooled connection, in milliseconds.
    pub acquire_timeout_ms: u64,
    /// Each statement's limit, in milliseconds (server-side `statement_timeout`).
    pub statement_timeout_ms: u64,
    /// How long to wait for a row lock, in milliseconds (`lock_timeout`).
    pub lock_timeout_ms: u64,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &"[redacted]")
            .field("migrate_on_start", &self.migrate_on_start)
            .field("pool_size", &self.pool_size)
            .field("acquire_timeout_ms", &self.acquire_timeout_ms)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field("lock_timeout_ms", &self.lock_timeout_ms)
            .finish()
    }
}

/// The PostgreSQL store: every storage port of realname.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
    codec: Codec,
    migrations: Vec<String>,
    committed: Arc<OnceLock<CommitObserver>>,
}

/// Hears, after each commit of a transaction of this process, which accounts it saved.
pub type CommitObserver = Box<dyn Fn(&[uuid::Uuid]) + Send + Sync>;

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Builds the pool. Connections are made lazily, on the runtime that calls this.
    ///
    /// # Errors
    /// When the pool cannot be built.
    pub fn connect(settings: &DatabaseSettings, keys: Arc<Keyring>) -> anyhow::Result<Self> {
        let session = format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            settings.statement_timeout_ms, settings.lock_timeout_ms
        );
        // Connections are established on the runtime that builds the pool, so that their driver
        // tasks outlive any one actix worker's runtime.
        let runtime = tokio::runtime::Handle::try_current()?;
        let mut config = ManagerConfig::default();
        // A checkout costs no `SELECT 1`: a connection whose socket closed or whose transaction
        // broke is dropped on return, and the next use of any other stale one fails that
        // request (503) rather than every request paying a round trip.
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(move |url| {
            let (session, url) = (session.clone(), url.to_owned());
            let connecting = runtime.spawn(async move {
                let mut conn = AsyncPgConnection::establish(&url).await?;
                conn.batch_execute(&session)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            });
            async move {
                connecting
                    .await
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
            }
            .boxed()
        });
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
            settings.url.expose_secret(),
            config,
        );
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size)
            .wait_timeout(Some(Duration::from_millis(settings.acquire_timeout_ms)))
            .create_timeout(Some(Duration::from_millis(settings.acquire_timeout_ms)))
            .runtime(deadpool::Runtime::Tokio1)
            .build()?;
        let migrations = crate::admin::embedded_versions();
        Ok(Self {
            pool,
            codec: Codec::new(keys),
            migrations,
            committed: Arc::default(),
        })
    }

    /// Sets, once, who hears after each commit which accounts the transaction saved: this
    /// replica's capability cache, so that a caller reads its own change at once. Other
    /// replicas learn of it by polling, within the bound.
    pub fn on_commit(&self, observer: CommitObserver) {
        let _ = self.committed.set(observer);
    }

    pub(crate) fn codec(&self) -> &Codec {
        &self.codec
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }
}

#[async_trait]
impl UnitOfWork for PgStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError> {
        Ok(Box::new(
            PgTransaction::begin(
                self.conn().await?,
                self.codec.clone(),
                self.committed.clone(),
            )
            .await?,
        ))
    }
}

#[async_trait]
impl AccountReader for PgStore {
    #[tracing::instrument(name = "pg.account", skip_all, fields(account.id = %id))]
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<AccountRow> = accounts::table
            .find(id.as_uuid())
            .select(AccountRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        row.map(|r| self.codec.account(r)).transpose()
    }

    async fn redaction_due(
        &self,
        closed_before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<AccountId>, StoreError> {
        let mut conn = self.conn().await?;
        let ids: Vec<uuid::Uuid> = accounts::table
            .filter(accounts::state.eq("closed"))
            .filter(accounts::redacted_at.is_null())
            .filter(accounts::closed_at.le(closed_before))
            .order(accounts::closed_at.asc())
            .limit(i64::from(limit))
            .select(accounts::id)
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(ids.into_iter().map(AccountId::from_uuid).collect())
    }

    async fn enterprise_limit(
        &self,
        uscc: &realname_domain::identifiers::Uscc,
    ) -> Result<realname_ports::EnterpriseLimit, StoreError> {
        use crate::schema::{quota_overrides, subjects};
        let mut conn = self.conn().await?;
        let key = self.codec.keyed_subject_material(&uscc.key_material());
        let override_limit: Option<Option<i32>> = subjects::table
            .find(&key)
            .select(subjects::account_limit)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store_error)?;
        let holders = crate::tx::slots_tx::slot_holders(&mut conn, &self.codec, &key).await?;
        let rows: Vec<(i32, String, String, chrono::DateTime<chrono::Utc>)> =
            quota_overrides::table
                .filter(quota_overrides::subject_key.eq(&key))
                .order(quota_overrides::id.asc())
                .select((
                    quota_overrides::new_limit,
                    quota_overrides::actor,
                    quota_overrides::reason,
                    quota_overrides::at,
                ))
                .load(&mut conn)
                .await
                .map_err(store_error)?;
        Ok(realname_ports::EnterpriseLimit {
            override_limit: override_limit.flatten().and_then(|l| u32::try_from(l).ok()),
            holders,
            history: rows
                .into_iter()
                .map(
                    |(limit, actor, reason, at)| realname_domain::quota::QuotaOverride {
                        limit: u32::try_from(limit).unwrap_or(0),
                        actor,
                        reason,
                        at,
                    },
                )
                .collect(),
        })
    }

    async fn invitations(
        &self,
        account: AccountId,
        page: realname_ports::Page<realname_domain::InvitationId>,
    ) -> Result<(Vec<realname_domain::invitation::Invitation>, bool), StoreError> {
        use crate::schema::sub_account_invitations as invitations;
        let mut conn = self.conn().await?;
        let id = account.as_uuid();
        // Invitation ids are UUIDv7: their order is their creation order.
        let mut query = invitations::table
            .filter(
                invitations::root_id
                    .eq(id)
                    .or(invitations::account_id.eq(id)),
            )
            .order(invitations::id.asc())
            .limit(i64::from(page.limit) + 1)
            .into_boxed();
        if let Some(after) = page.starting_after {
            query = query.filter(invitations::id.gt(after.as_uuid()));
        }
        let rows: Vec<crate::tx::InvitationRow> =
            query.load(&mut conn).await.map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        let found = rows
            .into_iter()
            .take(page.limit as usize)
            .map(crate::tx::invitation)
            .collect::<Result<_, _>>()?;
        Ok((found, has_more))
    }

    async fn sub_accounts(
        &self,
        root: AccountId,
        page: realname_ports::Page<AccountId>,
    ) -> Result<(Vec<Account>, bool), StoreError> {
        let mut conn = self.conn().await?;
        // Account ids are UUIDv7: their order is their creation order.
        let mut query = accounts::table
            .filter(accounts::root_id.eq(root.as_uuid()))
            .order(accounts::id.asc())
            .limit(i64::from(page.limit) + 1)
            .select(AccountRow::as_select())
            .into_boxed();
        if let Some(after) = page.starting_after {
            query = query.filter(accounts::id.gt(after.as_uuid()));
        }
        let rows: Vec<AccountRow> = query.load(&mut conn).await.map_err(store_error)?;
        let has_more = rows.len() > page.limit as usize;
        let found = rows
            .into_iter()
            .take(page.limit as usize)
            .map(|r| self.codec.account(r))
            .collect::<Result<_, _>>()?;
        Ok((found, has_more))
    }
}

pub(crate) const UNDECIDED: [&str; 3] = [
    ApplicationStatus::AwaitingAction.as_str(),
    ApplicationStatus::Processing.as_str(),
    ApplicationStatus::InReview.as_str(),
];

impl PgStore {
    async fn applications_where<F>(
        &self,
        limit: i64,
        filter: F,
    ) -> Result<Vec<Application>, StoreError>
    where
        F: FnOnce(
            applications::BoxedQuery<'static, diesel::pg::Pg>,
        ) -> applications::BoxedQuery<'static, diesel::pg::Pg>,
    {
        let mut conn = self.conn().await?;
        let query = filter(
            applications::table
                .into_boxed()
                .filter(applications::subject_enc.is_not_null()),
        )
        .select(ApplicationRow::as_select())
        .limit(limit);
        let rows: Vec<ApplicationRow> = query.load(&mut conn).await.map_err(store_error)?;
        rows.into_iter()
            .map(|r| self.codec.application(r))
            .collect()
    }
}

#[async_trait]
impl ApplicationReader for PgStore {
    #[tracing::instrument(name = "pg.application", skip_all, fields(application.id = %id))]
    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError> {
        let id = id.as_uuid();
        Ok(self
            .applications_where(1, |q| q.filter(applications::id.eq(id)))
            .await?
            .pop())
    }

    #[tracing::instrument(name = "pg.applications_of", skip_all, fields(account.id = %account))]
    async fn applications_of(
        &self,
        account: AccountId,
        page: Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), StoreError> {
        let account = account.as_uuid();
        let after = page.starting_after.map(|id| id.as_uuid());
        let limit = i64::from(page.limit);
        let mut found = self
            .applications_where(limit + 1, |q| {
                let q = q
                    .filter(applications::account_id.eq(account))
                    .order(applications::id.desc());
                match after {
                    Some(after) => q.filter(applications::id.lt(after)),
                    None => q,
                }
            })
            .await?;
        let has_more = found.len() > page.limit as usize;
        found.truncate(page.limit as usize);
        Ok((found, has_more))
    }

    #[tracing::instrument(name = "pg.undecided_of", skip_all, fields(account.id = %account))]
    async fn undecided_of(&self, account: AccountId) -> Result<Option<Application>, StoreError> {
        let account = account.as_uuid();
        let found = self
            .applications_where(1, |q| {
                q.filter(applications::account_id.eq(account))
                    .filter(applications::status.eq_any(UNDECIDED))
            })
            .await?;
        Ok(found.into_iter().next())
    }

    #[tracing::instrument(name = "pg.stale_sessions", skip_all)]
    async fn stale_sessions(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        self.applications_where(i64::from(limit), |q| {
            q.filter(applications::status.eq_any(UNDECIDED))
                .filter(applications::session_expires_at.le(before))
                .order(applications::session_expires_at.asc())
        })
        .await
    }

    #[tracing::instrument(name = "pg.review_queue", skip_all)]
    async fn review_queue(
        &self,
        page: realname_ports::Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), StoreError> {
        use diesel::dsl::sql;
        use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
        let limit = page.limit;
        // The queue's order is (overdue first, earliest deadline, id): a page starts after the
        // cursor application's place in it.
        let cursor: Option<(bool, Option<chrono::DateTime<chrono::Utc>>, uuid::Uuid)> =
            match page.starting_after {
                None => None,
                Some(after) => {
                    let mut conn = self.conn().await?;
                    applications::table
                        .find(after.as_uuid())
                        .select((
                            applications::overdue,
                            applications::deadline,
                            applications::id,
                        ))
                        .first(&mut conn)
                        .await
                        .optional()
                        .map_err(store_error)?
                }
            };
        let mut found = self
            .applications_where(i64::from(limit) + 1, move |q| {
                let q = q
                    .filter(applications::status.eq(ApplicationStatus::InReview.as_str()))
                    .order((
                        applications::overdue.desc(),
                        applications::deadline.asc().nulls_last(),
                        applications::id.asc(),
                    ));
                match cursor {
                    None => q,
                    Some((overdue, None, id)) => q.filter(
                        sql::<Bool>("(applications.overdue < ")
                            .bind::<Bool, _>(overdue)
                            .sql(" OR (applications.overdue = ")
                            .bind::<Bool, _>(overdue)
                            .sql(" AND applications.deadline IS NULL AND applications.id > ")
                            .bind::<SqlUuid, _>(id)
                            .sql("))"),
                    ),
                    Some((overdue, Some(deadline), id)) => q.filter(
                        sql::<Bool>("(applications.overdue < ")
                            .bind::<Bool, _>(overdue)
                            .sql(" OR (applications.overdue = ")
                            .bind::<Bool, _>(overdue)
                            .sql(" AND (applications.deadline > ")
                            .bind::<Timestamptz, _>(deadline)
                            .sql(" OR applications.deadline IS NULL OR (applications.deadline = ")
                            .bind::<Timestamptz, _>(deadline)
                            .sql(" AND applications.id > ")
                            .bind::<SqlUuid, _>(id)
                            .sql("))))"),
                    ),
                }
            })
            .await?;
        let has_more = found.len() > limit as usize;
        found.truncate(limit as usize);
        Ok((found, has_more))
    }

    #[tracing::instrument(name = "pg.by_session", skip_all)]
    async fn by_session(&self, session_ref: &str) -> Result<Option<Application>, StoreError> {
        let session_ref = session_ref.to_owned();
        Ok(self
            .applications_where(1, |q| q.filter(applications::session_ref.eq(session_ref)))
            .await?
            .pop())
    }
}

#[derive(QueryableByName)]
struct Applied {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[async_trait]
impl Readiness for PgStore {
    /// Ready when every migration this binary embeds is applied. A newer database (a newer
    /// replica migrated it during a rolling update) stays ready for older replicas.
    async fn ready(&self) -> bool {
        let Ok(mut conn) = self.conn().await else {
            return false;
        };
        let applied: Result<Applied, _> = diesel::sql_query(
            "SELECT count(*) AS n FROM __diesel_schema_migrations WHERE version = ANY($1)",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&self.migrations)
        .get_result(&mut conn)
        .await;
        matches!(applied, Ok(Applied { n }) if usize::try_from(n).is_ok_and(|n| n == self.migrations.len()))
    }
}

/// Makes the rest of the transaction find rows by index only. The batch updates join an
/// `unnest` of keys to the table and filter on the lease holder; since `lease_owner` is NULL in
/// almost every row, the planner estimates one row for the table side and picks a sequential
/// scan joined in a loop against the whole array: 280 ms per 1,000-row batch on 100,000
/// enterprises, against 8 ms with index lookups (measured with EXPLAIN ANALYZE).
pub(crate) async fn index_lookups_only(
    conn: &mut diesel_async::AsyncPgConnection,
) -> Result<usize, diesel::result::Error> {
    diesel::sql_query("SET LOCAL enable_seqscan = off")
        .execute(conn)
        .await
}

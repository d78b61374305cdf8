//! R17 claims: due enterprises taken with `FOR UPDATE SKIP LOCKED` and a lease in one
//! committed statement, their verified accounts loaded in one query, and every new schedule
//! written back in one statement per batch.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bytea, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use realname_domain::Holding;
use realname_domain::recheck::RecheckTarget;
use realname_ports::{
    EnterpriseRef, RecheckCandidate, RecheckScope, RecheckStore, Reschedule, StoreError,
};

use crate::error::store_error;
use crate::holding::holding;
use crate::rows::AccountRow;
use crate::schema::accounts;
use crate::store::PgStore;

/// Claims the enterprises that `selection` picks (it binds `$1` now, `$2` the limit, and may
/// use `$5`, `$6`), leasing them to `$3` until `$4`, in one statement: the claim is committed
/// when it returns.
fn claim_sql(selection: &str) -> String {
    format!(
        "WITH due AS (
            SELECT subject_key FROM subjects
            WHERE subject_type = 'enterprise'
              AND (lease_until IS NULL OR lease_until < $1)
              AND {selection}
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
        UPDATE subjects s SET lease_owner = $3, lease_until = $4
        FROM due WHERE s.subject_key = due.subject_key
        RETURNING s.subject_key, s.next_check_at, s.check_failures"
    )
}

/// Due now: scheduled at or before now, or never scheduled; in due order.
static CLAIM_DUE: LazyLock<String> = LazyLock::new(|| {
    claim_sql("(next_check_at IS NULL OR next_check_at <= $1) ORDER BY next_check_at NULLS FIRST")
});

/// Not checked since `$5`, after the key `$6`, in key order (`recheck --all`).
static CLAIM_ALL: LazyLock<String> = LazyLock::new(|| {
    claim_sql(
        "subject_key > $6 AND (last_checked_at IS NULL OR last_checked_at < $5) \
         ORDER BY subject_key",
    )
});

/// The selection of the dry run and of its count: due at `$at`, or, when `$all`, not checked
/// since `$at`.
macro_rules! due_at {
    ($at:literal, $all:literal) => {
        concat!(
            "subject_type = 'enterprise' AND (CASE WHEN ",
            $all,
            " THEN last_checked_at IS NULL OR last_checked_at < ",
            $at,
            " ELSE next_check_at IS NULL OR next_check_at <= ",
            $at,
            " END)"
        )
    };
}

/// How many enterprises the selection holds now.
const COUNT: &str = concat!(
    "SELECT count(*) AS n FROM subjects WHERE ",
    due_at!("$1", "$2")
);

/// The dry run's read: the same selections, in key order, nothing locked.
const PEEK: &str = concat!(
    "SELECT subject_key, next_check_at, check_failures FROM subjects WHERE subject_key > $3 AND ",
    due_at!("$1", "$4"),
    " ORDER BY subject_key LIMIT $2"
);

const RESCHEDULE: &str = "
UPDATE subjects s
SET next_check_at = u.next_check_at,
    check_failures = u.failures,
    last_checked_at = COALESCE(u.checked_at, s.last_checked_at),
    lease_owner = NULL,
    lease_until = NULL
FROM unnest($1::bytea[], $2::timestamptz[], $3::int[], $4::timestamptz[])
    AS u(subject_key, next_check_at, failures, checked_at)
WHERE s.subject_key = u.subject_key AND s.lease_owner = $5";

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = Bytea)]
    subject_key: Vec<u8>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    next_check_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Int4)]
    check_failures: i32,
}

#[async_trait]
impl RecheckStore for PgStore {
    async fn heirs(
        &self,
        roots: &[realname_domain::AccountId],
    ) -> Result<Vec<realname_ports::Heir>, StoreError> {
        use realname_ports::CapabilityReader;
        let ids: Vec<uuid::Uuid> = {
            let mut conn = self.conn().await?;
            accounts::table
                .filter(accounts::root_id.eq_any(roots.iter().map(|r| r.as_uuid())))
                .filter(accounts::inherits.eq(true))
                .filter(accounts::state.ne("closed"))
                .order(accounts::id.asc())
                .select(accounts::id)
                .load(&mut conn)
                .await
                .map_err(store_error)?
        };
        let mut heirs = Vec::with_capacity(ids.len());
        for id in ids {
            let id = realname_domain::AccountId::from_uuid(id);
            if let Some(facts) = self.capability_facts(id).await? {
                heirs.push((facts.root, facts.inputs));
            }
        }
        Ok(heirs)
    }

    #[tracing::instrument(name = "pg.recheck_claim", skip_all, fields(owner))]
    async fn claim(
        &self,
        scope: &RecheckScope,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let mut conn = self.conn().await?;
        let limit = i64::from(limit);
        let rows: Vec<DueRow> = match scope {
            RecheckScope::DueAt(at) => diesel::sql_query(CLAIM_DUE.as_str())
                .bind::<Timestamptz, _>(at)
                .bind::<diesel::sql_types::BigInt, _>(limit)
                .bind::<Text, _>(owner)
                .bind::<Timestamptz, _>(now + lease)
                .load(&mut conn)
                .await
                .map_err(store_error)?,
            RecheckScope::All { since, after } => diesel::sql_query(CLAIM_ALL.as_str())
                .bind::<Timestamptz, _>(now)
                .bind::<diesel::sql_types::BigInt, _>(limit)
                .bind::<Text, _>(owner)
                .bind::<Timestamptz, _>(now + lease)
                .bind::<Timestamptz, _>(since)
                .bind::<Bytea, _>(after.as_ref().map_or(&[][..], |k| &k.0[..]))
                .load(&mut conn)
                .await
                .map_err(store_error)?,
        };
        self.candidates(&mut conn, rows).await
    }

    #[tracing::instrument(name = "pg.recheck_peek", skip_all)]
    async fn peek(
        &self,
        scope: &RecheckScope,
        after: Option<EnterpriseRef>,
        limit: u32,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let mut conn = self.conn().await?;
        let (at, all) = selection(scope);
        let rows: Vec<DueRow> = diesel::sql_query(PEEK)
            .bind::<Timestamptz, _>(at)
            .bind::<diesel::sql_types::BigInt, _>(i64::from(limit))
            .bind::<Bytea, _>(after.map_or_else(Vec::new, |k| k.0))
            .bind::<diesel::sql_types::Bool, _>(all)
            .load(&mut conn)
            .await
            .map_err(store_error)?;
        self.candidates(&mut conn, rows).await
    }

    async fn count(&self, scope: &RecheckScope) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let (at, all) = selection(scope);
        let row: CountRow = diesel::sql_query(COUNT)
            .bind::<Timestamptz, _>(at)
            .bind::<diesel::sql_types::Bool, _>(all)
            .get_result(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(u64::try_from(row.n).unwrap_or(0))
    }

    #[tracing::instrument(name = "pg.recheck_reschedule", skip_all, fields(owner, n = schedules.len()))]
    async fn reschedule(&self, owner: &str, schedules: &[Reschedule]) -> Result<(), StoreError> {
        if schedules.is_empty() {
            return Ok(());
        }
        let keys: Vec<&[u8]> = schedules.iter().map(|s| &s.key.0[..]).collect();
        let next: Vec<DateTime<Utc>> = schedules.iter().map(|s| s.next_check_at).collect();
        let failures: Vec<i32> = schedules
            .iter()
            .map(|s| i32::try_from(s.failures).unwrap_or(i32::MAX))
            .collect();
        let checked: Vec<Option<DateTime<Utc>>> = schedules.iter().map(|s| s.checked_at).collect();
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            crate::store::index_lookups_only(conn).await?;
            diesel::sql_query(RESCHEDULE)
                .bind::<Array<Bytea>, _>(keys)
                .bind::<Array<Timestamptz>, _>(next)
                .bind::<Array<Int4>, _>(failures)
                .bind::<Array<Nullable<Timestamptz>>, _>(checked)
                .bind::<Text, _>(owner)
                .execute(conn)
                .await
        })
        .await
        .map_err(store_error)?;
        Ok(())
    }
}

/// The time and the mode that the dry run's selection binds.
fn selection(scope: &RecheckScope) -> (DateTime<Utc>, bool) {
    match scope {
        RecheckScope::DueAt(at) => (*at, false),
        RecheckScope::All { since, .. } => (*since, true),
    }
}

impl PgStore {
    /// Loads the verified accounts of the selected enterprises (one query) and builds the
    /// candidates in the selection's order.
    async fn candidates(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        rows: Vec<DueRow>,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let keys: Vec<&Vec<u8>> = rows.iter().map(|r| &r.subject_key).collect();
        let holders: Vec<(Option<Vec<u8>>, AccountRow)> = accounts::table
            .filter(accounts::subject_key.eq_any(keys))
            .filter(holding(Holding::SUBJECT_SLOT))
            .order(accounts::id.asc())
            .select((accounts::subject_key, AccountRow::as_select()))
            .load(conn)
            .await
            .map_err(store_error)?;
        let mut by_key: HashMap<Vec<u8>, Vec<realname_domain::Account>> = HashMap::new();
        for (key, row) in holders {
            let account = self.codec().account(row)?;
            by_key
                .entry(key.unwrap_or_default())
                .or_default()
                .push(account);
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let accounts = by_key.remove(&row.subject_key).unwrap_or_default();
                RecheckCandidate {
                    target: RecheckTarget {
                        phase: phase(&row.subject_key),
                        next_check_at: row.next_check_at,
                        failures: u32::try_from(row.check_failures).unwrap_or(0),
                        accounts,
                    },
                    key: EnterpriseRef(row.subject_key),
                }
            })
            .collect())
    }
}

/// The enterprise's phase in the cycle: the first eight bytes of its keyed hash, which are
/// uniformly distributed.
fn phase(key: &[u8]) -> u64 {
    let mut bytes = [0_u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(key) {
        *slot = *byte;
    }
    u64::from_be_bytes(bytes)
}

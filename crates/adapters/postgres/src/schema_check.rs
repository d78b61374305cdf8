//! `schema.rs` is kept by hand (the diesel CLI needs libpq, which the build machines lack).
//! This checks it against a migrated database: every table, and every table's columns in
//! order, as PostgreSQL reports them.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::schema;

/// The columns `schema.rs` declares for each table, as the SQL diesel writes for them.
macro_rules! declared {
    ($($table:ident),* $(,)?) => {
        vec![$((
            stringify!($table),
            diesel::debug_query::<Pg, _>(
                &schema::$table::table.select(schema::$table::all_columns),
            )
            .to_string(),
        )),*]
    };
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The column names in a `SELECT "t"."a", "t"."b" FROM "t"`.
fn columns_in(sql: &str, table: &str) -> Vec<String> {
    let select = sql.split(" FROM ").next().unwrap_or_default();
    let prefix = format!("\"{table}\".\"");
    select
        .split(", ")
        .filter_map(|c| c.split_once(&prefix).map(|(_, rest)| rest))
        .map(|c| c.trim_end_matches('"').to_owned())
        .collect()
}

#[tokio::test]
async fn schema_rs_declares_every_migrated_table_and_column_in_order() {
    let db = realname_test_support::TestDb::new().await;
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let actual: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .await
    .unwrap();

    let declared = declared![
        phone_numbers,
        subjects,
        accounts,
        applications,
        events,
        audit_log,
        idempotency_keys,
        quota_overrides,
        phone_changes,
        sub_account_invitations,
        identity_proofs,
        cases,
        notifications,
        pulled_sessions,
        webhook_endpoints,
        webhook_deliveries,
    ];
    let mut migrated: Vec<&str> = actual.iter().map(|c| c.table_name.as_str()).collect();
    migrated.dedup();
    let mut tables: Vec<&str> = declared.iter().map(|(t, _)| *t).collect();
    tables.sort_unstable();
    assert_eq!(tables, migrated, "tables");
    for (table, sql) in &declared {
        let columns: Vec<&str> = actual
            .iter()
            .filter(|c| c.table_name == *table)
            .map(|c| c.column_name.as_str())
            .collect();
        assert_eq!(columns_in(sql, table), columns, "columns of {table}");
    }
}

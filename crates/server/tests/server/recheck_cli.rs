//! `realname recheck` against a real database (R17): the dry run changes nothing and reports
//! what `--once` then does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use realname_postgres::seed::insert_verified_enterprises;
use realname_test_support::TestDb;

fn recheck(url: &str, args: &[&str]) -> String {
    let output = crate::common::realname(url)
        .arg("recheck")
        .args(args)
        .env("REALNAME__RECHECK__RATE_PER_SECOND", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[derive(diesel::QueryableByName)]
struct Dump {
    #[diesel(sql_type = diesel::sql_types::Text)]
    rows: String,
}

async fn dump(url: &str) -> String {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let mut text = String::new();
    for table in [
        "subjects",
        "accounts",
        "events",
        "audit_log",
        "phone_numbers",
    ] {
        let sql = format!(
            "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS rows FROM {table} t"
        );
        let dump: Dump = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
        text.push_str(&dump.rows);
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dry_run_changes_nothing_and_once_does_what_it_reported() {
    // The sandbox registry knows none of the synthetic enterprises: each one is `incomplete`.
    let db = TestDb::new().await;
    let store = db.store(2);
    insert_verified_enterprises(&store, 0..4, 2, Utc::now() - Duration::days(60))
        .await
        .unwrap();
    let before = dump(&db.url).await;

    let dry = recheck(&db.url, &["--dry-run", "--all"]);

    assert_eq!(
        dump(&db.url).await,
        before,
        "the dry run changed the database"
    );
    assert!(dry.contains("enterprises due: 4"), "{dry}");
    assert!(dry.contains("notices: 4 enterprises, 8 accounts"), "{dry}");
    assert!(
        dry.contains("revocations due: 0 enterprises, 0 accounts"),
        "{dry}"
    );

    let once = recheck(&db.url, &["--once", "--all"]);
    assert!(once.contains("accounts noticed: 8"), "{once}");
    let again = recheck(&db.url, &["--dry-run", "--all"]);
    assert!(
        again.contains("notices: 0 enterprises, 0 accounts"),
        "{again}"
    );
}

//! `realname audit verify` against a real database: intact, then one row altered (R22).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::Arc;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_domain::identifiers::Phone;
use realname_domain::{Actor, Policy};
use realname_test_support::TestDb;

fn verify(url: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_realname"))
        .args(["audit", "verify"])
        .env("REALNAME__DATABASE__URL", url)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_passes_intact_chains_and_names_the_first_altered_entry() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(2));
    let register = RegisterAccount::new(
        store.clone(),
        Arc::new(realname_server::startup::SystemClock),
        Arc::new(Policy::default()),
    );
    for n in 0..3 {
        let phone = Phone::parse(&format!("1360000000{n}")).unwrap();
        RegisterAccount::execute(&register, &Actor::Service, RegisterAccountCommand { phone })
            .await
            .unwrap();
    }

    let (ok, text) = verify(&db.url);
    assert!(ok, "{text}");
    assert!(text.contains("3 accounts"), "{text}");

    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let altered: Id = diesel::sql_query("UPDATE audit_log SET after = 'state=active,status=verified' WHERE id = (SELECT max(id) FROM audit_log) RETURNING id")
        .get_result(&mut conn)
        .await
        .unwrap();

    let (ok, text) = verify(&db.url);
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("entry {}", altered.id)), "{text}");
}

//! The capability cache across replicas (R12): a change made through one instance is
//! answered by the other within the configured staleness bound (1 s by default).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use realname_e2e::TestApp;
use realname_http::Role;
use reqwest::Method;
use serde_json::Value;

async fn purchase_allowed(
    client: &reqwest::Client,
    base: &str,
    account: &str,
    token: &str,
) -> bool {
    let body: Value = client
        .get(format!("{base}/v1/accounts/{account}/capabilities"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["capabilities"]["purchase"]["allowed"]
        .as_bool()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_closure_on_one_replica_is_answered_by_the_other_within_the_bound() {
    let a = TestApp::spawn().await;
    let (b, _stop_b) = a.second_instance().await;
    let account = a.verified("13700000301", "face_recognition").await;
    let service = a.token(Role::Service, None);
    let client = reqwest::Client::new();
    // B answers (and caches) "allowed".
    for _ in 0..3 {
        assert!(purchase_allowed(&client, &b, &account, &service).await);
    }

    let holder = a.token(Role::Holder, Some(&account));
    let path = format!("/v1/accounts/{account}/close");
    let (status, body) = a.send(a.request(Method::POST, &path, Some(&holder))).await;
    assert_eq!(status, 200, "{body}");
    let closed_at = Instant::now();

    let mut denied_after = None;
    while closed_at.elapsed() < Duration::from_secs(3) {
        if !purchase_allowed(&client, &b, &account, &service).await {
            denied_after = Some(closed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let denied_after = denied_after.expect("replica B still allows purchases 3 s after closure");
    assert!(
        denied_after <= Duration::from_millis(1000),
        "denied only after {denied_after:?}"
    );
}

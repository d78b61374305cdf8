//! Webhook subscriptions and signed delivery, end to end (SPEC §6, API.md "Events").

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use realname_e2e::TestApp;
use realname_http::Role;
use realname_test_support::receiver::{Receiver, TOLERANCE_SECS};
use reqwest::Method;
use serde_json::json;

async fn app_delivering() -> TestApp {
    TestApp::spawn_with(|s| {
        s.scheduler.enabled = true;
        s.scheduler.delivery_interval_secs = 1;
    })
    .await
}

async fn subscribe(app: &TestApp, url: &str, types: serde_json::Value) -> (u16, serde_json::Value) {
    let admin = app.token(Role::Admin, None);
    app.send(
        app.request(Method::POST, "/v1/webhook-endpoints", Some(&admin))
            .json(&json!({"url": url, "event_types": types})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_arrive_signed_once_subscribed_and_receivers_reject_forgeries() {
    let app = app_delivering().await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let (status, endpoint) = subscribe(&app, &receiver.url, json!(["account.created"])).await;
    assert_eq!(status, 201, "{endpoint}");
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    receiver.set_secret(secret);

    let mut accounts = BTreeSet::new();
    for n in 0..3 {
        accounts.insert(app.register(&format!("1370000010{n}")).await);
    }
    let delivered = receiver
        .wait_for(Duration::from_secs(20), |r| r.len() >= 3)
        .await;

    assert!(delivered, "got {:?}", receiver.received());
    let received = receiver.received();
    let got: BTreeSet<_> = received
        .iter()
        .map(|r| r.account_id.clone().unwrap())
        .collect();
    assert_eq!(got, accounts);
    assert!(
        received
            .iter()
            .all(|r| r.event_type == "account.created" && r.sequence == Some(1))
    );

    // The receiver refuses a tampered body and a stale timestamp, and takes the genuine one.
    let genuine = &received[0];
    let client = reqwest::Client::new();
    let post = |signature: String, body: Vec<u8>| {
        client
            .post(&receiver.url)
            .header("Signature", signature)
            .body(body)
            .send()
    };
    let mut tampered = genuine.body.clone();
    let at = tampered.iter().position(|b| *b == b'1').unwrap();
    tampered[at] = b'2';
    assert_eq!(
        post(genuine.signature.clone(), tampered)
            .await
            .unwrap()
            .status(),
        401
    );
    let stale_t = chrono::Utc::now().timestamp() - TOLERANCE_SECS - 1;
    let stale = realname_gateways::signature(
        &realname_domain::webhook::WebhookSecret::from_stored(secret.to_owned()),
        stale_t,
        &genuine.body,
    );
    assert_eq!(
        post(stale, genuine.body.clone()).await.unwrap().status(),
        401
    );
    assert_eq!(receiver.rejected(), 2);
    let fresh = realname_gateways::signature(
        &realname_domain::webhook::WebhookSecret::from_stored(secret.to_owned()),
        chrono::Utc::now().timestamp(),
        &genuine.body,
    );
    assert_eq!(
        post(fresh, genuine.body.clone()).await.unwrap().status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refusing_endpoint_is_retried_and_its_deliveries_are_visible_to_admins() {
    let app = app_delivering().await;
    // The receiver knows no secret, so it answers 401 to everything.
    let receiver = Receiver::start(Duration::ZERO).await;
    let (_, endpoint) = subscribe(&app, &receiver.url, json!([])).await;
    let id = endpoint["id"].as_str().unwrap();
    app.register("13700000200").await;
    assert!(
        tokio::time::timeout(Duration::from_secs(20), async {
            while receiver.rejected() == 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .is_ok()
    );

    let admin = app.token(Role::Admin, None);
    let path = format!("/v1/webhook-endpoints/{id}/deliveries?status=pending");
    let mut body = json!(null);
    for _ in 0..100 {
        let (status, answer) = app
            .send(app.request(Method::GET, &path, Some(&admin)))
            .await;
        assert_eq!(status, 200, "{answer}");
        body = answer;
        if body["data"][0]["attempts"].as_u64() >= Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivery = &body["data"][0];
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["event_type"], "account.created");
    assert_eq!(delivery["last_error"], "endpoint answered 401");
    assert!(
        body.to_string().find("whsec_").is_none(),
        "the secret is shown once"
    );

    let service = app.token(Role::Service, None);
    let (status, _) = app
        .send(app.request(Method::GET, &path, Some(&service)))
        .await;
    assert_eq!(status, 403);

    // Issue 15, item 9: the deliveries page, newest first, with a truthful has_more.
    app.register("13700000201").await;
    app.register("13700000202").await;
    let all = format!("/v1/webhook-endpoints/{id}/deliveries");
    for _ in 0..100 {
        let (_, answer) = app.send(app.request(Method::GET, &all, Some(&admin))).await;
        if answer["data"].as_array().is_some_and(|d| d.len() == 3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, first) = app
        .send(app.request(Method::GET, &format!("{all}?limit=2"), Some(&admin)))
        .await;
    assert_eq!(
        (
            first["data"].as_array().unwrap().len(),
            first["has_more"].clone()
        ),
        (2, json!(true))
    );
    let last = first["data"][1]["event_id"].as_str().unwrap();
    let (_, rest) = app
        .send(app.request(
            Method::GET,
            &format!("{all}?limit=2&starting_after={last}"),
            Some(&admin),
        ))
        .await;
    assert_eq!(
        (
            rest["data"].as_array().unwrap().len(),
            rest["has_more"].clone()
        ),
        (1, json!(false))
    );
    assert_eq!(
        rest["data"][0]["event_id"], delivery["event_id"],
        "the oldest comes last"
    );
}

#[tokio::test]
async fn subscriptions_are_checked() {
    let app = TestApp::spawn().await;
    let (status, body) = subscribe(&app, "ftp://example.com", json!([])).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("url")),
        "{body}"
    );
    let (status, body) = subscribe(&app, "http://127.0.0.1:1/hook", json!(["account.nope"])).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (422, Some("unknown_event_type")),
        "{body}"
    );
    let holder = app.token(Role::Service, None);
    let (status, _) = app
        .send(
            app.request(Method::POST, "/v1/webhook-endpoints", Some(&holder))
                .json(&json!({"url": "http://127.0.0.1:1/hook"})),
        )
        .await;
    assert_eq!(status, 403);
}

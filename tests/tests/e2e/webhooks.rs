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

async fn admin_call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let admin = app.token(Role::Admin, None);
    let mut request = app.request(method, path, Some(&admin));
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

/// Issue 15 item 8: a new endpoint starts at the feed's head; `{"from": "beginning"}` replays.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_endpoint_starts_at_the_head_unless_it_asks_for_the_beginning() {
    let app = app_delivering().await;
    let before = app.register("13700000300").await;
    // Wait until the event is in the feed, so "the head" is past it.
    app.event_types_once(&before, "account.created").await;
    let head = Receiver::start(Duration::ZERO).await;
    let history = Receiver::start(Duration::ZERO).await;
    let (status, at_head) = subscribe(&app, &head.url, json!(["account.created"])).await;
    assert_eq!(status, 201, "{at_head}");
    head.set_secret(at_head["secret"].as_str().unwrap());
    let (status, replaying) = admin_call(
        &app,
        Method::POST,
        "/v1/webhook-endpoints",
        Some(json!({"url": history.url, "event_types": ["account.created"], "from": "beginning"})),
    )
    .await;
    assert_eq!(status, 201, "{replaying}");
    history.set_secret(replaying["secret"].as_str().unwrap());

    let after = app.register("13700000301").await;
    let accounts = |r: &[realname_test_support::receiver::Received]| {
        r.iter()
            .filter_map(|r| r.account_id.clone())
            .collect::<BTreeSet<_>>()
    };
    assert!(
        history
            .wait_for(Duration::from_secs(20), |r| accounts(r).len() == 2)
            .await,
        "the replaying endpoint gets the history: {:?}",
        history.received()
    );
    assert!(
        head.wait_for(Duration::from_secs(20), |r| !r.is_empty())
            .await
    );
    assert_eq!(
        accounts(&head.received()),
        BTreeSet::from([after]),
        "the event before the subscription is not delivered"
    );
    let (status, wrong) = admin_call(
        &app,
        Method::POST,
        "/v1/webhook-endpoints",
        Some(json!({"url": history.url, "from": "yesterday"})),
    )
    .await;
    assert_eq!(
        (status, wrong["code"].clone()),
        (422, json!("validation_failed"))
    );
}

/// Issue 15 item 8: after a rotation deliveries carry both `v1=` signatures, so a receiver
/// still on the old secret and one already on the new each accept them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_rotation_deliveries_carry_both_signatures_until_the_overlap_ends() {
    use realname_test_support::receiver::verify;

    let app = app_delivering().await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let (_, endpoint) = subscribe(&app, &receiver.url, json!(["account.created"])).await;
    let id = endpoint["id"].as_str().unwrap();
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    receiver.set_secret(&old);

    let rotations = format!("/v1/webhook-endpoints/{id}/secret-rotations");
    let (status, rotated) = admin_call(&app, Method::POST, &rotations, None).await;
    assert_eq!(status, 201, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert_eq!(rotated["id"], endpoint["id"]);
    let rotated_at: chrono::DateTime<chrono::Utc> = rotated["secret_rotated_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expires: chrono::DateTime<chrono::Utc> = rotated["previous_secret_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        expires - rotated_at,
        chrono::Duration::hours(24),
        "the default overlap"
    );
    let (_, shown) = admin_call(
        &app,
        Method::GET,
        &format!("/v1/webhook-endpoints/{id}"),
        None,
    )
    .await;
    assert!(
        !shown.to_string().contains("whsec_"),
        "the secret is shown once: {shown}"
    );

    app.register("13700000310").await;
    assert!(
        receiver
            .wait_for(Duration::from_secs(20), |r| !r.is_empty())
            .await,
        "the receiver on the old secret still accepts: {} refused",
        receiver.rejected()
    );
    let delivery = &receiver.received()[0];
    assert_eq!(
        delivery.signature.matches("v1=").count(),
        2,
        "{}",
        delivery.signature
    );
    let now = chrono::Utc::now().timestamp();
    assert!(verify(&new, &delivery.signature, &delivery.body, now));
    assert!(verify(&old, &delivery.signature, &delivery.body, now));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn once_the_overlap_has_ended_only_the_new_secret_signs() {
    let app = TestApp::spawn_with(|s| {
        s.scheduler.enabled = true;
        s.scheduler.delivery_interval_secs = 1;
        s.webhooks.rotation_overlap_hours = 0;
        s.webhooks.first_retry_secs = 1;
    })
    .await;
    let on_old = Receiver::start(Duration::ZERO).await;
    let (_, endpoint) = subscribe(&app, &on_old.url, json!(["account.created"])).await;
    let id = endpoint["id"].as_str().unwrap();
    on_old.set_secret(endpoint["secret"].as_str().unwrap());
    let (status, rotated) = admin_call(
        &app,
        Method::POST,
        &format!("/v1/webhook-endpoints/{id}/secret-rotations"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{rotated}");

    app.register("13700000320").await;
    let refused = tokio::time::timeout(Duration::from_secs(20), async {
        while on_old.rejected() == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        refused.is_ok(),
        "a receiver still on the old secret refuses"
    );
    assert!(on_old.received().is_empty());
    on_old.set_secret(rotated["secret"].as_str().unwrap());
    assert!(
        on_old
            .wait_for(Duration::from_secs(20), |r| !r.is_empty())
            .await,
        "the retry, signed with the new secret alone, is accepted"
    );
    assert_eq!(on_old.received()[0].signature.matches("v1=").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_endpoint_holds_its_events_and_a_deleted_one_is_gone() {
    let app = app_delivering().await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let (_, endpoint) = subscribe(&app, &receiver.url, json!(["account.created"])).await;
    let id = endpoint["id"].as_str().unwrap();
    receiver.set_secret(endpoint["secret"].as_str().unwrap());
    let path = format!("/v1/webhook-endpoints/{id}");

    let (status, disabled) =
        admin_call(&app, Method::PATCH, &path, Some(json!({"disabled": true}))).await;
    assert_eq!(
        (status, disabled["disabled"].clone()),
        (200, json!(true)),
        "{disabled}"
    );
    let held = app.register("13700000330").await;
    app.event_types_once(&held, "account.created").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        receiver.received().is_empty(),
        "nothing is posted while disabled"
    );

    let (status, _) =
        admin_call(&app, Method::PATCH, &path, Some(json!({"disabled": false}))).await;
    assert_eq!(status, 200);
    assert!(
        receiver
            .wait_for(Duration::from_secs(20), |r| !r.is_empty())
            .await,
        "enabling it delivers what was held"
    );
    assert_eq!(
        receiver.received()[0].account_id.as_deref(),
        Some(held.as_str())
    );

    let (status, bad) =
        admin_call(&app, Method::PATCH, &path, Some(json!({"disabled": "no"}))).await;
    assert_eq!(
        (status, bad["code"].clone()),
        (422, json!("validation_failed")),
        "{bad}"
    );

    let (status, _) = admin_call(&app, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let gone = receiver.received().len();
    app.register("13700000331").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        receiver.received().len(),
        gone,
        "nothing is posted once deleted"
    );
    for (method, path) in [
        (Method::GET, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::GET, format!("{path}/deliveries")),
        (Method::POST, format!("{path}/secret-rotations")),
    ] {
        let (status, body) = admin_call(&app, method.clone(), &path, None).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
    }
    let (_, list) = admin_call(&app, Method::GET, "/v1/webhook-endpoints", None).await;
    assert_eq!(list["data"], json!([]), "{list}");
}

#[tokio::test]
async fn the_endpoints_list_pages_oldest_first() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (_, endpoint) = subscribe(&app, &format!("http://127.0.0.1:1/{n}"), json!([])).await;
        ids.push(endpoint["id"].as_str().unwrap().to_owned());
    }
    let (_, first) = admin_call(&app, Method::GET, "/v1/webhook-endpoints?limit=2", None).await;
    let shown: Vec<_> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        (shown.as_slice(), first["has_more"].clone()),
        (&ids[..2], json!(true))
    );
    assert!(!first.to_string().contains("whsec_"));
    let (_, rest) = admin_call(
        &app,
        Method::GET,
        &format!("/v1/webhook-endpoints?limit=2&starting_after={}", ids[1]),
        None,
    )
    .await;
    assert_eq!(rest["data"][0]["id"], json!(ids[2]));
    assert_eq!(rest["has_more"], json!(false));
    let (status, _) = admin_call(
        &app,
        Method::GET,
        "/v1/webhook-endpoints?starting_after=whe_x",
        None,
    )
    .await;
    assert_eq!(status, 422);
}

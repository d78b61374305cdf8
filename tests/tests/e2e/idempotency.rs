//! `Idempotency-Key` over HTTP (API.md): every creating POST honours it, from its one route
//! declaration; keys are scoped by the whole principal; a retried webhook registration gets the
//! same endpoint and secret instead of minting a second.

use realname_e2e::{TestApp, concrete, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn post(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, bool, Value) {
    let response = app
        .request(Method::POST, path, Some(token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (
        status,
        replayed,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Walks the served document: each POST that answers 201 replays its first answer (here a
/// refusal, which every operation can give without set-up) for the same key and body, and
/// refuses the key with another body. Five of them ignored the header before.
#[tokio::test(flavor = "multi_thread")]
async fn every_creating_post_replays_its_first_answer_under_its_key() {
    let app = TestApp::spawn().await;
    let (_, document) = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    let mut creating = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        let Some(operation) = item.get("post") else {
            continue;
        };
        if operation["responses"].get("201").is_none() {
            continue;
        }
        let path = concrete(template);
        let role = operation["x-roles"][0].as_str().unwrap();
        let role: Role = serde_json::from_value(json!(role)).unwrap();
        let account = path
            .split('/')
            .find(|s| s.starts_with("acct_"))
            .unwrap_or("acct_0123456789abcdef0123456789abcdef");
        let token = app.token(role, (role == Role::Holder).then_some(account));
        let key = format!("retry-{template}");
        let first = post(&app, &path, &token, &key, &json!({})).await;
        let again = post(&app, &path, &token, &key, &json!({})).await;
        assert!(
            again.1,
            "{template}: the retry was run again instead of replayed"
        );
        assert_eq!((first.0, &first.2), (again.0, &again.2), "{template}");
        let other = post(&app, &path, &token, &key, &json!({"other": 1})).await;
        assert_eq!(
            (other.0, other.2["code"].as_str()),
            (422, Some("idempotency_key_reused")),
            "{template}"
        );
        creating.push(operation["operationId"].as_str().unwrap().to_owned());
    }
    assert_eq!(creating.len(), 11, "{creating:?}");
}

/// The attack on the old scope (role, subject, path): two holder tokens with one subject, for
/// two accounts, shared keys, so the second was shown the first's identity proof.
#[tokio::test(flavor = "multi_thread")]
async fn keys_are_scoped_by_the_holders_account_too() {
    let app = TestApp::spawn().await;
    let first = app.register("13900000701").await;
    let second = app.register("13900000702").await;
    let subject = personal("wechat_scan", "resident_id", "11010519491231002X")["subject"].clone();
    let body = json!({"method": "wechat_scan", "subject": subject});
    let mine = app.token(Role::Holder, Some(&first));
    let theirs = app.token(Role::Holder, Some(&second));
    let (status, _, proof) = post(&app, "/v1/identity-proofs", &mine, "k1", &body).await;
    assert_eq!(status, 201, "{proof}");
    let (status, replayed, other) = post(&app, "/v1/identity-proofs", &theirs, "k1", &body).await;
    assert_eq!(status, 201, "{other}");
    assert!(!replayed, "another account's answer was replayed");
    assert_ne!(proof["id"], other["id"]);
}

/// A retried registration of a webhook endpoint used to mint a second endpoint and secret.
#[tokio::test(flavor = "multi_thread")]
async fn a_retried_webhook_registration_gets_the_same_endpoint_and_secret() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, None);
    let body =
        json!({"url": "https://hooks.example.com/realname", "event_types": ["account.verified"]});
    let (status, _, first) = post(&app, "/v1/webhook-endpoints", &admin, "hook-1", &body).await;
    assert_eq!(status, 201, "{first}");
    let (status, replayed, again) =
        post(&app, "/v1/webhook-endpoints", &admin, "hook-1", &body).await;
    assert_eq!(status, 201);
    assert!(replayed);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["secret"], again["secret"]);
}

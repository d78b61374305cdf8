//! Provider callbacks: signatures, staleness, duplicates; and the sandbox switch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use realname_e2e::{RESIDENT_ID, TestApp};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn submitted(app: &TestApp, phone: &str) -> (String, Value) {
    app.submitted(phone, "wechat_scan").await
}

fn session_ref(application: &Value) -> String {
    // The sandbox session reference is `<provider>_<application id without prefix>`.
    let id = application["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("app_");
    format!("wechat_{id}")
}

fn passed(application: &Value) -> Value {
    json!({
        "session_ref": session_ref(application),
        "outcome": "passed",
        "asserted_subject": {"type": "personal", "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三", "mainland_bank_card": true}
    })
}

async fn status_of(app: &TestApp, account: &str, application: &Value) -> String {
    let holder = app.token(Role::Holder, Some(account));
    let path = format!("/v1/applications/{}", application["id"].as_str().unwrap());
    let (_, body) = app
        .send(app.request(Method::GET, &path, Some(&holder)))
        .await;
    body["status"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_provider_event_decides_the_application() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000001").await;
    let (status, body) = app
        .provider_event("wechat", &passed(&application), Utc::now().timestamp())
        .await;
    assert_eq!(
        (status, body["result"].as_str()),
        (200, Some("recorded")),
        "{body}"
    );
    assert_eq!(status_of(&app, &account, &application).await, "approved");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_signature_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000002").await;
    let response = app
        .request(Method::POST, "/v1/provider-events/wechat", None)
        .header(
            "Signature",
            format!("t={},v1={}", Utc::now().timestamp(), "00".repeat(32)),
        )
        .body(passed(&application).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_signature");
    assert_eq!(
        status_of(&app, &account, &application).await,
        "awaiting_action"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_timestamp_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000003").await;
    let (status, body) = app
        .provider_event(
            "wechat",
            &passed(&application),
            Utc::now().timestamp() - 301,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("signature_expired"))
    );
    assert_eq!(
        status_of(&app, &account, &application).await,
        "awaiting_action"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_provider_event_is_a_no_op_that_answers_200() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000004").await;
    let now = Utc::now().timestamp();
    let (status, first) = app
        .provider_event("wechat", &passed(&application), now)
        .await;
    assert_eq!((status, first["result"].as_str()), (200, Some("recorded")));
    let mut failed = passed(&application);
    failed["outcome"] = json!("failed");
    failed["failure_code"] = json!("identity_info_incorrect");
    failed.as_object_mut().unwrap().remove("asserted_subject");
    for event in [passed(&application), failed] {
        let (status, again) = app.provider_event("wechat", &event, now).await;
        assert_eq!((status, again["result"].as_str()), (200, Some("duplicate")));
    }
    assert_eq!(status_of(&app, &account, &application).await, "approved");
    let service = app.token(Role::Service, None);
    let (_, caps) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/capabilities"),
            Some(&service),
        ))
        .await;
    assert_eq!(caps["status"], "verified");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assertion_for_another_person_rejects_the_application() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000005").await;
    let mut event = passed(&application);
    event["asserted_subject"]["name"] = json!("李四");
    let (status, _) = app
        .provider_event("wechat", &event, Utc::now().timestamp())
        .await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, &account, &application).await, "rejected");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_provider_cannot_decide_a_wechat_session() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000006").await;
    let (status, _) = app
        .provider_event("qq", &passed(&application), Utc::now().timestamp())
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        status_of(&app, &account, &application).await,
        "awaiting_action"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_endpoint_is_404_when_sandbox_mode_is_off() {
    // Without the sandbox, submissions go to the real providers (none here), so the
    // application is one that would exist: the route itself must be absent.
    let app = TestApp::spawn_with(|s| s.sandbox.enabled = false).await;
    let account = app.register("13700000007").await;
    let (status, _) = app
        .complete(
            &account,
            "app_0123456789abcdef0123456789abcdef",
            &json!({"outcome": "passed"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sandbox_completion_with_another_asserted_subject_is_rejected() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(&app, "13700000008").await;
    let other = json!({"outcome": "passed", "asserted_subject": {"type": "personal", "document_type": "resident_id", "document_number": "110105198001010016", "name": "张三"}});
    let (status, body) = app
        .complete(&account, application["id"].as_str().unwrap(), &other)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["failure"]["code"], "identity_info_incorrect");
}

//! Modification of the real-name subject (R2), over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{ENTERPRISE, LEGAL_PERSON, RESIDENT_ID, TestApp, USCC, enterprise, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn modify(mut body: Value) -> Value {
    body["purpose"] = json!("modify");
    body
}

async fn real_name(app: &TestApp, account: &str) -> Value {
    let service = app.token(Role::Service, None);
    app.send(app.request(
        Method::GET,
        &format!("/v1/accounts/{account}/real-name"),
        Some(&service),
    ))
    .await
    .1
}

/// Issue 15, item 3: the answer's sentence comes from the policy, not a literal.
#[tokio::test(flavor = "multi_thread")]
async fn the_cooldowns_sentence_names_the_configured_days() {
    let app = TestApp::spawn_with(|s| s.policy.modification_cooldown_days = 45).await;
    let account = app.verified("13400000009", "face_recognition").await;
    let other = modify(personal("wechat_scan", "resident_id", "110105198001010016"));
    let (status, body) = app.submit(&account, &other).await;
    assert_eq!(status, 409, "{body}");
    let sentence = format!("{} {}", body["title"], body["detail"]);
    assert!(sentence.contains("45 days"), "{sentence}");
    assert!(!sentence.contains("30 days"), "{sentence}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_personal_change_inside_the_cooldown_is_refused_with_the_date_it_opens() {
    let app = TestApp::spawn().await;
    let account = app.verified("13400000001", "face_recognition").await;
    let other = modify(personal("wechat_scan", "resident_id", "110105198001010016"));
    let (status, body) = app.submit(&account, &other).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("modification_cooldown"))
    );
    assert_eq!(
        body["modification_allowed_from"],
        real_name(&app, &account).await["modification_allowed_from"]
    );

    let same = modify(personal("wechat_scan", "resident_id", RESIDENT_ID));
    let (status, body) = app.submit(&account, &same).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("no_change")));
}

#[tokio::test(flavor = "multi_thread")]
async fn personal_to_enterprise_is_allowed_at_once_and_keeps_capabilities_while_pending() {
    let app = TestApp::spawn().await;
    let account = app.verified("13400000002", "face_recognition").await;
    let (status, pending) = app
        .submit(
            &account,
            &modify(enterprise(
                "legal_person_wechat_scan",
                USCC,
                ENTERPRISE,
                LEGAL_PERSON,
            )),
        )
        .await;
    assert_eq!(status, 201, "{pending}");

    let status_view = real_name(&app, &account).await;
    assert_eq!(
        status_view["subject_type"], "personal",
        "the current subject stays while pending"
    );
    assert_eq!(status_view["pending_application"]["purpose"], "modify");
    let service = app.token(Role::Service, None);
    let (_, caps) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/capabilities"),
            Some(&service),
        ))
        .await;
    assert!(
        caps["capabilities"]
            .as_object()
            .unwrap()
            .values()
            .all(|c| c["allowed"] == true)
    );

    let (_, done) = app
        .complete(
            &account,
            pending["id"].as_str().unwrap(),
            &json!({"outcome": "passed"}),
        )
        .await;
    assert_eq!(done["status"], "approved");
    let status_view = real_name(&app, &account).await;
    assert_eq!(
        (
            status_view["status"].as_str(),
            status_view["subject_type"].as_str()
        ),
        (Some("verified"), Some("enterprise"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_modification_onto_a_full_enterprise_is_rejected_and_the_old_subject_stays() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::AccountManager, None);
    let (status, _) = app
        .send(
            app.request(
                Method::PUT,
                &format!("/v1/enterprises/{USCC}/account-limit"),
                Some(&manager),
            )
            .json(&json!({"limit": 0, "reason": "frozen by compliance"})),
        )
        .await;
    assert_eq!(status, 200);
    let account = app.verified("13400000003", "face_recognition").await;
    let (_, pending) = app
        .submit(
            &account,
            &modify(enterprise(
                "wechat_public_platform",
                USCC,
                ENTERPRISE,
                LEGAL_PERSON,
            )),
        )
        .await;
    let (_, done) = app
        .complete(
            &account,
            pending["id"].as_str().unwrap(),
            &json!({"outcome": "passed"}),
        )
        .await;
    assert_eq!(done["failure"]["code"], "identity_account_limit_reached");
    let status_view = real_name(&app, &account).await;
    assert_eq!(
        (
            status_view["status"].as_str(),
            status_view["subject_type"].as_str()
        ),
        (Some("verified"), Some("personal"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_modification_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let account = app.verified("13400000004", "face_recognition").await;
    let (_, pending) = app
        .submit(
            &account,
            &modify(enterprise("cloud_recharge", USCC, ENTERPRISE, LEGAL_PERSON)),
        )
        .await;
    let holder = app.token(Role::Holder, Some(&account));
    let path = format!(
        "/v1/applications/{}/withdraw",
        pending["id"].as_str().unwrap()
    );
    let (status, body) = app
        .send(app.request(Method::POST, &path, Some(&holder)))
        .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("withdrawn")));
    assert_eq!(real_name(&app, &account).await["subject_type"], "personal");
}

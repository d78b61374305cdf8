//! Phone changes (R19) and closure (R21), over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{TestApp, captured_logs};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn request_change(app: &TestApp, account: &str, phone: &str) -> (u16, Value) {
    let holder = app.token(Role::Holder, Some(account));
    let path = format!("/v1/accounts/{account}/phone-changes");
    app.send(
        app.request(Method::POST, &path, Some(&holder))
            .json(&json!({"phone": phone})),
    )
    .await
}

async fn sandbox_code(app: &TestApp, account: &str, change: &str) -> String {
    let holder = app.token(Role::Holder, Some(account));
    let (status, body) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/sandbox/sms?change_id={change}"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body["code"].as_str().unwrap().to_owned()
}

async fn confirm(app: &TestApp, account: &str, change: &str, code: &str) -> (u16, Value) {
    let holder = app.token(Role::Holder, Some(account));
    let path = format!("/v1/accounts/{account}/phone-changes/{change}/confirm");
    app.send(
        app.request(Method::POST, &path, Some(&holder))
            .json(&json!({"code": code})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_parallel_registrations_leave_five_and_a_confirmed_change_frees_a_slot() {
    let app = TestApp::spawn().await;
    let service = app.token(Role::Service, None);
    let register = || {
        app.send(
            app.request(Method::POST, "/v1/accounts", Some(&service))
                .json(&json!({"phone": "13300000001"})),
        )
    };
    let results = futures::future::join_all((0..50).map(|_| register())).await;
    let created: Vec<_> = results.iter().filter(|(s, _)| *s == 201).collect();
    assert_eq!(created.len(), 5);
    assert!(
        results
            .iter()
            .filter(|(s, _)| *s != 201)
            .all(|(s, b)| *s == 409 && b["code"] == "phone_account_limit_reached")
    );

    let account = created[0].1["id"].as_str().unwrap().to_owned();
    let (status, change) = request_change(&app, &account, "13300000002").await;
    assert_eq!(status, 201, "{change}");
    assert_eq!(change["phone"], "133****0002");
    let change_id = change["id"].as_str().unwrap();
    let code = sandbox_code(&app, &account, change_id).await;
    let (status, done) = confirm(&app, &account, change_id, &code).await;
    assert_eq!((status, done["status"].as_str()), (200, Some("confirmed")));

    let (status, body) = register().await;
    assert_eq!(status, 201, "the old number was released: {body}");
    let holder = app.token(Role::Holder, Some(&account));
    let (_, view) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}"),
            Some(&holder),
        ))
        .await;
    assert_eq!(view["phone"], "133****0002");
    assert!(!captured_logs().contains(&code), "a code is never logged");
}

/// `tries` wrong codes lock a change, whose answer shows them and its validity.
async fn wrong_codes_lock_the_change(app: &TestApp, tries: u32, validity_minutes: i64) {
    let account = app.register("13300000003").await;
    let (_, change) = request_change(app, &account, "13300000004").await;
    assert_eq!(change["attempts_remaining"], tries);
    let expires = chrono::DateTime::parse_from_rfc3339(change["expires_at"].as_str().unwrap())
        .unwrap()
        - chrono::DateTime::parse_from_rfc3339(change["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires, chrono::Duration::minutes(validity_minutes));
    let change_id = change["id"].as_str().unwrap();
    let code = sandbox_code(app, &account, change_id).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for remaining in (0..tries).rev() {
        let (status, body) = confirm(app, &account, change_id, wrong).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("otp_invalid")));
        assert_eq!(body["attempts_remaining"], remaining);
    }
    let (status, body) = confirm(app, &account, change_id, &code).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("otp_locked")));
}

#[tokio::test(flavor = "multi_thread")]
async fn five_wrong_codes_lock_the_change() {
    wrong_codes_lock_the_change(&TestApp::spawn().await, 5, 10).await;
}

/// R19 (issue 15, item 2): a code's validity and tries are `policy.otp_validity_minutes` and
/// `policy.otp_max_tries`.
#[tokio::test(flavor = "multi_thread")]
async fn a_codes_validity_and_tries_are_policy_values() {
    let app = TestApp::spawn_with(|s| {
        s.policy.otp_max_tries = 2;
        s.policy.otp_validity_minutes = 3;
    })
    .await;
    wrong_codes_lock_the_change(&app, 2, 3).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_an_account_releases_its_phone_and_its_slot_and_denies_everything() {
    let app = TestApp::spawn().await;
    let mut verified = Vec::new();
    for n in 0..3 {
        let (account, application) = app
            .submitted(&format!("1330000001{n}"), "wechat_scan")
            .await;
        let (_, done) = app
            .complete(
                &account,
                application["id"].as_str().unwrap(),
                &json!({"outcome": "passed"}),
            )
            .await;
        assert_eq!(done["status"], "approved");
        verified.push(account);
    }
    let holder = app.token(Role::Holder, Some(&verified[0]));
    let (status, closed) = app
        .send(app.request(
            Method::POST,
            &format!("/v1/accounts/{}/close", verified[0]),
            Some(&holder),
        ))
        .await;
    assert_eq!((status, closed["state"].as_str()), (200, Some("closed")));
    let (status, again) = app
        .send(app.request(
            Method::POST,
            &format!("/v1/accounts/{}/close", verified[0]),
            Some(&holder),
        ))
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("account_closed"))
    );

    let service = app.token(Role::Service, None);
    let (_, caps) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{}/capabilities", verified[0]),
            Some(&service),
        ))
        .await;
    assert!(
        caps["capabilities"]
            .as_object()
            .unwrap()
            .values()
            .all(|c| c["allowed"] == false && c["reason"] == "account_closed")
    );

    // R3: the closed account's slot is free again for a fourth account of the same person.
    let (account, application) = app.submitted("13300000020", "wechat_scan").await;
    let (_, done) = app
        .complete(
            &account,
            application["id"].as_str().unwrap(),
            &json!({"outcome": "passed"}),
        )
        .await;
    assert_eq!(done["status"], "approved", "{done}");
}

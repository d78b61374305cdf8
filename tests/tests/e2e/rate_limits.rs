//! Rate limits (API.md): per address, per account on mutating and proof endpoints, service and
//! admin exempt, 429 `rate_limited` with `Retry-After` and `RateLimit-*`, and a switch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{RESIDENT_ID, TestApp, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::json;

async fn app(per_address: u32, per_account: u32, enabled: bool) -> TestApp {
    TestApp::spawn_with(|s| {
        s.rate_limit.enabled = enabled;
        s.rate_limit.per_address_per_second = per_address;
        s.rate_limit.per_account_per_minute = per_account;
    })
    .await
}

/// A holder reads their account; returns the status.
async fn read_account(app: &TestApp, account: &str, holder: &str) -> u16 {
    let path = format!("/v1/accounts/{account}");
    app.send(app.request(Method::GET, &path, Some(holder)))
        .await
        .0
}

#[tokio::test]
async fn an_address_over_its_limit_gets_429_with_the_headers() {
    let app = app(5, 1000, true).await;
    // Registration uses a service token, which the limits do not count.
    let account = app.register("13700000401").await;
    let holder = app.token(Role::Holder, Some(&account));
    let path = format!("/v1/accounts/{account}");
    for _ in 0..5 {
        let response = app
            .request(Method::GET, &path, Some(&holder))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = app
        .request(Method::GET, &path, Some(&holder))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let headers = response.headers().clone();
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(headers["ratelimit-limit"], "5");
    assert_eq!(headers["ratelimit-remaining"], "0");
    assert!(headers.contains_key("ratelimit-reset"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
}

#[tokio::test]
async fn service_and_admin_tokens_are_exempt() {
    let app = app(2, 2, true).await;
    let account = app.register("13700000402").await;
    for role in [Role::Service, Role::Admin] {
        let token = app.token(role, None);
        for _ in 0..20 {
            let (status, _) = app
                .send(app.request(
                    Method::GET,
                    &format!("/v1/accounts/{account}/capabilities"),
                    Some(&token),
                ))
                .await;
            assert_ne!(status, 429, "{role:?}");
        }
    }
}

#[tokio::test]
async fn an_account_is_limited_on_mutating_calls_only() {
    let app = app(1000, 3, true).await;
    let account = app.register("13700000403").await;
    let holder = app.token(Role::Holder, Some(&account));
    for _ in 0..10 {
        let status = read_account(&app, &account, &holder).await;
        assert_eq!(status, 200, "reads do not count against the account");
    }
    let path = format!("/v1/accounts/{account}/applications");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, body) = app
            .send(
                app.request(Method::POST, &path, Some(&holder))
                    .json(&json!({"purpose": "verify"})),
            )
            .await;
        statuses.push((status, body["code"].as_str().map(str::to_owned)));
    }
    assert!(statuses[..3].iter().all(|(s, _)| *s != 429), "{statuses:?}");
    assert_eq!(statuses[3], (429, Some("rate_limited".to_owned())));
}

#[tokio::test]
async fn the_switch_turns_limits_off() {
    let app = app(1, 1, false).await;
    let account = app.register("13700000404").await;
    let holder = app.token(Role::Holder, Some(&account));
    for _ in 0..20 {
        let status = read_account(&app, &account, &holder).await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn a_locked_out_account_keeps_hearing_too_many_attempts_over_the_rate_limit() {
    // R7 is checked first (API.md): once both limits are exceeded, submissions still get
    // too_many_attempts with its retry time; other mutating calls get rate_limited.
    let app = app(1000, 11, true).await;
    let account = app.register("13700000405").await;
    app.fail_attempts(&account, 5).await;
    // Ten calls so far; the bucket holds eleven a minute.
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (status, body) = app
            .submit(
                &account,
                &personal("face_recognition", "resident_id", RESIDENT_ID),
            )
            .await;
        codes.push((status, body["code"].as_str().unwrap_or_default().to_owned()));
    }
    assert!(
        codes
            .iter()
            .all(|(s, c)| *s == 429 && c == "too_many_attempts"),
        "{codes:?}"
    );
    let holder = app.token(Role::Holder, Some(&account));
    let (status, body) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{account}/phone-changes"),
                Some(&holder),
            )
            .json(&json!({"phone": "13700000406"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.per_address_per_second = 2;
        s.rate_limit.trusted_proxies = vec!["127.0.0.1/32".into()];
    })
    .await;
    let account = app.register("13700000407").await;
    let holder = app.token(Role::Holder, Some(&account));
    let path = format!("/v1/accounts/{account}");
    let read = |client: &'static str| {
        app.request(Method::GET, &path, Some(&holder))
            .header("X-Forwarded-For", client)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(read("203.0.113.1").await.unwrap().status(), 200);
    }
    assert_eq!(read("203.0.113.1").await.unwrap().status(), 429);
    assert_eq!(read("203.0.113.2").await.unwrap().status(), 200);
}

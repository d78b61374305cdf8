//! Sub-accounts (R16), over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::TestApp;
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn create_sub(app: &TestApp, root: &str, phone: &str) -> (u16, Value) {
    let holder = app.token(Role::Holder, Some(root));
    let path = format!("/v1/accounts/{root}/sub-accounts");
    app.send(
        app.request(Method::POST, &path, Some(&holder))
            .json(&json!({"phone": phone})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sub_account_inherits_its_roots_verification_without_using_a_slot() {
    let app = TestApp::spawn().await;
    let root = app.verified("13200000001", "wechat_scan").await;
    let mut subs = Vec::new();
    for n in 0..3 {
        let (status, sub) = create_sub(&app, &root, &format!("1320000001{n}")).await;
        assert_eq!(status, 201, "{sub}");
        assert_eq!(
            (sub["kind"].as_str(), sub["root_account_id"].as_str()),
            (Some("sub"), Some(root.as_str()))
        );
        subs.push(sub["id"].as_str().unwrap().to_owned());
    }

    // The root's holder sees the sub-account, verified through its root (R20).
    let holder = app.token(Role::Holder, Some(&root));
    let (status, real_name) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{}/real-name", subs[0]),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            real_name["status"].as_str(),
            real_name["inherited_from"].as_str()
        ),
        (Some("verified"), Some(root.as_str()))
    );
    let service = app.token(Role::Service, None);
    let (_, caps) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{}/capabilities", subs[0]),
            Some(&service),
        ))
        .await;
    assert!(
        caps["capabilities"]
            .as_object()
            .unwrap()
            .values()
            .all(|c| c["allowed"] == true),
        "{caps}"
    );

    // R3 counts only the root: two more accounts of the same person still verify.
    app.verified("13200000002", "wechat_scan").await;
    app.verified("13200000003", "wechat_scan").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn association_needs_a_verified_target_and_both_sides_consent() {
    let app = TestApp::spawn().await;
    let root = app.verified("13200000020", "wechat_scan").await;
    let unverified = app.register("13200000021").await;
    let holder = app.token(Role::Holder, Some(&root));
    let path = format!("/v1/accounts/{root}/sub-account-associations");
    let (status, body) = app
        .send(
            app.request(Method::POST, &path, Some(&holder))
                .json(&json!({"account_id": unverified})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("sub_account_must_verify"))
    );

    let target = app.register("13200000022").await;
    let (_, application) = app
        .submit(
            &target,
            &realname_e2e::personal("qq_scan", "resident_id", "110105198001010016"),
        )
        .await;
    app.complete(
        &target,
        application["id"].as_str().unwrap(),
        &json!({"outcome": "passed"}),
    )
    .await;
    let (status, invitation) = app
        .send(
            app.request(Method::POST, &path, Some(&holder))
                .json(&json!({"account_id": target})),
        )
        .await;
    assert_eq!(
        (status, invitation["status"].as_str()),
        (201, Some("pending")),
        "{invitation}"
    );

    let accept = format!(
        "/v1/sub-account-associations/{}/accept",
        invitation["id"].as_str().unwrap()
    );
    let (status, _) = app
        .send(app.request(Method::POST, &accept, Some(&holder)))
        .await;
    assert_eq!(status, 404, "only the target's holder may accept");
    let target_holder = app.token(Role::Holder, Some(&target));
    let (status, accepted) = app
        .send(app.request(Method::POST, &accept, Some(&target_holder)))
        .await;
    assert_eq!(
        (status, accepted["status"].as_str()),
        (200, Some("accepted"))
    );
    let (_, account) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{target}"),
            Some(&holder),
        ))
        .await;
    assert_eq!(
        account["root_account_id"],
        root.as_str(),
        "the root's holder now sees it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_associates_at_once() {
    let app = TestApp::spawn().await;
    let root = app.verified("13200000030", "wechat_scan").await;
    let target = app.register("13200000031").await;
    let (_, application) = app
        .submit(
            &target,
            &realname_e2e::personal("qq_scan", "resident_id", "110105198001010016"),
        )
        .await;
    app.complete(
        &target,
        application["id"].as_str().unwrap(),
        &json!({"outcome": "passed"}),
    )
    .await;
    let admin = app.token(Role::Admin, None);
    let path = format!("/v1/accounts/{root}/sub-account-associations");
    let (status, body) = app
        .send(
            app.request(Method::POST, &path, Some(&admin))
                .json(&json!({"account_id": target})),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("accepted")),
        "{body}"
    );
}

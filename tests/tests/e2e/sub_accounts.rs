//! Sub-accounts (R16), over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::TestApp;
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// An account verified by a QQ scan as a second person (not the sample person of
/// [`TestApp::verified`]); returns its id.
async fn second_person(app: &TestApp, phone: &str) -> String {
    let target = app.register(phone).await;
    let (_, application) = app
        .submit(
            &target,
            &realname_e2e::personal("qq_scan", "resident_id", "110105198001010016"),
        )
        .await;
    let (_, done) = app
        .complete(
            &target,
            application["id"].as_str().unwrap(),
            &json!({"outcome": "passed"}),
        )
        .await;
    assert_eq!(done["status"], "approved", "{done}");
    target
}

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

    let target = second_person(&app, "13200000022").await;
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
    let target = second_person(&app, "13200000031").await;
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

/// Verifies a second person's account and associates it under `root` by invitation and
/// acceptance (R16); returns its id.
async fn associated(app: &TestApp, root: &str, phone: &str) -> String {
    let target = second_person(app, phone).await;
    let holder = app.token(Role::Holder, Some(root));
    let (status, invitation) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{root}/sub-account-associations"),
                Some(&holder),
            )
            .json(&json!({"account_id": target})),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    let accept = format!(
        "/v1/sub-account-associations/{}/accept",
        invitation["id"].as_str().unwrap()
    );
    let target_holder = app.token(Role::Holder, Some(&target));
    let (status, _) = app
        .send(app.request(Method::POST, &accept, Some(&target_holder)))
        .await;
    assert_eq!(status, 200);
    target
}

#[tokio::test(flavor = "multi_thread")]
async fn an_associated_accounts_own_holder_keeps_full_access_to_it() {
    // R16: after T's holder accepts, T's holder still reads T; R's holder sees it too.
    let app = TestApp::spawn().await;
    let root = app.verified("13200000040", "wechat_scan").await;
    let target = associated(&app, &root, "13200000041").await;
    for token in [
        app.token(Role::Holder, Some(&target)),
        app.token(Role::Holder, Some(&root)),
    ] {
        let (status, real_name) = app
            .send(app.request(
                Method::GET,
                &format!("/v1/accounts/{target}/real-name"),
                Some(&token),
            ))
            .await;
        assert_eq!(
            (status, real_name["status"].as_str()),
            (200, Some("verified")),
            "{real_name}"
        );
    }
    // T's holder does not see R through the association.
    let (status, _) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{root}"),
            Some(&app.token(Role::Holder, Some(&target))),
        ))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_a_root_closes_its_heirs_and_detaches_its_associated_accounts() {
    // R21: the inheriting sub-account closes with its root; the associated account, verified
    // on its own, becomes a root again with its verification, an event and an audit entry.
    let app = TestApp::spawn().await;
    let root = app.verified("13200000050", "wechat_scan").await;
    let (status, heir) = create_sub(&app, &root, "13200000051").await;
    assert_eq!(status, 201, "{heir}");
    let heir = heir["id"].as_str().unwrap().to_owned();
    let target = associated(&app, &root, "13200000052").await;

    let holder = app.token(Role::Holder, Some(&root));
    let (status, closed) = app
        .send(app.request(
            Method::POST,
            &format!("/v1/accounts/{root}/close"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200, "{closed}");

    let service = app.token(Role::Service, None);
    let account = |id: String| {
        let app = &app;
        let service = service.clone();
        async move {
            app.send(app.request(Method::GET, &format!("/v1/accounts/{id}"), Some(&service)))
                .await
                .1
        }
    };
    assert_eq!(account(heir.clone()).await["state"], "closed");
    let detached = account(target.clone()).await;
    assert_eq!(
        (
            detached["state"].as_str(),
            detached["kind"].as_str(),
            detached["root_account_id"].as_str()
        ),
        (Some("active"), Some("root"), None),
        "{detached}"
    );
    let target_holder = app.token(Role::Holder, Some(&target));
    let (_, real_name) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{target}/real-name"),
            Some(&target_holder),
        ))
        .await;
    assert_eq!(real_name["status"], "verified", "{real_name}");

    let types = app.event_types_once(&target, "account.detached").await;
    assert!(types.iter().any(|t| t == "account.detached"), "{types:?}");
    assert!(!types.iter().any(|t| t == "account.closed"), "{types:?}");

    let (_, log) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{target}/audit-log"),
            Some(&target_holder),
        ))
        .await;
    let actions: Vec<_> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.last(), Some(&"account.detached"), "{actions:?}");
}

/// The attack (issue 14, hole 8): a holder bound a victim's number to 5 sub-accounts without
/// any code, and R19 counted them, so the victim could bind it to nothing more. Now a
/// sub-account's number is bound, and counted, only once the code sent to it is confirmed.
#[tokio::test(flavor = "multi_thread")]
async fn sub_accounts_cannot_exhaust_a_number_whose_codes_they_do_not_have() {
    let app = TestApp::spawn().await;
    let victim = "13200000900";
    app.register(victim).await;
    let attacker = app.verified("13200000901", "wechat_scan").await;
    for _ in 0..5 {
        let (status, sub) = create_sub(&app, &attacker, victim).await;
        assert_eq!(status, 201, "{sub}");
        assert_eq!(
            (sub["phone"].clone(), sub["phone_change"]["status"].as_str()),
            (Value::Null, Some("pending")),
            "nothing is bound before the code is confirmed"
        );
    }
    let service = app.token(Role::Service, None);
    for _ in 0..4 {
        let (status, body) = app
            .send(
                app.request(Method::POST, "/v1/accounts", Some(&service))
                    .json(&json!({"phone": victim})),
            )
            .await;
        assert_eq!(status, 201, "the victim's number still has room: {body}");
    }
    let (status, body) = create_sub(&app, &attacker, victim).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("phone_account_limit_reached")),
        "the victim's own five accounts fill it"
    );
}

/// The holder confirms the code sent to the sub-account's number, as in a phone change: the
/// number is bound then, and counts (R19).
#[tokio::test(flavor = "multi_thread")]
async fn a_sub_accounts_number_is_bound_when_its_code_is_confirmed() {
    let app = TestApp::spawn().await;
    let root = app.verified("13200000910", "wechat_scan").await;
    let (status, sub) = create_sub(&app, &root, "13200000911").await;
    assert_eq!(status, 201, "{sub}");
    let (id, change) = (
        sub["id"].as_str().unwrap(),
        sub["phone_change"]["id"].as_str().unwrap(),
    );
    assert_eq!(sub["phone_change"]["account_id"].as_str(), Some(id));
    let holder = app.token(Role::Holder, Some(&root));
    let (_, sms) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/sandbox/sms?change_id={change}"),
            Some(&holder),
        ))
        .await;
    let confirm = format!("/v1/accounts/{id}/phone-changes/{change}/confirm");
    let (status, done) = app
        .send(
            app.request(Method::POST, &confirm, Some(&holder))
                .json(&json!({"code": sms["code"]})),
        )
        .await;
    assert_eq!((status, done["status"].as_str()), (200, Some("confirmed")));
    let (_, account) = app
        .send(app.request(Method::GET, &format!("/v1/accounts/{id}"), Some(&holder)))
        .await;
    assert_eq!(account["phone"], "132****0911");
}

/// Issue 15, item 4 (R16): both sides list the invitations; the target's holder declines, the
/// root's holder cancels, neither can do the other's; each step is an event on the target's
/// feed.
#[tokio::test(flavor = "multi_thread")]
async fn invitations_are_listed_declined_and_cancelled_by_the_right_side() {
    let app = TestApp::spawn().await;
    let root = app.verified("13200000920", "wechat_scan").await;
    let target = second_person(&app, "13200000921").await;
    let (root_holder, target_holder) = (
        app.token(Role::Holder, Some(&root)),
        app.token(Role::Holder, Some(&target)),
    );
    let invite = || async {
        let path = format!("/v1/accounts/{root}/sub-account-associations");
        let (status, invitation) = app
            .send(
                app.request(Method::POST, &path, Some(&root_holder))
                    .json(&json!({"account_id": target})),
            )
            .await;
        assert_eq!(status, 201, "{invitation}");
        invitation["id"].as_str().unwrap().to_owned()
    };
    let app = &app;
    let act = |id: String, action: &'static str, token: String| async move {
        app.send(app.request(
            Method::POST,
            &format!("/v1/sub-account-associations/{id}/{action}"),
            Some(&token),
        ))
        .await
    };

    let first = invite().await;
    let (status, _) = act(first.clone(), "decline", root_holder.clone()).await;
    assert_eq!(status, 404, "only the target declines");
    let (status, declined) = act(first.clone(), "decline", target_holder.clone()).await;
    assert_eq!(
        (status, declined["status"].as_str()),
        (200, Some("declined"))
    );
    assert!(declined["decided_at"].is_string());
    let (status, _) = act(first.clone(), "accept", target_holder.clone()).await;
    assert_eq!(status, 404, "a declined invitation cannot be accepted");

    let second = invite().await;
    let (status, _) = act(second.clone(), "cancel", target_holder.clone()).await;
    assert_eq!(status, 404, "only the root cancels");
    let (status, cancelled) = act(second.clone(), "cancel", root_holder.clone()).await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );

    for (holder, account) in [(&root_holder, &root), (&target_holder, &target)] {
        let (status, list) = app
            .send(app.request(
                Method::GET,
                &format!("/v1/accounts/{account}/sub-account-associations"),
                Some(holder),
            ))
            .await;
        assert_eq!(status, 200, "{list}");
        let seen: Vec<_> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap().to_owned(), i["status"].clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (first.clone(), json!("declined")),
                (second.clone(), json!("cancelled"))
            ]
        );
        assert_eq!(list["has_more"], false);
    }
    let stranger = app.token(Role::Holder, Some(&app.register("13200000922").await));
    let (status, _) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{target}/sub-account-associations"),
            Some(&stranger),
        ))
        .await;
    assert_eq!(status, 404);

    let types = app.event_types_once(&target, "association.cancelled").await;
    for wanted in [
        "association.invited",
        "association.declined",
        "association.cancelled",
    ] {
        assert!(types.iter().any(|t| t == wanted), "{wanted}: {types:?}");
    }
}

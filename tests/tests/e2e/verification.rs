//! A person verifies an account, end to end over HTTP (R1, R3, R5, R12, R20).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{RESIDENT_ID, TestApp, captured_logs, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::json;

async fn verified_account(app: &TestApp, phone: &str) -> String {
    let (account, submitted) = app.submitted(phone, "face_recognition").await;
    let id = submitted["id"].as_str().unwrap();
    let (status, completed) = app
        .complete(&account, id, &json!({"outcome": "passed"}))
        .await;
    assert_eq!(status, 200, "{completed}");
    assert_eq!(completed["status"], "approved");
    account
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_verifies_an_account_and_other_services_see_it_may_do_everything() {
    let app = TestApp::spawn().await;
    let account = app.register("13800000001").await;
    let holder = app.token(Role::Holder, Some(&account));
    let service = app.token(Role::Service, None);

    // Unverified: nothing is allowed, with the fix named (R12).
    let caps_path = format!("/v1/accounts/{account}/capabilities");
    let (status, caps) = app
        .send(app.request(Method::GET, &caps_path, Some(&service)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(caps["status"], "unverified");
    for (_, answer) in caps["capabilities"].as_object().unwrap() {
        assert_eq!(answer["allowed"], false);
        assert_eq!(answer["reason"], "real_name_required");
        assert_eq!(answer["action"], "verify_real_name");
    }

    // Submit: awaiting the applicant, with a liveness session (R5).
    let (status, app_body) = app
        .submit(
            &account,
            &personal("face_recognition", "resident_id", RESIDENT_ID),
        )
        .await;
    assert_eq!(status, 201, "{app_body}");
    assert_eq!(app_body["status"], "awaiting_action");
    assert_eq!(app_body["next_action"]["type"], "face_liveness");
    assert_eq!(app_body["subject"]["document_number"], "110***********002X");
    let application = app_body["id"].as_str().unwrap().to_owned();

    // The GET returns the same representation as the create.
    let (status, fetched) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/applications/{application}"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched, app_body);

    // Sandbox completion decides it at once (R11).
    let (status, done) = app
        .complete(&account, &application, &json!({"outcome": "passed"}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "approved");

    // Verified, masked (R20, SPEC §4).
    let (status, real_name) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/real-name"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(real_name["status"], "verified");
    assert_eq!(
        real_name["subject"]["document_number"],
        "110***********002X"
    );
    assert_eq!(real_name["subject"]["name"], "张*");
    assert_eq!(real_name["method"], "face_recognition");
    assert!(real_name["modification_allowed_from"].is_string());
    assert!(!real_name.to_string().contains(RESIDENT_ID));

    // Every capability allowed (R12).
    let (_, caps) = app
        .send(app.request(Method::GET, &caps_path, Some(&service)))
        .await;
    assert_eq!(caps["status"], "verified");
    assert!(
        caps["capabilities"]
            .as_object()
            .unwrap()
            .values()
            .all(|a| a["allowed"] == true)
    );
    assert_eq!(caps["capabilities"].as_object().unwrap().len(), 7);

    // Verification cannot be removed (R1).
    let path = format!("/v1/accounts/{account}/real-name");
    let (status, refused) = app
        .send(app.request(Method::DELETE, &path, Some(&holder)))
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("verification_irreversible"))
    );

    // A second first-time verification is refused (R20).
    let (status, again) = app
        .submit(
            &account,
            &personal("wechat_scan", "resident_id", RESIDENT_ID),
        )
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("already_verified"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_verification_before_there_is_any_gets_not_verified() {
    let app = TestApp::spawn().await;
    let account = app.register("13800000002").await;
    let service = app.token(Role::Service, None);
    let (status, body) = app
        .send(app.request(
            Method::DELETE,
            &format!("/v1/accounts/{account}/real-name"),
            Some(&service),
        ))
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("not_verified")));
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_parallel_completions_for_one_person_leave_exactly_three_verified_accounts() {
    let app = TestApp::spawn().await;
    let mut pending = Vec::new();
    for n in 0..20 {
        let account = app.register(&format!("1380000{n:04}")).await;
        let (status, body) = app
            .submit(
                &account,
                &personal("wechat_scan", "resident_id", RESIDENT_ID),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        pending.push((account, body["id"].as_str().unwrap().to_owned()));
    }
    let pass = json!({"outcome": "passed"});
    let results = futures::future::join_all(
        pending
            .iter()
            .map(|(account, id)| app.complete(account, id, &pass)),
    )
    .await;
    let approved = results
        .iter()
        .filter(|(_, b)| b["status"] == "approved")
        .count();
    assert_eq!(approved, 3);
    for (status, body) in results.iter().filter(|(_, b)| b["status"] != "approved") {
        assert_eq!(*status, 200);
        assert_eq!(body["failure"]["code"], "identity_account_limit_reached");
        // R7: no retry can pass until one of R3's ways out frees a slot.
        assert_eq!(body["failure"]["retry_allowed"], false);
        let holders = body["failure"]["holding_accounts"].as_array().unwrap();
        assert_eq!(holders.len(), 3);
        assert!(
            holders
                .iter()
                .all(|h| h["account_id"].as_str().unwrap().contains("****"))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn travel_permit_holders_may_only_scan_with_wechat_and_international_subjects_go_abroad() {
    let app = TestApp::spawn().await;
    let account = app.register("13800000003").await;
    let (status, body) = app
        .submit(
            &account,
            &personal("face_recognition", "hk_macao_permit", "H12345678"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("method_not_available_for_document"))
    );

    let mut abroad = personal("wechat_scan", "resident_id", RESIDENT_ID);
    abroad["subject"]["region"] = json!("international");
    let (status, body) = app.submit(&account, &abroad).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("use_international_site"))
    );
    assert!(body["international_site_url"].is_string());

    let (status, body) = app
        .submit(
            &account,
            &personal("wechat_scan", "hk_macao_permit", "H12345678"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn five_failed_attempts_lock_the_account_out_with_a_retry_time() {
    let app = TestApp::spawn().await;
    let account = app.register("13800000004").await;
    for done in app.fail_attempts(&account, 5).await {
        assert_eq!(done["failure"]["code"], "liveness_failed");
        assert_eq!(done["failure"]["retry_allowed"], true);
    }
    let holder = app.token(Role::Holder, Some(&account));
    let response = app
        .request(
            Method::POST,
            &format!("/v1/accounts/{account}/applications"),
            Some(&holder),
        )
        .json(&personal("face_recognition", "resident_id", RESIDENT_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("Retry-After").is_some());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    assert!(body["retry_at"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undecided_application_can_be_withdrawn_once_and_a_new_one_submitted() {
    let app = TestApp::spawn().await;
    let account = app.register("13800000005").await;
    let holder = app.token(Role::Holder, Some(&account));
    let (_, first) = app
        .submit(&account, &personal("qq_scan", "resident_id", RESIDENT_ID))
        .await;
    let (status, pending) = app
        .submit(&account, &personal("qq_scan", "resident_id", RESIDENT_ID))
        .await;
    assert_eq!(
        (status, pending["code"].as_str()),
        (409, Some("application_pending"))
    );

    let path = format!(
        "/v1/applications/{}/withdraw",
        first["id"].as_str().unwrap()
    );
    let (status, withdrawn) = app
        .send(app.request(Method::POST, &path, Some(&holder)))
        .await;
    assert_eq!(
        (status, withdrawn["status"].as_str()),
        (200, Some("withdrawn"))
    );
    let (status, again) = app
        .send(app.request(Method::POST, &path, Some(&holder)))
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("application_decided"))
    );

    let (status, _) = app
        .submit(&account, &personal("qq_scan", "resident_id", RESIDENT_ID))
        .await;
    assert_eq!(status, 201);
    let (status, list) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/applications?limit=1"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["status"], "awaiting_action", "newest first");
    assert_eq!(list["has_more"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_logs_of_a_full_verification_hold_no_personal_data() {
    let app = TestApp::spawn().await;
    let phone = "13912345678";
    let account = verified_account(&app, phone).await;
    let (status, _) = app
        .submit(
            &account,
            &personal("wechat_scan", "resident_id", "110101199003071234"),
        )
        .await;
    assert_eq!(status, 422, "a refused number is not logged either");

    let logs = captured_logs();
    assert!(logs.contains(&account), "the logs were captured");
    for personal_data in [
        RESIDENT_ID,
        "110101199003071234",
        "张三",
        phone,
        &phone[3..],
    ] {
        assert!(!logs.contains(personal_data), "personal data in the logs");
    }
}

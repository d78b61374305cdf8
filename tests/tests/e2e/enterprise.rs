//! Enterprise verification over HTTP: the five methods, review, and the registry's outcomes
//! (R4, R6, R8, R9).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{ENTERPRISE, LEGAL_PERSON, TestApp, USCC, enterprise};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn submitted(app: &TestApp, phone: &str, body: &Value) -> (String, Value) {
    let account = app.register(phone).await;
    let (status, application) = app.submit(&account, body).await;
    assert_eq!(status, 201, "{application}");
    (account, application)
}

async fn completed(app: &TestApp, phone: &str, body: &Value, verdict: &Value) -> Value {
    let (account, application) = submitted(app, phone, body).await;
    let (status, done) = app
        .complete(&account, application["id"].as_str().unwrap(), verdict)
        .await;
    assert_eq!(status, 200, "{done}");
    done
}

fn passed() -> Value {
    json!({"outcome": "passed"})
}

async fn pay(app: &TestApp, application: &Value, payer_name: &str) -> Value {
    let pay = &application["next_action"];
    assert_eq!(pay["type"], "pay");
    let amount = pay["amount"].as_str().unwrap_or("100.00");
    let (status, body) = app
        .payment_credit(&json!({
            "reference": pay["reference"],
            "amount": amount,
            "payer_name": payer_name,
            "payer_account": "6222020000000001",
            "received_at": chrono::Utc::now(),
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn decide(app: &TestApp, application: &str, decision: &Value) -> (u16, Value) {
    let reviewer = app.token(Role::Reviewer, None);
    let path = format!("/v1/applications/{application}/decision");
    app.send(
        app.request(Method::POST, &path, Some(&reviewer))
            .json(decision),
    )
    .await
}

async fn status_of(app: &TestApp, application: &str) -> Value {
    let reviewer = app.token(Role::Reviewer, None);
    app.send(app.request(
        Method::GET,
        &format!("/v1/applications/{application}"),
        Some(&reviewer),
    ))
    .await
    .1
}

#[tokio::test(flavor = "multi_thread")]
async fn wechat_public_platform_approves_a_confirmed_active_enterprise_and_expires_a_late_session()
{
    let app = TestApp::spawn().await;
    let body = enterprise("wechat_public_platform", USCC, ENTERPRISE, LEGAL_PERSON);
    let done = completed(&app, "13500000001", &body, &passed()).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(done["subject"]["uscc"], "911***********341L");

    let late = TestApp::spawn_with(|s| s.policy.session_validity_minutes = 0).await;
    let done = completed(&late, "13500000002", &body, &passed()).await;
    assert_eq!(done["status"], "expired");
    assert_eq!(done["failure"]["code"], "session_expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn legal_person_wechat_scan_needs_the_registered_legal_representative() {
    let app = TestApp::spawn().await;
    let body = enterprise("legal_person_wechat_scan", USCC, ENTERPRISE, LEGAL_PERSON);
    assert_eq!(
        completed(&app, "13500000003", &body, &passed()).await["status"],
        "approved"
    );

    let someone_else = json!({"outcome": "passed", "asserted_subject": {
        "type": "personal", "document_type": "resident_id", "document_number": "110105198001010016", "name": "赵六"}});
    let done = completed(&app, "13500000004", &body, &someone_else).await;
    assert_eq!(done["failure"]["code"], "legal_person_mismatch");
}

#[tokio::test(flavor = "multi_thread")]
async fn legal_person_face_recognition_refuses_a_deregistered_enterprise() {
    let app = TestApp::spawn().await;
    let body = enterprise(
        "legal_person_face_recognition",
        USCC,
        ENTERPRISE,
        LEGAL_PERSON,
    );
    let done = completed(&app, "13500000005", &body, &passed()).await;
    assert_eq!(done["status"], "approved");

    let gone = enterprise(
        "legal_person_face_recognition",
        "91310000MA1FL0001R",
        "上海已注销实业有限公司",
        "钱八",
    );
    let done = completed(&app, "13500000006", &gone, &passed()).await;
    assert_eq!(done["failure"]["code"], "enterprise_not_active");
}

#[tokio::test(flavor = "multi_thread")]
async fn cloud_recharge_approves_on_the_registered_payer_and_sends_another_payer_to_a_reviewer() {
    let app = TestApp::spawn().await;
    let body = enterprise("cloud_recharge", USCC, ENTERPRISE, LEGAL_PERSON);
    let (_, application) = submitted(&app, "13500000007", &body).await;
    assert!(
        application["deadline"].is_string(),
        "R8: a deadline in working days"
    );
    assert!(
        application["next_action"]["amount"].is_null(),
        "a recharge has no set amount"
    );
    assert_eq!(
        pay(&app, &application, ENTERPRISE).await["status"],
        "approved"
    );

    let (_, application) = submitted(&app, "13500000008", &body).await;
    let id = application["id"].as_str().unwrap();
    assert_eq!(
        pay(&app, &application, "某某贸易有限公司").await["status"],
        "in_review"
    );
    assert_eq!(
        status_of(&app, id).await["review_reason"],
        "payment_name_mismatch"
    );

    let reviewer = app.token(Role::Reviewer, None);
    let (status, queue) = app
        .send(app.request(Method::GET, "/v1/review-queue", Some(&reviewer)))
        .await;
    assert_eq!(status, 200);
    assert!(
        queue["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id)
    );

    let (status, rejected) = decide(&app, id, &json!({"decision": "reject", "reason_code": "payer_not_the_enterprise", "note": "payer unrelated"})).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["failure"]["code"], "reviewer_rejected");
    assert_eq!(rejected["failure"]["reason"], "payer_not_the_enterprise");
}

#[tokio::test(flavor = "multi_thread")]
async fn corporate_remittance_matches_reference_and_amount_and_a_reviewer_can_approve() {
    let app = TestApp::spawn().await;
    let body = enterprise("corporate_remittance", USCC, ENTERPRISE, LEGAL_PERSON);
    let (_, application) = submitted(&app, "13500000009", &body).await;
    assert!(
        application["next_action"]["amount"].is_string(),
        "a remittance has a random amount"
    );
    assert_eq!(
        pay(&app, &application, ENTERPRISE).await["status"],
        "approved"
    );
    assert_eq!(
        pay(&app, &application, ENTERPRISE).await["result"],
        "duplicate"
    );

    let (_, application) = submitted(&app, "13500000010", &body).await;
    let wrong_amount = json!({"reference": application["next_action"]["reference"], "amount": "999.99",
        "payer_name": ENTERPRISE, "payer_account": "1", "received_at": chrono::Utc::now()});
    assert_eq!(
        app.payment_credit(&wrong_amount).await.0,
        404,
        "matched on reference and amount"
    );
    assert_eq!(
        pay(&app, &application, "另一家公司").await["status"],
        "in_review"
    );
    let (status, approved) = decide(
        &app,
        application["id"].as_str().unwrap(),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_timeout_leaves_a_legal_person_check_undecided_for_review() {
    let app = TestApp::spawn().await;
    let body = enterprise(
        "legal_person_wechat_scan",
        "91440300MA5DD0002W",
        "深圳超时网络有限公司",
        "孙九",
    );
    let done = completed(&app, "13500000011", &body, &passed()).await;
    assert_eq!(done["status"], "in_review");
    assert_eq!(done["review_reason"], "registry_unavailable");
    assert!(done["failure"].is_null(), "never rejected as not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pilot_uscc_and_a_wrong_check_character_go_to_review_with_a_field_warning() {
    let app = TestApp::spawn().await;
    let pilot = enterprise(
        "legal_person_wechat_scan",
        "91350100M0001TGQXM",
        "福州试点科技有限公司",
        "陈七",
    );
    let (account, application) = submitted(&app, "13500000012", &pilot).await;
    assert_eq!(application["warnings"][0]["field"], "subject.uscc");
    let (_, done) = app
        .complete(&account, application["id"].as_str().unwrap(), &passed())
        .await;
    assert_eq!(done["status"], "in_review");
    assert_eq!(done["review_reason"], "uscc_checksum_failed");

    let typo = enterprise(
        "wechat_public_platform",
        "91110000600037341M",
        ENTERPRISE,
        LEGAL_PERSON,
    );
    let (_, application) = submitted(&app, "13500000013", &typo).await;
    assert_eq!(application["warnings"][0]["code"], "checksum_mismatch");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_manager_raises_an_enterprise_limit_and_only_account_managers_may() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::AccountManager, None);
    let path = format!("/v1/enterprises/{USCC}/account-limit");
    let (status, body) = app
        .send(
            app.request(Method::PUT, &path, Some(&manager))
                .json(&json!({"limit": 12, "reason": "group subsidiaries"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["limit"].as_u64(), body["set_by"].as_str()),
        (Some(12), Some("account_manager"))
    );
    let reviewer = app.token(Role::Reviewer, None);
    let (status, _) = app
        .send(
            app.request(Method::PUT, &path, Some(&reviewer))
                .json(&json!({"limit": 20, "reason": "x"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = app
        .send(
            app.request(Method::PUT, &path, Some(&manager))
                .json(&json!({"limit": 12})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "who, when and why"
    );
}

/// The listed method `id` (R13).
async fn listed_method(app: &TestApp, id: &str) -> Value {
    let (_, methods) = app
        .send(app.request(Method::GET, "/v1/verification-methods", None))
        .await;
    methods["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_eight_methods_are_listed_with_their_r13_metadata() {
    let app = TestApp::spawn().await;
    let remittance = listed_method(&app, "corporate_remittance").await;
    assert_eq!(remittance["max_duration_working_days"], 5);
    assert_eq!(remittance["instant"], false);
    let platform = listed_method(&app, "wechat_public_platform").await;
    assert_eq!(
        (
            platform["needs_documents"].as_bool(),
            platform["recommended"].as_bool()
        ),
        (Some(false), Some(true))
    );
}

/// Issue 15, item 1 (R6, R13): the durations are policy values, shown in the method list and
/// used for the deadline.
#[tokio::test(flavor = "multi_thread")]
async fn a_configured_method_duration_is_listed_and_sets_the_deadline() {
    let app = TestApp::spawn_with(|s| {
        s.policy
            .method_durations
            .corporate_remittance
            .max_working_days = 7;
    })
    .await;
    let remittance = listed_method(&app, "corporate_remittance").await;
    assert_eq!(
        (
            remittance["typical_duration_working_days"].clone(),
            remittance["max_duration_working_days"].clone()
        ),
        (json!(3), json!(7))
    );
    let body = enterprise("corporate_remittance", USCC, ENTERPRISE, LEGAL_PERSON);
    let (_, application) = submitted(&app, "13500000090", &body).await;
    let created: chrono::DateTime<chrono::Utc> =
        application["created_at"].as_str().unwrap().parse().unwrap();
    let deadline: chrono::DateTime<chrono::Utc> =
        application["deadline"].as_str().unwrap().parse().unwrap();
    let expected = app
        .settings
        .policy
        .calendar()
        .unwrap()
        .add_working_days(created, 7);
    assert_eq!(deadline, expected);
}

/// Issue 15, item 7 (R4, R22): the limit, its use, its masked holders and its history, and an
/// audit entry on each holder for every change.
#[tokio::test(flavor = "multi_thread")]
async fn an_enterprise_limit_shows_its_use_holders_and_history() {
    let app = TestApp::spawn().await;
    let body = enterprise(
        "legal_person_face_recognition",
        USCC,
        ENTERPRISE,
        LEGAL_PERSON,
    );
    let done = completed(&app, "13500000095", &body, &passed()).await;
    assert_eq!(done["status"], "approved", "{done}");
    let account = done["account_id"].as_str().unwrap().to_owned();
    let manager = app.token(Role::AccountManager, None);
    let path = format!("/v1/enterprises/{USCC}/account-limit");
    for (limit, reason) in [(12, "group subsidiaries"), (13, "one more")] {
        let (status, _) = app
            .send(
                app.request(Method::PUT, &path, Some(&manager))
                    .json(&json!({"limit": limit, "reason": reason})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let reviewer = app.token(Role::Reviewer, None);
    let (status, shown) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        (
            shown["limit"].clone(),
            shown["default_limit"].clone(),
            shown["used"].clone()
        ),
        (json!(13), json!(10), json!(1))
    );
    let holder = shown["holders"][0]["account_id"].as_str().unwrap();
    assert_ne!(holder, account, "masked");
    assert_eq!(shown["holders"][0]["phone"], "135****0095");
    let history: Vec<_> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["limit"].clone(), c["reason"].clone(), c["set_by"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (
                json!(12),
                json!("group subsidiaries"),
                json!("account_manager")
            ),
            (json!(13), json!("one more"), json!("account_manager"))
        ]
    );
    let (_, log) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/audit-log"),
            Some(&reviewer),
        ))
        .await;
    let changes = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "enterprise.limit_changed")
        .count();
    assert_eq!(changes, 2, "{log}");
}

/// Issue 15, item 9: the review queue pages in its order (overdue first, then by deadline) with
/// `starting_after`, and `has_more` tells the truth.
#[tokio::test(flavor = "multi_thread")]
async fn the_review_queue_pages_in_its_order() {
    let app = TestApp::spawn().await;
    let body = enterprise("corporate_remittance", USCC, ENTERPRISE, LEGAL_PERSON);
    for n in 0..3 {
        let (_, application) = submitted(&app, &format!("1350000008{n}"), &body).await;
        assert_eq!(
            pay(&app, &application, "另一家公司").await["status"],
            "in_review"
        );
    }
    let reviewer = app.token(Role::Reviewer, None);
    let get = |query: String| {
        app.send(app.request(
            Method::GET,
            &format!("/v1/review-queue{query}"),
            Some(&reviewer),
        ))
    };
    let (_, whole) = get(String::new()).await;
    let order: Vec<_> = whole["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(order.len(), 3);
    let mut paged = Vec::new();
    let mut more = Vec::new();
    let mut query = "?limit=1".to_owned();
    for _ in 0..3 {
        let (status, page) = get(query.clone()).await;
        assert_eq!(status, 200, "{page}");
        let id = page["data"][0]["id"].clone();
        query = format!("?limit=1&starting_after={}", id.as_str().unwrap());
        paged.push(id);
        more.push(page["has_more"].as_bool().unwrap());
    }
    assert_eq!(paged, order);
    assert_eq!(more, [true, true, false]);
}

/// Issue 16 (R6): a reviewer sees what the decision weighed, the registry record and the
/// credit, masked where personal; the holder's view of the same application has neither.
#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_sees_the_registry_record_and_the_payment_credit() {
    let app = TestApp::spawn().await;
    let (account, application) = submitted(
        &app,
        "13400000090",
        &enterprise("corporate_remittance", USCC, ENTERPRISE, LEGAL_PERSON),
    )
    .await;
    pay(&app, &application, "某某贸易有限公司").await;
    let id = application["id"].as_str().unwrap();
    let seen = status_of(&app, id).await;
    assert_eq!(seen["status"], "in_review", "{seen}");
    let context = &seen["review_context"];
    assert_eq!(
        (
            context["registry"]["name"].as_str(),
            context["registry"]["status"].as_str(),
            context["registry"]["legal_representative"].as_str(),
        ),
        (Some(ENTERPRISE), Some("active"), Some("王*")),
        "{seen}"
    );
    assert!(context["registry"]["checked_at"].is_string());
    let credit = &context["payment_credit"];
    assert_eq!(credit["payer_name"], "某某贸易有限公司");
    assert_eq!(credit["amount"], application["next_action"]["amount"]);
    let shown = credit["payer_account"].as_str().unwrap();
    assert!(
        shown.contains('*') && !shown.contains("6222020000000001"),
        "{shown}"
    );

    let holder = app.token(Role::Holder, Some(&account));
    let (_, own) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/applications/{id}"),
            Some(&holder),
        ))
        .await;
    assert!(own.get("review_context").is_none(), "{own}");
}

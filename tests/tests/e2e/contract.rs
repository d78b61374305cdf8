//! The cross-cutting HTTP contract: auth, roles, ownership, validation, idempotency, operations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{RESIDENT_ID, TestApp, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_are_401_and_a_wrong_role_is_403() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .send(
            app.request(Method::POST, "/v1/accounts", None)
                .json(&json!({"phone": "13600000001"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let reviewer = app.token(Role::Reviewer, None);
    let (status, body) = app
        .send(
            app.request(Method::POST, "/v1/accounts", Some(&reviewer))
                .json(&json!({"phone": "13600000001"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_holder_gets_404_for_an_account_that_is_not_theirs() {
    let app = TestApp::spawn().await;
    let mine = app.register("13600000002").await;
    let theirs = app.register("13600000003").await;
    let holder = app.token(Role::Holder, Some(&mine));
    for path in [
        format!("/v1/accounts/{theirs}"),
        format!("/v1/accounts/{theirs}/real-name"),
        format!("/v1/accounts/{theirs}/capabilities"),
        format!("/v1/accounts/{theirs}/applications"),
    ] {
        let (status, _) = app
            .send(app.request(Method::GET, &path, Some(&holder)))
            .await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = app
        .submit(
            &theirs,
            &personal("wechat_scan", "resident_id", RESIDENT_ID),
        )
        .await;
    assert_eq!(status, 201, "its own holder may");
    let (status, _) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{theirs}/applications"),
                Some(&holder),
            )
            .json(&personal("wechat_scan", "resident_id", RESIDENT_ID)),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_identifiers_get_422_with_field_errors_and_malformed_bodies_400() {
    let app = TestApp::spawn().await;
    let account = app.register("13600000004").await;
    let (status, body) = app
        .submit(
            &account,
            &personal("wechat_scan", "resident_id", "110101199003071234"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(body["errors"][0]["field"], "subject.document_number");
    assert_eq!(body["errors"][0]["code"], "checksum_mismatch");

    let mut unknown = personal("wechat_scan", "resident_id", RESIDENT_ID);
    unknown["colour"] = json!("blue");
    let (status, body) = app.submit(&account, &unknown).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("malformed_request"))
    );

    let service = app.token(Role::Service, None);
    let (status, body) = app
        .send(
            app.request(Method::POST, "/v1/accounts", Some(&service))
                .json(&json!({"phone": "12345"})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("phone"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_replays_the_first_response_and_refuses_another_body() {
    let app = TestApp::spawn().await;
    let service = app.token(Role::Service, None);
    let create = |phone: &str| {
        app.request(Method::POST, "/v1/accounts", Some(&service))
            .header("Idempotency-Key", "create-1")
            .json(&json!({"phone": phone}))
    };
    let (status, first) = app.send(create("13600000005")).await;
    assert_eq!(status, 201);
    let (status, replay) = app.send(create("13600000005")).await;
    assert_eq!(
        (status, &replay),
        (201, &first),
        "the same account, not a second one"
    );
    let (status, body) = app.send(create("13600000006")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sixth_account_on_one_phone_is_refused() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        app.register("13600000007").await;
    }
    let service = app.token(Role::Service, None);
    let (status, body) = app
        .send(
            app.request(Method::POST, "/v1/accounts", Some(&service))
                .json(&json!({"phone": "+8613600000007"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("phone_account_limit_reached"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_readiness_and_methods_need_no_token() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.send(app.request(Method::GET, "/healthz", None)).await.0,
        200
    );
    assert_eq!(
        app.send(app.request(Method::GET, "/readyz", None)).await.0,
        200
    );
    let (status, methods) = app
        .send(app.request(Method::GET, "/v1/verification-methods", None))
        .await;
    assert_eq!(status, 200);
    let ids: Vec<_> = methods["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    assert_eq!(&ids[..3], ["wechat_scan", "qq_scan", "face_recognition"]);
    let (status, body) = app
        .send(app.request(Method::GET, "/v1/nothing-here", None))
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_exports_the_accounts_hash_chain_to_its_holder_and_reviewers_only() {
    let app = TestApp::spawn().await;
    let account = app.register("13600000009").await;
    let (status, _) = app
        .submit(
            &account,
            &personal("wechat_scan", "resident_id", RESIDENT_ID),
        )
        .await;
    assert_eq!(status, 201);
    let path = format!("/v1/accounts/{account}/audit-log");
    let holder = app.token(Role::Holder, Some(&account));
    let (status, log) = app
        .send(app.request(Method::GET, &path, Some(&holder)))
        .await;
    assert_eq!(status, 200);
    let entries = log["data"].as_array().unwrap();
    let actions: Vec<_> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["account.created", "application.submitted"]);
    assert_eq!(entries[0]["prev_hash"], "0".repeat(64));
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
    assert_eq!(log["head_hash"], entries[1]["hash"]);
    assert!(
        !log.to_string().contains(RESIDENT_ID),
        "no personal data in the audit trail"
    );

    let reviewer = app.token(Role::Reviewer, None);
    assert_eq!(
        app.send(app.request(Method::GET, &path, Some(&reviewer)))
            .await
            .0,
        200
    );
    let stranger = app.token(Role::Holder, Some(&app.register("13600000010").await));
    assert_eq!(
        app.send(app.request(Method::GET, &path, Some(&stranger)))
            .await
            .0,
        404
    );
    let service = app.token(Role::Service, None);
    assert_eq!(
        app.send(app.request(Method::GET, &path, Some(&service)))
            .await
            .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_event_feed_pages_oldest_first_with_per_account_sequences_and_no_personal_data() {
    let app = TestApp::spawn().await;
    let account = app.verified("13600000011", "wechat_scan").await;
    let service = app.token(Role::Service, None);
    // The feed shows a transaction once no older one is still running: poll briefly.
    let all = format!("/v1/events?account_id={account}");
    for _ in 0..50 {
        let (_, page) = app
            .send(app.request(Method::GET, &all, Some(&service)))
            .await;
        if page["data"].as_array().is_some_and(|d| d.len() == 4) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let path = format!("/v1/events?account_id={account}&limit=2");
    let (status, first) = app
        .send(app.request(Method::GET, &path, Some(&service)))
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["has_more"], true);
    let seqs: Vec<_> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2]);
    let last = first["data"][1]["id"].as_str().unwrap();
    let (_, rest) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/events?account_id={account}&starting_after={last}"),
            Some(&service),
        ))
        .await;
    let types: Vec<_> = rest["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["account.verified", "application.approved"]);
    assert!(!rest.to_string().contains(RESIDENT_ID) && !rest.to_string().contains("13600000011"));
    let holder = app.token(Role::Holder, Some(&account));
    assert_eq!(
        app.send(app.request(Method::GET, "/v1/events", Some(&holder)))
            .await
            .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_records_an_agreement_expiry() {
    let app = TestApp::spawn().await;
    let account = app.register("13600000012").await;
    let service = app.token(Role::Service, None);
    let path = format!("/v1/accounts/{account}/agreement");
    let (status, body) = app
        .send(
            app.request(Method::PUT, &path, Some(&service))
                .json(&json!({"expires_at": "2027-06-30T16:00:00Z"})),
        )
        .await;
    assert_eq!(
        (status, body["agreement_expires_at"].as_str()),
        (200, Some("2027-06-30T16:00:00Z"))
    );
    let holder = app.token(Role::Holder, Some(&account));
    assert_eq!(
        app.send(
            app.request(Method::PUT, &path, Some(&holder))
                .json(&json!({"expires_at": null}))
        )
        .await
        .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_pattern_without_ids() {
    let app = TestApp::spawn().await;
    let account = app.register("13600000013").await;
    let service = app.token(Role::Service, None);
    app.send(app.request(
        Method::GET,
        &format!("/v1/accounts/{account}"),
        Some(&service),
    ))
    .await;
    let public = app
        .request(Method::GET, "/metrics", None)
        .send()
        .await
        .unwrap();
    assert_eq!(public.status().as_u16(), 404, "not on the public port");
    // The attack: invented methods, each a permanent series unless the label is bounded.
    for n in 0..60 {
        let invented = Method::from_bytes(format!("X{n:03}").as_bytes()).unwrap();
        app.request(invented, "/v1/verification-methods", None)
            .send()
            .await
            .unwrap();
    }
    let response = reqwest::get(&app.metrics).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/v1/accounts/{id}\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{") && text.contains("le=\"0.005\""),
        "latency is a histogram with buckets: {text}"
    );
    assert!(!text.contains(&account), "no id in a label");
    assert!(!text.contains("X000") && !text.contains("X059"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
}

#[tokio::test]
async fn the_openapi_document_and_the_docs_page_are_served_without_a_token() {
    let app = TestApp::spawn().await;
    let (status, doc) = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/accounts/{id}/capabilities"]["get"].is_object());
    assert!(doc["paths"]["/v1/webhook-endpoints"]["post"]["requestBody"].is_object());
    let page = reqwest::get(format!("{}/docs/", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger"));
}

/// Issue 15, item 9: the audit log pages (`limit`, `starting_after`, a truthful `has_more`) and
/// `head_hash` stays the chain's head on every page.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_pages_and_every_page_names_the_chains_head() {
    let app = TestApp::spawn().await;
    let account = app.verified("13600000090", "wechat_scan").await;
    let reviewer = app.token(Role::Reviewer, None);
    let get = |query: String| {
        app.send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}/audit-log{query}"),
            Some(&reviewer),
        ))
    };
    let (_, whole) = get(String::new()).await;
    let all = whole["data"].as_array().unwrap().clone();
    assert!(all.len() >= 3, "{whole}");
    assert_eq!(whole["has_more"], false);
    let head = whole["head_hash"].clone();
    assert_eq!(head, all.last().unwrap()["hash"]);

    let (_, first) = get("?limit=2".to_owned()).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        (first["has_more"].clone(), first["head_hash"].clone()),
        (json!(true), head.clone())
    );
    let last = first["data"][1]["id"].as_i64().unwrap();
    let (_, rest) = get(format!("?limit=1000&starting_after={last}")).await;
    assert_eq!(rest["data"].as_array().unwrap().len(), all.len() - 2);
    assert_eq!(
        rest["data"][0]["prev_hash"], first["data"][1]["hash"],
        "the chain continues"
    );
    assert_eq!(
        (rest["has_more"].clone(), rest["head_hash"].clone()),
        (json!(false), head)
    );
    let (status, body) = get("?limit=1001".to_owned()).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("limit"))
    );
}

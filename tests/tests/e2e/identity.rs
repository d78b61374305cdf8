//! Proof of identity, find accounts, freeze, appeal, theft resolution and recovery (R14, R15).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{RESIDENT_ID, TestApp};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// A person proves they are 张三 through the console (a service token acting for them).
async fn passed_proof(app: &TestApp, token: &str) -> String {
    let id = app.start_proof(token).await;
    let (status, body) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{id}/accounts"),
            Some(token),
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("identity_proof_not_passed")),
        "nothing before it passes"
    );
    app.pass_proof(token, &id).await;
    id
}

async fn found(app: &TestApp, token: &str, proof: &str) -> Value {
    let (status, body) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{proof}/accounts"),
            Some(token),
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proven_owner_finds_freezes_and_appeals_and_a_reviewer_confirms_the_theft() {
    let app = TestApp::spawn().await;
    let _mine = app.verified("13100000001", "wechat_scan").await;
    let impostor = app.verified("13100000002", "wechat_scan").await;
    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;

    let list = found(&app, &console, &proof).await;
    assert_eq!(list["summary"], "2 of 3 used");
    let entries = list["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["phone"].as_str().unwrap().contains("****")
                && e["account_id"].as_str().unwrap().contains("****"))
    );
    assert!(
        !list.to_string().contains(&impostor),
        "no account id in clear"
    );
    let other = app.token(Role::Admin, None);
    let (status, _) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{proof}/accounts"),
            Some(&other),
        ))
        .await;
    assert_eq!(status, 404, "a proof serves only its owner");

    // The impostor's account is the second one registered.
    let impostor_ref = entries
        .iter()
        .find(|e| e["phone"] == "131****0002")
        .unwrap()["ref"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/identity-proofs/{proof}/freezes");
    let (status, case) = app
        .send(
            app.request(Method::POST, &path, Some(&console))
                .json(&json!({"refs": [impostor_ref], "note": "not mine"})),
        )
        .await;
    assert_eq!(
        (status, case["kind"].as_str()),
        (201, Some("theft")),
        "{case}"
    );
    let service = app.token(Role::Service, None);
    let (_, caps) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{impostor}/capabilities"),
            Some(&service),
        ))
        .await;
    assert!(
        caps["capabilities"]
            .as_object()
            .unwrap()
            .values()
            .all(|c| c["reason"] == "account_frozen")
    );

    let (status, appeal) = app
        .send(
            app.request(Method::POST, "/v1/appeals", Some(&console))
                .json(&json!({"proof_id": proof, "message": "please add my WeChat login"})),
        )
        .await;
    assert_eq!((status, appeal["kind"].as_str()), (201, Some("appeal")));

    let reviewer = app.token(Role::Reviewer, None);
    let (_, open) = app
        .send(app.request(
            Method::GET,
            "/v1/cases?kind=theft&status=open",
            Some(&reviewer),
        ))
        .await;
    assert!(
        open["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case["id"])
    );
    let resolution = format!("/v1/cases/{}/resolution", case["id"].as_str().unwrap());
    let (status, resolved) = app
        .send(
            app.request(Method::POST, &resolution, Some(&reviewer))
                .json(&json!({"outcome": "confirmed", "note": "checked"})),
        )
        .await;
    assert_eq!(
        (status, resolved["outcome"].as_str()),
        (200, Some("confirmed"))
    );
    let (_, real_name) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{impostor}/real-name"),
            Some(&service),
        ))
        .await;
    assert_eq!(real_name["status"], "revoked");
    assert_eq!(
        found(&app, &console, &proof).await["summary"],
        "1 of 3 used",
        "the impostor's slot is released"
    );

    let appeal_resolution = format!("/v1/cases/{}/resolution", appeal["id"].as_str().unwrap());
    let (status, _) = app
        .send(
            app.request(Method::POST, &appeal_resolution, Some(&reviewer))
                .json(&json!({"outcome": "resolved", "note": "done"})),
        )
        .await;
    assert_eq!(status, 200);
}

/// The proven owner recovers the found account `reference` onto `phone`, through its OTP.
async fn recover(app: &TestApp, console: &str, proof: &str, reference: &str, phone: &str) {
    let path = format!("/v1/identity-proofs/{proof}/recoveries");
    let (status, recovery) = app
        .send(
            app.request(Method::POST, &path, Some(console))
                .json(&json!({"ref": reference, "phone": phone})),
        )
        .await;
    assert_eq!(status, 201, "{recovery}");
    let rid = recovery["id"].as_str().unwrap();
    let (_, sms) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/sandbox/sms?change_id={rid}"),
            Some(console),
        ))
        .await;
    let code = sms["code"].as_str().unwrap();
    let confirm = format!("/v1/identity-proofs/{proof}/recoveries/{rid}/confirm");
    let (status, done) = app
        .send(
            app.request(Method::POST, &confirm, Some(console))
                .json(&json!({"code": code})),
        )
        .await;
    assert_eq!((status, done["status"].as_str()), (200, Some("confirmed")));
}

/// The first found account's reference.
async fn first_reference(app: &TestApp, console: &str, proof: &str) -> String {
    found(app, console, proof).await["data"][0]["ref"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_recovery_tool_rebinds_an_accounts_phone_after_the_owners_otp() {
    let app = TestApp::spawn().await;
    let lost = app.verified("13100000010", "wechat_scan").await;
    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;
    let reference = first_reference(&app, &console, &proof).await;
    recover(&app, &console, &proof, &reference, "13100000011").await;

    let holder = app.token(Role::Holder, Some(&lost));
    let (_, account) = app
        .send(app.request(Method::GET, &format!("/v1/accounts/{lost}"), Some(&holder)))
        .await;
    assert_eq!(account["phone"], "131****0011");
}

/// The answer to `request` once it is 401, or after 2.5 s: a credential epoch is evicted from
/// the capability cache like any capability fact, within `capabilities.max_staleness_ms`.
async fn once_refused(
    app: &TestApp,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> (u16, Value) {
    let mut answer = app.send(request()).await;
    for _ in 0..50 {
        if answer.0 == 401 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        answer = app.send(request()).await;
    }
    answer
}

/// The attack (issue 14, hole 6): after a recovery rebinds the phone, the impostor's holder
/// token, still within its lifetime, changes the phone straight back. Tokens issued before the
/// recovery, or a freeze, are now refused with 401 `token_revoked` (R14).
#[tokio::test(flavor = "multi_thread")]
async fn a_recovery_or_a_freeze_revokes_the_holder_tokens_issued_before_it() {
    let app = TestApp::spawn().await;
    let lost = app.verified("13100000020", "wechat_scan").await;
    let stolen = app.holder_token_issued(&lost, chrono::Duration::seconds(5));
    let account_path = format!("/v1/accounts/{lost}");
    let (status, _) = app
        .send(app.request(Method::GET, &account_path, Some(&stolen)))
        .await;
    assert_eq!(
        status, 200,
        "the impostor's token works before the recovery"
    );

    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;
    let reference = first_reference(&app, &console, &proof).await;
    recover(&app, &console, &proof, &reference, "13100000021").await;

    let change_back = || {
        app.request(
            Method::POST,
            &format!("/v1/accounts/{lost}/phone-changes"),
            Some(&stolen),
        )
        .json(&json!({"phone": "13100000020"}))
    };
    let refused = once_refused(&app, change_back).await;
    assert_eq!(
        (refused.0, refused.1["code"].as_str()),
        (401, Some("token_revoked")),
        "{}",
        refused.1
    );
    let owner = app.token(Role::Holder, Some(&lost));
    let (status, account) = app
        .send(app.request(Method::GET, &account_path, Some(&owner)))
        .await;
    assert_eq!(
        (status, account["phone"].as_str()),
        (200, Some("131****0021"))
    );

    // A freeze revokes them too: the impostor signs in again after the recovery, and the
    // owner freezes the account.
    let again = app.holder_token_issued(&lost, chrono::Duration::seconds(0));
    let (status, _) = app
        .send(app.request(Method::GET, &account_path, Some(&again)))
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let freezes = format!("/v1/identity-proofs/{proof}/freezes");
    let (status, body) = app
        .send(
            app.request(Method::POST, &freezes, Some(&console))
                .json(&json!({"refs": [reference], "note": "not me"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let after = once_refused(&app, || {
        app.request(Method::GET, &account_path, Some(&again))
    })
    .await;
    assert_eq!(
        (after.0, after.1["code"].as_str()),
        (401, Some("token_revoked"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_an_id_number_without_a_passed_proof_reveals_nothing() {
    let app = TestApp::spawn().await;
    app.verified("13100000020", "wechat_scan").await;
    let console = app.token(Role::Service, None);
    let body = json!({"method": "face_recognition", "subject": {"type": "personal", "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三"}});
    let (_, proof) = app
        .send(
            app.request(Method::POST, "/v1/identity-proofs", Some(&console))
                .json(&body),
        )
        .await;
    let id = proof["id"].as_str().unwrap();
    let path = format!("/v1/sandbox/identity-proofs/{id}/complete");
    let (_, failed) = app
        .send(
            app.request(Method::POST, &path, Some(&console))
                .json(&json!({"outcome": "failed", "failure_code": "liveness_failed"})),
        )
        .await;
    assert_eq!(failed["status"], "failed");
    let (status, body) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{id}/accounts"),
            Some(&console),
        ))
        .await;
    assert_eq!(status, 409);
    assert!(body.get("data").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_provider_callback_completes_an_identity_proof_like_an_application() {
    let app = TestApp::spawn().await;
    let console = app.token(Role::Service, None);
    let body = json!({"method": "face_recognition", "subject": {"type": "personal", "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三"}});
    let (_, proof) = app
        .send(
            app.request(Method::POST, "/v1/identity-proofs", Some(&console))
                .json(&body),
        )
        .await;
    let id = proof["id"].as_str().unwrap();
    let event = json!({
        "session_ref": format!("face_{}", id.trim_start_matches("idp_")),
        "outcome": "passed",
        "asserted_subject": {"type": "personal", "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三"},
    });
    let (status, recorded) = app
        .provider_event("face", &event, chrono::Utc::now().timestamp())
        .await;
    assert_eq!(
        (status, recorded["status"].as_str()),
        (200, Some("passed")),
        "{recorded}"
    );
    let (status, _) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{id}/accounts"),
            Some(&console),
        ))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enterprise_or_a_slow_method_cannot_prove_an_identity() {
    // The attack (R14): whoever runs a company's WeChat official account, or pays from its
    // bank account, proves "the enterprise" and then lists, recovers and freezes its accounts.
    let app = TestApp::spawn().await;
    let token = app.token(Role::Service, None);
    let enterprise =
        json!({"type": "enterprise", "name": "北京示例科技有限公司", "uscc": "91110000600037341L"});
    let person = json!({"type": "personal", "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三"});
    for (method, subject) in [
        ("wechat_public_platform", &enterprise),
        ("legal_person_wechat_scan", &enterprise),
        ("corporate_remittance", &enterprise),
        ("wechat_scan", &enterprise),
        ("cloud_recharge", &person),
    ] {
        let (status, body) = app
            .send(
                app.request(Method::POST, "/v1/identity-proofs", Some(&token))
                    .json(&json!({"method": method, "subject": subject})),
            )
            .await;
        assert_eq!(status, 422, "{method}: {body}");
        assert_eq!(body["code"], "method_not_allowed_for_proof", "{method}");
    }
    let (status, _) = app
        .send(
            app.request(Method::POST, "/v1/identity-proofs", Some(&token))
                .json(&json!({"method": "qq_scan", "subject": person})),
        )
        .await;
    assert_eq!(status, 201);
}

/// The attack: a proof passed once opens the identity's accounts for ever. It is usable for
/// `identity.proof_ttl_secs` only, and its references die with it (R15).
#[tokio::test(flavor = "multi_thread")]
async fn a_passed_proof_and_its_references_expire_after_their_validity() {
    let app = TestApp::spawn_with(|s| s.identity.proof_ttl_secs = 1).await;
    let _mine = app.verified("13100000051", "wechat_scan").await;
    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;
    let list = found(&app, &console, &proof).await;
    let reference = list["data"][0]["ref"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let (status, body) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{proof}/accounts"),
            Some(&console),
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("identity_proof_expired"))
    );
    let (status, body) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/identity-proofs/{proof}/freezes"),
                Some(&console),
            )
            .json(&json!({"refs": [reference], "note": "too late"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("identity_proof_expired")),
        "the references died with the proof"
    );
}

/// Issue 15, item 6 (R15): the owner reads the proof; `expires_at` is the session's end while
/// it is pending and the proof's validity once it passed.
#[tokio::test(flavor = "multi_thread")]
async fn the_owner_reads_a_proofs_status_and_until_when_it_serves() {
    let app = TestApp::spawn().await;
    let console = app.token(Role::Service, None);
    let proof = app.start_proof(&console).await;
    let path = format!("/v1/identity-proofs/{proof}");
    let (status, pending) = app
        .send(app.request(Method::GET, &path, Some(&console)))
        .await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(
        (pending["status"].as_str(), pending["passed_at"].clone()),
        (Some("awaiting_action"), Value::Null)
    );
    assert_eq!(pending["expires_at"], pending["next_action"]["expires_at"]);

    app.pass_proof(&console, &proof).await;
    let (_, passed) = app
        .send(app.request(Method::GET, &path, Some(&console)))
        .await;
    assert_eq!(passed["method"], "face_recognition");
    let at = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    assert_eq!(
        at(&passed["expires_at"]) - at(&passed["passed_at"]),
        chrono::Duration::seconds(app.settings.identity.proof_ttl_secs)
    );
    let stranger = app.token(Role::Admin, None);
    let (status, _) = app
        .send(app.request(Method::GET, &path, Some(&stranger)))
        .await;
    assert_eq!(status, 404, "only the owner sees it");
}

/// `(actor, action)` of each audit entry of `account`, as a reviewer reads them.
async fn audit_trail(app: &TestApp, account: &str) -> Vec<(String, String)> {
    let reviewer = app.token(Role::Reviewer, None);
    let path = format!("/v1/accounts/{account}/audit-log");
    let (_, log) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Issue 15, item 5 (R14): a reviewer reads a case with its message, resolves it with a note
/// that is kept, and each account concerned gets the audit entries and events of both steps;
/// a recovery is audited with the proof as its actor.
#[tokio::test(flavor = "multi_thread")]
async fn a_case_keeps_its_message_and_resolution_and_each_account_records_both() {
    let app = TestApp::spawn().await;
    let taken = app.verified("13100000030", "wechat_scan").await;
    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;
    let reference = first_reference(&app, &console, &proof).await;
    let (status, case) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/identity-proofs/{proof}/freezes"),
                Some(&console),
            )
            .json(&json!({"refs": [reference], "note": "这不是我的账号"})),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let path = format!("/v1/cases/{}", case["id"].as_str().unwrap());
    let reviewer = app.token(Role::Reviewer, None);
    let (status, open) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(
        (
            open["message"].as_str(),
            open["status"].as_str(),
            open["proof_id"].as_str()
        ),
        (Some("这不是我的账号"), Some("open"), Some(proof.as_str()))
    );
    assert_eq!(open["account_ids"], json!([taken]));

    let (status, _) = app
        .send(
            app.request(Method::POST, &format!("{path}/resolution"), Some(&reviewer))
                .json(&json!({"outcome": "confirmed", "note": "证件核对一致"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, resolved) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    assert_eq!(
        (
            resolved["outcome"].as_str(),
            resolved["note"].as_str(),
            resolved["resolved_by"].as_str()
        ),
        (Some("confirmed"), Some("证件核对一致"), Some("reviewer"))
    );
    let (status, _) = app
        .send(app.request(Method::GET, &path, Some(&console)))
        .await;
    assert_eq!(status, 403, "reviewers only");

    let trail = audit_trail(&app, &taken).await;
    let proof_actor = format!("proof:{proof}");
    assert!(
        trail.contains(&(proof_actor.clone(), "case.opened".to_owned())),
        "{trail:?}"
    );
    assert!(
        trail.contains(&("reviewer".to_owned(), "case.resolved".to_owned())),
        "{trail:?}"
    );
    let types = app.event_types_once(&taken, "case.resolved").await;
    assert!(types.iter().any(|t| t == "case.opened"), "{types:?}");
    assert!(types.iter().any(|t| t == "case.resolved"), "{types:?}");

    // A recovery names its proof as the actor.
    let lost = app.verified("13100000031", "wechat_scan").await;
    let second = passed_proof(&app, &console).await;
    let entries = found(&app, &console, &second).await;
    let lost_ref = entries["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["phone"] == "131****0031")
        .unwrap()["ref"]
        .as_str()
        .unwrap()
        .to_owned();
    recover(&app, &console, &second, &lost_ref, "13100000032").await;
    assert!(audit_trail(&app, &lost).await.contains(&(
        format!("proof:{second}"),
        "account.phone_changed".to_owned()
    )));
}

/// Issue 15, item 9: the case list pages with `limit` and `starting_after`, and `has_more`
/// tells the truth.
#[tokio::test(flavor = "multi_thread")]
async fn the_case_list_pages_and_says_when_more_follow() {
    let app = TestApp::spawn().await;
    let console = app.token(Role::Service, None);
    for n in 0..3 {
        let (status, _) = app
            .send(
                app.request(Method::POST, "/v1/appeals", Some(&console))
                    .json(&json!({"message": format!("appeal {n}")})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let reviewer = app.token(Role::Reviewer, None);
    let list = |query: String| {
        app.send(app.request(Method::GET, &format!("/v1/cases{query}"), Some(&reviewer)))
    };
    let (_, first) = list("?limit=2".to_owned()).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["has_more"], true);
    let last = first["data"][1]["id"].as_str().unwrap();
    let (_, second) = list(format!("?limit=2&starting_after={last}")).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["has_more"], false);
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    let (_, all) = list("?limit=3".to_owned()).await;
    assert_eq!(all["has_more"], false, "exactly three");
}

/// Issue 15, item 12 (R21): after the retention period the sweep redacts a refused
/// application's subject, a passed proof and a case's message; the subject an account is
/// verified as stays, and so do the case's outcome and dates.
#[tokio::test(flavor = "multi_thread")]
async fn retention_redacts_superseded_subjects_passed_proofs_and_old_case_messages() {
    use std::sync::Arc;

    use realname_application::accounts::RedactKeptRecords;
    use realname_domain::Policy;
    use realname_test_support::TestClock;

    let app = TestApp::spawn().await;
    let verified = app.verified("13100000040", "wechat_scan").await;
    let refused = app.register("13100000041").await;
    let failed = app.fail_attempts(&refused, 1).await;
    let console = app.token(Role::Service, None);
    let proof = passed_proof(&app, &console).await;
    let (status, appeal) = app
        .send(
            app.request(Method::POST, "/v1/appeals", Some(&console))
                .json(&json!({"proof_id": proof, "message": "my old phone was stolen"})),
        )
        .await;
    assert_eq!(status, 201, "{appeal}");
    let case = format!("/v1/cases/{}", appeal["id"].as_str().unwrap());
    let proof_path = format!("/v1/identity-proofs/{proof}");
    let reviewer = app.token(Role::Reviewer, None);
    let refused_path = format!("/v1/applications/{}", failed[0]["id"].as_str().unwrap());
    let (status, before) = app
        .send(app.request(Method::GET, &refused_path, Some(&reviewer)))
        .await;
    assert_eq!(status, 200, "{before}");

    let clock = TestClock::at(chrono::Utc::now());
    let sweep = RedactKeptRecords::new(
        Arc::new(app.db.store(2)),
        Arc::new(clock.clone()),
        Arc::new(Policy::default()),
    );
    assert_eq!(sweep.execute().await.unwrap(), 0, "nothing before its time");

    clock.advance(chrono::Duration::days(1096));
    assert_eq!(
        sweep.execute().await.unwrap(),
        3,
        "the refused subject, the proof and the appeal's message"
    );
    assert_eq!(sweep.execute().await.unwrap(), 0, "once");

    let (status, read) = app
        .send(app.request(Method::GET, &case, Some(&reviewer)))
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["message"], Value::Null, "{read}");
    assert_eq!(read["kind"], "appeal");
    let (status, _) = app
        .send(app.request(Method::GET, &proof_path, Some(&console)))
        .await;
    assert_eq!(status, 404, "a redacted proof is no longer served");
    let (status, _) = app
        .send(app.request(Method::GET, &refused_path, Some(&reviewer)))
        .await;
    assert_eq!(status, 404, "nor a refused application's subject");
    let holder = app.token(Role::Holder, Some(&verified));
    let (status, account) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{verified}/real-name"),
            Some(&holder),
        ))
        .await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["status"], "verified");
    assert!(
        account["subject"]["name"].as_str().is_some(),
        "the subject an account is verified as stays: {account}"
    );
}

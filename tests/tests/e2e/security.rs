//! Attacks on the running service (SPEC §4): what a client sends never reaches a log line,
//! whatever its shape.

use realname_e2e::{TestApp, captured_logs, concrete};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// Values planted in the hostile bodies; none may be logged.
const PHONE: i64 = 13_987_654_321;
const DOCUMENT: &str = "11010519491231002X";
const MARKER: &str = "LEAKED-VALUE-7Q9Z";

fn hostile_bodies() -> Vec<String> {
    let long = format!("{MARKER}{}", "x".repeat(5_000));
    vec![
        json!({"phone": PHONE}).to_string(),
        json!({"phone": format!("{PHONE}{MARKER}")}).to_string(),
        json!({"document_number": 110_105_194_912_310_021_u64, "name": MARKER}).to_string(),
        json!({"subject": {"type": "personal", "document_number": DOCUMENT, "name": [MARKER]},
               "method": {"nested": [MARKER, {"deeper": PHONE}]}, "purpose": PHONE})
        .to_string(),
        json!({MARKER: PHONE, "url": MARKER, "note": long, "code": PHONE}).to_string(),
        format!("{{\"phone\": \"{PHONE}\", {MARKER}"),
        json!([MARKER, PHONE, DOCUMENT]).to_string(),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn no_value_a_client_sends_reaches_a_log_line_whatever_its_shape() {
    let app = TestApp::spawn().await;
    let (_, document) = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    let admin = app.token(Role::Admin, None);
    let mut sent = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let path = concrete(path);
            for body in hostile_bodies() {
                for token in [Some(admin.as_str()), None] {
                    let request = app
                        .request(method.clone(), &path, token)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", format!("key-{MARKER}"))
                        .header("Signature", format!("t=1,v1={MARKER}"))
                        .body(body.clone());
                    let (status, answer) = app.send(request).await;
                    assert!(status >= 200, "{method} {path}");
                    let shown: &Value = &answer;
                    assert!(
                        !shown.to_string().contains(&PHONE.to_string()),
                        "{method} {path} echoed the phone: {shown}"
                    );
                    sent += 1;
                }
            }
        }
    }
    assert!(sent > 400, "{sent} requests");
    let logs = captured_logs();
    for planted in [PHONE.to_string(), DOCUMENT.to_owned(), MARKER.to_owned()] {
        assert!(!logs.contains(&planted), "{planted} reached the log");
    }
}

/// A signed provider event sent gzip-compressed: the signature covers the decompressed JSON,
/// which the service must never verify (SPEC §4).
#[tokio::test(flavor = "multi_thread")]
async fn a_compressed_signed_body_is_refused_with_415() {
    use std::io::Write;

    let app = TestApp::spawn().await;
    let (_, application) = app.submitted("13900000911", "wechat_scan").await;
    let id = application["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("app_");
    let raw = json!({"session_ref": format!("wechat_{id}"), "outcome": "failed",
                     "failure_code": "provider_error"})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    let secret = app.settings.providers.secrets.wechat.clone();
    let first = secrecy::ExposeSecret::expose_secret(&secret)
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let signature = realname_http::signature::sign(&first.into(), now, raw.as_bytes());
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(raw.as_bytes()).unwrap();
    let compressed = gzip.finish().unwrap();
    let (status, body) = app
        .send(
            app.request(Method::POST, "/v1/provider-events/wechat", None)
                .header("Signature", signature)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .body(compressed),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (415, Some("content_encoding_not_allowed")),
        "{body}"
    );
}

/// The attack: one holder sends codes to a victim's number as fast as the API allows. At most
/// `policy.otp_sends_per_phone_per_hour` reach one number, across accounts (R19).
#[tokio::test(flavor = "multi_thread")]
async fn codes_to_one_number_are_throttled_across_accounts() {
    let app = TestApp::spawn().await;
    let victim = json!({"phone": "13900000999"});
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for n in 0..7 {
        let account = app.register(&format!("139000009{n:02}")).await;
        let holder = app.token(Role::Holder, Some(&account));
        let response = app
            .request(
                Method::POST,
                &format!("/v1/accounts/{account}/phone-changes"),
                Some(&holder),
            )
            .json(&victim)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 {
            retry_after = response.headers().get("Retry-After").cloned();
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], "rate_limited");
        }
    }
    assert_eq!(
        statuses,
        [201, 201, 201, 201, 201, 429, 429],
        "{statuses:?}"
    );
    let secs: i64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
    assert!((3_000..=3_600).contains(&secs), "{secs}");
}

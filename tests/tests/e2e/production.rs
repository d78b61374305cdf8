//! Production mode against loopback fakes that check the real protocols: Tencent Cloud FaceID
//! and SMS (every TC3 signature recomputed), a business registry speaking the README's
//! contract, and a real SMTP server (aiosmtpd). No sandbox twin is wired (R5, R6, R8, R11,
//! R14, R17, R19, SPEC §4).

use std::time::Duration;

use realname_e2e::{
    ENTERPRISE, LEGAL_PERSON, RESIDENT_ID, TestApp, USCC, captured_logs, enterprise, personal,
};
use realname_http::Role;
use realname_server::settings::Mode;
use realname_test_support::smtp::SmtpServer;
use realname_test_support::tencent::{RegistryFake, SECRET_ID, SECRET_KEY, TencentFake};
use reqwest::Method;
use serde_json::{Value, json};

const SUPPORT: &str = "support@cloud.e2e.test";
const BRIDGE_SECRET: &str = "e2e-bridge-secret-0123456789abcdef0123";

struct World {
    app: TestApp,
    tencent: TencentFake,
    registry: RegistryFake,
    smtp: SmtpServer,
}

async fn world() -> World {
    let tencent = TencentFake::start().await;
    let registry = RegistryFake::start().await;
    registry.set(USCC, ENTERPRISE, "active", LEGAL_PERSON);
    let smtp = SmtpServer::start();
    let (endpoint, registry_url, smtp_url) = (
        tencent.endpoint.clone(),
        registry.base_url.clone(),
        smtp.url(),
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let app = TestApp::spawn_with(move |s| {
        s.mode = Mode::Production;
        s.sandbox.enabled = false;
        s.auth.signing_key = "e2e-production-signing-key-0123456789abcdef".into();
        s.providers.secrets = realname_http::ProviderSecrets {
            wechat: "e2e-wechat-secret-0123456789abcdef012345".into(),
            qq: "e2e-qq-secret-0123456789abcdef0123456789".into(),
            wechat_mp: "e2e-wechat-mp-secret-0123456789abcdef0123".into(),
            face: "e2e-face-secret-0123456789abcdef01234567".into(),
            payments: "e2e-payments-secret-0123456789abcdef0123".into(),
        };
        s.crypto.data_keys = "prod1:ZTJlLXByb2R1Y3Rpb24tZGF0YS1rZXktMzItYnl0ZXM=".into();
        s.crypto.active_key = "prod1".into();
        s.crypto.subject_key = "e2e-production-subject-key-0123456789abcdef".into();
        s.crypto.otp_key = "e2e-production-otp-key-0123456789abcdef01".into();
        s.http.public_base_url = Some("https://realname.e2e.test".into());
        s.http.holder_return_url = Some("https://console.e2e.test/real-name".into());
        s.providers.bridge.base_url = Some("http://127.0.0.1:9".into());
        s.providers.bridge.secret = BRIDGE_SECRET.into();
        let faceid = &mut s.providers.faceid;
        faceid.endpoint.clone_from(&endpoint);
        faceid.secret_id = SECRET_ID.into();
        faceid.secret_key = SECRET_KEY.into();
        faceid.rule_id_face_recognition = "1".into();
        faceid.rule_id_legal_person_face_recognition = "2".into();
        faceid.poll_interval_secs = 1;
        s.sms.provider = realname_gateways::SmsProvider::Tencent;
        let sms = &mut s.sms.tencent;
        sms.endpoint = endpoint;
        sms.secret_id = SECRET_ID.into();
        sms.secret_key = SECRET_KEY.into();
        sms.sdk_app_id = "1400000001".into();
        sms.sign_name = "云平台".into();
        sms.template_otp = "T-OTP".into();
        sms.template_revocation_notice = "T-NOTICE".into();
        sms.template_revoked = "T-REVOKED".into();
        sms.template_phone_changed = "T-PHONE".into();
        sms.template_account_frozen = "T-FROZEN".into();
        s.registry.base_url = registry_url;
        s.notifications.support.smtp_url = Some(smtp_url.into());
        s.notifications.support.from = Some("realname@cloud.e2e.test".into());
        s.notifications.support.to = Some(SUPPORT.into());
        s.policy.international_site_url = "https://intl.cloud.e2e.test/realname".into();
        s.policy.payee_account = "6222020000000099".into();
        // A review is due the moment it starts, on a working day whatever today is (R8).
        s.policy.review_max_working_days = 0;
        s.policy.make_up_days = vec![today, today.succ_opt().unwrap()];
        s.scheduler.enabled = true;
        s.scheduler.deadlines_interval_secs = 1;
        s.scheduler.delivery_interval_secs = 1;
        s.scheduler.expire_sessions_interval_secs = 1;
        s.scheduler.recheck_interval_secs = 3600;
    })
    .await;
    World {
        app,
        tencent,
        registry,
        smtp,
    }
}

impl World {
    /// Submits a face method and returns the application, the `BizToken` FaceID issued and
    /// the reference of the return URL.
    async fn face_session(&self, account: &str, body: &Value) -> (Value, String, String) {
        let before = self.tencent.calls_of("DetectAuth").len();
        let (status, application) = self.app.submit(account, body).await;
        assert_eq!(status, 201, "{application}");
        let calls = self.tencent.calls_of("DetectAuth");
        assert_eq!(calls.len(), before + 1);
        let redirect = calls[before].body["RedirectUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let session_ref = redirect
            .strip_prefix("https://realname.e2e.test/v1/provider-returns/faceid/")
            .unwrap()
            .to_owned();
        let token = format!("BT-{}", before + 1);
        (application, token, session_ref)
    }

    async fn application(&self, account: &str, id: &str) -> Value {
        let holder = self.app.token(Role::Holder, Some(account));
        let path = format!("/v1/applications/{id}");
        self.app
            .send(self.app.request(Method::GET, &path, Some(&holder)))
            .await
            .1
    }

    /// Waits until the application leaves `awaiting_action`.
    async fn decided(&self, account: &str, id: &str) -> Value {
        for _ in 0..100 {
            let application = self.application(account, id).await;
            if application["status"] != "awaiting_action" {
                return application;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{id} was never decided")
    }

    async fn sms_with_template(&self, template: &str) -> Vec<Value> {
        self.tencent
            .wait_for(Duration::from_secs(10), |calls| {
                calls.iter().any(|c| c.body["TemplateId"] == template)
            })
            .await;
        self.tencent
            .calls_of("SendSms")
            .into_iter()
            .filter(|c| c.body["TemplateId"] == template)
            .map(|c| c.body)
            .collect()
    }
}

fn passed(name: &str, id_card: &str) -> Value {
    json!({"ErrCode": 0, "ErrMsg": "成功", "IdCard": id_card, "Name": name})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(clippy::too_many_lines)] // one production world, every outside system in turn
async fn production_mode_runs_every_outside_system_for_real() {
    let w = world().await;
    let app = &w.app;

    // -- A face verification: DetectAuth, the holder's return, approved (R5, R11).
    let account = app.register("13800000101").await;
    let body = personal("face_recognition", "resident_id", RESIDENT_ID);
    let (application, token, session_ref) = w.face_session(&account, &body).await;
    assert_eq!(application["next_action"]["type"], "face_liveness");
    assert_eq!(
        application["next_action"]["session_url"],
        "https://h5.faceid.test/detect?token=BT-1"
    );
    let detect = &w.tencent.calls_of("DetectAuth")[0].body;
    assert_eq!(
        (&detect["RuleId"], &detect["IdCard"], &detect["Name"]),
        (&json!("1"), &json!(RESIDENT_ID), &json!("张三"))
    );
    assert!(detect.get("Extra").is_none(), "no personal data in Extra");
    w.tencent.set_text(&token, passed("张三", RESIDENT_ID));
    let returned = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}/v1/provider-returns/faceid/{session_ref}?code=appended&state=x",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(returned.status().as_u16(), 303);
    let id = application["id"].as_str().unwrap();
    assert_eq!(
        returned.headers()["location"].to_str().unwrap(),
        format!("https://console.e2e.test/real-name?application={id}")
    );
    assert_eq!(w.application(&account, id).await["status"], "approved");

    // -- An identity proof by FaceID (R14): the same return decides it; a freeze is told to
    // the frozen account's holder by SMS.
    let console = app.token(Role::Service, None);
    let before = w.tencent.calls_of("DetectAuth").len();
    let proof = app.start_proof(&console).await;
    let calls = w.tencent.calls_of("DetectAuth");
    let redirect = calls[before].body["RedirectUrl"].as_str().unwrap();
    w.tencent
        .set_text(&format!("BT-{}", before + 1), passed("张三", RESIDENT_ID));
    let returned = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(redirect.replace("https://realname.e2e.test", &app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        returned.headers()["location"].to_str().unwrap(),
        format!("https://console.e2e.test/real-name?identity_proof={proof}")
    );
    let (status, found) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/identity-proofs/{proof}/accounts"),
            Some(&console),
        ))
        .await;
    assert_eq!(status, 200, "{found}");
    let reference = found["data"][0]["ref"].as_str().unwrap().to_owned();
    let (status, frozen) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/identity-proofs/{proof}/freezes"),
                Some(&console),
            )
            .json(&json!({"refs": [reference], "note": "not me"})),
        )
        .await;
    assert_eq!(status, 201, "{frozen}");
    let told = w.sms_with_template("T-FROZEN").await;
    assert_eq!(told[0]["PhoneNumberSet"], json!(["+8613800000101"]));

    // -- The holder never returns: the poll job decides face_photo_mismatch (R5, R7).
    let account = app.register("13800000102").await;
    let (application, token, _) = w.face_session(&account, &body).await;
    w.tencent
        .set_text(&token, json!({"ErrCode": 2015, "ErrMsg": "比对失败"}));
    let polled = w
        .decided(&account, application["id"].as_str().unwrap())
        .await;
    assert_eq!(polled["status"], "rejected", "{polled}");
    assert_eq!(polled["failure"]["code"], "face_photo_mismatch");

    // -- FaceID passes somebody else: not approved (R5).
    let account = app.register("13800000103").await;
    let (application, token, _) = w.face_session(&account, &body).await;
    w.tencent
        .set_text(&token, passed("张三", "110105194912310021"));
    let other = w
        .decided(&account, application["id"].as_str().unwrap())
        .await;
    assert_eq!(other["status"], "rejected", "{other}");
    assert_eq!(other["failure"]["code"], "identity_info_incorrect");

    // -- An enterprise verified by legal-person face recognition (R6).
    let owner = app.register("13800000104").await;
    let body = enterprise(
        "legal_person_face_recognition",
        USCC,
        ENTERPRISE,
        LEGAL_PERSON,
    );
    let (application, token, _) = w.face_session(&owner, &body).await;
    let detect = w
        .tencent
        .calls_of("DetectAuth")
        .last()
        .unwrap()
        .body
        .clone();
    assert_eq!(detect["RuleId"], "2");
    assert_eq!(detect["Name"], LEGAL_PERSON);
    assert!(detect.get("IdCard").is_none(), "the H5 flow collects it");
    w.tencent
        .set_text(&token, passed(LEGAL_PERSON, "110105198001010016"));
    let legal = w.decided(&owner, application["id"].as_str().unwrap()).await;
    assert_eq!(legal["status"], "approved", "{legal}");

    // -- A phone change: the OTP arrives through SendSms and confirms; the old number is told.
    let holder = app.token(Role::Holder, Some(&account));
    let (status, change) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{account}/phone-changes"),
                Some(&holder),
            )
            .json(&json!({"phone": "13800000199"})),
        )
        .await;
    assert_eq!(status, 201, "{change}");
    let otp = w.sms_with_template("T-OTP").await;
    assert_eq!(otp[0]["PhoneNumberSet"], json!(["+8613800000199"]));
    assert_eq!(otp[0]["SmsSdkAppId"], "1400000001");
    let code = otp[0]["TemplateParamSet"][0].as_str().unwrap().to_owned();
    let (status, confirmed) = app
        .send(
            app.request(
                Method::POST,
                &format!(
                    "/v1/accounts/{account}/phone-changes/{}/confirm",
                    change["id"].as_str().unwrap()
                ),
                Some(&holder),
            )
            .json(&json!({"code": code})),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let told = w.sms_with_template("T-PHONE").await;
    assert_eq!(told[0]["PhoneNumberSet"], json!(["+8613800000103"]));

    // -- A re-check finding: the revocation notice reaches the holder's phone by SMS (R17).
    w.registry
        .set(USCC, ENTERPRISE, "deregistered", LEGAL_PERSON);
    realname_server::commands::recheck(
        &app.settings,
        realname_server::commands::RecheckMode::Once { all: true },
    )
    .await
    .unwrap();
    let notice = w.sms_with_template("T-NOTICE").await;
    assert_eq!(notice[0]["PhoneNumberSet"], json!(["+8613800000104"]));
    let date = notice[0]["TemplateParamSet"][0].as_str().unwrap();
    assert_eq!(date.len(), 10, "the effective date: {date}");
    w.registry.set(USCC, ENTERPRISE, "active", LEGAL_PERSON);

    // -- An R8 escalation is delivered to the real SMTP server: the registry is down, so a
    // passed legal-person verification waits for a reviewer, whose deadline passes.
    w.registry.fail(USCC);
    let payer = app.register("13800000105").await;
    let (remittance, token, _) = w.face_session(&payer, &body).await;
    w.tencent
        .set_text(&token, passed(LEGAL_PERSON, "110105198001010016"));
    let waiting = w.decided(&payer, remittance["id"].as_str().unwrap()).await;
    assert_eq!(waiting["status"], "in_review", "{waiting}");
    let mails = w.smtp.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 1, "one escalation, by e-mail");
    assert!(mails[0].contains(&format!("To: {SUPPORT}")));
    assert!(mails[0].contains(remittance["id"].as_str().unwrap()));

    // -- Nothing failed, every request was signed right, and nothing personal was logged.
    let admin = app.token(Role::Admin, None);
    let (_, failed) = app
        .send(app.request(Method::GET, "/v1/notifications?status=failed", Some(&admin)))
        .await;
    assert_eq!(failed["data"], json!([]), "{failed}");
    assert_eq!(w.tencent.refused(), 0);
    let logs = captured_logs();
    for secret in [
        RESIDENT_ID,
        "110105194912310021",
        "张三",
        LEGAL_PERSON,
        "13800000199",
        "13800000103",
        SECRET_KEY,
        BRIDGE_SECRET,
        &code,
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}

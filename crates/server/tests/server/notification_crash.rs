//! Crash test: `realname serve`, in production mode with the HTTP SMS gateway on loopback, is
//! killed with SIGKILL while it delivers committed holder notices, then started again. No
//! notification is lost; only those in flight at the kill may arrive twice (R14, R17, R19).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use realname_application::accounts::{RegisterAccount, RegisterAccountCommand};
use realname_domain::identifiers::Phone;
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::{Actor, Policy};
use realname_ports::{Clock, UnitOfWork};
use realname_server::startup::SystemClock;
use realname_test_support::TestDb;

const NOTICES: u32 = 80;

/// An HTTP SMS gateway that takes 25 ms per message and records each number it was sent to.
async fn sms_gateway() -> (String, Arc<Mutex<Vec<String>>>) {
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let shared = sent.clone();
    let server = HttpServer::new(move || {
        App::new().app_data(web::Data::new(shared.clone())).route(
            "/v1/messages",
            web::post().to(
                |body: web::Json<serde_json::Value>,
                 sent: web::Data<Arc<Mutex<Vec<String>>>>| async move {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                    assert_eq!(body["template"], "account_frozen");
                    sent.lock()
                        .unwrap()
                        .push(body["to"].as_str().unwrap().to_owned());
                    HttpResponse::Ok().finish()
                },
            ),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}"), sent)
}

/// `realname serve` in production mode; every gateway but SMS points at a closed port.
fn serve(url: &str, sms: &str) -> Child {
    let secret = |name: &str| format!("crash-test-{name}-secret-0123456789abcdef");
    crate::common::realname(url)
        .arg("serve")
        .env("REALNAME__MODE", "production")
        .env("REALNAME__SANDBOX__ENABLED", "false")
        .env("REALNAME__HTTP__LISTEN", "127.0.0.1:0")
        .env(
            "REALNAME__HTTP__PUBLIC_BASE_URL",
            "https://realname.crash.test",
        )
        .env("REALNAME__AUTH__SIGNING_KEY", secret("signing"))
        .env("REALNAME__CRYPTO__OTP_KEY", secret("otp"))
        .env("REALNAME__PROVIDERS__SECRETS__WECHAT", secret("wechat"))
        .env("REALNAME__PROVIDERS__SECRETS__QQ", secret("qq"))
        .env(
            "REALNAME__PROVIDERS__SECRETS__WECHAT_MP",
            secret("wechat-mp"),
        )
        .env("REALNAME__PROVIDERS__SECRETS__FACE", secret("face"))
        .env("REALNAME__PROVIDERS__SECRETS__PAYMENTS", secret("payments"))
        .env(
            "REALNAME__PROVIDERS__BRIDGE__BASE_URL",
            "http://127.0.0.1:9",
        )
        .env("REALNAME__PROVIDERS__BRIDGE__SECRET", secret("bridge"))
        .env("REALNAME__PROVIDERS__FACEID__SECRET_ID", "AKIDcrashtest")
        .env("REALNAME__PROVIDERS__FACEID__SECRET_KEY", secret("faceid"))
        .env("REALNAME__PROVIDERS__FACEID__RULE_ID_FACE_RECOGNITION", "1")
        .env(
            "REALNAME__PROVIDERS__FACEID__RULE_ID_LEGAL_PERSON_FACE_RECOGNITION",
            "2",
        )
        .env("REALNAME__REGISTRY__BASE_URL", "http://127.0.0.1:9")
        .env("REALNAME__SMS__BASE_URL", sms)
        .env(
            "REALNAME__NOTIFICATIONS__SUPPORT__SMTP_URL",
            "smtp://127.0.0.1:9",
        )
        .env(
            "REALNAME__NOTIFICATIONS__SUPPORT__FROM",
            "realname@crash.test",
        )
        .env("REALNAME__NOTIFICATIONS__SUPPORT__TO", "support@crash.test")
        .env(
            "REALNAME__POLICY__INTERNATIONAL_SITE_URL",
            "https://intl.crash.test/realname",
        )
        .env("REALNAME__POLICY__PAYEE_ACCOUNT", "6222020000000099")
        .env("REALNAME__SCHEDULER__DELIVERY_INTERVAL_SECS", "1")
        .env("REALNAME__SCHEDULER__LEASE_SECS", "2")
        .env("REALNAME__TELEMETRY__FILTER", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_for(sent: &Mutex<Vec<String>>, timeout: Duration, done: impl Fn(&[String]) -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline && !done(&sent.lock().unwrap()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_between_committing_and_delivering_notices_loses_none() {
    // -- Arrange: 80 accounts, each with a committed account_frozen notice.
    let db = TestDb::new().await;
    let store = Arc::new(db.store(4));
    let register = RegisterAccount::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(Policy::default()),
    );
    let mut phones = BTreeSet::new();
    for n in 0..NOTICES {
        let phone = Phone::parse(&format!("1370000{n:04}")).unwrap();
        phones.insert(format!("+86{}", phone.as_str()));
        let account =
            RegisterAccount::execute(&register, &Actor::Service, RegisterAccountCommand { phone })
                .await
                .unwrap();
        let mut tx = store.begin().await.unwrap();
        let notice = Notification::new(NoticeKind::AccountFrozen, account.id, SystemClock.now());
        tx.queue_notification(&notice).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (gateway, sent) = sms_gateway().await;

    // -- Act: kill the first process while it delivers, then start a second one.
    let mut first = serve(&db.url, &gateway);
    wait_for(&sent, Duration::from_secs(30), |s| s.len() >= 10).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = sent.lock().unwrap().len();
    assert!(at_kill >= 10, "no delivery before the kill");
    assert!(
        at_kill < NOTICES as usize,
        "the run was over before the kill ({at_kill})"
    );
    let mut second = serve(&db.url, &gateway);
    wait_for(&sent, Duration::from_secs(60), |s| {
        s.iter().collect::<BTreeSet<_>>().len() >= NOTICES as usize
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    // -- Assert: every notice reached its holder's number; only the in-flight ones twice.
    let sent = sent.lock().unwrap().clone();
    let distinct: BTreeSet<String> = sent.iter().cloned().collect();
    assert_eq!(distinct, phones, "every notice delivered");
    let repeated = sent.len() - distinct.len();
    // Each notice is settled right after its send: only the one in flight at the kill may
    // go out twice.
    assert!(repeated <= 1, "{repeated} notices sent twice");
    eprintln!(
        "{at_kill} notices before the kill, {} sends in all for {NOTICES}",
        sent.len()
    );
}

//! The e2e harness: the real `realname` service on port 0 against a database of its own,
//! driven over HTTP, with every log line captured for inspection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use realname_domain::AccountId;
use realname_http::{Authenticator, Role};
use realname_server::{Application, Settings};
use realname_test_support::TestDb;
use reqwest::{Method, RequestBuilder, Response};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Every log line any service in this process wrote.
#[must_use]
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buffer.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    })
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A running service.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The metrics listener's `/metrics`.
    pub metrics: String,
    /// Its settings.
    pub settings: Settings,
    /// Its database.
    pub db: TestDb,
    client: reqwest::Client,
    auth: Authenticator,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    /// Starts the service with the default development settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the service after `adjust` changed its settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        log_buffer();
        let db = TestDb::new().await;
        let mut settings = Settings::load(None).unwrap();
        settings.database.url = db.url.clone().into();
        settings.database.pool_size = 24;
        settings.http.listen = "127.0.0.1:0".into();
        settings.http.workers = 2;
        settings.telemetry.metrics_listen = "127.0.0.1:0".into();
        settings.scheduler.enabled = false;
        adjust(&mut settings);
        let app = Application::build(settings.clone()).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let metrics = format!("http://127.0.0.1:{}/metrics", app.metrics_port());
        let shutdown = CancellationToken::new();
        tokio::spawn(app.run_until(shutdown.clone()));
        let auth = Authenticator::new(settings.auth.clone());
        Self {
            base,
            metrics,
            settings,
            db,
            client: reqwest::Client::new(),
            auth,
            shutdown,
        }
    }

    /// Starts a second instance of the service on the same database (another replica); it
    /// stops when the returned token is cancelled or dropped with the test.
    pub async fn second_instance(&self) -> (String, tokio_util::sync::DropGuard) {
        let mut settings = self.settings.clone();
        settings.http.listen = "127.0.0.1:0".into();
        let app = Application::build(settings).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let shutdown = CancellationToken::new();
        tokio::spawn(app.run_until(shutdown.clone()));
        (base, shutdown.drop_guard())
    }

    /// A bearer token.
    #[must_use]
    pub fn token(&self, role: Role, account: Option<&str>) -> String {
        let account = account.map(|a| a.parse::<AccountId>().unwrap());
        self.auth
            .issue("e2e", role, account, chrono::Duration::hours(1))
            .unwrap()
    }

    /// A holder token for `account` issued `ago` before now.
    #[must_use]
    pub fn holder_token_issued(&self, account: &str, ago: chrono::Duration) -> String {
        let account = account.parse::<AccountId>().unwrap();
        let issued = chrono::Utc::now() - ago;
        self.auth
            .issue_at(
                "e2e",
                Role::Holder,
                Some(account),
                issued,
                chrono::Duration::hours(1),
            )
            .unwrap()
    }

    /// The event types of `account`'s feed once one of them is `wanted`, or after 5 s (the feed
    /// shows a transaction once no older one is still running).
    pub async fn event_types_once(&self, account: &str, wanted: &str) -> Vec<String> {
        let service = self.token(Role::Service, None);
        let feed = format!("/v1/events?account_id={account}");
        let mut types = Vec::new();
        for _ in 0..50 {
            let (_, page) = self
                .send(self.request(Method::GET, &feed, Some(&service)))
                .await;
            types = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["type"].as_str().unwrap().to_owned())
                .collect();
            if types.iter().any(|t| t == wanted) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        types
    }

    /// A request with a bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
    }

    /// Sends a request and returns status and JSON body.
    pub async fn send(&self, request: RequestBuilder) -> (u16, Value) {
        let response: Response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Registers an account on `phone` with a service token; returns its id.
    pub async fn register(&self, phone: &str) -> String {
        let service = self.token(Role::Service, None);
        let (status, body) = self
            .send(
                self.request(Method::POST, "/v1/accounts", Some(&service))
                    .json(&json!({"phone": phone})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Submits an application for `account` as its holder.
    pub async fn submit(&self, account: &str, body: &Value) -> (u16, Value) {
        let holder = self.token(Role::Holder, Some(account));
        let path = format!("/v1/accounts/{account}/applications");
        self.send(self.request(Method::POST, &path, Some(&holder)).json(body))
            .await
    }

    /// Registers an account on `phone` and submits a `method` application for the sample person;
    /// returns the account id and the application.
    pub async fn submitted(&self, phone: &str, method: &str) -> (String, Value) {
        let account = self.register(phone).await;
        let (status, body) = self
            .submit(&account, &personal(method, "resident_id", RESIDENT_ID))
            .await;
        assert_eq!(status, 201, "{body}");
        (account, body)
    }

    /// Registers an account on `phone` and verifies it as the sample person with `method`
    /// through the sandbox; returns the account id.
    pub async fn verified(&self, phone: &str, method: &str) -> String {
        let (account, application) = self.submitted(phone, method).await;
        let pass = json!({"outcome": "passed"});
        let (_, done) = self
            .complete(&account, application["id"].as_str().unwrap(), &pass)
            .await;
        assert_eq!(done["status"], "approved", "{done}");
        account
    }

    /// Starts a face-recognition identity proof of the sample person as `token`'s caller;
    /// returns its id.
    pub async fn start_proof(&self, token: &str) -> String {
        let body = json!({"method": "face_recognition", "subject": {"type": "personal",
            "document_type": "resident_id", "document_number": RESIDENT_ID, "name": "张三"}});
        let (status, proof) = self
            .send(
                self.request(Method::POST, "/v1/identity-proofs", Some(token))
                    .json(&body),
            )
            .await;
        assert_eq!(status, 201, "{proof}");
        proof["id"].as_str().unwrap().to_owned()
    }

    /// Passes an identity proof through the sandbox as `token`'s caller.
    pub async fn pass_proof(&self, token: &str, proof: &str) {
        let path = format!("/v1/sandbox/identity-proofs/{proof}/complete");
        let (status, done) = self
            .send(
                self.request(Method::POST, &path, Some(token))
                    .json(&json!({"outcome": "passed"})),
            )
            .await;
        assert_eq!((status, done["status"].as_str()), (200, Some("passed")));
    }

    /// Fails `n` face-recognition attempts for `account` (R7), each a submission and a
    /// sandbox completion with `liveness_failed`; returns the failed applications.
    pub async fn fail_attempts(&self, account: &str, n: usize) -> Vec<Value> {
        let mut failed = Vec::new();
        for _ in 0..n {
            let (status, body) = self
                .submit(
                    account,
                    &personal("face_recognition", "resident_id", RESIDENT_ID),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            let outcome = json!({"outcome": "failed", "failure_code": "liveness_failed"});
            let (status, done) = self
                .complete(account, body["id"].as_str().unwrap(), &outcome)
                .await;
            assert_eq!(status, 200, "{done}");
            failed.push(done);
        }
        failed
    }

    /// Completes an application through the sandbox as the account's holder.
    pub async fn complete(&self, account: &str, application: &str, body: &Value) -> (u16, Value) {
        let holder = self.token(Role::Holder, Some(account));
        let path = format!("/v1/sandbox/applications/{application}/complete");
        self.send(self.request(Method::POST, &path, Some(&holder)).json(body))
            .await
    }

    /// Posts a provider event signed with the first configured secret at `timestamp`.
    pub async fn provider_event(
        &self,
        provider: &str,
        body: &Value,
        timestamp: i64,
    ) -> (u16, Value) {
        self.signed(&format!("/v1/provider-events/{provider}"), body, timestamp)
            .await
    }

    /// Posts a signed payment credit, now.
    pub async fn payment_credit(&self, body: &Value) -> (u16, Value) {
        self.signed("/v1/payment-credits", body, chrono::Utc::now().timestamp())
            .await
    }

    async fn signed(&self, path: &str, body: &Value, timestamp: i64) -> (u16, Value) {
        let raw = body.to_string();
        // Each provider signs with its own secret: the path names it.
        let provider = path
            .strip_prefix("/v1/provider-events/")
            .and_then(realname_domain::ProviderName::parse)
            .unwrap_or(realname_domain::ProviderName::Payments);
        let secrets = self
            .settings
            .providers
            .secrets
            .of(provider)
            .expose_secret()
            .to_owned();
        let secret = secrets.split(',').next().unwrap().trim().to_owned();
        let signature = realname_http::signature::sign(&secret.into(), timestamp, raw.as_bytes());
        let request = self
            .request(Method::POST, path, None)
            .header("Signature", signature)
            .header("Content-Type", "application/json")
            .body(raw);
        self.send(request).await
    }
}

/// A personal application body for the SPEC's sample person.
#[must_use]
pub fn personal(method: &str, document_type: &str, number: &str) -> Value {
    json!({
        "purpose": "verify",
        "method": method,
        "subject": {"type": "personal", "document_type": document_type, "document_number": number, "name": "张三"}
    })
}

/// An enterprise application body.
#[must_use]
pub fn enterprise(method: &str, uscc: &str, name: &str, legal_person_name: &str) -> Value {
    json!({
        "purpose": "verify",
        "method": method,
        "subject": {"type": "enterprise", "name": name, "uscc": uscc, "legal_person_name": legal_person_name}
    })
}

/// The sandbox registry's active sample enterprise (crates/adapters/gateways/sandbox/registry.csv).
pub const USCC: &str = "91110000600037341L";
/// Its registered name.
pub const ENTERPRISE: &str = "北京示例科技有限公司";
/// Its legal representative.
pub const LEGAL_PERSON: &str = "王五";

/// The sample person's resident ID (SPEC §5).
pub const RESIDENT_ID: &str = "11010519491231002X";

/// A path with each `{param}` replaced by a well-formed id of its kind.
#[must_use]
pub fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let name = &rest[start + 1..end - 1];
        out.push_str(match name {
            "uscc" => "91110000600037341L",
            "provider" => "wechat",
            "ref" => "0123456789abcdef0123456789abcdef",
            _ if out.contains("/accounts/") || out.ends_with("/accounts/") => {
                "acct_0123456789abcdef0123456789abcdef"
            }
            _ => "app_0123456789abcdef0123456789abcdef",
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

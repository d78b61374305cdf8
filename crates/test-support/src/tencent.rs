//! A loopback Tencent Cloud API for tests: FaceID (`DetectAuth`, `GetDetectInfoEnhanced`) and
//! SMS (`SendSms`). It recomputes every request's TC3-HMAC-SHA256 signature with its own
//! implementation (independent of the service's signer) and answers a bad one, a stale one or
//! one for the wrong service with `AuthFailure.SignatureFailure`, as the real API does.
//!
//! Scripted: [`TencentFake::set_text`] decides what `GetDetectInfoEnhanced` answers for a
//! session; every `DetectAuth` and `SendSms` is recorded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The key id the fake accepts.
pub const SECRET_ID: &str = "AKIDrealnameloopbackfake0000000000";
/// The key the fake signs with.
pub const SECRET_KEY: &str = "loopback-fake-secret-key-0123456789abcdef";

/// One accepted call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `X-TC-Action`.
    pub action: String,
    /// `X-TC-Region`, if sent.
    pub region: Option<String>,
    /// The JSON body.
    pub body: Value,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    refused: usize,
    /// BizToken → the `Text` to answer.
    texts: HashMap<String, Value>,
    sessions: usize,
}

/// A running fake.
pub struct TencentFake {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for TencentFake {
    fn drop(&mut self) {
        drop(self.handle.clone().stop(false));
    }
}

fn hmac(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` a correct TC3 client sends, recomputed from the request.
fn expected_authorization(request: &HttpRequest, body: &[u8], service: &str) -> Option<String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let timestamp: i64 = header("X-TC-Timestamp")?.parse().ok()?;
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return None;
    }
    let date = chrono::DateTime::from_timestamp(timestamp, 0)?
        .format("%Y-%m-%d")
        .to_string();
    let content_type = header("Content-Type")?.to_lowercase();
    let host = header("Host")?.to_lowercase();
    let canonical = format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(body))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(format!("TC3{SECRET_KEY}").as_bytes(), &date);
    let k_service = hmac(&k_date, service);
    let k_signing = hmac(&k_service, "tc3_request");
    let signature = hex::encode(hmac(&k_signing, &to_sign));
    Some(format!(
        "TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    ))
}

fn error(code: &str) -> HttpResponse {
    HttpResponse::Ok().json(
        json!({"Response": {"Error": {"Code": code, "Message": "fake"}, "RequestId": "fake"}}),
    )
}

async fn api(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let action = request
        .headers()
        .get("X-TC-Action")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let service = match action.as_str() {
        "DetectAuth" | "GetDetectInfoEnhanced" => "faceid",
        "SendSms" => "sms",
        _ => return error("InvalidAction"),
    };
    let sent = request
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if expected_authorization(&request, &body, service).as_deref() != Some(sent) {
        state.lock().unwrap().refused += 1;
        return error("AuthFailure.SignatureFailure");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error("InvalidParameter");
    };
    let region = request
        .headers()
        .get("X-TC-Region")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut state = state.lock().unwrap();
    state.calls.push(Call {
        action: action.clone(),
        region: region.clone(),
        body: body.clone(),
    });
    match action.as_str() {
        "DetectAuth" => {
            state.sessions += 1;
            let token = format!("BT-{}", state.sessions);
            HttpResponse::Ok().json(json!({"Response": {
                "BizToken": token,
                "Url": format!("https://h5.faceid.test/detect?token={token}"),
                "RequestId": "fake"}}))
        }
        "GetDetectInfoEnhanced" => {
            let token = body["BizToken"].as_str().unwrap_or_default();
            let text = state
                .texts
                .get(token)
                .cloned()
                .unwrap_or_else(|| json!({"ErrCode": null, "ErrMsg": null}));
            HttpResponse::Ok().json(json!({"Response": {"Text": text, "RequestId": "fake"}}))
        }
        _ => {
            if region.is_none() {
                return error("MissingParameter");
            }
            HttpResponse::Ok().json(json!({"Response": {
                "SendStatusSet": [{"Code": "Ok", "Message": "send success",
                                   "PhoneNumber": body["PhoneNumberSet"][0]}],
                "RequestId": "fake"}}))
        }
    }
}

impl TencentFake {
    /// Starts one on a free loopback port.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .route("/", web::post().to(api))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            state,
            handle,
        }
    }

    /// What `GetDetectInfoEnhanced` answers from now on for the session of `biz_token`.
    pub fn set_text(&self, biz_token: &str, text: Value) {
        self.state
            .lock()
            .unwrap()
            .texts
            .insert(biz_token.to_owned(), text);
    }

    /// Every accepted call, in order.
    #[must_use]
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// The accepted calls of one action.
    #[must_use]
    pub fn calls_of(&self, action: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.action == action)
            .collect()
    }

    /// How many requests carried a wrong signature.
    #[must_use]
    pub fn refused(&self) -> usize {
        self.state.lock().unwrap().refused
    }

    /// Waits up to `timeout` until `done` holds for the accepted calls.
    pub async fn wait_for(
        &self,
        timeout: std::time::Duration,
        done: impl Fn(&[Call]) -> bool,
    ) -> bool {
        let calls = crate::eventually(timeout, || self.calls(), |c| done(c)).await;
        done(&calls)
    }
}

/// A loopback business registry speaking the README's contract:
/// `GET /v1/enterprises/{uscc}` → `{name, status, legal_representative}`, or 404.
pub struct RegistryFake {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    records: Arc<Mutex<HashMap<String, Value>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for RegistryFake {
    fn drop(&mut self) {
        drop(self.handle.clone().stop(false));
    }
}

impl RegistryFake {
    /// Starts one that knows nobody yet.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> Self {
        let records: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
        let shared = records.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(web::Data::new(shared.clone())).route(
                "/v1/enterprises/{uscc}",
                web::get().to(
                    |uscc: web::Path<String>,
                     records: web::Data<Arc<Mutex<HashMap<String, Value>>>>| async move {
                        match records.lock().unwrap().get(uscc.as_str()) {
                            Some(record) if record.is_null() => {
                                HttpResponse::ServiceUnavailable().finish()
                            }
                            Some(record) => HttpResponse::Ok().json(record),
                            None => HttpResponse::NotFound().finish(),
                        }
                    },
                ),
            )
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            records,
            handle,
        }
    }

    /// Answers 503 for `uscc` from now on: the registry is down for it.
    pub fn fail(&self, uscc: &str) {
        self.records
            .lock()
            .unwrap()
            .insert(uscc.to_owned(), Value::Null);
    }

    /// Knows `uscc` with this record from now on.
    pub fn set(&self, uscc: &str, name: &str, status: &str, legal_representative: &str) {
        self.records.lock().unwrap().insert(
            uscc.to_owned(),
            json!({"name": name, "status": status, "legal_representative": legal_representative}),
        );
    }
}

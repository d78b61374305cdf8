//! A webhook receiver for tests: it checks each delivery's `Signature` on its own (an
//! implementation independent of the service's signer), answers 401 to a bad or stale one, and
//! records the good ones so tests can dedupe by event id and order by sequence.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's timestamp may be from now.
pub const TOLERANCE_SECS: i64 = 300;

/// Checks `t=…,v1=…` over `body` with `secret` at `now` (unix seconds).
#[must_use]
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return false;
    }
    let mut signed = timestamp.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(body);
    signatures.iter().any(|candidate| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(&signed);
        mac.verify_slice(candidate).is_ok()
    })
}

/// One accepted delivery.
#[derive(Debug, Clone)]
pub struct Received {
    /// The event id (`evt_…`).
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// The account, if any.
    pub account_id: Option<String>,
    /// The per-account sequence.
    pub sequence: Option<i64>,
    /// The `Signature` header as sent.
    pub signature: String,
    /// The raw body as sent.
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Inbox {
    secret: Option<String>,
    received: Vec<Received>,
    rejected: usize,
}

/// A running receiver.
pub struct Receiver {
    /// Where it listens (`http://127.0.0.1:<port>/hook`).
    pub url: String,
    inbox: Arc<Mutex<Inbox>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

impl Receiver {
    /// Starts a receiver that takes `delay` to answer each delivery.
    pub async fn start(delay: Duration) -> Self {
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let shared = inbox.clone();
        let server = HttpServer::new(move || {
            let inbox = shared.clone();
            App::new().app_data(web::Data::new(inbox)).route(
                "/hook",
                web::post().to(
                    move |request: HttpRequest,
                          body: web::Bytes,
                          inbox: web::Data<Arc<Mutex<Inbox>>>| async move {
                        let header = request
                            .headers()
                            .get("Signature")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        let accepted = {
                            let mut inbox = inbox.lock().unwrap();
                            let secret = inbox.secret.clone().unwrap_or_default();
                            let now = chrono::Utc::now().timestamp();
                            if verify(&secret, &header, &body, now) {
                                let event: serde_json::Value =
                                    serde_json::from_slice(&body).unwrap();
                                inbox.received.push(Received {
                                    id: event["id"].as_str().unwrap_or_default().to_owned(),
                                    event_type: event["type"]
                                        .as_str()
                                        .unwrap_or_default()
                                        .to_owned(),
                                    account_id: event["account_id"].as_str().map(str::to_owned),
                                    sequence: event["sequence"].as_i64(),
                                    signature: header,
                                    body: body.to_vec(),
                                });
                                true
                            } else {
                                inbox.rejected += 1;
                                false
                            }
                        };
                        if accepted {
                            tokio::time::sleep(delay).await;
                            HttpResponse::Ok().finish()
                        } else {
                            HttpResponse::Unauthorized().finish()
                        }
                    },
                ),
            )
        })
        .workers(2)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            inbox,
            handle,
        }
    }

    /// Sets the secret deliveries must be signed with.
    pub fn set_secret(&self, secret: &str) {
        self.inbox.lock().unwrap().secret = Some(secret.to_owned());
    }

    /// Every accepted delivery, in arrival order (duplicates included).
    #[must_use]
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }

    /// How many deliveries it refused.
    #[must_use]
    pub fn rejected(&self) -> usize {
        self.inbox.lock().unwrap().rejected
    }

    /// Waits until `done` holds for what was received, or `timeout` passes.
    pub async fn wait_for(&self, timeout: Duration, done: impl Fn(&[Received]) -> bool) -> bool {
        let received = crate::eventually(timeout, || self.received(), |r| done(r)).await;
        done(&received)
    }
}

//! The provider bridge for the scan methods (`wechat_scan`, `qq_scan`, `wechat_public_platform`,
//! `legal_person_wechat_scan`), whose providers have no public API. realname speaks one
//! contract to a bridge service the platform operates (README, "The provider bridge"):
//!
//! - `POST {providers.bridge.base_url}/v1/sessions`, signed `Signature: t=…,v1=…` under
//!   `providers.bridge.secret`, with `{session_ref, method, subject, callback_url, expires_at}`;
//! - the answer is `{qr_url}`;
//! - the result arrives later at `callback_url`, `POST /v1/provider-events/{provider}`, signed
//!   with that provider's secret.
//!
//! `subject` holds only what the provider must assert: a person's document and name, an
//! enterprise's name and USCC, and for the legal-person scan the representative's name.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::webhook::WebhookSecret;
use realname_domain::{Method, NextAction, Subject};
use realname_ports::{GatewayError, ProviderGateway, ProviderSession, SessionRequest};
use serde::{Deserialize, Serialize};

use crate::webhook::signature;

/// Where the bridge is, and how realname signs to it.
#[derive(Clone)]
pub struct BridgeConfig {
    /// `providers.bridge.base_url`.
    pub base_url: String,
    /// `providers.bridge.secret`.
    pub secret: WebhookSecret,
    /// `http.public_base_url`, for the callback URLs.
    pub public_base_url: String,
    /// `providers.bridge.timeout_ms`.
    pub timeout: Duration,
}

impl fmt::Debug for BridgeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeConfig")
            .field("base_url", &self.base_url)
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

/// The bridge client.
#[derive(Debug)]
pub struct Bridge {
    http: reqwest::Client,
    config: BridgeConfig,
}

/// The session body (the contract's field names).
#[derive(Serialize)]
struct SessionBody<'a> {
    session_ref: &'a str,
    method: &'a str,
    subject: AssertedFields<'a>,
    callback_url: String,
    expires_at: DateTime<Utc>,
}

/// What the provider must assert, and nothing more.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum AssertedFields<'a> {
    Personal {
        document_type: &'a str,
        document_number: &'a str,
        name: &'a str,
    },
    Enterprise {
        name: &'a str,
        uscc: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        legal_person_name: Option<&'a str>,
    },
}

impl<'a> AssertedFields<'a> {
    fn of(subject: &'a Subject, method: Method) -> Self {
        match subject {
            Subject::Personal(person) => Self::Personal {
                document_type: person.document.kind().as_str(),
                document_number: person.document.number(),
                name: person.name.as_str(),
            },
            Subject::Enterprise(enterprise) => Self::Enterprise {
                name: enterprise.name.as_str(),
                uscc: enterprise.uscc.as_str(),
                legal_person_name: enterprise
                    .legal_person_name
                    .as_ref()
                    .filter(|_| method.is_legal_person())
                    .map(|n| n.as_str()),
            },
        }
    }
}

#[derive(Deserialize)]
struct Opened {
    qr_url: String,
}

impl Bridge {
    /// A bridge client.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(config: BridgeConfig) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(config.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            config,
        })
    }
}

#[async_trait]
impl ProviderGateway for Bridge {
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        let session_ref = crate::random_ref();
        let provider = request.method.provider();
        let body = SessionBody {
            session_ref: &session_ref,
            method: request.method.as_str(),
            subject: AssertedFields::of(&request.subject, request.method),
            callback_url: format!(
                "{}/v1/provider-events/{}",
                self.config.public_base_url.trim_end_matches('/'),
                provider.as_str()
            ),
            expires_at: request.expires_at,
        };
        let body = serde_json::to_vec(&body).map_err(|e| GatewayError::Unavailable(e.into()))?;
        let signed = signature(&self.config.secret, Utc::now().timestamp(), &body);
        let post = async {
            let response = self
                .http
                .post(format!(
                    "{}/v1/sessions",
                    self.config.base_url.trim_end_matches('/')
                ))
                .header("Content-Type", "application/json")
                .header("Signature", signed)
                .body(body)
                .send()
                .await
                .map_err(crate::transport_error)?;
            crate::answered(&response, "the provider bridge")?;
            response.json::<Opened>().await.map_err(|_| {
                GatewayError::Unavailable(anyhow::anyhow!("the provider bridge answered no qr_url"))
            })
        };
        let opened = crate::metered("bridge", post, crate::is_timeout).await?;
        Ok(ProviderSession {
            session_ref,
            next_action: NextAction::ScanQr {
                qr_url: opened.qr_url,
                expires_at: request.expires_at,
            },
            provider_token: None,
        })
    }
}

/// The providers of every instant method: FaceID for the face methods, the bridge for the scans.
pub struct RoutedProviders {
    /// The face methods' provider.
    pub face: std::sync::Arc<dyn ProviderGateway>,
    /// The scan methods' provider.
    pub scans: std::sync::Arc<dyn ProviderGateway>,
}

#[async_trait]
impl ProviderGateway for RoutedProviders {
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        match request.method {
            Method::FaceRecognition | Method::LegalPersonFaceRecognition => {
                self.face.start_session(request).await
            }
            Method::CloudRecharge | Method::CorporateRemittance => Err(GatewayError::Unavailable(
                anyhow::anyhow!("payment methods open no provider session"),
            )),
            _ => self.scans.start_session(request).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use realname_domain::identifiers::{EnterpriseName, PersonName, Uscc};
    use realname_domain::{ApplicationId, EnterpriseSubject, Region};
    use serde_json::{Value, json};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A loopback bridge that checks every request's signature and records its body.
    async fn fake_bridge(secret: &'static str) -> (String, Arc<Mutex<Vec<Value>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                let (head, body) = loop {
                    let n = stream.read(&mut buf).await.unwrap();
                    raw.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_lowercase()
                                    .strip_prefix("content-length: ")
                                    .map(|v| v.trim().parse().unwrap())
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break (head.to_owned(), body.to_owned());
                        }
                    }
                };
                let header = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("signature: ")
                            .or_else(|| l.strip_prefix("Signature: "))
                    })
                    .unwrap_or_default()
                    .to_owned();
                let t: i64 = header
                    .split(',')
                    .find_map(|p| p.strip_prefix("t="))
                    .and_then(|t| t.parse().ok())
                    .unwrap_or_default();
                let expected = signature(
                    &WebhookSecret::from_stored(secret.into()),
                    t,
                    body.as_bytes(),
                );
                let valid = header == expected && head.starts_with("POST /v1/sessions ");
                let (status, answer) = if valid {
                    record
                        .lock()
                        .unwrap()
                        .push(serde_json::from_str(&body).unwrap());
                    (
                        "200 OK",
                        json!({"qr_url": "https://bridge.example/qr/abc"}).to_string(),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        json!({"error": "bad signature"}).to_string(),
                    )
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                stream.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        (format!("http://{address}"), seen)
    }

    fn bridge(base_url: &str, secret: &str) -> Bridge {
        Bridge::new(BridgeConfig {
            base_url: base_url.into(),
            secret: WebhookSecret::from_stored(secret.into()),
            public_base_url: "https://realname.example/".into(),
            timeout: Duration::from_secs(2),
        })
        .unwrap()
    }

    fn enterprise() -> Subject {
        Subject::Enterprise(EnterpriseSubject {
            name: EnterpriseName::parse("示例科技有限公司").unwrap(),
            uscc: Uscc::parse("91110000600037341L").unwrap(),
            region: Region::Mainland,
            legal_person_name: Some(PersonName::parse("王五").unwrap()),
        })
    }

    #[tokio::test]
    async fn a_scan_session_is_signed_and_sends_only_what_the_provider_asserts() {
        let (base, seen) = fake_bridge("bridge-secret-for-the-loopback-test").await;
        let bridge = bridge(&base, "bridge-secret-for-the-loopback-test");
        let expires_at = Utc::now();
        let request = SessionRequest {
            application_id: ApplicationId::new(),
            method: Method::WechatPublicPlatform,
            subject: enterprise(),
            expires_at,
        };
        let session = bridge.start_session(&request).await.unwrap();
        assert_eq!(
            session.next_action,
            NextAction::ScanQr {
                qr_url: "https://bridge.example/qr/abc".into(),
                expires_at
            }
        );
        let id = request.application_id.as_uuid().simple().to_string();
        assert!(!session.session_ref.contains(&id));
        let legal = SessionRequest {
            method: Method::LegalPersonWechatScan,
            ..request.clone()
        };
        bridge.start_session(&legal).await.unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0]["session_ref"], session.session_ref);
        assert_eq!(seen[0]["method"], "wechat_public_platform");
        assert_eq!(
            seen[0]["callback_url"],
            "https://realname.example/v1/provider-events/wechat_mp"
        );
        assert_eq!(
            seen[0]["subject"],
            json!({"type": "enterprise", "name": "示例科技有限公司", "uscc": "91110000600037341L"}),
            "the public platform asserts the name and USCC only"
        );
        assert_eq!(seen[1]["subject"]["legal_person_name"], "王五");
    }

    #[tokio::test]
    async fn a_bridge_that_refuses_the_signature_opens_no_session() {
        let (base, seen) = fake_bridge("bridge-secret-for-the-loopback-test").await;
        let bridge = bridge(&base, "another-secret-entirely-not-the-one");
        let request = SessionRequest {
            application_id: ApplicationId::new(),
            method: Method::WechatPublicPlatform,
            subject: enterprise(),
            expires_at: Utc::now(),
        };
        assert!(bridge.start_session(&request).await.is_err());
        assert!(seen.lock().unwrap().is_empty());
    }
}

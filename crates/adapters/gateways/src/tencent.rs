//! The Tencent Cloud API 3.0 client that FaceID and SMS are called through: requests signed with
//! TC3-HMAC-SHA256 (POST, a JSON body, `SignedHeaders=content-type;host`, the credential scope
//! `date/service/tc3_request`), and `Response.Error` turned into typed errors.
//!
//! The signature follows Tencent's published algorithm; the test below reproduces its worked
//! example. The secret key never leaves [`Credentials`] and never shows in `Debug`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "TC3-HMAC-SHA256";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const SIGNED_HEADERS: &str = "content-type;host";
/// How often an unavailable answer is tried again, after the first try.
const RETRIES: u32 = 2;

/// A SecretId and its SecretKey.
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
}

impl Credentials {
    /// A key pair.
    #[must_use]
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"[redacted]")
            .finish()
    }
}

/// One API call's identity: the service, its host, the action and version, and the region
/// where the API takes one.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// `faceid`, `sms`, …: the first label of the host, and part of the credential scope.
    pub service: &'a str,
    /// The host the request is sent to, as signed.
    pub host: &'a str,
    /// `X-TC-Action`.
    pub action: &'a str,
    /// `X-TC-Version`.
    pub version: &'a str,
    /// `X-TC-Region`, where set.
    pub region: Option<&'a str>,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request of a POST to `/` with no query string.
fn canonical_request(host: &str, payload: &[u8]) -> String {
    format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\n{SIGNED_HEADERS}\n{}",
        sha256_hex(payload)
    )
}

/// The UTC date of a timestamp, as the credential scope takes it.
fn scope_date(timestamp: i64) -> String {
    DateTime::<Utc>::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The hex signature of a request body under `call`, at `timestamp`.
fn signature(
    secret_key: &str,
    service: &str,
    host: &str,
    timestamp: i64,
    payload: &[u8],
) -> String {
    let date = scope_date(timestamp);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request(host, payload).as_bytes())
    );
    let key = hmac(format!("TC3{secret_key}").as_bytes(), &date);
    let key = hmac(&key, service);
    let key = hmac(&key, "tc3_request");
    hex::encode(hmac(&key, &string_to_sign))
}

/// The `Authorization` header of a request.
#[must_use]
pub fn authorization(
    credentials: &Credentials,
    call: &Call<'_>,
    timestamp: i64,
    payload: &[u8],
) -> String {
    format!(
        "{ALGORITHM} Credential={}/{}/{}/tc3_request, SignedHeaders={SIGNED_HEADERS}, Signature={}",
        credentials.secret_id,
        scope_date(timestamp),
        call.service,
        signature(
            &credentials.secret_key,
            call.service,
            call.host,
            timestamp,
            payload
        )
    )
}

/// What a failed call means to its caller.
#[derive(Debug, thiserror::Error)]
pub enum TencentError {
    /// `AuthFailure.*`: the keys or their permissions are wrong; retrying cannot help.
    #[error("Tencent Cloud refused the credentials ({code})")]
    Configuration {
        /// The error code, e.g. `AuthFailure.SignatureFailure`.
        code: String,
    },
    /// Rate limits, internal errors, system errors and timeouts: tried again, then given up.
    #[error("Tencent Cloud is unavailable ({code})")]
    Unavailable {
        /// The error code, or `timeout` / `transport`.
        code: String,
    },
    /// Any other error the API answered with.
    #[error("Tencent Cloud answered {code}")]
    Provider {
        /// The error code.
        code: String,
    },
    /// An answer that is not the API's JSON.
    #[error("Tencent Cloud answered something unreadable")]
    Malformed,
}

/// The class of an error code (the API's `Response.Error.Code`).
fn classify(code: &str) -> TencentError {
    let code_owned = code.to_owned();
    if code.starts_with("AuthFailure") {
        TencentError::Configuration { code: code_owned }
    } else if code.starts_with("RequestLimitExceeded")
        || code.starts_with("InternalError")
        || (code.starts_with("FailedOperation.") && code.ends_with("SystemError"))
    {
        TencentError::Unavailable { code: code_owned }
    } else {
        TencentError::Provider { code: code_owned }
    }
}

/// The client of one service at one endpoint.
pub struct TencentClient {
    http: reqwest::Client,
    credentials: Credentials,
    endpoint: String,
    host: String,
    service: String,
    version: String,
    region: Option<String>,
    /// An `AuthFailure` is logged once, not on every call.
    auth_failure_logged: AtomicBool,
}

impl fmt::Debug for TencentClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentClient")
            .field("endpoint", &self.endpoint)
            .field("service", &self.service)
            .field("version", &self.version)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl TencentClient {
    /// A client for `service` (`faceid`, `sms`) at `endpoint` (`https://faceid.tencentcloudapi.com`,
    /// or a loopback fake), API `version`, with `region` where the API takes one.
    ///
    /// # Errors
    /// An endpoint without a host, or an HTTP client that cannot be built.
    pub fn new(
        endpoint: &str,
        service: &str,
        version: &str,
        region: Option<&str>,
        credentials: Credentials,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let host = endpoint
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default().to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| anyhow::anyhow!("the endpoint has no host"))?;
        Ok(Self {
            http: reqwest::Client::builder().timeout(timeout).build()?,
            credentials,
            endpoint,
            host,
            service: service.to_owned(),
            version: version.to_owned(),
            region: region.map(str::to_owned),
            auth_failure_logged: AtomicBool::new(false),
        })
    }

    /// Calls `action` with `request` and reads `Response` as `T`. Unavailable answers are tried
    /// again, twice, after 200 ms and 400 ms.
    ///
    /// # Errors
    /// [`TencentError`].
    pub async fn call<Q: Serialize + Sync, T: DeserializeOwned>(
        &self,
        action: &str,
        request: &Q,
    ) -> Result<T, TencentError> {
        let payload = serde_json::to_vec(request).map_err(|_| TencentError::Malformed)?;
        let mut attempt = 0;
        loop {
            let gateway = match self.service.as_str() {
                "faceid" => "faceid",
                "sms" => "tencent_sms",
                _ => "tencent",
            };
            let sent = crate::metered(
                gateway,
                self.once(action, &payload),
                |e| matches!(e, TencentError::Unavailable { code } if code == "timeout"),
            );
            match sent.await {
                Err(TencentError::Unavailable { .. }) if attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
                Err(TencentError::Configuration { code }) => {
                    if !self.auth_failure_logged.swap(true, Ordering::Relaxed) {
                        tracing::error!(
                            service = %self.service,
                            action,
                            code = %code,
                            "Tencent Cloud refused the credentials; check the secret id and key"
                        );
                    }
                    return Err(TencentError::Configuration { code });
                }
                other => return other,
            }
        }
    }

    async fn once<T: DeserializeOwned>(
        &self,
        action: &str,
        payload: &[u8],
    ) -> Result<T, TencentError> {
        let timestamp = Utc::now().timestamp();
        let call = Call {
            service: &self.service,
            host: &self.host,
            action,
            version: &self.version,
            region: self.region.as_deref(),
        };
        let mut request = self
            .http
            .post(format!("{}/", self.endpoint))
            .header(
                "Authorization",
                authorization(&self.credentials, &call, timestamp, payload),
            )
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", action)
            .header("X-TC-Version", &self.version)
            .header("X-TC-Timestamp", timestamp.to_string())
            .body(payload.to_vec());
        if let Some(region) = &self.region {
            request = request.header("X-TC-Region", region);
        }
        let response = request
            .send()
            .await
            .map_err(|e| TencentError::Unavailable {
                code: if e.is_timeout() {
                    "timeout"
                } else {
                    "transport"
                }
                .to_owned(),
            })?;
        if response.status().is_server_error() {
            return Err(TencentError::Unavailable {
                code: format!("http_{}", response.status().as_u16()),
            });
        }
        let body: serde_json::Value = response.json().await.map_err(|_| TencentError::Malformed)?;
        let answer = body.get("Response").ok_or(TencentError::Malformed)?;
        if let Some(code) = answer
            .pointer("/Error/Code")
            .and_then(serde_json::Value::as_str)
        {
            return Err(classify(code));
        }
        serde_json::from_value(answer.clone()).map_err(|_| TencentError::Malformed)
    }
}

/// A loopback Tencent Cloud endpoint for the gateways' tests.
#[cfg(test)]
pub(crate) mod testing {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// What the loopback fake saw of each request.
    #[derive(Debug, Clone)]
    pub(crate) struct Seen {
        pub(crate) headers: Vec<(String, String)>,
        pub(crate) body: Vec<u8>,
    }

    impl Seen {
        pub(crate) fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// A loopback Tencent Cloud endpoint: it reads each request, answers with the next canned
    /// answer (the last one repeats), and records what it saw.
    pub(crate) async fn fake(answers: Vec<(u16, Value)>) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            let mut served = 0;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut raw = Vec::new();
                let mut buffer = [0u8; 4096];
                let (head, mut body) = loop {
                    let n = socket.read(&mut buffer).await.unwrap();
                    raw.extend_from_slice(&buffer[..n]);
                    if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                        break (
                            String::from_utf8_lossy(&raw[..end]).into_owned(),
                            raw[end + 4..].to_vec(),
                        );
                    }
                };
                let headers: Vec<(String, String)> = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while body.len() < length {
                    let n = socket.read(&mut buffer).await.unwrap();
                    body.extend_from_slice(&buffer[..n]);
                }
                record.lock().unwrap().push(Seen { headers, body });
                let (status, answer) = answers[served.min(answers.len() - 1)].clone();
                served += 1;
                let text = answer.to_string();
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                socket.write_all(response.as_bytes()).await.unwrap();
            }
        });
        (format!("http://{address}"), seen)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::testing::fake;
    use super::*;

    /// Tencent's worked example for signature v3 (a CVM `DescribeInstances` call): the payload
    /// hash, the string to sign and the signature it publishes.
    #[test]
    fn the_signature_reproduces_tencents_published_example() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let canonical = canonical_request("cvm.tencentcloudapi.com", payload.as_bytes());
        assert!(canonical.ends_with(
            "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        ));
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        let credentials = Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
        );
        let call = Call {
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            action: "DescribeInstances",
            version: "2017-03-12",
            region: Some("ap-guangzhou"),
        };
        assert_eq!(
            authorization(&credentials, &call, 1_551_113_065, payload.as_bytes()),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn the_secret_key_never_shows_in_debug_output() {
        let credentials = Credentials::new("AKIDexample", "very-secret-key-material");
        let client = TencentClient::new(
            "https://faceid.tencentcloudapi.com",
            "faceid",
            "2018-03-01",
            None,
            credentials.clone(),
            Duration::from_secs(1),
        )
        .unwrap();
        for shown in [format!("{credentials:?}"), format!("{client:?}")] {
            assert!(!shown.contains("very-secret-key-material"), "{shown}");
            assert!(shown.contains("AKIDexample"));
        }
    }

    #[test]
    fn error_codes_are_classified_as_configuration_unavailable_or_provider() {
        let class = |code| match classify(code) {
            TencentError::Configuration { .. } => "configuration",
            TencentError::Unavailable { .. } => "unavailable",
            TencentError::Provider { .. } => "provider",
            TencentError::Malformed => "malformed",
        };
        for (code, expected) in [
            ("AuthFailure.SignatureFailure", "configuration"),
            ("AuthFailure.SecretIdNotFound", "configuration"),
            ("RequestLimitExceeded", "unavailable"),
            ("RequestLimitExceeded.UinLimitExceeded", "unavailable"),
            ("InternalError", "unavailable"),
            ("InternalError.UnknownError", "unavailable"),
            ("FailedOperation.UnKnown", "provider"),
            ("FailedOperation.StsUnauthErrError", "provider"),
            ("FailedOperation.CoreSystemError", "unavailable"),
            ("InvalidParameterValue.RuleIdNotExist", "provider"),
            ("UnauthorizedOperation.Nonactivated", "provider"),
        ] {
            assert_eq!(class(code), expected, "{code}");
        }
    }

    fn client(endpoint: &str, region: Option<&str>) -> TencentClient {
        TencentClient::new(
            endpoint,
            "faceid",
            "2018-03-01",
            region,
            Credentials::new("AKIDloopback", "loopback-secret-key"),
            Duration::from_secs(2),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_call_is_signed_as_the_fake_recomputes_it_and_its_response_is_read() {
        let (endpoint, seen) = fake(vec![(
            200,
            json!({"Response": {"BizToken": "token-1", "Url": "https://h5.faceid.example/x", "RequestId": "r1"}}),
        )])
        .await;
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Detect {
            biz_token: String,
            url: String,
        }
        let answer: Detect = client(&endpoint, Some("ap-guangzhou"))
            .call("DetectAuth", &json!({"RuleId": "1"}))
            .await
            .unwrap();
        assert_eq!(answer.biz_token, "token-1");
        assert_eq!(answer.url, "https://h5.faceid.example/x");

        let seen = seen.lock().unwrap()[0].clone();
        assert_eq!(seen.header("X-TC-Action"), Some("DetectAuth"));
        assert_eq!(seen.header("X-TC-Version"), Some("2018-03-01"));
        assert_eq!(seen.header("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(seen.header("Content-Type"), Some(CONTENT_TYPE));
        assert_eq!(
            serde_json::from_slice::<Value>(&seen.body).unwrap(),
            json!({"RuleId": "1"})
        );
        // The fake recomputes the signature from what arrived: the Host header, the body and
        // the timestamp header, under the key it knows.
        let host = seen.header("Host").unwrap();
        let timestamp: i64 = seen.header("X-TC-Timestamp").unwrap().parse().unwrap();
        let expected = format!(
            "TC3-HMAC-SHA256 Credential=AKIDloopback/{}/faceid/tc3_request, SignedHeaders=content-type;host, Signature={}",
            scope_date(timestamp),
            signature("loopback-secret-key", "faceid", host, timestamp, &seen.body)
        );
        assert_eq!(seen.header("Authorization"), Some(expected.as_str()));
        assert!((timestamp - Utc::now().timestamp()).abs() < 60);
    }

    #[tokio::test]
    async fn an_unavailable_answer_is_retried_and_a_provider_error_is_not() {
        let limited = json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"}, "RequestId": "r"}});
        let ok = json!({"Response": {"RequestId": "r2"}});
        let (endpoint, seen) = fake(vec![(200, limited.clone()), (200, ok)]).await;
        let answer: Value = client(&endpoint, None)
            .call("DetectAuth", &json!({}))
            .await
            .unwrap();
        assert_eq!(answer["RequestId"], "r2");
        assert_eq!(seen.lock().unwrap().len(), 2);
        assert!(seen.lock().unwrap()[0].header("X-TC-Region").is_none());

        let (endpoint, seen) = fake(vec![(200, limited)]).await;
        let err = client(&endpoint, None)
            .call::<_, Value>("DetectAuth", &json!({}))
            .await
            .unwrap_err();
        assert!(matches!(err, TencentError::Unavailable { .. }), "{err:?}");
        assert_eq!(seen.lock().unwrap().len(), 1 + RETRIES as usize);

        let invalid = json!({"Response": {"Error": {"Code": "InvalidParameterValue.RuleIdNotExist", "Message": "no rule"}}});
        let (endpoint, seen) = fake(vec![(200, invalid)]).await;
        let err = client(&endpoint, None)
            .call::<_, Value>("DetectAuth", &json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, TencentError::Provider { code } if code == "InvalidParameterValue.RuleIdNotExist")
        );
        assert_eq!(seen.lock().unwrap().len(), 1);

        let auth = json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}});
        let (endpoint, seen) = fake(vec![(200, auth)]).await;
        let client = client(&endpoint, None);
        for _ in 0..2 {
            let err = client
                .call::<_, Value>("DetectAuth", &json!({}))
                .await
                .unwrap_err();
            assert!(matches!(err, TencentError::Configuration { .. }));
        }
        assert_eq!(
            seen.lock().unwrap().len(),
            2,
            "a configuration error is not retried"
        );
        assert!(client.auth_failure_logged.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_server_error_or_unreadable_answer_is_typed() {
        let (endpoint, _) = fake(vec![(502, json!({}))]).await;
        let err = client(&endpoint, None)
            .call::<_, Value>("DetectAuth", &json!({}))
            .await
            .unwrap_err();
        assert!(matches!(&err, TencentError::Unavailable { code } if code == "http_502"));
        let (endpoint, _) = fake(vec![(200, json!({"NotResponse": 1}))]).await;
        let err = client(&endpoint, None)
            .call::<_, Value>("DetectAuth", &json!({}))
            .await
            .unwrap_err();
        assert!(matches!(err, TencentError::Malformed));
    }
}

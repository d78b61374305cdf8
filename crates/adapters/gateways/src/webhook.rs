//! Posts events to webhook endpoints, signed like inbound provider callbacks:
//! `Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (SPEC §6).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use realname_domain::webhook::WebhookSecret;
use realname_ports::{FeedEvent, GatewayError, WebhookSender};
use sha2::Sha256;

/// The `Signature` header value for `body` at `timestamp`.
#[must_use]
pub fn signature(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The HTTP sender.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::Client,
}

impl HttpWebhookSender {
    /// A sender whose posts time out after `timeout`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
        })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn post(
        &self,
        url: &str,
        secret: &WebhookSecret,
        event: &FeedEvent,
        now: DateTime<Utc>,
    ) -> Result<(), GatewayError> {
        let body = serde_json::to_vec(event).map_err(|e| GatewayError::Unavailable(e.into()))?;
        let response = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header("Signature", signature(secret, now.timestamp(), &body))
            .header("Realname-Event-Id", format!("evt_{}", event.id.simple()))
            .body(body)
            .send()
            .await
            .map_err(crate::transport_error)?;
        crate::answered(&response, "endpoint")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        let secret = WebhookSecret::from_stored("whsec_test".into());
        assert_eq!(
            signature(&secret, 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}

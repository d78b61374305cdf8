//! Posts events to webhook endpoints, signed like inbound provider callbacks:
//! `Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (SPEC §6).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use realname_domain::webhook::{EndpointUrl, WebhookSecret, is_public_ip};
use realname_ports::{FeedEvent, GatewayError, WebhookSender};
use sha2::Sha256;

/// The `Signature` header value for `body` at `timestamp`.
#[must_use]
pub fn signature(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    signatures(std::slice::from_ref(secret), timestamp, body)
}

/// The `Signature` header value with one `v1=` per secret, in order, as during a rotation's
/// overlap: `t=<unix>,v1=<new>,v1=<old>`. A receiver accepts any one that matches its secret.
#[must_use]
pub fn signatures(secrets: &[WebhookSecret], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac.finalize().into_bytes()));
    }
    header
}

/// The HTTP sender.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::Client,
    public_only: bool,
}

/// A resolver that drops every non-public address, at connect time on every delivery, so a
/// name that resolves (or later rebinds) to an internal address reaches nothing.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public_ip(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl HttpWebhookSender {
    /// A sender whose posts time out after `timeout`. With `public_only` (production) names
    /// resolve only to public addresses, literal addresses are checked on every post, and no
    /// proxy is used (it would resolve for us). Redirects are never followed.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(timeout: Duration, public_only: bool) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none());
        if public_only {
            builder = builder
                .dns_resolver(std::sync::Arc::new(PublicOnly))
                .no_proxy();
        }
        Ok(Self {
            client: builder.build()?,
            public_only,
        })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn post(
        &self,
        url: &str,
        secrets: &[WebhookSecret],
        event: &FeedEvent,
        now: DateTime<Utc>,
    ) -> Result<(), GatewayError> {
        // An endpoint stored before today's checks is checked again (its literal address does
        // not go through the resolver).
        if self.public_only && EndpointUrl::parse(url, false).is_err() {
            return Err(GatewayError::Unavailable(anyhow::anyhow!(
                "the endpoint is not a public https address"
            )));
        }
        let body = serde_json::to_vec(event).map_err(|e| GatewayError::Unavailable(e.into()))?;
        let response = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header("Signature", signatures(secrets, now.timestamp(), &body))
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

    #[test]
    fn during_an_overlap_each_secret_adds_its_own_v1_in_order() {
        // The second value computed independently too:
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_old
        let both = [
            WebhookSecret::from_stored("whsec_test".into()),
            WebhookSecret::from_stored("whsec_old".into()),
        ];
        let header = signatures(&both, 1_700_000_000, b"{}");
        let parts: Vec<&str> = header.split(',').collect();
        assert_eq!(parts.len(), 3, "{header}");
        assert_eq!(parts[0], "t=1700000000");
        assert_eq!(
            parts[1],
            "v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_eq!(
            parts[2],
            "v1=2a630fb62d83c712b7c3b6fc1dec6df3ef803228a2223a912c109f39e17c6983"
        );
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_an_internal_address_reaches_nothing() {
        use reqwest::dns::Resolve;
        // The attack: DNS that answers 127.0.0.1 (here, localhost) for a registered name.
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
        let sender = HttpWebhookSender::new(Duration::from_secs(1), true).unwrap();
        let event = FeedEvent {
            id: uuid::Uuid::now_v7(),
            event_type: "account.created".into(),
            account_id: None,
            sequence: None,
            created_at: Utc::now(),
            data: serde_json::json!({}),
        };
        let secret = [WebhookSecret::from_stored("whsec_test".into())];
        for url in [
            "https://2130706433/hook",
            "https://localhost./hook",
            "http://127.0.0.1:9/x",
        ] {
            assert!(
                sender.post(url, &secret, &event, Utc::now()).await.is_err(),
                "{url}"
            );
        }
    }
}

//! An HTTP client for a running `realname` in sandbox-style setups: registers accounts and
//! completes instant verifications the way a provider would (signed callback). Used by the
//! crash test and the load benchmark.

use realname_domain::identifiers::resident_id_check_char;
use realname_http::{AuthSettings, Authenticator, Role};
use secrecy::SecretString;
use serde_json::{Value, json};

/// A distinct valid resident ID for every `n` below 3,360,000, as a personal subject named 张三.
#[must_use]
pub fn person(n: usize) -> Value {
    let first17 = format!(
        "110105198{}{:02}{:02}{:03}",
        n / 336_000 % 10,
        n % 12 + 1,
        n / 12 % 28 + 1,
        n / 336 % 1000
    );
    let digits: [u8; 17] = first17.as_bytes().try_into().unwrap();
    json!({"type": "personal", "document_type": "resident_id",
        "document_number": format!("{first17}{}", resident_id_check_char(&digits)), "name": "张三"})
}

/// Talks to one service.
pub struct ServiceClient {
    client: reqwest::Client,
    base: String,
    auth: Authenticator,
    provider_secret: SecretString,
}

impl ServiceClient {
    /// A client for `base`, minting tokens with `auth` and signing provider callbacks with
    /// `provider_secret`.
    #[must_use]
    pub fn new(base: &str, auth: AuthSettings, provider_secret: SecretString) -> Self {
        Self {
            // A request to a server that died or hangs fails instead of waiting for ever.
            client: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
            auth: Authenticator::new(auth),
            provider_secret,
        }
    }

    /// Registers an account on `phone` with a service token; returns its id.
    ///
    /// # Errors
    /// Transport or token errors.
    pub async fn register(&self, phone: &str) -> anyhow::Result<String> {
        let service = self
            .auth
            .issue("client", Role::Service, None, chrono::Duration::hours(1))?;
        let created: Value = self
            .client
            .post(format!("{}/v1/accounts", self.base))
            .bearer_auth(service)
            .json(&json!({"phone": phone}))
            .send()
            .await?
            .json()
            .await?;
        Ok(created["id"].as_str().unwrap_or_default().to_owned())
    }

    /// Submits a `wechat_scan` application for `subject` and posts the provider's signed
    /// "passed"; returns whether the application ended approved.
    ///
    /// # Errors
    /// Transport or token errors.
    pub async fn verify_instantly(&self, account: &str, subject: &Value) -> anyhow::Result<bool> {
        let holder = self.auth.issue(
            "client",
            Role::Holder,
            Some(account.parse()?),
            chrono::Duration::hours(1),
        )?;
        let application: Value = self
            .client
            .post(format!("{}/v1/accounts/{account}/applications", self.base))
            .bearer_auth(holder)
            .json(&json!({"purpose": "verify", "method": "wechat_scan", "subject": subject}))
            .send()
            .await?
            .json()
            .await?;
        let id = application["id"].as_str().unwrap_or_default();
        let mut asserted = subject.clone();
        asserted["mainland_bank_card"] = json!(true);
        let body = json!({"session_ref": format!("wechat_{}", id.trim_start_matches("app_")),
            "outcome": "passed", "asserted_subject": asserted})
        .to_string();
        let signature = realname_http::signature::sign(
            &self.provider_secret,
            chrono::Utc::now().timestamp(),
            body.as_bytes(),
        );
        let decided: Value = self
            .client
            .post(format!("{}/v1/provider-events/wechat", self.base))
            .header("Signature", signature)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await?
            .json()
            .await?;
        Ok(decided["status"] == "approved")
    }
}

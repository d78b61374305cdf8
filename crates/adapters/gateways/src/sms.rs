//! SMS gateways: an HTTP JSON client and the sandbox twin that keeps the codes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use realname_domain::AccountId;
use realname_domain::phone_change::PhoneChangeId;
use realname_ports::{GatewayError, OtpMessage, SandboxSmsInbox, SmsSender};
use serde::Deserialize;

/// The sandbox twin: it sends nothing and keeps the last code per change for
/// `GET /v1/sandbox/sms?change_id=`. It never logs a code or a number.
#[derive(Debug, Default)]
pub struct SandboxSms {
    codes: Mutex<HashMap<PhoneChangeId, (AccountId, String)>>,
}

#[async_trait]
impl SmsSender for SandboxSms {
    async fn send_code(&self, message: &OtpMessage) -> Result<(), GatewayError> {
        let mut codes = self
            .codes
            .lock()
            .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("sms inbox poisoned")))?;
        codes.insert(
            message.change_id,
            (message.account_id, message.code.clone()),
        );
        tracing::info!(change.id = %message.change_id, "sandbox sms recorded");
        Ok(())
    }
}

impl SandboxSmsInbox for SandboxSms {
    fn code_for(&self, change: PhoneChangeId) -> Option<(AccountId, String)> {
        self.codes.lock().ok()?.get(&change).cloned()
    }
}

/// Settings of the HTTP SMS gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// The gateway's base URL; `POST {base_url}/v1/messages`.
    pub base_url: String,
    /// The whole request's timeout, in milliseconds.
    pub timeout_ms: u64,
    /// The message template the gateway fills with the code.
    pub template: String,
}

/// The HTTP SMS client: `POST {base_url}/v1/messages` with
/// `{"to": "+86…", "template": "…", "params": {"code": "123456"}}`; any 2xx is sent.
#[derive(Debug, Clone)]
pub struct HttpSms {
    client: reqwest::Client,
    base_url: String,
    template: String,
}

impl HttpSms {
    /// A client for these settings.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: &SmsSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .build()?;
        Ok(Self {
            client,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            template: settings.template.clone(),
        })
    }
}

#[async_trait]
impl SmsSender for HttpSms {
    async fn send_code(&self, message: &OtpMessage) -> Result<(), GatewayError> {
        let body = serde_json::json!({
            "to": format!("+86{}", message.phone.as_str()),
            "template": self.template,
            "params": {"code": message.code},
        });
        let response = self
            .client
            .post(format!("{}/v1/messages", self.base_url))
            .json(&body)
            .send()
            .await
            .map_err(crate::transport_error)?;
        crate::answered(&response, "sms gateway")
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::identifiers::Phone;

    use super::*;

    #[tokio::test]
    async fn the_sandbox_keeps_the_last_code_per_change() {
        let sms = SandboxSms::default();
        let change = PhoneChangeId::new();
        let account = AccountId::new();
        let message = OtpMessage {
            change_id: change,
            account_id: account,
            phone: Phone::parse("13912345678").unwrap(),
            code: "123456".into(),
        };
        sms.send_code(&message).await.unwrap();
        assert_eq!(sms.code_for(change), Some((account, "123456".to_owned())));
        assert_eq!(sms.code_for(PhoneChangeId::new()), None);
        assert!(
            !format!("{message:?}").contains("123456"),
            "Debug hides the code"
        );
    }
}

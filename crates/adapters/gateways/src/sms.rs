//! SMS gateways: an HTTP JSON client and the sandbox twin that keeps the codes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use realname_domain::AccountId;
use realname_domain::identifiers::Phone;
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::phone_change::PhoneChangeId;
use realname_ports::{GatewayError, HolderNotifier, OtpMessage, SandboxSmsInbox, SmsSender};
use serde::{Deserialize, Serialize};

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

/// Settings of the SMS gateway: `provider` is `http` (the JSON gateway below) or `tencent`
/// (Tencent Cloud SMS, [`TencentSms`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// `http` or `tencent`.
    pub provider: SmsProvider,
    /// The HTTP gateway's base URL; `POST {base_url}/v1/messages`.
    pub base_url: String,
    /// The whole request's timeout, in milliseconds.
    pub timeout_ms: u64,
    /// The message template the HTTP gateway fills with the code.
    pub template: String,
    /// Tencent Cloud SMS.
    pub tencent: TencentSmsSettings,
}

/// Which SMS gateway sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    /// The HTTP JSON gateway.
    Http,
    /// Tencent Cloud SMS (`SendSms`, version `2021-01-11`).
    Tencent,
}

/// Settings of Tencent Cloud SMS (`sms.tencent.*`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentSmsSettings {
    /// `https://sms.tencentcloudapi.com`, or a loopback fake.
    pub endpoint: String,
    /// Sent as `X-TC-Region`; SendSms requires it.
    pub region: String,
    /// The API key's id.
    pub secret_id: String,
    /// The API key's secret; never shown in `Debug`.
    pub secret_key: String,
    /// `SmsSdkAppId`.
    pub sdk_app_id: String,
    /// `SignName`.
    pub sign_name: String,
    /// The one-time code: params code and validity in minutes (R19).
    pub template_otp: String,
    /// R17's warning: param the effective date.
    pub template_revocation_notice: String,
    /// R17's revocation.
    pub template_revoked: String,
    /// To the old number when a phone change or a recovery rebinds the account (R19, R14).
    pub template_phone_changed: String,
    /// R14's freeze.
    pub template_account_frozen: String,
}

impl std::fmt::Debug for TencentSmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentSmsSettings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"[redacted]")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .finish_non_exhaustive()
    }
}

/// Tencent Cloud SMS: `SendSms` (service `sms`, version `2021-01-11`) through the TC3-signed
/// client. A `SendStatusSet[].Code` other than `Ok` is a failure.
#[derive(Debug)]
pub struct TencentSms {
    client: crate::tencent::TencentClient,
    sdk_app_id: String,
    sign_name: String,
    templates: TencentSmsSettings,
}

impl TencentSms {
    /// A sender for these settings.
    ///
    /// # Errors
    /// When the endpoint has no host or the HTTP client cannot be built.
    pub fn new(settings: &SmsSettings) -> anyhow::Result<Self> {
        let tencent = &settings.tencent;
        let client = crate::tencent::TencentClient::new(
            &tencent.endpoint,
            "sms",
            "2021-01-11",
            Some(&tencent.region),
            crate::tencent::Credentials::new(&tencent.secret_id, &tencent.secret_key),
            Duration::from_millis(settings.timeout_ms),
        )?;
        Ok(Self {
            client,
            sdk_app_id: tencent.sdk_app_id.clone(),
            sign_name: tencent.sign_name.clone(),
            templates: tencent.clone(),
        })
    }

    /// `SendSms` of one template to one number; a status other than `Ok` is a failure.
    async fn send(
        &self,
        phone: &Phone,
        template_id: &str,
        params: Vec<String>,
    ) -> Result<(), GatewayError> {
        let request = SendSms {
            phone_number_set: [format!("+86{}", phone.as_str())],
            sms_sdk_app_id: &self.sdk_app_id,
            sign_name: &self.sign_name,
            template_id,
            template_param_set: params,
        };
        let answer: SendSmsAnswer = self
            .client
            .call("SendSms", &request)
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        match answer.send_status_set.first() {
            Some(status) if status.code == "Ok" => Ok(()),
            Some(status) => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "Tencent Cloud SMS did not send: {}",
                status.code
            ))),
            None => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "Tencent Cloud SMS answered no send status"
            ))),
        }
    }
}

/// A notice's template parameters: the date, in China Standard Time, for a scheduled
/// revocation; nothing otherwise (the templates name no person).
fn notice_params(notification: &Notification) -> Vec<String> {
    match (notification.kind, notification.at) {
        (NoticeKind::RevocationNotice, Some(at)) => {
            let china = chrono::FixedOffset::east_opt(8 * 3600)
                .unwrap_or_else(|| unreachable!("+08:00 is a valid offset"));
            vec![at.with_timezone(&china).format("%Y-%m-%d").to_string()]
        }
        _ => Vec::new(),
    }
}

#[async_trait]
impl HolderNotifier for TencentSms {
    async fn notify_holder(
        &self,
        phone: &Phone,
        notification: &Notification,
    ) -> Result<(), GatewayError> {
        let t = &self.templates;
        let template = match notification.kind {
            NoticeKind::RevocationNotice => &t.template_revocation_notice,
            NoticeKind::Revoked => &t.template_revoked,
            NoticeKind::PhoneChanged => &t.template_phone_changed,
            NoticeKind::AccountFrozen => &t.template_account_frozen,
            NoticeKind::Overdue => {
                return Err(GatewayError::Unavailable(anyhow::anyhow!(
                    "support is told by e-mail"
                )));
            }
        };
        self.send(phone, template, notice_params(notification))
            .await
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSms<'a> {
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsAnswer {
    send_status_set: Vec<SendStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
}

#[async_trait]
impl SmsSender for TencentSms {
    async fn send_code(&self, message: &OtpMessage) -> Result<(), GatewayError> {
        let params = vec![message.code.clone(), message.valid_minutes.to_string()];
        self.send(&message.phone, &self.templates.template_otp, params)
            .await
    }
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

impl HttpSms {
    async fn send(
        &self,
        phone: &Phone,
        template: &str,
        params: serde_json::Value,
    ) -> Result<(), GatewayError> {
        let body = serde_json::json!({
            "to": format!("+86{}", phone.as_str()),
            "template": template,
            "params": params,
        });
        let post = async {
            let response = self
                .client
                .post(format!("{}/v1/messages", self.base_url))
                .json(&body)
                .send()
                .await
                .map_err(crate::transport_error)?;
            crate::answered(&response, "sms gateway")
        };
        crate::metered("sms", post, crate::is_timeout).await
    }
}

#[async_trait]
impl SmsSender for HttpSms {
    async fn send_code(&self, message: &OtpMessage) -> Result<(), GatewayError> {
        let params = serde_json::json!({"code": message.code});
        self.send(&message.phone, &self.template, params).await
    }
}

#[async_trait]
impl HolderNotifier for HttpSms {
    /// `template` is the notice's name (`revocation_notice`, `revoked`, `phone_changed`,
    /// `account_frozen`); a revocation notice carries `params.date`.
    async fn notify_holder(
        &self,
        phone: &Phone,
        notification: &Notification,
    ) -> Result<(), GatewayError> {
        let params = match notice_params(notification).pop() {
            Some(date) => serde_json::json!({ "date": date }),
            None => serde_json::json!({}),
        };
        self.send(phone, notification.kind.as_str(), params).await
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::identifiers::Phone;

    use super::*;

    fn tencent_settings(endpoint: &str) -> SmsSettings {
        SmsSettings {
            provider: SmsProvider::Tencent,
            base_url: String::new(),
            timeout_ms: 2000,
            template: String::new(),
            tencent: TencentSmsSettings {
                endpoint: endpoint.to_owned(),
                region: "ap-guangzhou".into(),
                secret_id: "AKIDsms".into(),
                secret_key: "sms-secret-key-material".into(),
                sdk_app_id: "1400000001".into(),
                sign_name: "示例".into(),
                template_otp: "100001".into(),
                template_revocation_notice: "100002".into(),
                template_revoked: "100003".into(),
                template_phone_changed: "100004".into(),
                template_account_frozen: "100005".into(),
            },
        }
    }

    fn otp() -> OtpMessage {
        OtpMessage {
            change_id: PhoneChangeId::new(),
            account_id: AccountId::new(),
            phone: Phone::parse("13912345678").unwrap(),
            code: "654321".into(),
            valid_minutes: 10,
        }
    }

    #[tokio::test]
    async fn tencent_sms_sends_the_code_with_the_otp_template_in_the_configured_region() {
        use serde_json::{Value, json};
        let sent = json!({"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success", "PhoneNumber": "+8613912345678"}], "RequestId": "r"}});
        let (endpoint, seen) = crate::tencent::testing::fake(vec![(200, sent)]).await;
        let settings = tencent_settings(&endpoint);
        assert!(!format!("{settings:?}").contains("sms-secret-key-material"));
        let sms = TencentSms::new(&settings).unwrap();
        sms.send_code(&otp()).await.unwrap();
        let seen = seen.lock().unwrap()[0].clone();
        assert_eq!(seen.header("X-TC-Action"), Some("SendSms"));
        assert_eq!(seen.header("X-TC-Version"), Some("2021-01-11"));
        assert_eq!(seen.header("X-TC-Region"), Some("ap-guangzhou"));
        assert!(
            seen.header("Authorization")
                .unwrap()
                .contains("/sms/tc3_request")
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&seen.body).unwrap(),
            json!({"PhoneNumberSet": ["+8613912345678"], "SmsSdkAppId": "1400000001",
                   "SignName": "示例", "TemplateId": "100001",
                   "TemplateParamSet": ["654321", "10"]})
        );
    }

    #[tokio::test]
    async fn a_send_status_other_than_ok_is_a_failure() {
        use serde_json::json;
        let refused = json!({"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "limit"}], "RequestId": "r"}});
        let (endpoint, _) = crate::tencent::testing::fake(vec![(200, refused)]).await;
        let sms = TencentSms::new(&tencent_settings(&endpoint)).unwrap();
        let err = sms.send_code(&otp()).await.unwrap_err();
        assert!(
            err.to_string().contains("did not send")
                || format!("{err:?}").contains("PhoneNumberDailyLimit"),
            "{err:?}"
        );
        let (endpoint, _) = crate::tencent::testing::fake(vec![(
            200,
            json!({"Response": {"SendStatusSet": [], "RequestId": "r"}}),
        )])
        .await;
        let sms = TencentSms::new(&tencent_settings(&endpoint)).unwrap();
        assert!(sms.send_code(&otp()).await.is_err());
    }

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
            valid_minutes: 10,
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

//! Outbound gateways and their sandbox twins. The sandbox twins are real implementations of the
//! same ports with deterministic, documented behaviour, for development and tests.
//!
//! This crate knows the ports and the domain; it decides no rule.

mod bridge;
mod faceid;
mod pacing;
mod registry;
mod sandbox_provider;
mod sms;
mod smtp;
mod support;
mod tencent;
mod webhook;

pub use bridge::{Bridge, BridgeConfig, RoutedProviders};
pub use faceid::{
    DetectRequest, DetectSession, FaceId, FaceIdRules, VERSION as FACEID_VERSION,
    Verdict as FaceIdVerdict, verdict_of,
};
pub use pacing::{Pacer, RateLimitedRegistry};
pub use registry::{HttpRegistry, RegistrySettings, SANDBOX_SNAPSHOT, SandboxRegistry};
pub use sandbox_provider::SandboxProviders;
pub use sms::{HttpSms, SandboxSms, SmsProvider, SmsSettings, TencentSms, TencentSmsSettings};
pub use smtp::SmtpSupport;
pub use support::{RECORDED, Recorded as RecordedNotification, RecordingNotifier};
pub use tencent::{Call, Credentials, TencentClient, TencentError, authorization};
pub use webhook::{HttpWebhookSender, signature};

/// An unguessable session reference (122 random bits), for providers whose URLs name it: never
/// derived from the application or proof it belongs to.
pub(crate) fn random_ref() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `Ok` for a 2xx answer; any other status means `peer` is unavailable.
pub(crate) fn answered(
    response: &reqwest::Response,
    peer: &str,
) -> Result<(), realname_ports::GatewayError> {
    if response.status().is_success() {
        Ok(())
    } else {
        Err(realname_ports::GatewayError::Unavailable(anyhow::anyhow!(
            "{peer} answered {}",
            response.status().as_u16()
        )))
    }
}

/// A transport error as the ports see it: a timeout, or the gateway being unavailable. The
/// underlying error is kept as the cause without its URL, which may carry an identifier (a
/// USCC in a registry path), so no log line shows one.
pub(crate) fn transport_error(error: reqwest::Error) -> realname_ports::GatewayError {
    if error.is_timeout() {
        realname_ports::GatewayError::Timeout
    } else {
        realname_ports::GatewayError::Unavailable(error.without_url().into())
    }
}

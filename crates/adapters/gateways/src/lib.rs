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
pub use webhook::{HttpWebhookSender, signature, signatures};

/// Runs one outbound call and records `realname_gateway_requests_total{gateway, outcome}`
/// (`ok`, `timeout` or `error`) and `realname_gateway_request_duration_seconds{gateway}`.
pub(crate) async fn metered<T, E>(
    gateway: &'static str,
    call: impl std::future::Future<Output = Result<T, E>>,
    timed_out: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let started = std::time::Instant::now();
    let result = call.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) if timed_out(e) => "timeout",
        Err(_) => "error",
    };
    metrics::counter!("realname_gateway_requests_total", "gateway" => gateway, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("realname_gateway_request_duration_seconds", "gateway" => gateway)
        .record(started.elapsed().as_secs_f64());
    result
}

/// Whether a port error is a timeout.
pub(crate) const fn is_timeout(error: &realname_ports::GatewayError) -> bool {
    matches!(error, realname_ports::GatewayError::Timeout)
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn each_outbound_call_is_counted_by_gateway_and_outcome() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            futures::executor::block_on(async {
                let ok: Result<(), realname_ports::GatewayError> = Ok(());
                super::metered("registry", async { ok }, super::is_timeout)
                    .await
                    .unwrap();
                let late: Result<(), _> = Err(realname_ports::GatewayError::Timeout);
                let _ = super::metered("sms", async { late }, super::is_timeout).await;
            });
        });
        let text = handle.render();
        assert!(
            text.contains(r#"realname_gateway_requests_total{gateway="registry",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"realname_gateway_requests_total{gateway="sms",outcome="timeout"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("realname_gateway_request_duration_seconds"),
            "{text}"
        );
    }
}

//! Inbound provider signatures: `Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
//! 300 s tolerance, and up to two active secrets during a rotation (API.md). Each provider has
//! its own secrets, so a signature valid for one provider fails at another's endpoint.

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use realname_domain::ProviderName;

use crate::error::{ApiError, ErrorCode};

/// The `Signature` header as the signed operations document it.
#[derive(utoipa::IntoParams)]
#[into_params(names("Signature"), parameter_in = Header)]
#[allow(dead_code)] // a documentation type: [`SignatureSettings::verify`] reads the header
pub struct SignatureHeader(
    /// `t=<unix seconds>,v1=<hex HMAC-SHA256 of t + "." + body>` under the provider's secret.
    String,
);

/// Provider signing settings.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureSettings {
    /// Each provider's active secrets (`providers.secrets.<provider>`).
    pub secrets: ProviderSecrets,
    /// The tolerance for the timestamp, in seconds.
    pub tolerance_secs: i64,
}

/// Each provider's active secrets, comma-separated: one, or two during a rotation.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSecrets {
    /// WeChat scans.
    pub wechat: SecretString,
    /// QQ scans.
    pub qq: SecretString,
    /// The WeChat Public Platform.
    pub wechat_mp: SecretString,
    /// Face recognition.
    pub face: SecretString,
    /// Payment credits.
    pub payments: SecretString,
}

impl ProviderSecrets {
    /// The secrets of one provider.
    #[must_use]
    pub const fn of(&self, provider: ProviderName) -> &SecretString {
        match provider {
            ProviderName::Wechat => &self.wechat,
            ProviderName::Qq => &self.qq,
            ProviderName::WechatMp => &self.wechat_mp,
            ProviderName::Face => &self.face,
            ProviderName::Payments => &self.payments,
        }
    }

    /// Every provider's secrets, with its settings key.
    #[must_use]
    pub fn all(&self) -> [(&'static str, &SecretString); 5] {
        [
            ("providers.secrets.wechat", &self.wechat),
            ("providers.secrets.qq", &self.qq),
            ("providers.secrets.wechat_mp", &self.wechat_mp),
            ("providers.secrets.face", &self.face),
            ("providers.secrets.payments", &self.payments),
        ]
    }
}

impl fmt::Debug for SignatureSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureSettings")
            .field("secrets", &"[redacted]")
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

impl SignatureSettings {
    /// Checks a `Signature` header over the raw body at `now` (unix seconds), under the
    /// secrets of `provider`.
    ///
    /// # Errors
    /// [`ErrorCode::InvalidSignature`] for a missing, malformed or wrong signature;
    /// [`ErrorCode::SignatureExpired`] for a timestamp outside the tolerance.
    pub fn verify(
        &self,
        provider: ProviderName,
        header: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), ApiError> {
        let invalid = || ApiError::new(ErrorCode::InvalidSignature);
        let header = header.ok_or_else(invalid)?;
        // The cheap checks come first, so a stuffed header costs no more than a plain bad one:
        // a timestamp within the tolerance, then at most two candidates of exactly 32 bytes.
        let mut timestamp = None;
        let mut candidates: Vec<[u8; 32]> = Vec::with_capacity(MAX_CANDIDATES);
        for part in header.split(',').map(str::trim) {
            match part.split_once('=') {
                Some(("t", t)) if timestamp.is_none() => timestamp = t.parse::<i64>().ok(),
                Some(("v1", sig)) => {
                    if candidates.len() == MAX_CANDIDATES || sig.len() != 64 {
                        return Err(invalid());
                    }
                    let mut candidate = [0u8; 32];
                    hex::decode_to_slice(sig, &mut candidate).map_err(|_| invalid())?;
                    candidates.push(candidate);
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or_else(invalid)?;
        if now.abs_diff(timestamp) > self.tolerance_secs.unsigned_abs() {
            return Err(ApiError::new(ErrorCode::SignatureExpired));
        }
        if candidates.is_empty() {
            return Err(invalid());
        }
        // Each secret's MAC once, then constant-time comparisons.
        let tags: Vec<_> = self
            .secrets
            .of(provider)
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(|secret| mac(&SecretString::from(secret), timestamp, body))
            .map(|m| m.finalize().into_bytes())
            .collect();
        let matches = tags.iter().any(|tag| {
            candidates
                .iter()
                .any(|candidate| bool::from(tag.as_slice().ct_eq(candidate)))
        });
        if !matches {
            return Err(invalid());
        }
        Ok(())
    }
}

/// How many `v1=` signatures a header may carry: one per active secret during a rotation.
pub const MAX_CANDIDATES: usize = 2;

fn mac(secret: &SecretString, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    // HMAC accepts keys of any length; `None` cannot happen in practice.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// Computes a `Signature` header value, for the sandbox walkthrough and tests.
#[must_use]
pub fn sign(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).map(|m| hex::encode(m.finalize().into_bytes()));
    format!("t={timestamp},v1={}", digest.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WECHAT: ProviderName = ProviderName::Wechat;

    fn settings() -> SignatureSettings {
        SignatureSettings {
            secrets: ProviderSecrets {
                wechat: "new-secret, old-secret".into(),
                qq: "qq-secret".into(),
                wechat_mp: "mp-secret".into(),
                face: "face-secret".into(),
                payments: "payments-secret".into(),
            },
            tolerance_secs: 300,
        }
    }

    /// Found writing the `signature` fuzz target's invariant: `now - t` overflowed (a panic in a build with
    /// overflow checks) for a timestamp near `i64::MIN`.
    #[test]
    fn an_extreme_timestamp_is_expired_not_a_panic() {
        let v1 = "0".repeat(64);
        for t in [i64::MIN, i64::MIN + 1, i64::MAX] {
            let header = format!("t={t},v1={v1}");
            let err = settings()
                .verify(WECHAT, Some(&header), b"{}", 1_000)
                .unwrap_err();
            assert_eq!(err.code(), ErrorCode::SignatureExpired);
        }
    }

    #[test]
    fn a_signature_valid_for_one_provider_fails_at_anothers_endpoint() {
        let body = br#"{"session_ref":"x"}"#;
        let header = sign(&"face-secret".into(), 1_000, body);
        assert!(
            settings()
                .verify(ProviderName::Face, Some(&header), body, 1_000)
                .is_ok()
        );
        for other in [
            WECHAT,
            ProviderName::Qq,
            ProviderName::WechatMp,
            ProviderName::Payments,
        ] {
            assert_eq!(
                settings()
                    .verify(other, Some(&header), body, 1_000)
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidSignature,
                "{other:?}"
            );
        }
    }

    #[test]
    fn a_signature_under_either_active_secret_is_accepted() {
        let body = br#"{"session_ref":"x"}"#;
        for secret in ["new-secret", "old-secret"] {
            let header = sign(&secret.into(), 1_000, body);
            assert!(
                settings()
                    .verify(WECHAT, Some(&header), body, 1_100)
                    .is_ok()
            );
        }
    }

    #[test]
    fn a_wrong_secret_or_altered_body_is_refused() {
        let body = br#"{"session_ref":"x"}"#;
        let header = sign(&"other".into(), 1_000, body);
        assert_eq!(
            settings()
                .verify(WECHAT, Some(&header), body, 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        let header = sign(&"new-secret".into(), 1_000, body);
        assert_eq!(
            settings()
                .verify(WECHAT, Some(&header), b"{}", 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        assert_eq!(
            settings()
                .verify(WECHAT, None, body, 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
    }

    #[test]
    fn a_timestamp_older_than_300_seconds_is_stale() {
        let body = b"{}";
        let header = sign(&"new-secret".into(), 1_000, body);
        assert!(
            settings()
                .verify(WECHAT, Some(&header), body, 1_300)
                .is_ok()
        );
        assert_eq!(
            settings()
                .verify(WECHAT, Some(&header), body, 1_301)
                .unwrap_err()
                .code(),
            ErrorCode::SignatureExpired
        );
    }

    #[test]
    fn a_stuffed_header_is_refused_before_any_mac_is_computed() {
        // The attack: 1,500 candidates beside a 60 KB body.
        let body = vec![b'x'; 60_000];
        let good = sign(&"new-secret".into(), 1_000, &body);
        let stuffed = format!("{good}{}", ",v1=00".repeat(1_500));
        let third = format!("{good},v1={},v1={}", "a".repeat(64), "b".repeat(64));
        let short = "t=1000,v1=abcd".to_owned();
        for header in [stuffed, third, short] {
            assert_eq!(
                settings()
                    .verify(WECHAT, Some(&header), &body, 1_000)
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidSignature
            );
        }
        let two = format!("{good},v1={}", "c".repeat(64));
        assert!(settings().verify(WECHAT, Some(&two), &body, 1_000).is_ok());
    }

    #[test]
    fn the_timestamp_is_checked_first() {
        let body = br#"{"session_ref":"x"}"#;
        let stale = format!("t=1,v1={}", "0".repeat(64));
        assert_eq!(
            settings()
                .verify(WECHAT, Some(&stale), body, 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::SignatureExpired,
            "no MAC for a stale header"
        );
    }
}

//! Inbound provider signatures: `Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
//! 300 s tolerance, and up to two active secrets during a rotation (API.md).

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::{ApiError, ErrorCode};

/// Provider signing settings.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureSettings {
    /// The active secrets, comma-separated (one, or two during a rotation).
    pub secrets: SecretString,
    /// The tolerance for the timestamp, in seconds.
    pub tolerance_secs: i64,
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
    /// Checks a `Signature` header over the raw body at `now` (unix seconds).
    ///
    /// # Errors
    /// [`ErrorCode::InvalidSignature`] for a missing, malformed or wrong signature;
    /// [`ErrorCode::SignatureExpired`] for a timestamp outside the tolerance.
    pub fn verify(&self, header: Option<&str>, body: &[u8], now: i64) -> Result<(), ApiError> {
        let invalid = || ApiError::new(ErrorCode::InvalidSignature);
        let header = header.ok_or_else(invalid)?;
        let mut timestamp = None;
        let mut candidates = Vec::new();
        for part in header.split(',').map(str::trim) {
            match part.split_once('=') {
                Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
                Some(("v1", sig)) => candidates.extend(hex::decode(sig).ok()),
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or_else(invalid)?;
        let secrets: Vec<SecretString> = self
            .secrets
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(SecretString::from)
            .collect();
        let matches = secrets.iter().any(|secret| {
            candidates.iter().any(|candidate| {
                mac(secret, timestamp, body).is_some_and(|m| m.verify_slice(candidate).is_ok())
            })
        });
        if !matches {
            return Err(invalid());
        }
        if (now - timestamp).abs() > self.tolerance_secs {
            return Err(ApiError::new(ErrorCode::SignatureExpired));
        }
        Ok(())
    }
}

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

    fn settings() -> SignatureSettings {
        SignatureSettings {
            secrets: "new-secret, old-secret".into(),
            tolerance_secs: 300,
        }
    }

    #[test]
    fn a_signature_under_either_active_secret_is_accepted() {
        let body = br#"{"session_ref":"x"}"#;
        for secret in ["new-secret", "old-secret"] {
            let header = sign(&secret.into(), 1_000, body);
            assert!(settings().verify(Some(&header), body, 1_100).is_ok());
        }
    }

    #[test]
    fn a_wrong_secret_or_altered_body_is_refused() {
        let body = br#"{"session_ref":"x"}"#;
        let header = sign(&"other".into(), 1_000, body);
        assert_eq!(
            settings()
                .verify(Some(&header), body, 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        let header = sign(&"new-secret".into(), 1_000, body);
        assert_eq!(
            settings()
                .verify(Some(&header), b"{}", 1_000)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        assert_eq!(
            settings().verify(None, body, 1_000).unwrap_err().code(),
            ErrorCode::InvalidSignature
        );
    }

    #[test]
    fn a_timestamp_older_than_300_seconds_is_stale() {
        let body = b"{}";
        let header = sign(&"new-secret".into(), 1_000, body);
        assert!(settings().verify(Some(&header), body, 1_300).is_ok());
        assert_eq!(
            settings()
                .verify(Some(&header), body, 1_301)
                .unwrap_err()
                .code(),
            ErrorCode::SignatureExpired
        );
    }
}

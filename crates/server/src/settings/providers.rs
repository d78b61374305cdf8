//! `providers.*`: inbound signatures, the provider bridge for the scans, and Tencent Cloud FaceID.

use std::time::Duration;

use realname_gateways::{BridgeConfig, FaceIdRules};
use realname_http::{ProviderSecrets, SignatureSettings};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Every provider setting.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvidersSettings {
    /// Each provider's inbound signing secrets (SPEC §4).
    pub secrets: ProviderSecrets,
    /// The tolerance for an inbound signature's timestamp, in seconds.
    pub tolerance_secs: i64,
    /// The bridge that opens the scan methods' sessions.
    pub bridge: BridgeSettings,
    /// Tencent Cloud FaceID, for the face methods.
    pub faceid: FaceIdSettings,
}

impl std::fmt::Debug for ProvidersSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvidersSettings")
            .field("tolerance_secs", &self.tolerance_secs)
            .field("bridge", &self.bridge)
            .field("faceid", &self.faceid)
            .finish_non_exhaustive()
    }
}

/// `providers.bridge.*`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeSettings {
    /// The bridge's base URL; it has no default.
    pub base_url: Option<String>,
    /// What realname signs its session requests with.
    pub secret: SecretString,
    /// Per request.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for BridgeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeSettings")
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// `providers.faceid.*`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceIdSettings {
    /// The API endpoint.
    pub endpoint: String,
    /// The API key's id.
    pub secret_id: String,
    /// The API key.
    pub secret_key: SecretString,
    /// The FaceID rule of `face_recognition`.
    pub rule_id_face_recognition: String,
    /// The FaceID rule of `legal_person_face_recognition`.
    pub rule_id_legal_person_face_recognition: String,
    /// Seconds between polls of the open sessions (R5).
    pub poll_interval_secs: u64,
    /// Per request.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for FaceIdSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceIdSettings")
            .field("endpoint", &self.endpoint)
            .field("secret_id", &self.secret_id)
            .field("rule_id_face_recognition", &self.rule_id_face_recognition)
            .field(
                "rule_id_legal_person_face_recognition",
                &self.rule_id_legal_person_face_recognition,
            )
            .field("poll_interval_secs", &self.poll_interval_secs)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

impl ProvidersSettings {
    /// What the HTTP adapter verifies inbound signatures with.
    #[must_use]
    pub fn signatures(&self) -> SignatureSettings {
        SignatureSettings {
            secrets: self.secrets.clone(),
            tolerance_secs: self.tolerance_secs,
        }
    }

    /// The bridge client's configuration; `None` without a base URL.
    #[must_use]
    pub fn bridge(&self, public_base_url: &str) -> Option<BridgeConfig> {
        Some(BridgeConfig {
            base_url: self.bridge.base_url.clone()?,
            secret: realname_domain::webhook::WebhookSecret::from_stored(
                self.bridge.secret.expose_secret().to_owned(),
            ),
            public_base_url: public_base_url.to_owned(),
            timeout: Duration::from_millis(self.bridge.timeout_ms),
        })
    }

    /// The FaceID rules and return URL.
    #[must_use]
    pub fn faceid_rules(&self, public_base_url: &str) -> FaceIdRules {
        FaceIdRules {
            face_recognition: self.faceid.rule_id_face_recognition.clone(),
            legal_person_face_recognition: self
                .faceid
                .rule_id_legal_person_face_recognition
                .clone(),
            public_base_url: public_base_url.to_owned(),
        }
    }
}

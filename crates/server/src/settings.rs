//! Configuration: compiled-in defaults, then an optional file, then `REALNAME__SECTION__KEY`
//! environment variables. Loaded once in `main` and passed down.

use std::path::Path;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use realname_domain::Policy;
use realname_gateways::{RegistrySettings, SmsSettings};
use realname_http::{AuthSettings, HttpSettings};
use realname_postgres::{CryptoSettings, DatabaseSettings};
use realname_scheduler::SchedulerSettings;
use secrecy::ExposeSecret;
use serde::Deserialize;

mod notifications;
mod providers;

pub use notifications::{NotificationSettings, SupportMailSettings};
pub use providers::{BridgeSettings, FaceIdSettings, ProvidersSettings};

const DEFAULTS: &str = include_str!("defaults.toml");

/// Development or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Development: sandbox and development keys allowed.
    Development,
    /// Production: both refused.
    Production,
}

/// The sandbox twins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    /// Whether the service is its own provider (`/v1/sandbox/...`).
    pub enabled: bool,
    /// The base URL of sandbox session pages.
    pub base_url: String,
}

/// Log output.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// `pretty` or `json`.
    pub format: LogFormat,
    /// An `EnvFilter` directive, e.g. `info`.
    pub filter: String,
    /// Where `/metrics` is served: its own listener, never the public port.
    pub metrics_listen: String,
}

/// The log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The enterprise re-check (R17).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecheckConfig {
    /// Every verified enterprise is due once per this many days.
    pub interval_days: i64,
    /// Days from notice to revocation.
    pub notice_period_days: i64,
    /// The first retry after a registry error, in minutes; doubled per failure.
    pub retry_base_minutes: i64,
    /// The longest wait between retries, in hours.
    pub retry_max_hours: i64,
    /// Enterprises claimed at a time.
    pub batch: u32,
    /// Registry calls in flight at a time.
    pub concurrency: usize,
    /// Registry calls per second at most (0: unlimited).
    pub rate_per_second: f64,
    /// Batches in progress at a time in one process.
    pub lanes: usize,
}

impl RecheckConfig {
    /// The use case's settings, with the scheduler's lease.
    #[must_use]
    pub fn settings(
        &self,
        lease: chrono::Duration,
    ) -> realname_application::recheck::RecheckSettings {
        realname_application::recheck::RecheckSettings {
            policy: realname_domain::recheck::RecheckPolicy {
                interval: chrono::Duration::days(self.interval_days),
                notice_period: chrono::Duration::days(self.notice_period_days),
                retry_base: chrono::Duration::minutes(self.retry_base_minutes),
                retry_max: chrono::Duration::hours(self.retry_max_hours),
            },
            lease,
            batch: self.batch.max(1),
            concurrency: self.concurrency.max(1),
            lanes: self.lanes.max(1),
        }
    }
}

/// Webhook delivery (SPEC §6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A post's timeout, in milliseconds.
    pub timeout_ms: u64,
    /// Events read, and deliveries claimed, per tick.
    pub batch: u32,
    /// Posts in flight at a time.
    pub concurrency: usize,
    /// The wait after the first failure, in seconds; doubled per failure.
    pub first_retry_secs: i64,
    /// The longest wait between attempts, in seconds.
    pub max_wait_secs: i64,
    /// Hours of retries before a delivery is marked failed (at least 72: SPEC §6).
    pub give_up_after_hours: i64,
    /// Hours during which the secret replaced by a rotation still signs deliveries.
    pub rotation_overlap_hours: i64,
}

impl WebhookConfig {
    /// How long a replaced secret still signs (never negative).
    #[must_use]
    pub fn rotation_overlap(&self) -> chrono::Duration {
        chrono::Duration::hours(self.rotation_overlap_hours.max(0))
    }

    /// The use case's settings, with the scheduler's lease.
    #[must_use]
    pub fn settings(
        &self,
        lease: chrono::Duration,
    ) -> realname_application::events::DeliverySettings {
        realname_application::events::DeliverySettings {
            policy: realname_domain::webhook::DeliveryPolicy {
                first_retry: chrono::Duration::seconds(self.first_retry_secs.max(1)),
                max_wait: chrono::Duration::seconds(self.max_wait_secs.max(1)),
                give_up_after: chrono::Duration::hours(self.give_up_after_hours.max(72)),
            },
            lease,
            batch: self.batch.max(1),
            concurrency: self.concurrency.max(1),
        }
    }
}

/// `identity.*`: identity proofs (R14, R15).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    /// How long a passed proof, and the account references it gave, stay usable.
    pub proof_ttl_secs: i64,
}

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Development or production.
    pub mode: Mode,
    /// PostgreSQL.
    pub database: DatabaseSettings,
    /// The listener.
    pub http: HttpSettings,
    /// Bearer tokens.
    pub auth: AuthSettings,
    /// The verification providers: inbound signatures, the bridge, FaceID.
    pub providers: ProvidersSettings,
    /// Encryption at rest.
    pub crypto: CryptoSettings,
    /// The sandbox twins.
    pub sandbox: SandboxSettings,
    /// Rule limits.
    pub policy: Policy,
    /// Periodic jobs.
    pub scheduler: SchedulerSettings,
    /// The enterprise re-check (R17).
    pub recheck: RecheckConfig,
    /// Webhook delivery (SPEC §6).
    pub webhooks: WebhookConfig,
    /// The capability cache (R12).
    pub capabilities: realname_postgres::CapabilityCacheSettings,
    /// Rate limits (API.md).
    pub rate_limit: realname_http::ratelimit::RateLimitSettings,
    /// The business registry (HTTP outside sandbox mode).
    pub registry: RegistrySettings,
    /// The SMS gateway (HTTP outside sandbox mode).
    pub sms: SmsSettings,
    /// Durable notifications: holders by SMS, support by e-mail.
    pub notifications: NotificationSettings,
    /// Identity proofs (R14, R15).
    pub identity: IdentitySettings,
    /// Logs.
    pub telemetry: TelemetrySettings,
}

impl Settings {
    /// The rules' values: `policy.*`, with the proof validity from `identity.proof_ttl_secs`.
    #[must_use]
    pub fn rules(&self) -> Policy {
        Policy {
            proof_ttl_secs: self.identity.proof_ttl_secs,
            ..self.policy.clone()
        }
    }

    /// `http.public_base_url`, or, where it is unset (never in production mode), the listen
    /// address.
    #[must_use]
    pub fn public_base_url(&self) -> String {
        self.http
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.http.listen))
    }

    /// Loads the settings. Values are never parsed by guessing (a secret `"0123"` stays a string).
    ///
    /// # Errors
    /// When a source cannot be read or a value does not fit.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::load_with_environment(file, None)
    }

    /// Loads the settings with `environment` in place of the process's variables (`None`: the
    /// process's).
    ///
    /// # Errors
    /// When a source cannot be read or a value does not fit.
    pub fn load_with_environment(
        file: Option<&Path>,
        environment: Option<config::Map<String, String>>,
    ) -> anyhow::Result<Self> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(file) = file {
            builder = builder.add_source(File::from(file).required(true));
        }
        let env = Environment::with_prefix("REALNAME")
            .prefix_separator("__")
            .separator("__")
            .source(environment);
        let config = builder.add_source(env).build()?;
        refuse_single_provider_secret(&config)?;
        let settings: Self = config.try_deserialize().context("invalid configuration")?;
        let problems = settings.policy.problems();
        anyhow::ensure!(
            problems.is_empty(),
            "invalid configuration: {}",
            problems.join("; ")
        );
        settings.check_mode()?;
        Ok(settings)
    }

    /// In production, refuses development keys and the sandbox.
    ///
    /// # Errors
    /// Naming what is not allowed (never its value).
    pub fn check_mode(&self) -> anyhow::Result<()> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        let defaults: Self = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        let mut refused = Vec::new();
        if self.sandbox.enabled {
            refused.push("sandbox.enabled");
        }
        let same = |a: &secrecy::SecretString, b: &secrecy::SecretString| {
            a.expose_secret() == b.expose_secret()
        };
        // With the identity provider's public keys, no signing key need be set at all; one that
        // is set must still be strong.
        let signing_key_unset =
            self.auth.signing_key.expose_secret().is_empty() && !self.auth.public_keys.is_empty();
        if !signing_key_unset && same(&self.auth.signing_key, &defaults.auth.signing_key) {
            refused.push("auth.signing_key");
        }
        // Each data key, not only the whole list: a development key kept beside a real one
        // would still decrypt (and, active, encrypt) personal data. Their decoded length is
        // checked by the key ring in every mode (AES-256 takes exactly 32 bytes).
        let default_keys: Vec<String> = entries(&defaults.crypto.data_keys);
        if entries(&self.crypto.data_keys)
            .iter()
            .any(|entry| default_keys.contains(entry))
        {
            refused.push("crypto.data_keys");
        }
        if same(&self.crypto.subject_key, &defaults.crypto.subject_key) {
            refused.push("crypto.subject_key");
        }
        // A secret shorter than 32 bytes, or one that holds a compiled-in default in its list.
        let weak = |secret: &secrecy::SecretString, default: &secrecy::SecretString| {
            let defaults: Vec<&str> = default.expose_secret().split(',').map(str::trim).collect();
            let parts: Vec<&str> = secret
                .expose_secret()
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            parts.is_empty() || parts.iter().any(|p| p.len() < 32 || defaults.contains(p))
        };
        let provider_secrets = self
            .providers
            .secrets
            .all()
            .into_iter()
            .zip(defaults.providers.secrets.all())
            .map(|((key, secret), (_, default))| (key, secret, default));
        for (key, secret, default) in [
            (
                "auth.signing_key",
                &self.auth.signing_key,
                &defaults.auth.signing_key,
            ),
            (
                "crypto.subject_key",
                &self.crypto.subject_key,
                &defaults.crypto.subject_key,
            ),
            (
                "crypto.otp_key",
                &self.crypto.otp_key,
                &defaults.crypto.otp_key,
            ),
            (
                "providers.bridge.secret",
                &self.providers.bridge.secret,
                &defaults.providers.bridge.secret,
            ),
            (
                "providers.faceid.secret_key",
                &self.providers.faceid.secret_key,
                &defaults.providers.faceid.secret_key,
            ),
        ]
        .into_iter()
        .chain(provider_secrets)
        {
            if key == "auth.signing_key" && signing_key_unset {
                continue;
            }
            if weak(secret, default) && !refused.contains(&key) {
                refused.push(key);
            }
        }
        // Providers return holders and post results under the public address.
        if self
            .http
            .public_base_url
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
        {
            refused.push("http.public_base_url");
        }
        if self
            .providers
            .bridge
            .base_url
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
        {
            refused.push("providers.bridge.base_url");
        }
        let faceid = &self.providers.faceid;
        for (key, value) in [
            ("providers.faceid.secret_id", &faceid.secret_id),
            (
                "providers.faceid.rule_id_face_recognition",
                &faceid.rule_id_face_recognition,
            ),
            (
                "providers.faceid.rule_id_legal_person_face_recognition",
                &faceid.rule_id_legal_person_face_recognition,
            ),
        ] {
            if value.trim().is_empty() {
                refused.push(key);
            }
        }
        let support = &self.notifications.support;
        if support
            .smtp_url
            .as_ref()
            .is_none_or(|u| u.expose_secret().trim().is_empty())
        {
            refused.push("notifications.support.smtp_url");
        }
        for (key, value) in [
            ("notifications.support.from", &support.from),
            ("notifications.support.to", &support.to),
        ] {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                refused.push(key);
            }
        }
        if self.registry.sandbox_snapshot.is_some() {
            refused.push("registry.sandbox_snapshot");
        }
        // A gateway still at its compiled-in address is a development sidecar, not the real one.
        if self.registry.base_url == defaults.registry.base_url {
            refused.push("registry.base_url");
        }
        match self.sms.provider {
            realname_gateways::SmsProvider::Http => {
                if self.sms.base_url == defaults.sms.base_url {
                    refused.push("sms.base_url");
                }
            }
            realname_gateways::SmsProvider::Tencent => {
                if self.sms.tencent.secret_key.len() < 32 {
                    refused.push("sms.tencent.secret_key");
                }
                for (key, value) in [
                    ("sms.tencent.secret_id", &self.sms.tencent.secret_id),
                    ("sms.tencent.sdk_app_id", &self.sms.tencent.sdk_app_id),
                    ("sms.tencent.sign_name", &self.sms.tencent.sign_name),
                    ("sms.tencent.template_otp", &self.sms.tencent.template_otp),
                ] {
                    if value.trim().is_empty() {
                        refused.push(key);
                    }
                }
            }
        }
        if self.policy.international_site_url == defaults.policy.international_site_url {
            refused.push("policy.international_site_url");
        }
        if self.policy.payee_account == defaults.policy.payee_account {
            refused.push("policy.payee_account");
        }
        anyhow::ensure!(
            refused.is_empty(),
            "production mode refuses development settings: {}",
            refused.join(", ")
        );
        Ok(())
    }
}

/// The trimmed, non-empty entries of a comma-separated secret list.
fn entries(list: &secrecy::SecretString) -> Vec<String> {
    list.expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The one secret for every provider (`providers.secrets = "…"`) is gone: each provider has its
/// own. The raw value is only tested for being a string, so the error never echoes it.
fn refuse_single_provider_secret(config: &Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.get_string("providers.secrets").is_err(),
        "providers.secrets is no longer one string: set providers.secrets.wechat, \
         providers.secrets.qq, providers.secrets.wechat_mp, providers.secrets.face and \
         providers.secrets.payments (REALNAME__PROVIDERS__SECRETS__WECHAT, …)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_load_with_the_spec_policy() {
        let settings = Settings::load(None).unwrap();
        assert_eq!(settings.mode, Mode::Development);
        assert_eq!(settings.http.listen, "127.0.0.1:8080");
        assert_eq!(settings.policy, Policy::default());
        assert!(settings.sandbox.enabled);
        let recheck = settings.recheck.settings(chrono::Duration::minutes(5));
        assert_eq!(
            recheck.policy,
            realname_domain::recheck::RecheckPolicy::default()
        );
    }

    /// Issue 15, item 1: one variable overrides one duration; the rest of the table stays.
    #[test]
    fn one_environment_variable_overrides_one_method_duration() {
        use realname_domain::Method;
        let environment = [(
            "REALNAME__POLICY__METHOD_DURATIONS__CORPORATE_REMITTANCE__MAX_WORKING_DAYS".to_owned(),
            "7".to_owned(),
        )]
        .into_iter()
        .collect();
        let settings = Settings::load_with_environment(None, Some(environment)).unwrap();
        let remittance = settings.policy.method_info(Method::CorporateRemittance);
        assert_eq!(
            (
                remittance.typical_duration_working_days,
                remittance.max_duration_working_days
            ),
            (Some(3), Some(7))
        );
        let recharge = settings.policy.method_info(Method::CloudRecharge);
        assert_eq!(recharge.max_duration_working_days, Some(3));
        assert_eq!(
            settings
                .policy
                .method_info(Method::WechatScan)
                .max_duration_working_days,
            None,
            "instant methods have none"
        );

        let backwards = [(
            "REALNAME__POLICY__METHOD_DURATIONS__CLOUD_RECHARGE__TYPICAL_WORKING_DAYS".to_owned(),
            "9".to_owned(),
        )]
        .into_iter()
        .collect();
        let refused = Settings::load_with_environment(None, Some(backwards)).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("policy.method_durations.cloud_recharge"),
            "{refused}"
        );
    }

    #[test]
    fn the_deployment_examples_are_valid_settings() {
        let configmap = include_str!("../../../deploy/k8s/configmap.yaml");
        let embedded = configmap
            .split_once("realname.toml: |")
            .map(|(_, toml)| {
                toml.lines()
                    .map(|l| l.strip_prefix("    ").unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap();
        // The secret template's variables, as the Deployment injects them once an operator
        // filled in its placeholders (which production mode refuses, being short).
        let secrets: Vec<(String, String)> =
            include_str!("../../../deploy/k8s/secret.template.yaml")
                .lines()
                .filter_map(|l| l.trim().strip_prefix("REALNAME__"))
                .filter_map(|l| l.split_once(": "))
                .map(|(k, v)| {
                    let value = v.trim_matches('"');
                    let filled = if value.contains("CHANGE-ME") && !value.contains("://") {
                        value.replace("CHANGE-ME", &"x".repeat(32))
                    } else {
                        value.to_owned()
                    };
                    (k.to_lowercase().replace("__", "."), filled)
                })
                .collect();
        assert!(secrets.len() >= 17, "{secrets:?}");
        for example in [
            include_str!("../../../deploy/realname.production.toml").to_owned(),
            embedded,
        ] {
            let mut builder = Config::builder()
                .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
                .add_source(File::from_str(&example, FileFormat::Toml));
            for (key, value) in &secrets {
                builder = builder.set_override(key.as_str(), value.as_str()).unwrap();
            }
            let settings: Settings = builder.build().unwrap().try_deserialize().unwrap();
            assert_eq!(settings.mode, Mode::Production);
            assert!(!settings.sandbox.enabled);
            // With the secrets filled in, production mode accepts the example as it stands.
            settings.check_mode().unwrap();
        }
    }

    #[test]
    fn production_mode_refuses_development_keys_and_the_sandbox() {
        let mut settings = Settings::load(None).unwrap();
        settings.mode = Mode::Production;
        let err = settings.check_mode().unwrap_err().to_string();
        for key in [
            "sandbox.enabled",
            "auth.signing_key",
            "providers.secrets.wechat",
            "providers.secrets.payments",
            "crypto.data_keys",
            "crypto.subject_key",
            "crypto.otp_key",
            "registry.base_url",
            "sms.base_url",
            "policy.international_site_url",
            "policy.payee_account",
            "http.public_base_url",
            "providers.bridge.base_url",
            "providers.bridge.secret",
            "providers.faceid.secret_id",
            "providers.faceid.secret_key",
            "providers.faceid.rule_id_face_recognition",
            "providers.faceid.rule_id_legal_person_face_recognition",
            "notifications.support.smtp_url",
            "notifications.support.from",
            "notifications.support.to",
        ] {
            assert!(err.contains(key), "{err}");
        }
        assert!(
            !err.contains("development-signing-key"),
            "no secret in the message"
        );
    }

    /// Settings that production mode accepts: real-looking secrets and gateways.
    fn production() -> Settings {
        let mut settings = Settings::load(None).unwrap();
        settings.mode = Mode::Production;
        settings.sandbox.enabled = false;
        settings.auth.signing_key = "k".repeat(40).into();
        settings.providers.secrets = realname_http::ProviderSecrets {
            wechat: format!("{},{}", "a".repeat(32), "b".repeat(32)).into(),
            qq: "q".repeat(32).into(),
            wechat_mp: "m".repeat(32).into(),
            face: "f".repeat(32).into(),
            payments: "p".repeat(32).into(),
        };
        settings.crypto.data_keys = "prod1:cHJvZHVjdGlvbi1kYXRhLWtleS0zMi1ieXRlcy0hIQ==".into();
        settings.crypto.subject_key = "s".repeat(40).into();
        settings.crypto.otp_key = "o".repeat(40).into();
        settings.registry.base_url = "https://registry.internal.example".into();
        settings.sms.base_url = "http://127.0.0.1:19401".into();
        settings.policy.international_site_url = "https://intl.cloud.test/realname".into();
        settings.policy.payee_account = "6222020000000099".into();
        settings.http.public_base_url = Some("https://realname.cloud.test".into());
        settings.providers.bridge.base_url = Some("http://127.0.0.1:19402".into());
        settings.providers.bridge.secret = "g".repeat(32).into();
        settings.providers.faceid.secret_id = "AKIDproductiontest".into();
        settings.providers.faceid.secret_key = "t".repeat(32).into();
        settings.providers.faceid.rule_id_face_recognition = "1".into();
        settings
            .providers
            .faceid
            .rule_id_legal_person_face_recognition = "2".into();
        settings.notifications.support.smtp_url =
            Some("smtp://127.0.0.1:2525?tls=required".to_owned().into());
        settings.notifications.support.from = Some("realname@cloud.test".into());
        settings.notifications.support.to = Some("support@cloud.test".into());
        settings
    }

    #[test]
    fn production_mode_accepts_real_settings_and_explicit_loopback_sidecars() {
        production().check_mode().unwrap();
    }

    #[test]
    fn the_local_compose_environment_loads_in_development_mode_with_the_sandbox() {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        for line in include_str!("../../../deploy/realname.local.env").lines() {
            let Some((key, value)) = line.split_once('=').filter(|_| !line.starts_with('#')) else {
                continue;
            };
            let key = key
                .trim_start_matches("REALNAME__")
                .to_lowercase()
                .replace("__", ".");
            builder = builder.set_override(key, value).unwrap();
        }
        let settings: Settings = builder.build().unwrap().try_deserialize().unwrap();
        // Compose starts no provider fakes, so it runs the twins, which production refuses.
        assert_eq!(settings.mode, Mode::Development);
        assert!(settings.sandbox.enabled);
        settings.check_mode().unwrap();
        let mut production = settings;
        production.mode = Mode::Production;
        assert!(production.check_mode().is_err());
    }

    #[test]
    fn the_old_single_provider_secret_is_refused_without_echoing_it() {
        let config = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .set_override("providers.secrets", "old-single-secret-value")
            .unwrap()
            .build()
            .unwrap();
        let err = refuse_single_provider_secret(&config)
            .unwrap_err()
            .to_string();
        assert!(err.contains("providers.secrets.wechat"), "{err}");
        assert!(!err.contains("old-single-secret-value"), "{err}");
        let defaults = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()
            .unwrap();
        refuse_single_provider_secret(&defaults).unwrap();
    }

    #[test]
    fn realname_token_refuses_to_run_in_production_mode() {
        let hour = chrono::Duration::hours(1);
        let issue = |settings: &Settings| {
            crate::commands::token(settings, "cli", realname_http::Role::Admin, None, hour)
        };
        assert!(issue(&Settings::load(None).unwrap()).is_ok());
        let err = issue(&production()).unwrap_err().to_string();
        assert!(err.contains("production"), "{err}");
    }

    #[test]
    fn production_mode_refuses_short_secrets_and_a_default_hidden_in_a_list() {
        let mut settings = production();
        settings.auth.signing_key = "short".into();
        settings.providers.secrets.face =
            format!("{},development-face-secret", "a".repeat(32)).into();
        let err = settings.check_mode().unwrap_err().to_string();
        assert!(err.contains("auth.signing_key"), "{err}");
        assert!(err.contains("providers.secrets.face"), "{err}");
        assert!(!err.contains("providers.secrets.wechat"), "{err}");
        assert!(!err.contains("development-face-secret"), "{err}");
        assert!(!err.contains("short"), "{err}");
    }

    #[test]
    fn production_mode_refuses_a_development_data_key_kept_beside_a_real_one() {
        let mut settings = production();
        let development = Settings::load(None).unwrap().crypto.data_keys;
        settings.crypto.data_keys = format!(
            "prod1:cHJvZHVjdGlvbi1kYXRhLWtleS0zMi1ieXRlcy0hIQ==,{}",
            development.expose_secret()
        )
        .into();
        let err = settings.check_mode().unwrap_err().to_string();
        assert!(err.contains("crypto.data_keys"), "{err}");
        assert!(!err.contains("cmVhbG5hbWUtZG"), "{err}");
    }

    #[test]
    fn production_mode_with_the_identity_providers_keys_needs_no_signing_key() {
        let mut settings = production();
        settings.auth.signing_key = String::new().into();
        assert!(
            settings
                .check_mode()
                .unwrap_err()
                .to_string()
                .contains("auth.signing_key")
        );
        settings
            .auth
            .public_keys
            .insert("idp-2026".into(), "-----BEGIN PUBLIC KEY-----".into());
        settings.check_mode().unwrap();
        settings.auth.signing_key = "short".into();
        assert!(
            settings
                .check_mode()
                .unwrap_err()
                .to_string()
                .contains("auth.signing_key")
        );
    }

    #[test]
    fn production_mode_refuses_the_registry_snapshot_twin() {
        let mut settings = production();
        settings.registry.sandbox_snapshot = Some("/tmp/snapshot.csv".into());
        let err = settings.check_mode().unwrap_err().to_string();
        assert!(err.contains("registry.sandbox_snapshot"), "{err}");
    }

    #[test]
    fn production_mode_with_tencent_sms_needs_its_keys() {
        let mut settings = production();
        settings.sms.provider = realname_gateways::SmsProvider::Tencent;
        let err = settings.check_mode().unwrap_err().to_string();
        for key in [
            "sms.tencent.secret_key",
            "sms.tencent.secret_id",
            "sms.tencent.sdk_app_id",
            "sms.tencent.sign_name",
            "sms.tencent.template_otp",
        ] {
            assert!(err.contains(key), "{err}");
        }
        assert!(
            !err.contains("sms.base_url"),
            "the HTTP gateway is not used: {err}"
        );
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let shown = format!("{:?}", Settings::load(None).unwrap());
        assert!(!shown.contains("development-signing-key"));
        assert!(!shown.contains("development-wechat-secret"));
        assert!(!shown.contains("development-payments-secret"));
        assert!(!shown.contains("cmVhbG5hbWUtZG"));
        assert!(!shown.contains("development-subject-key"));
        assert!(!shown.contains("postgres://"));
    }
}

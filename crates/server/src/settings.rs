//! Configuration: compiled-in defaults, then an optional file, then `REALNAME__SECTION__KEY`
//! environment variables. Loaded once in `main` and passed down.

use std::path::Path;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use realname_domain::Policy;
use realname_gateways::{RegistrySettings, SmsSettings};
use realname_http::{AuthSettings, HttpSettings, SignatureSettings};
use realname_postgres::{CryptoSettings, DatabaseSettings};
use realname_scheduler::SchedulerSettings;
use secrecy::ExposeSecret;
use serde::Deserialize;

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
    /// Inbound provider signatures.
    pub providers: SignatureSettings,
    /// Encryption at rest.
    pub crypto: CryptoSettings,
    /// The sandbox twins.
    pub sandbox: SandboxSettings,
    /// Rule limits.
    pub policy: Policy,
    /// Periodic jobs.
    pub scheduler: SchedulerSettings,
    /// The business registry (HTTP outside sandbox mode).
    pub registry: RegistrySettings,
    /// The SMS gateway (HTTP outside sandbox mode).
    pub sms: SmsSettings,
    /// Logs.
    pub telemetry: TelemetrySettings,
}

impl Settings {
    /// Loads the settings. Values are never parsed by guessing (a secret `"0123"` stays a string).
    ///
    /// # Errors
    /// When a source cannot be read or a value does not fit.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(file) = file {
            builder = builder.add_source(File::from(file).required(true));
        }
        let env = Environment::with_prefix("REALNAME")
            .prefix_separator("__")
            .separator("__");
        let settings: Self = builder
            .add_source(env)
            .build()?
            .try_deserialize()
            .context("invalid configuration")?;
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
        if same(&self.auth.signing_key, &defaults.auth.signing_key) {
            refused.push("auth.signing_key");
        }
        if same(&self.providers.secrets, &defaults.providers.secrets) {
            refused.push("providers.secrets");
        }
        if same(&self.crypto.data_keys, &defaults.crypto.data_keys) {
            refused.push("crypto.data_keys");
        }
        if same(&self.crypto.subject_key, &defaults.crypto.subject_key) {
            refused.push("crypto.subject_key");
        }
        anyhow::ensure!(
            refused.is_empty(),
            "production mode refuses development settings: {}",
            refused.join(", ")
        );
        Ok(())
    }
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
    }

    #[test]
    fn production_mode_refuses_development_keys_and_the_sandbox() {
        let mut settings = Settings::load(None).unwrap();
        settings.mode = Mode::Production;
        let err = settings.check_mode().unwrap_err().to_string();
        for key in [
            "sandbox.enabled",
            "auth.signing_key",
            "providers.secrets",
            "crypto.data_keys",
            "crypto.subject_key",
        ] {
            assert!(err.contains(key), "{err}");
        }
        assert!(
            !err.contains("development-signing-key"),
            "no secret in the message"
        );
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let shown = format!("{:?}", Settings::load(None).unwrap());
        assert!(!shown.contains("development-signing-key"));
        assert!(!shown.contains("development-provider-secret"));
        assert!(!shown.contains("cmVhbG5hbWUtZG"));
        assert!(!shown.contains("development-subject-key"));
        assert!(!shown.contains("postgres://"));
    }
}

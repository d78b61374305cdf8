//! `notifications.*`: the durable notifications' delivery (R8, R14, R17, R19).

use chrono::Duration;
use realname_domain::notification::DeliveryPolicy;
use secrecy::SecretString;
use serde::Deserialize;

/// Delivery of notifications.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Retries stop after this many hours from the notification's creation: it is `failed`.
    pub give_up_after_hours: i64,
    /// The support desk's mailbox.
    pub support: SupportMailSettings,
}

/// `notifications.support.*`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportMailSettings {
    /// lettre's SMTP URL (`smtp://host:25?tls=required`, `smtps://user:pass@host:465`); no
    /// default. It may hold a password, so it is a secret.
    pub smtp_url: Option<SecretString>,
    /// The sender.
    pub from: Option<String>,
    /// The support desk's address.
    pub to: Option<String>,
    /// Per message.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for SupportMailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupportMailSettings")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

impl NotificationSettings {
    /// The retry policy: 30 s doubling to an hour, until `give_up_after_hours`.
    #[must_use]
    pub fn policy(&self) -> DeliveryPolicy {
        DeliveryPolicy {
            first_retry: Duration::seconds(30),
            max_wait: Duration::hours(1),
            give_up_after: Duration::hours(self.give_up_after_hours.max(1)),
        }
    }
}

//! Durable notifications: the store the delivery job claims from, and the two channels
//! (R8, R14, R17, R19).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use realname_domain::identifiers::Phone;
use realname_domain::notification::{Channel, NoticeKind, Notification};
use realname_domain::{AccountId, NotificationId};

use crate::error::{GatewayError, StoreError};
use crate::queries::Page;

/// A claimed notification, with the number to send to, decrypted only now.
#[derive(Debug, Clone)]
pub struct ClaimedNotification {
    /// The notification.
    pub notification: Notification,
    /// For SMS: the stored number, or else the account's bound phone; `None` when the account
    /// has none any more (closed and redacted).
    pub phone: Option<Phone>,
    /// Attempts so far.
    pub attempts: u32,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Delivered.
    Sent,
    /// Failed; try again at this time.
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// What went wrong, without personal data.
        error: String,
    },
    /// Failed for good.
    Failed {
        /// What went wrong, without personal data.
        error: String,
    },
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Delivered.
    Sent,
    /// Given up.
    Failed,
}

impl NotificationStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Sent, Self::Failed];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Parses a name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A notification as the admin listing shows it: no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Its id.
    pub id: NotificationId,
    /// What it says.
    pub kind: NoticeKind,
    /// How it travels.
    pub channel: Channel,
    /// The account it concerns.
    pub account_id: AccountId,
    /// Where it stands.
    pub status: NotificationStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was last tried.
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// The notifications' store.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Claims up to `limit` due notifications with `FOR UPDATE SKIP LOCKED` and a lease for
    /// `owner`, and commits the claim before returning.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn claim_notifications(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedNotification>, StoreError>;

    /// Records an attempt's end and releases `owner`'s lease; a lease lost to another claimer
    /// changes nothing.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn settle_notification(
        &self,
        id: NotificationId,
        owner: &str,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Notifications, newest first, optionally of one status.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn list_notifications(
        &self,
        status: Option<NotificationStatus>,
        page: Page<NotificationId>,
    ) -> Result<(Vec<NotificationRecord>, bool), StoreError>;
}

/// Tells holders by SMS.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HolderNotifier: Send + Sync {
    /// Sends `notification` to `phone`.
    ///
    /// # Errors
    /// [`GatewayError`] when the gateway refuses or fails; the delivery job retries.
    async fn notify_holder(
        &self,
        phone: &Phone,
        notification: &Notification,
    ) -> Result<(), GatewayError>;
}

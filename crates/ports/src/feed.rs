//! The event feed (SPEC §6).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::AccountId;

use crate::error::StoreError;

/// One event as consumers see it; `data` holds no personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// Stable across redeliveries.
    pub id: uuid::Uuid,
    /// Its account; `None` for enterprise-wide events.
    pub account_id: Option<AccountId>,
    /// Per-account sequence, from 1.
    pub sequence: Option<i64>,
    /// The event type.
    pub event_type: String,
    /// The event's data.
    pub data: serde_json::Value,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

impl FeedEvent {
    /// The SPEC §6 shape `{id, type, account_id, sequence, created_at, data}`, the same in the
    /// feed and in webhook deliveries.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": format!("evt_{}", self.id.simple()),
            "type": self.event_type,
            "account_id": self.account_id.map(|a| a.to_string()),
            "sequence": self.sequence,
            "created_at": self.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "data": self.data,
        })
    }
}

/// Reads the outbox as a feed.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventFeed: Send + Sync {
    /// Events after `starting_after`, oldest first. It MUST never show an event that a still
    /// running transaction could precede, so that a consumer paging it never misses one.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn events(
        &self,
        account: Option<AccountId>,
        starting_after: Option<uuid::Uuid>,
        limit: u32,
    ) -> Result<(Vec<FeedEvent>, bool), StoreError>;
}

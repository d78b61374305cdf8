//! The event feed (SPEC §6).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::AccountId;
use serde::{Serialize, Serializer};

use crate::error::StoreError;

/// One event as consumers see it, in the SPEC §6 shape `{id, type, account_id, sequence,
/// created_at, data}`: the same in the feed and in webhook deliveries, since both serialize this
/// type. `data` holds no personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Event))]
pub struct FeedEvent {
    /// Stable across redeliveries: `evt_…`.
    #[serde(serialize_with = "event_id")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^evt_[0-9a-f]{32}$"))]
    pub id: uuid::Uuid,
    /// The event type (SPEC §6).
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::event_types))]
    pub event_type: String,
    /// Its account; `None` for enterprise-wide events.
    #[serde(serialize_with = "shown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, required))]
    pub account_id: Option<AccountId>,
    /// Per-account sequence, from 1.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub sequence: Option<i64>,
    /// When it happened, to the microsecond.
    #[serde(serialize_with = "micros")]
    pub created_at: DateTime<Utc>,
    /// The event's data.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

fn event_id<S: Serializer>(id: &uuid::Uuid, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("evt_{}", id.simple()))
}

fn shown<S: Serializer>(id: &Option<AccountId>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.collect_str(id),
        None => s.serialize_none(),
    }
}

fn micros<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

    /// The closed set of event types, from the domain's list.
    pub(super) fn event_types() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(realname_domain::event::EVENT_TYPES.iter().copied()))
            .build()
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

    /// The last event a consumer paging the feed from the beginning could see now: a cursor
    /// that starts after everything already visible. `None` for an empty feed.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn head(&self) -> Result<Option<uuid::Uuid>, StoreError>;
}

//! Webhook subscriptions, their delivery queue, and the sender (SPEC §6).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use realname_domain::webhook::{SigningSecrets, WebhookEndpoint, WebhookSecret};
use uuid::Uuid;

use crate::error::{GatewayError, StoreError};
use crate::feed::FeedEvent;

/// A delivery's state for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after the retry window; visible to admins.
    Failed,
    /// The endpoint was deleted before it was delivered.
    Cancelled,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Delivered,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One event to post to one endpoint, as claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// Its URL.
    pub url: String,
    /// Its signing secrets.
    pub secrets: SigningSecrets,
    /// The event.
    pub event: FeedEvent,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was queued: the retry window runs from here.
    pub queued_at: DateTime<Utc>,
}

/// What an attempt changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate {
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The new status.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// The next attempt, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (a status code or a transport error; no payload).
    pub last_error: Option<String>,
    /// When this attempt was made.
    pub attempted_at: DateTime<Utc>,
}

/// A delivery as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Its type.
    pub event_type: String,
    /// Its status.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// The last attempt.
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// Stores subscriptions and the delivery queue.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new endpoint with its secret (sealed at rest), its deliveries starting after
    /// feed event `cursor` (from the beginning when `None`).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        secret: &WebhookSecret,
        cursor: Option<Uuid>,
    ) -> Result<(), StoreError>;

    /// Every endpoint not deleted, oldest first, with the id of the last event it has queued.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn endpoints(&self) -> Result<Vec<(WebhookEndpoint, Option<Uuid>)>, StoreError>;

    /// A page of the endpoints not deleted, oldest first, after endpoint `page.starting_after`,
    /// and whether more follow.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn list_endpoints(
        &self,
        page: crate::Page<Uuid>,
    ) -> Result<(Vec<WebhookEndpoint>, bool), StoreError>;

    /// One endpoint not deleted.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or deleted endpoint.
    async fn endpoint(&self, id: Uuid) -> Result<WebhookEndpoint, StoreError>;

    /// Disables or enables an endpoint.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or deleted endpoint.
    async fn set_disabled(&self, id: Uuid, disabled: bool) -> Result<WebhookEndpoint, StoreError>;

    /// Deletes an endpoint at `now` and cancels its pending deliveries, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or deleted endpoint.
    async fn delete_endpoint(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Makes `secret` the endpoint's current secret at `now`, keeping the one it replaces as
    /// the previous secret until `previous_until`; a previous secret before that is dropped.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or deleted endpoint.
    async fn rotate_secret(
        &self,
        id: Uuid,
        secret: &WebhookSecret,
        now: DateTime<Utc>,
        previous_until: DateTime<Utc>,
    ) -> Result<WebhookEndpoint, StoreError>;

    /// Drops the previous secrets whose overlap has ended at `now`, and says how many.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn drop_previous_secrets(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Queues `events` for the endpoint (an event already queued stays as it is) and moves its
    /// cursor to `cursor`, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn queue(
        &self,
        endpoint: Uuid,
        events: &[Uuid],
        cursor: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Claims up to `limit` pending deliveries due at `now`, of endpoints not disabled, with
    /// `FOR UPDATE SKIP LOCKED` and a lease for `owner`, committed before returning.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Records attempts and releases `owner`'s leases on them.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn record_attempts(
        &self,
        owner: &str,
        updates: &[DeliveryUpdate],
    ) -> Result<(), StoreError>;

    /// A page of an endpoint's deliveries, newest event first, optionally of one status, after
    /// the delivery of event `page.starting_after`, and whether more follow.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown endpoint.
    async fn deliveries(
        &self,
        endpoint: Uuid,
        status: Option<DeliveryStatus>,
        page: crate::Page<Uuid>,
    ) -> Result<(Vec<DeliveryRecord>, bool), StoreError>;
}

/// Posts signed events to subscribers.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// Posts the event as JSON with `Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." +
    /// body)>`, one `v1` per secret, in order; `Ok` only for a 2xx answer.
    ///
    /// # Errors
    /// [`GatewayError`] for any other answer, a timeout or a transport error.
    async fn post(
        &self,
        url: &str,
        secrets: &[WebhookSecret],
        event: &FeedEvent,
        now: DateTime<Utc>,
    ) -> Result<(), GatewayError>;
}

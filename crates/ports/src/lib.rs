//! Ports: the async traits through which the application reaches everything outside it —
//! storage, the unit of work, the clock and the verification providers.
//!
//! This crate knows the domain and nothing else: no database driver, no web framework. Errors
//! are semantic; a driver's error type never appears in a variant. With the `mock` feature every
//! port gets a mockall mock for unit tests.

mod capabilities;
mod claims;
mod clock;
mod error;
mod feed;
mod idempotency;
mod notification;
mod provider;
mod queries;
mod recheck;
mod registry;
mod retention;
mod sms;
mod unit_of_work;
mod webhook;

pub use capabilities::{CapabilityFacts, CapabilityReader};
pub use claims::DeadlineClaims;
pub use clock::Clock;
pub use error::{GatewayError, StoreError};
pub use feed::{EventFeed, FeedEvent};
pub use idempotency::{
    Answer, IdempotencyBegin, IdempotencyClaim, IdempotencyStore, StoredResponse,
};
pub use notification::{
    ClaimedNotification, HolderNotifier, NotificationRecord, NotificationStatus, NotificationStore,
    Settlement,
};
pub use provider::{
    AssertedSubject, ProviderGateway, ProviderOutcome, ProviderReport, ProviderResults,
    ProviderSession, PulledResult, PulledSession, PulledSessions, SandboxInstruction,
    SandboxProvider, SessionOwner, SessionRequest, VerifiedPerson,
};
pub use queries::{
    AccountReader, ApplicationReader, AuditPage, AuditReader, CaseReader, EnterpriseLimit, Page,
};
pub use recheck::{EnterpriseRef, Heir, RecheckCandidate, RecheckScope, RecheckStore, Reschedule};
pub use registry::{BusinessRegistry, OverdueNotice, SupportNotifier};
pub use retention::{Redactions, RetentionStore};
pub use sms::{OtpDigest, OtpMessage, SandboxSmsInbox, SmsSender};
pub use unit_of_work::{
    AccountsTx, AdmissionFacts, ApplicationsTx, IdentityTx, OutboxTx, PhonesTx, SlotsTx,
    Transaction, UnitOfWork,
};
pub use webhook::{
    Delivery, DeliveryRecord, DeliveryStatus, DeliveryUpdate, WebhookSender, WebhookStore,
};

#[cfg(feature = "mock")]
pub use capabilities::MockCapabilityReader;
#[cfg(feature = "mock")]
pub use claims::MockDeadlineClaims;
#[cfg(feature = "mock")]
pub use clock::MockClock;
#[cfg(feature = "mock")]
pub use feed::MockEventFeed;
#[cfg(feature = "mock")]
pub use idempotency::MockIdempotencyStore;
#[cfg(feature = "mock")]
pub use notification::{MockHolderNotifier, MockNotificationStore};
#[cfg(feature = "mock")]
pub use provider::{
    MockProviderGateway, MockProviderResults, MockPulledSessions, MockSandboxProvider,
};
#[cfg(feature = "mock")]
pub use queries::{MockAccountReader, MockApplicationReader, MockAuditReader, MockCaseReader};
#[cfg(feature = "mock")]
pub use recheck::MockRecheckStore;
#[cfg(feature = "mock")]
pub use registry::{MockBusinessRegistry, MockSupportNotifier};
#[cfg(feature = "mock")]
pub use retention::MockRetentionStore;
#[cfg(feature = "mock")]
pub use sms::{MockOtpDigest, MockSandboxSmsInbox, MockSmsSender};
#[cfg(feature = "mock")]
pub use unit_of_work::{MockTransaction, MockUnitOfWork};
#[cfg(feature = "mock")]
pub use webhook::{MockWebhookSender, MockWebhookStore};

/// Whether the service's dependencies are ready (`/readyz`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    /// True when the database is reachable and every migration is applied.
    async fn ready(&self) -> bool;
}

//! The event feed, webhook subscriptions and delivery, and agreements.

mod deliver_events;
mod list_events;
mod set_agreement;
mod webhook_endpoints;

pub use deliver_events::{DeliverEvents, DeliverEventsDeps, DeliveryReport, DeliverySettings};
pub use list_events::ListEvents;
pub use set_agreement::SetAgreement;
pub use webhook_endpoints::{WebhookEndpoints, WebhookEndpointsDeps};

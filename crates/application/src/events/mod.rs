//! The event feed, webhook subscriptions and delivery, and agreements.

mod create_webhook_endpoint;
mod deliver_events;
mod list_deliveries;
mod list_events;
mod set_agreement;

pub use create_webhook_endpoint::CreateWebhookEndpoint;
pub use deliver_events::{DeliverEvents, DeliverEventsDeps, DeliveryReport, DeliverySettings};
pub use list_deliveries::ListDeliveries;
pub use list_events::ListEvents;
pub use set_agreement::SetAgreement;

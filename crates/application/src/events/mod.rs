//! The event feed and agreements.

mod list_events;
mod set_agreement;

pub use list_events::ListEvents;
pub use set_agreement::SetAgreement;

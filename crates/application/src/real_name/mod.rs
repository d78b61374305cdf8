//! Real-name status, capabilities, methods, and the refusal to de-authenticate.

mod get_capabilities;
mod get_status;
mod list_methods;
mod refuse_deauthentication;
pub(crate) mod revoke_verification;

pub use get_capabilities::GetCapabilities;
pub use get_status::{GetStatus, StatusView};
pub use list_methods::ListMethods;
pub use refuse_deauthentication::RefuseDeauthentication;
pub use revoke_verification::RevokeVerification;

//! Verification applications: submit, decide, withdraw, expire, read.

mod check_attempts;
mod complete_sandbox_application;
mod expire_sessions;
mod get_application;
mod list_applications;
mod process_deadlines;
mod provider_callback;
mod record_payment_credit;
pub(crate) mod record_provider_result;
mod submit_application;
mod withdraw_application;

pub use check_attempts::CheckAttempts;
pub use complete_sandbox_application::CompleteSandboxApplication;
pub use expire_sessions::ExpireSessions;
pub use get_application::GetApplication;
pub use list_applications::ListApplications;
pub use process_deadlines::ProcessDeadlines;
pub use provider_callback::{CallbackOutcome, ProviderCallback};
pub use record_payment_credit::{PaymentCredit, RecordPaymentCredit};
pub use record_provider_result::{RecordProviderResult, Recorded};
pub use submit_application::{SubmitApplication, SubmitApplicationCommand};
pub use withdraw_application::WithdrawApplication;

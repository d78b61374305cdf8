//! Verification applications: submit, decide, withdraw, expire, read.

mod check_attempts;
mod complete_sandbox_application;
mod expire_sessions;
mod get_application;
mod list_applications;
mod process_deadlines;
mod provider_callback;
mod pull_provider_result;
mod record_payment_credit;
pub(crate) mod record_provider_result;
mod submit_application;
pub(crate) use submit_application::pulled_session;
mod withdraw_application;

pub use check_attempts::{CheckAttempts, CheckAttemptsDeps};
pub use complete_sandbox_application::{
    CompleteSandboxApplication, CompleteSandboxApplicationDeps,
};
pub use expire_sessions::{ExpireSessions, ExpireSessionsDeps};
pub use get_application::GetApplication;
pub use list_applications::ListApplications;
pub use process_deadlines::{ProcessDeadlines, ProcessDeadlinesDeps};
pub use provider_callback::{CallbackOutcome, ProviderCallback};
pub use pull_provider_result::{PullProviderResult, PullProviderResultDeps, Pulled};
pub use record_payment_credit::{PaymentCredit, RecordPaymentCredit, RecordPaymentCreditDeps};
pub use record_provider_result::{RecordProviderResult, RecordProviderResultDeps, Recorded};
pub use submit_application::{SubmitApplication, SubmitApplicationCommand, SubmitApplicationDeps};
pub use withdraw_application::{WithdrawApplication, WithdrawApplicationDeps};

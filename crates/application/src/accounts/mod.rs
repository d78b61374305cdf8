//! Account use cases.

mod associate_sub_account;
mod close_account;
pub(crate) mod confirm_phone_change;
mod create_sub_account;
mod get_account;
mod redact_closed_accounts;
mod redact_kept_records;
mod register_account;
pub(crate) mod request_phone_change;

pub use associate_sub_account::{AssociateSubAccount, ListInvitations};
pub use close_account::CloseAccount;
pub use confirm_phone_change::ConfirmPhoneChange;
pub use create_sub_account::{CreateSubAccount, SubAccountCreated};
pub use get_account::{GetAccount, ListSubAccounts};
pub use redact_closed_accounts::{RedactClosedAccounts, RedactClosedAccountsDeps};
pub use redact_kept_records::RedactKeptRecords;
pub use register_account::{RegisterAccount, RegisterAccountCommand};
pub use request_phone_change::{OtpDeps, RequestPhoneChange};

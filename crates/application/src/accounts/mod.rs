//! Account use cases.

mod get_account;
mod register_account;

pub use get_account::GetAccount;
pub use register_account::{RegisterAccount, RegisterAccountCommand};

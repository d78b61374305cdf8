//! SMS: one-time codes for phone changes (R19).

use async_trait::async_trait;
use realname_domain::AccountId;
use realname_domain::identifiers::Phone;
use realname_domain::phone_change::PhoneChangeId;

use crate::error::GatewayError;

/// A code to send. `Debug` shows neither the number nor the code.
#[derive(Clone)]
pub struct OtpMessage {
    /// The change it confirms.
    pub change_id: PhoneChangeId,
    /// The account changing its phone.
    pub account_id: AccountId,
    /// The new number.
    pub phone: Phone,
    /// The 6-digit code.
    pub code: String,
    /// How long it is valid, in minutes (the text tells the holder).
    pub valid_minutes: i64,
}

impl std::fmt::Debug for OtpMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpMessage")
            .field("change_id", &self.change_id)
            .field("phone", &self.phone)
            .field("code", &"[redacted]")
            .finish()
    }
}

/// Sends SMS.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends a one-time code to its number.
    ///
    /// # Errors
    /// [`GatewayError`] when the gateway refuses or fails; the caller may ask for a new code.
    async fn send_code(&self, message: &OtpMessage) -> Result<(), GatewayError>;
}

/// Where the sandbox twin keeps the codes it "sent" (sandbox mode only).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SandboxSmsInbox: Send + Sync {
    /// The last code sent for a change, with the account it belongs to.
    fn code_for(&self, change: PhoneChangeId) -> Option<(AccountId, String)>;
}

/// The keyed digest of one-time codes (R19): HMAC under `crypto.otp_key`, so read access to
/// the database does not recover a code by trying all 10⁶.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait OtpDigest: Send + Sync {
    /// The digest of `code` for the change `change`.
    fn digest(&self, change: PhoneChangeId, code: &str) -> [u8; 32];
}

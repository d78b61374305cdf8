//! Phone bindings and phone changes (R19).

use async_trait::async_trait;
use realname_domain::AccountId;
use realname_domain::identifiers::Phone;
use realname_domain::phone_change::{OtpSends, PhoneChange, PhoneChangeId};
use realname_domain::quota::PhoneSlots;

use crate::error::StoreError;

/// Phone bindings and phone changes (R19). Part of a [`super::Transaction`].
#[async_trait]
pub trait PhonesTx: Send {
    /// Locks the phone number's row (creating it if needed) and counts the accounts bound to
    /// it (R19). Concurrent callers for the same number MUST wait for each other.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn lock_phone(&mut self, phone: &Phone, limit: u32) -> Result<PhoneSlots, StoreError>;

    /// The codes sent to `phone` since `phone_since` and for `account` since `account_since`
    /// (R19's throttle), read under the phone's and the account's locks.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn otp_sends(
        &mut self,
        phone: &Phone,
        phone_since: chrono::DateTime<chrono::Utc>,
        account: AccountId,
        account_since: chrono::DateTime<chrono::Utc>,
    ) -> Result<OtpSends, StoreError>;

    /// Inserts a phone change.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn insert_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;

    /// Loads a phone change and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn phone_change_for_update(
        &mut self,
        id: PhoneChangeId,
    ) -> Result<Option<PhoneChange>, StoreError>;

    /// Writes back a phone change.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn save_phone_change(&mut self, change: &PhoneChange) -> Result<(), StoreError>;

    /// Cancels the account's pending phone changes (R21).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn cancel_phone_changes(&mut self, account: AccountId) -> Result<(), StoreError>;
}

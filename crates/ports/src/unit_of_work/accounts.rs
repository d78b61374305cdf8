//! Accounts and their sub-account associations (R16, R21).

use async_trait::async_trait;
use realname_domain::invitation::Invitation;
use realname_domain::{Account, AccountId, InvitationId};

use crate::error::StoreError;

/// Accounts and their sub-account associations (R16, R21). Part of a [`super::Transaction`].
#[async_trait]
pub trait AccountsTx: Send {
    /// Inserts a new account.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id exists.
    async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// Loads an account and locks its row until the end of the transaction.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn account_for_update(&mut self, id: AccountId) -> Result<Option<Account>, StoreError>;

    /// Writes back an account loaded with [`Self::account_for_update`].
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn save_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// The sub-accounts of a root, locked (R16, R21).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn sub_accounts_for_update(
        &mut self,
        root: AccountId,
    ) -> Result<Vec<Account>, StoreError>;

    /// Removes a closed account's personal data (R21): its phone, its subject and those of its
    /// applications and phone changes. The subject key stays.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] unless the account exists and is closed.
    async fn redact_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// Inserts or updates a sub-account association (R16).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the same association is already pending.
    async fn save_invitation(&mut self, invitation: &Invitation) -> Result<(), StoreError>;

    /// Loads an association and locks it.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn invitation_for_update(
        &mut self,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError>;
}

//! The business registry and the support desk.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::enterprise::RegistryRecord;
use realname_domain::identifiers::Uscc;
use realname_domain::{AccountId, ApplicationId};

use crate::error::GatewayError;

/// Looks enterprises up in the business registry.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait BusinessRegistry: Send + Sync {
    /// The registry's record for a USCC, or `Ok(None)` when it has none.
    ///
    /// # Errors
    /// [`GatewayError`] on a timeout or failure. It MUST NOT report a failure as `Ok(None)`:
    /// "not found" and "could not ask" are different outcomes (R6, R17).
    async fn lookup(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError>;
}

/// An application past its deadline, for the support desk (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueNotice {
    /// The application.
    pub application_id: ApplicationId,
    /// Its account.
    pub account_id: AccountId,
    /// The deadline that passed.
    pub deadline: DateTime<Utc>,
}

/// Notifies customer support.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SupportNotifier: Send + Sync {
    /// Tells support that an application is overdue.
    ///
    /// # Errors
    /// [`GatewayError`] when the notification could not be sent.
    async fn overdue(&self, notice: &OverdueNotice) -> Result<(), GatewayError>;
}

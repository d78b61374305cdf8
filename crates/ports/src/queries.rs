//! Read-only query ports. Pure reads need no transaction.

use async_trait::async_trait;
use realname_domain::{Account, AccountId, Application, ApplicationId};

use crate::error::StoreError;

/// A cursor page: at most `limit` items after `starting_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page<T> {
    /// The last item of the previous page.
    pub starting_after: Option<T>,
    /// How many items, at most.
    pub limit: u32,
}

/// An enterprise's account limit as stored (R4): its override, the accounts holding its slots
/// and every change of the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseLimit {
    /// The override in force, if one was ever set.
    pub override_limit: Option<u32>,
    /// The accounts holding its slots, oldest verification first.
    pub holders: Vec<realname_domain::quota::SlotHolder>,
    /// Every change, oldest first.
    pub history: Vec<realname_domain::quota::QuotaOverride>,
}

/// A page of an account's audit chain (R22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// The entries, oldest first.
    pub entries: Vec<realname_domain::audit::ChainedEntry>,
    /// Whether more follow.
    pub has_more: bool,
    /// The chain's head: its last entry's hash, whatever the page; `None` while it is empty.
    pub head: Option<[u8; 32]>,
}

/// Reads accounts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AccountReader: Send + Sync {
    /// The account, decrypted.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id, and [`StoreError::Unknown`] only on failure.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;

    /// Closed accounts, not yet redacted, closed at or before `closed_before` (R21).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn redaction_due(
        &self,
        closed_before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<AccountId>, StoreError>;

    /// An enterprise's limit, holders and limit history (R4).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn enterprise_limit(
        &self,
        uscc: &realname_domain::identifiers::Uscc,
    ) -> Result<EnterpriseLimit, StoreError>;

    /// A page of the invitations where the account is the root or the target, oldest first,
    /// and whether more follow (R16).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn invitations(
        &self,
        account: AccountId,
        page: Page<realname_domain::InvitationId>,
    ) -> Result<(Vec<realname_domain::invitation::Invitation>, bool), StoreError>;

    /// The sub-accounts under `root` (R16), inheriting and associated, in every state, oldest
    /// first; and whether more follow.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn sub_accounts(
        &self,
        root: AccountId,
        page: Page<AccountId>,
    ) -> Result<(Vec<Account>, bool), StoreError>;
}

/// Reads applications.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ApplicationReader: Send + Sync {
    /// One application.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown id.
    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError>;

    /// The account's applications, newest first, one page of them plus whether more follow.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn applications_of(
        &self,
        account: AccountId,
        page: Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), StoreError>;

    /// The account's undecided application, if any (SPEC §2: at most one).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn undecided_of(&self, account: AccountId) -> Result<Option<Application>, StoreError>;

    /// Undecided instant applications whose session expired before `before`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn stale_sessions(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError>;

    /// Undecided applications waiting for a reviewer, overdue first, then by deadline (R8).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn review_queue(
        &self,
        page: Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), StoreError>;

    /// The application whose provider session (or payment reference) has this reference.
    ///
    /// # Errors
    /// It MUST return `Ok(None)` for an unknown reference.
    async fn by_session(&self, session_ref: &str) -> Result<Option<Application>, StoreError>;
}

/// Reads the R22 audit log.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditReader: Send + Sync {
    /// One account's chain, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn audit_log(
        &self,
        account: AccountId,
    ) -> Result<Vec<realname_domain::audit::ChainedEntry>, StoreError>;

    /// A page of one account's chain, oldest first: the entries after entry `starting_after`,
    /// whether more follow, and the chain's head (the last entry's hash; `None` while empty).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn audit_page(
        &self,
        account: AccountId,
        page: Page<i64>,
    ) -> Result<AuditPage, StoreError>;

    /// The accounts that have audit entries, in id order, a page at a time.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn audited_accounts(
        &self,
        after: Option<AccountId>,
        limit: u32,
    ) -> Result<Vec<AccountId>, StoreError>;

    /// How many accounts have audit entries (a command's progress display).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn count_audited_accounts(&self) -> Result<u64, StoreError>;
}

/// Reads appeals and theft cases (R14).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CaseReader: Send + Sync {
    /// A page of the cases of a kind (or all), open ones only when asked, oldest first, and
    /// whether more follow.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn cases(
        &self,
        kind: Option<realname_domain::identity::CaseKind>,
        open_only: bool,
        page: Page<realname_domain::CaseId>,
    ) -> Result<(Vec<realname_domain::identity::Case>, bool), StoreError>;

    /// One case, `Ok(None)` when there is none.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure only.
    async fn case(
        &self,
        id: realname_domain::CaseId,
    ) -> Result<Option<realname_domain::identity::Case>, StoreError>;
}

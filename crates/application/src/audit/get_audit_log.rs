//! Export one account's audit trail with its hash chain (R22).

use std::sync::Arc;

use realname_domain::{AccountId, Actor};
use realname_ports::{AccountReader, AuditPage, AuditReader, Page};

use crate::AppError;
use crate::access::visible_account;

/// Reads an account's audit log.
pub struct GetAuditLog {
    accounts: Arc<dyn AccountReader>,
    audit: Arc<dyn AuditReader>,
}

impl GetAuditLog {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>, audit: Arc<dyn AuditReader>) -> Self {
        Self { accounts, audit }
    }

    /// A page of the chain, oldest first, with the chain's head.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "get_audit_log", skip_all, fields(account.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
        page: Page<i64>,
    ) -> Result<AuditPage, AppError> {
        visible_account(self.accounts.as_ref(), actor, id).await?;
        Ok(self.audit.audit_page(id, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use realname_ports::{MockAccountReader, MockAuditReader};

    use super::*;
    use crate::testing::account;

    #[tokio::test]
    async fn another_holders_audit_log_is_not_found() {
        let acct = account();
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut audit = MockAuditReader::new();
        audit.expect_audit_log().never();
        let use_case = GetAuditLog::new(Arc::new(accounts), Arc::new(audit));
        let err = use_case
            .execute(
                &Actor::Holder {
                    account: AccountId::new(),
                },
                AccountId::new(),
                Page {
                    starting_after: None,
                    limit: 100,
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("account")));
    }
}

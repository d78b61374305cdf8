//! Read one account.

use std::sync::Arc;

use realname_domain::{Account, AccountId, Actor};
use realname_ports::{AccountReader, Page};

use crate::AppError;
use crate::access::visible_account;

/// Reads an account the actor may see.
pub struct GetAccount {
    accounts: Arc<dyn AccountReader>,
}

impl GetAccount {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>) -> Self {
        Self { accounts }
    }

    /// The account.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it does not exist or is not the actor's.
    #[tracing::instrument(name = "get_account", skip_all, fields(account.id = %id))]
    pub async fn execute(&self, actor: &Actor, id: AccountId) -> Result<Account, AppError> {
        visible_account(self.accounts.as_ref(), actor, id).await
    }
}

/// Lists the sub-accounts of a root the actor may see (R16).
pub struct ListSubAccounts {
    accounts: Arc<dyn AccountReader>,
}

impl ListSubAccounts {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>) -> Self {
        Self { accounts }
    }

    /// A page of them, oldest first, and whether more follow.
    ///
    /// # Errors
    /// [`AppError::NotFound`] unless the actor may see the root.
    #[tracing::instrument(name = "list_sub_accounts", skip_all, fields(account.id = %root))]
    pub async fn execute(
        &self,
        actor: &Actor,
        root: AccountId,
        page: Page<AccountId>,
    ) -> Result<(Vec<Account>, bool), AppError> {
        visible_account(self.accounts.as_ref(), actor, root).await?;
        Ok(self.accounts.sub_accounts(root, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use realname_ports::MockAccountReader;

    use super::*;
    use crate::testing::account;

    fn reader_with(account: Account) -> Arc<MockAccountReader> {
        let mut reader = MockAccountReader::new();
        reader
            .expect_account()
            .returning(move |_| Ok(Some(account.clone())));
        Arc::new(reader)
    }

    #[tokio::test]
    async fn a_holder_reads_their_own_account() {
        let acct = account();
        let holder = Actor::Holder { account: acct.id };
        let got = GetAccount::new(reader_with(acct.clone()))
            .execute(&holder, acct.id)
            .await
            .unwrap();
        assert_eq!(got, acct);
    }

    #[tokio::test]
    async fn another_holders_account_is_not_found() {
        let acct = account();
        let stranger = Actor::Holder {
            account: AccountId::new(),
        };
        let err = GetAccount::new(reader_with(acct.clone()))
            .execute(&stranger, acct.id)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("account")));
    }
}

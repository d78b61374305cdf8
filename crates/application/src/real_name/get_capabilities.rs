//! The R12 capability query: "may this account do X?".

use std::sync::Arc;

use realname_domain::capabilities::{CapabilityInputs, CapabilityReport, evaluate};
use realname_domain::{AccountId, Actor};
use realname_ports::{AccountReader, Clock};

use crate::AppError;
use crate::access::visible_account;

/// Answers the capability table for one account.
pub struct GetCapabilities {
    accounts: Arc<dyn AccountReader>,
    clock: Arc<dyn Clock>,
}

impl GetCapabilities {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>, clock: Arc<dyn Clock>) -> Self {
        Self { accounts, clock }
    }

    /// The answers, evaluated now.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "get_capabilities", skip_all, fields(account.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
    ) -> Result<CapabilityReport, AppError> {
        let account = visible_account(self.accounts.as_ref(), actor, id).await?;
        let inputs = match account.inherited_from() {
            None => CapabilityInputs::from(&account),
            Some(root) => {
                let root = self
                    .accounts
                    .account(root)
                    .await?
                    .ok_or(AppError::NotFound("account"))?;
                CapabilityInputs::inherited(&account, &root)
            }
        };
        Ok(evaluate(inputs, self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::{Account, AccountState};
    use realname_ports::MockAccountReader;

    use super::*;
    use crate::testing::{account, clock, verified_account};

    fn answers(acct: Account) -> CapabilityReport {
        let id = acct.id;
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let use_case = GetCapabilities::new(Arc::new(accounts), clock());
        futures_lite(use_case.execute(&Actor::Service, id)).unwrap()
    }

    fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn an_unverified_account_is_allowed_nothing() {
        assert!(answers(account()).decisions.iter().all(|d| !d.allowed));
    }

    #[test]
    fn a_verified_account_is_allowed_everything() {
        assert!(
            answers(verified_account())
                .decisions
                .iter()
                .all(|d| d.allowed)
        );
    }

    #[test]
    fn a_closed_verified_account_is_allowed_nothing() {
        let mut acct = verified_account();
        acct.state = AccountState::Closed;
        assert!(answers(acct).decisions.iter().all(|d| !d.allowed));
    }
}

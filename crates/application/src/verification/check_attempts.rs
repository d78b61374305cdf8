//! R7's attempt limit on its own: whether the account may start another verification attempt
//! now. API.md checks it before the per-account rate limit, so a locked-out account keeps
//! hearing `too_many_attempts` with its retry time rather than `rate_limited`.

use std::sync::Arc;

use realname_domain::{AccountId, Actor, Policy};
use realname_ports::{AccountReader, Clock, UnitOfWork};

use crate::AppError;
use crate::access::visible_account;

/// What [`CheckAttempts::new`] takes: its ports and policies, by name.
pub struct CheckAttemptsDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub accounts: Arc<dyn AccountReader>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
}

/// Checks the attempt limit.
pub struct CheckAttempts {
    uow: Arc<dyn UnitOfWork>,
    accounts: Arc<dyn AccountReader>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl CheckAttempts {
    /// Wires the use case.
    pub fn new(deps: CheckAttemptsDeps) -> Self {
        let CheckAttemptsDeps {
            uow,
            accounts,
            clock,
            policy,
        } = deps;
        Self {
            uow,
            accounts,
            clock,
            policy,
        }
    }

    /// `Ok` while the account may attempt again.
    ///
    /// # Errors
    /// [`AppError::TooManyAttempts`] with the retry time (R7); [`AppError::NotFound`] when the
    /// actor may not see the account.
    pub async fn execute(&self, actor: &Actor, id: AccountId) -> Result<(), AppError> {
        let account = visible_account(self.accounts.as_ref(), actor, id).await?;
        let now = self.clock.now();
        let limit = self.policy.attempt_limit();
        let mut tx = self.uow.begin().await?;
        let failures = tx
            .failed_attempts_since(account.id, limit.window_start(now))
            .await?;
        tx.rollback().await?;
        limit.check(&failures, now)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_ports::{MockAccountReader, MockTransaction};

    use super::*;
    use crate::testing::{account, clock, now, unit_of_work};

    fn use_case(failures: usize) -> (CheckAttempts, AccountId) {
        let acct = account();
        let id = acct.id;
        let mut accounts = MockAccountReader::new();
        accounts
            .expect_account()
            .returning(move |_| Ok(Some(acct.clone())));
        let mut tx = MockTransaction::new();
        tx.expect_failed_attempts_since()
            .returning(move |_, _| Ok(vec![now() - Duration::hours(1); failures]));
        tx.expect_rollback().returning(|| Ok(()));
        let check = CheckAttempts::new(CheckAttemptsDeps {
            uow: unit_of_work(vec![tx]),
            accounts: Arc::new(accounts),
            clock: clock(),
            policy: Arc::new(Policy::default()),
        });
        (check, id)
    }

    #[tokio::test]
    async fn five_failures_in_the_window_lock_the_account_out_until_the_first_expires() {
        let (check, id) = use_case(5);
        match check.execute(&Actor::Service, id).await {
            Err(AppError::TooManyAttempts { retry_at }) => {
                assert_eq!(retry_at, now() + Duration::hours(23));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn four_failures_still_allow_an_attempt() {
        let (check, id) = use_case(4);
        assert!(check.execute(&Actor::Service, id).await.is_ok());
    }
}

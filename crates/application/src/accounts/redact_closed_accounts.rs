//! The R21 retention job: closed accounts' personal data is redacted after the retention
//! period; the subject key stays, so find-accounts and theft investigations still see them.

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::{Actor, Policy};
use realname_ports::{AccountReader, Clock, UnitOfWork};

use crate::AppError;

/// What [`RedactClosedAccounts::new`] takes: its ports and policies, by name.
pub struct RedactClosedAccountsDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub accounts: Arc<dyn AccountReader>,
}

/// Redacts what is due, a batch at a time; safe on several replicas (re-checked under lock).
pub struct RedactClosedAccounts {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    accounts: Arc<dyn AccountReader>,
}

impl RedactClosedAccounts {
    /// Wires the use case.
    pub fn new(deps: RedactClosedAccountsDeps) -> Self {
        let RedactClosedAccountsDeps {
            uow,
            clock,
            policy,
            accounts,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            accounts,
        }
    }

    /// Redacts the due accounts and returns how many.
    ///
    /// # Errors
    /// Storage errors; what was redacted before stays redacted.
    #[tracing::instrument(name = "redact_closed_accounts", skip_all)]
    pub async fn execute(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let retention = self.policy.retention();
        let due = self.accounts.redaction_due(now - retention, 100).await?;
        let mut redacted = 0;
        for id in due {
            let mut tx = self.uow.begin().await?;
            let Some(mut account) = tx.account_for_update(id).await? else {
                continue;
            };
            if !account.redact(now, retention) {
                continue;
            }
            tx.redact_account(&account).await?;
            tx.append_event(
                &NewEvent {
                    account_id: Some(id),
                    event: DomainEvent::AccountRedacted,
                },
                now,
            )
            .await?;
            let change = (
                "personal_data=kept".to_owned(),
                "personal_data=redacted".to_owned(),
            );
            tx.append_audit(
                &AuditEntry::new(id, &Actor::System, "account.redacted", change, now)
                    .because("retention"),
            )
            .await?;
            tx.commit().await?;
            redacted += 1;
        }
        Ok(redacted)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_ports::{MockAccountReader, MockTransaction};

    use super::*;
    use crate::testing::{clock, expect_recorded, now, unit_of_work, verified_account};

    #[tokio::test]
    async fn an_account_closed_longer_than_the_retention_period_is_redacted() {
        let mut acct = verified_account();
        acct.close(now() - Duration::days(1096)).unwrap();
        let id = acct.id;
        let mut reader = MockAccountReader::new();
        reader
            .expect_redaction_due()
            .returning(move |_, _| Ok(vec![id]));
        let mut tx = MockTransaction::new();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(acct.clone())));
        tx.expect_redact_account()
            .withf(|a| a.phone.is_none() && a.verification.is_none())
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        let job = RedactClosedAccounts::new(RedactClosedAccountsDeps {
            uow: unit_of_work(vec![tx]),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            accounts: Arc::new(reader),
        });
        assert_eq!(job.execute().await.unwrap(), 1);
    }
}

//! Register a root account, under the per-phone limit (R19).

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identifiers::Phone;
use realname_domain::{Account, Actor, Policy};
use realname_ports::{Answer, Clock, UnitOfWork};

use crate::AppError;

/// The command: the phone to bind.
#[derive(Debug, Clone)]
pub struct RegisterAccountCommand {
    /// The mainland mobile number to bind (R19).
    pub phone: Phone,
}

/// Registers a root account.
pub struct RegisterAccount {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl RegisterAccount {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self { uow, clock, policy }
    }

    /// Registers the account. The phone's row stays locked until commit, so concurrent
    /// registrations on one number never exceed its limit (R19).
    ///
    /// # Errors
    /// [`AppError::PhoneLimitReached`] at the per-number limit; storage errors.
    pub async fn execute(
        &self,
        actor: &Actor,
        cmd: RegisterAccountCommand,
    ) -> Result<Account, AppError> {
        self.execute_answering(actor, cmd, None).await
    }

    /// [`Self::execute`], recording a keyed request's answer with the account.
    ///
    /// # Errors
    /// As [`Self::execute`].
    #[tracing::instrument(name = "register_account", skip_all)]
    pub async fn execute_answering(
        &self,
        actor: &Actor,
        cmd: RegisterAccountCommand,
        answer: Option<Answer<Account>>,
    ) -> Result<Account, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        tx.lock_phone(&cmd.phone, self.policy.phone_account_limit)
            .await?
            .claim()?;
        let account = Account::register(cmd.phone, now);
        tx.insert_account(&account).await?;
        let event = NewEvent {
            account_id: Some(account.id),
            event: DomainEvent::AccountCreated,
        };
        tx.append_event(&event, now).await?;
        let change = (
            "none".to_owned(),
            "state=active,status=unverified".to_owned(),
        );
        tx.append_audit(&AuditEntry::new(
            account.id,
            actor,
            "account.created",
            change,
            now,
        ))
        .await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &account).await?;
        tx.commit().await?;
        tracing::info!(account.id = %account.id, "account registered");
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::quota::PhoneSlots;
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{clock, expect_recorded, phone, unit_of_work};

    fn use_case(tx: MockTransaction) -> RegisterAccount {
        RegisterAccount::new(unit_of_work(vec![tx]), clock(), Arc::new(Policy::default()))
    }

    #[tokio::test]
    async fn an_account_is_registered_while_the_number_has_room() {
        let mut tx = MockTransaction::new();
        tx.expect_lock_phone()
            .withf(|_, limit| *limit == 5)
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 4 }));
        tx.expect_insert_account().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        let account = use_case(tx)
            .execute(&Actor::Service, RegisterAccountCommand { phone: phone() })
            .await
            .unwrap();

        assert_eq!(account.phone, Some(phone()));
        assert_eq!(account.status, realname_domain::RealNameStatus::Unverified);
    }

    #[tokio::test]
    async fn a_sixth_account_on_one_number_is_refused_and_nothing_is_written() {
        let mut tx = MockTransaction::new();
        tx.expect_lock_phone()
            .returning(|_, limit| Ok(PhoneSlots { limit, bound: 5 }));
        tx.expect_insert_account().never();
        tx.expect_commit().never();

        let err = use_case(tx)
            .execute(&Actor::Service, RegisterAccountCommand { phone: phone() })
            .await
            .unwrap_err();

        assert!(matches!(err, AppError::PhoneLimitReached { limit: 5 }));
    }
}

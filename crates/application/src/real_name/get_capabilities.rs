//! The R12 capability query: "may this account do X?".

use std::sync::Arc;

use realname_domain::capabilities::{CapabilityInputs, CapabilityReport, evaluate};
use realname_domain::{AccountId, Actor};
use realname_ports::{CapabilityReader, Clock};

use crate::AppError;

/// Answers the capability table for one account.
pub struct GetCapabilities {
    facts: Arc<dyn CapabilityReader>,
    clock: Arc<dyn Clock>,
}

impl GetCapabilities {
    /// Wires the use case.
    pub fn new(facts: Arc<dyn CapabilityReader>, clock: Arc<dyn Clock>) -> Self {
        Self { facts, clock }
    }

    /// The answers, evaluated now. An inheriting sub-account answers with its root's status,
    /// agreement and pending revocation, and its own closure or freeze (R16).
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "get_capabilities", skip_all, fields(account.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
    ) -> Result<CapabilityReport, AppError> {
        let facts = self
            .facts
            .capability_facts(id)
            .await?
            .filter(|f| actor.can_see_ids(f.id, f.root))
            .ok_or(AppError::NotFound("account"))?;
        let inputs = match facts.inherits_from {
            None => facts.inputs,
            Some(root) => {
                let root = self
                    .facts
                    .capability_facts(root)
                    .await?
                    .ok_or(AppError::NotFound("account"))?;
                CapabilityInputs::inheriting(facts.inputs, root.inputs)
            }
        };
        Ok(evaluate(inputs, self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::{Account, AccountState};
    use realname_ports::{CapabilityFacts, MockCapabilityReader};

    use super::*;
    use crate::testing::{account, clock, verified_account};

    fn reader(accounts: Vec<Account>) -> GetCapabilities {
        let mut facts = MockCapabilityReader::new();
        facts.expect_capability_facts().returning(move |id| {
            Ok(accounts
                .iter()
                .find(|a| a.id == id)
                .map(CapabilityFacts::of))
        });
        GetCapabilities::new(Arc::new(facts), clock())
    }

    fn answers(acct: Account) -> CapabilityReport {
        let id = acct.id;
        futures_lite(reader(vec![acct]).execute(&Actor::Service, id)).unwrap()
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

    #[test]
    fn a_sub_account_answers_with_its_roots_status_and_another_holder_sees_nothing() {
        let mut root = verified_account();
        let sub = Account::sub_account(&root, root.created_at);
        root.revoke().unwrap();
        let use_case = reader(vec![root.clone(), sub.clone()]);
        let report = futures_lite(use_case.execute(&Actor::Service, sub.id)).unwrap();
        assert_eq!(report.status, realname_domain::RealNameStatus::Revoked);
        let stranger = Actor::Holder {
            account: account().id,
        };
        assert!(matches!(
            futures_lite(use_case.execute(&stranger, sub.id)),
            Err(AppError::NotFound(_))
        ));
    }
}

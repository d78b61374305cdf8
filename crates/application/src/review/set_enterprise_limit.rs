//! An account manager sets an enterprise's account limit (R4), audited with who, when and why.

use std::sync::Arc;

use realname_domain::Actor;
use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identifiers::Uscc;
use realname_domain::masking::mask_identifier;
use realname_domain::quota::QuotaOverride;
use realname_ports::{Clock, UnitOfWork};

use crate::AppError;

/// The command.
#[derive(Debug, Clone)]
pub struct SetEnterpriseLimitCommand {
    /// The enterprise; a USCC never seen before creates the override.
    pub uscc: Uscc,
    /// The new limit.
    pub limit: u32,
    /// Why.
    pub reason: String,
}

/// Sets an enterprise's account limit.
pub struct SetEnterpriseLimit {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl SetEnterpriseLimit {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Sets the limit and emits `enterprise.quota_changed`. Returns the override recorded.
    ///
    /// # Errors
    /// Storage errors.
    #[tracing::instrument(name = "set_enterprise_limit", skip_all, fields(limit = cmd.limit))]
    pub async fn execute(
        &self,
        actor: &Actor,
        cmd: SetEnterpriseLimitCommand,
    ) -> Result<QuotaOverride, AppError> {
        let change = QuotaOverride {
            limit: cmd.limit,
            actor: actor.audit_label(),
            reason: cmd.reason,
            at: self.clock.now(),
        };
        let mut tx = self.uow.begin().await?;
        let (previous, holders) = tx.set_enterprise_limit(&cmd.uscc, &change).await?;
        // R4, R22: each account holding the enterprise's slots records the change of its limit.
        let summary = (
            format!(
                "limit={}",
                previous.map_or_else(|| "default".to_owned(), |p| p.to_string())
            ),
            format!("limit={}", cmd.limit),
        );
        for account in holders {
            let entry = AuditEntry::new(
                account,
                actor,
                "enterprise.limit_changed",
                summary.clone(),
                change.at,
            );
            tx.append_audit(&entry.because(change.reason.clone()))
                .await?;
        }
        let event = DomainEvent::EnterpriseQuotaChanged {
            uscc_masked: mask_identifier(cmd.uscc.as_str()),
            previous,
            limit: cmd.limit,
        };
        tx.append_event(
            &NewEvent {
                account_id: None,
                event,
            },
            change.at,
        )
        .await?;
        tx.commit().await?;
        Ok(change)
    }
}

/// An enterprise's limit as account managers and reviewers read it (R4).
#[derive(Debug, Clone)]
pub struct EnterpriseLimitShown {
    /// The limit in force.
    pub limit: u32,
    /// The policy's default.
    pub default_limit: u32,
    /// The stored facts: the holders and the history.
    pub stored: realname_ports::EnterpriseLimit,
}

/// Reads an enterprise's limit, its holders and its history (R4).
pub struct GetEnterpriseLimit {
    accounts: Arc<dyn realname_ports::AccountReader>,
    policy: Arc<realname_domain::Policy>,
}

impl GetEnterpriseLimit {
    /// Wires the use case.
    pub fn new(
        accounts: Arc<dyn realname_ports::AccountReader>,
        policy: Arc<realname_domain::Policy>,
    ) -> Self {
        Self { accounts, policy }
    }

    /// The limit in force (the override, else the default), and what is stored.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(&self, uscc: &Uscc) -> Result<EnterpriseLimitShown, AppError> {
        let stored = self.accounts.enterprise_limit(uscc).await?;
        let default_limit = self.policy.enterprise_account_limit;
        Ok(EnterpriseLimitShown {
            limit: stored.override_limit.unwrap_or(default_limit),
            default_limit,
            stored,
        })
    }
}

#[cfg(test)]
mod tests {
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{clock, unit_of_work};

    #[tokio::test]
    async fn a_limit_is_recorded_with_who_and_why_and_announced() {
        let mut tx = MockTransaction::new();
        tx.expect_set_enterprise_limit()
            .withf(|_, c| {
                c.limit == 12 && c.actor == "account_manager" && c.reason == "group subsidiaries"
            })
            .times(1)
            .returning(|_, _| Ok((Some(10), vec![realname_domain::AccountId::new()])));
        tx.expect_append_audit()
            .withf(|e| e.action == "enterprise.limit_changed" && e.before == "limit=10")
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_append_event()
            .withf(|e, _| {
                e.account_id.is_none() && e.event.type_name() == "enterprise.quota_changed"
            })
            .times(1)
            .returning(|_, _| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));
        let cmd = SetEnterpriseLimitCommand {
            uscc: Uscc::parse("91110000600037341L").unwrap(),
            limit: 12,
            reason: "group subsidiaries".into(),
        };

        let change = SetEnterpriseLimit::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::AccountManager, cmd)
            .await
            .unwrap();

        assert_eq!(change.limit, 12);
    }
}

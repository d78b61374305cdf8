//! Export one account's audit trail with its hash chain (R22).

use std::sync::Arc;

use realname_domain::audit::verify_chain;
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

    /// A page of the chain, oldest first, with the chain's head and whether the whole chain
    /// verifies: the check of `realname audit verify` ([`verify_chain`]), on this one chain.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the account is not the actor's.
    #[tracing::instrument(name = "get_audit_log", skip_all, fields(account.id = %id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: AccountId,
        page: Page<i64>,
    ) -> Result<AuditLog, AppError> {
        visible_account(self.accounts.as_ref(), actor, id).await?;
        let chain = self.audit.audit_log(id).await?;
        Ok(AuditLog {
            page: self.audit.audit_page(id, page).await?,
            chain_valid: verify_chain(&chain).is_ok(),
        })
    }
}

/// A page of an account's audit chain, and whether the chain verifies (R22).
#[derive(Debug, Clone)]
pub struct AuditLog {
    /// The page asked for.
    pub page: AuditPage,
    /// Whether every entry's hash chains to the one before, from the genesis to the head.
    pub chain_valid: bool,
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

    #[tokio::test]
    async fn the_answer_says_whether_the_whole_chain_verifies() {
        use chrono::Utc;
        use realname_domain::audit::{AuditEntry, ChainedEntry, GENESIS};

        let acct = account();
        let id = acct.id;
        let entry = AuditEntry::new(
            id,
            &Actor::System,
            "account.created",
            ("a".into(), "b".into()),
            Utc::now(),
        );
        let intact = ChainedEntry {
            id: 1,
            hash: entry.chained_hash(&GENESIS),
            entry,
            prev_hash: GENESIS,
        };
        let mut altered = intact.clone();
        altered.entry.after = "c".into();
        for (stored, valid) in [(intact, true), (altered, false)] {
            let mut accounts = MockAccountReader::new();
            let owned = acct.clone();
            accounts
                .expect_account()
                .returning(move |_| Ok(Some(owned.clone())));
            let mut audit = MockAuditReader::new();
            let chain = vec![stored];
            let whole = chain.clone();
            audit
                .expect_audit_log()
                .returning(move |_| Ok(whole.clone()));
            audit.expect_audit_page().returning(move |_, _| {
                Ok(AuditPage {
                    entries: chain.clone(),
                    has_more: false,
                    head: None,
                })
            });
            let log = GetAuditLog::new(Arc::new(accounts), Arc::new(audit))
                .execute(
                    &Actor::Admin,
                    id,
                    Page {
                        starting_after: None,
                        limit: 100,
                    },
                )
                .await
                .unwrap();
            assert_eq!(log.chain_valid, valid);
        }
    }
}

//! Walk every account's audit chain (R22): `realname audit verify`.

use std::sync::Arc;

use realname_domain::AccountId;
use realname_domain::audit::{BrokenChain, verify_chain};
use realname_ports::AuditReader;

use crate::AppError;
use crate::progress::Progress;

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Chains checked.
    pub accounts: usize,
    /// Entries checked.
    pub entries: usize,
    /// The first broken chain: its account and entry.
    pub broken: Option<(AccountId, BrokenChain)>,
}

/// Verifies every chain, stopping at the first broken one.
pub struct VerifyAuditChains {
    audit: Arc<dyn AuditReader>,
    progress: Option<Arc<dyn Progress>>,
}

impl VerifyAuditChains {
    /// Wires the use case.
    pub fn new(audit: Arc<dyn AuditReader>) -> Self {
        Self {
            audit,
            progress: None,
        }
    }

    /// Tells `progress` how many chains there are, and each one checked.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Walks the chains, a page of accounts at a time.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(&self) -> Result<ChainReport, AppError> {
        let mut report = ChainReport {
            accounts: 0,
            entries: 0,
            broken: None,
        };
        if let Some(progress) = &self.progress {
            progress.begin(self.audit.count_audited_accounts().await?);
        }
        let mut after = None;
        loop {
            let page = self.audit.audited_accounts(after, 500).await?;
            let Some(last) = page.last().copied() else {
                return Ok(report);
            };
            for account in page {
                let chain = self.audit.audit_log(account).await?;
                report.accounts += 1;
                report.entries += chain.len();
                if let Some(progress) = &self.progress {
                    progress.advance(1);
                }
                if let Err(broken) = verify_chain(&chain) {
                    report.broken = Some((account, broken));
                    return Ok(report);
                }
            }
            after = Some(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use realname_domain::Actor;
    use realname_domain::audit::{AuditEntry, ChainedEntry, GENESIS};
    use realname_ports::MockAuditReader;

    use super::*;

    fn chain(account: AccountId, tamper: bool) -> Vec<ChainedEntry> {
        let entry = AuditEntry::new(
            account,
            &Actor::System,
            "account.created",
            ("a".into(), "b".into()),
            Utc::now(),
        );
        let hash = entry.chained_hash(&GENESIS);
        let mut stored = ChainedEntry {
            id: 7,
            entry,
            prev_hash: GENESIS,
            hash,
        };
        if tamper {
            stored.entry.after = "c".into();
        }
        vec![stored]
    }

    #[tokio::test]
    async fn the_first_broken_chain_is_named_with_its_entry() {
        let (good, bad) = (AccountId::new(), AccountId::new());
        let mut audit = MockAuditReader::new();
        audit.expect_audited_accounts().returning(move |after, _| {
            Ok(if after.is_none() {
                vec![good, bad]
            } else {
                vec![]
            })
        });
        audit
            .expect_audit_log()
            .returning(move |a| Ok(chain(a, a == bad)));
        let report = VerifyAuditChains::new(Arc::new(audit))
            .execute()
            .await
            .unwrap();
        assert_eq!(report.broken, Some((bad, BrokenChain { entry_id: 7 })));
        assert_eq!(report.accounts, 2);
    }

    #[tokio::test]
    async fn intact_chains_report_nothing_broken() {
        let mut audit = MockAuditReader::new();
        let one = AccountId::new();
        audit
            .expect_audited_accounts()
            .returning(move |after, _| Ok(if after.is_none() { vec![one] } else { vec![] }));
        audit.expect_audit_log().returning(|a| Ok(chain(a, false)));
        let report = VerifyAuditChains::new(Arc::new(audit))
            .execute()
            .await
            .unwrap();
        assert_eq!(
            (report.accounts, report.entries, report.broken),
            (1, 1, None)
        );
    }

    #[tokio::test]
    async fn progress_is_told_the_number_of_chains_and_each_one_checked() {
        let accounts = [AccountId::new(), AccountId::new(), AccountId::new()];
        let mut audit = MockAuditReader::new();
        audit.expect_count_audited_accounts().returning(|| Ok(3));
        audit.expect_audited_accounts().returning(move |after, _| {
            Ok(if after.is_none() {
                accounts.to_vec()
            } else {
                vec![]
            })
        });
        audit.expect_audit_log().returning(|a| Ok(chain(a, false)));
        let progress = Arc::new(crate::progress::recorded::Recorded::default());
        VerifyAuditChains::new(Arc::new(audit))
            .with_progress(progress.clone())
            .execute()
            .await
            .unwrap();
        assert_eq!(progress.seen(), (Some(3), 3));
    }
}

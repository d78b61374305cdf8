//! `realname recheck --dry-run` (R17): what a run would do, without changing anything. The
//! registry is asked (read-only); nothing is claimed, written or sent.

use std::collections::BTreeMap;
use std::sync::Arc;

use realname_domain::recheck::{
    AccountAction, capabilities_lost_by_heir, capabilities_lost_on_revocation,
};
use realname_ports::{BusinessRegistry, Clock, RecheckScope, RecheckStore};

use super::{RecheckSettings, assess_all};
use crate::AppError;
use crate::progress::Progress;

/// The blast radius of a re-check run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlastRadius {
    /// Enterprises the run would process.
    pub enterprises_due: usize,
    /// Enterprises whose registry call failed now (they would be retried, never revoked).
    pub registry_errors: usize,
    /// Enterprises that would get notices.
    pub enterprises_noticed: usize,
    /// Accounts that would get notices.
    pub accounts_noticed: usize,
    /// Enterprises with revocations due.
    pub enterprises_revoked: usize,
    /// Accounts whose revocation is due.
    pub accounts_revoked: usize,
    /// Pending revocations that would be cancelled.
    pub cancellations: usize,
    /// Inheriting sub-accounts of the revoked accounts, which follow their root (R16).
    pub heirs_affected: usize,
    /// For each capability, how many accounts would lose it, revoked accounts and their
    /// inheriting sub-accounts alike (R12, R16, R18).
    pub capabilities_lost: BTreeMap<&'static str, usize>,
}

/// What [`AssessBlastRadius::new`] takes: its ports and policies, by name.
pub struct AssessBlastRadiusDeps {
    pub clock: Arc<dyn Clock>,
    pub store: Arc<dyn RecheckStore>,
    pub registry: Arc<dyn BusinessRegistry>,
    pub settings: RecheckSettings,
}

/// Computes the blast radius.
pub struct AssessBlastRadius {
    clock: Arc<dyn Clock>,
    store: Arc<dyn RecheckStore>,
    registry: Arc<dyn BusinessRegistry>,
    settings: RecheckSettings,
    progress: Option<Arc<dyn Progress>>,
}

impl AssessBlastRadius {
    /// Wires the use case.
    pub fn new(deps: AssessBlastRadiusDeps) -> Self {
        let AssessBlastRadiusDeps {
            clock,
            store,
            registry,
            settings,
        } = deps;
        Self {
            clock,
            store,
            registry,
            settings,
            progress: None,
        }
    }

    /// Tells `progress` how many enterprises are due, and each page assessed.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Walks everything due now (or, with `all`, every enterprise) and tallies the outcome.
    ///
    /// # Errors
    /// Storage errors.
    #[tracing::instrument(name = "assess_blast_radius", skip_all, fields(all))]
    pub async fn execute(&self, all: bool) -> Result<BlastRadius, AppError> {
        let now = self.clock.now();
        let scope = if all {
            RecheckScope::All {
                since: now,
                after: None,
            }
        } else {
            RecheckScope::DueAt(now)
        };
        let RecheckSettings {
            policy,
            batch,
            concurrency,
            ..
        } = self.settings;
        if let Some(progress) = &self.progress {
            progress.begin(self.store.count(&scope).await?);
        }
        let mut radius = BlastRadius::default();
        let mut after = None;
        loop {
            let page = self.store.peek(&scope, after.clone(), batch).await?;
            let Some(last) = page.iter().map(|c| c.key.clone()).max() else {
                break;
            };
            after = Some(last);
            let assessed = page.len() as u64;
            for (candidate, assessment) in
                assess_all(&self.registry, page, all, &policy, now, concurrency).await
            {
                radius.enterprises_due += 1;
                if assessment.failures > candidate.target.failures {
                    radius.registry_errors += 1;
                }
                let mut noticed = false;
                let mut revoked = false;
                for (id, action) in &assessment.actions {
                    match action {
                        AccountAction::Notice { .. } => {
                            noticed = true;
                            radius.accounts_noticed += 1;
                        }
                        AccountAction::Cancel => radius.cancellations += 1,
                        AccountAction::Revoke { .. } => {
                            revoked = true;
                            radius.accounts_revoked += 1;
                            let Some(account) =
                                candidate.target.accounts.iter().find(|a| a.id == *id)
                            else {
                                continue;
                            };
                            let mut lost = capabilities_lost_on_revocation(account, now);
                            // R16: its inheriting sub-accounts follow it into revocation.
                            for (_, heir) in self.store.heirs(&[account.id]).await? {
                                radius.heirs_affected += 1;
                                lost.extend(capabilities_lost_by_heir(heir, account, now));
                            }
                            for lost in lost {
                                *radius.capabilities_lost.entry(lost.as_str()).or_default() += 1;
                            }
                        }
                    }
                }
                radius.enterprises_noticed += usize::from(noticed);
                radius.enterprises_revoked += usize::from(revoked);
            }
            if let Some(progress) = &self.progress {
                progress.advance(assessed);
            }
        }
        Ok(radius)
    }
}

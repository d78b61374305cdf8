//! Runs the re-check (R17): claims due enterprises in batches, asks the registry outside any
//! transaction, and applies notices, cancellations and revocations, one enterprise per
//! transaction. Registry errors only reschedule.

use std::sync::Arc;

use futures::StreamExt;

use chrono::{DateTime, Duration, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::DomainEvent;
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::recheck::{AccountAction, Assessment, RecheckPolicy};
use realname_domain::{Account, Actor, Subject};
use realname_ports::{
    BusinessRegistry, Clock, RecheckCandidate, RecheckScope, RecheckStore, Reschedule, Transaction,
    UnitOfWork,
};

use super::assess_all;
use crate::AppError;
use crate::progress::Progress;
use crate::real_name::revoke_verification::revoke_in;
use crate::record::emit;

/// How the re-check runs.
#[derive(Debug, Clone, Copy)]
pub struct RecheckSettings {
    /// The R17 timings.
    pub policy: RecheckPolicy,
    /// How long a claim is held.
    pub lease: Duration,
    /// Enterprises claimed at a time.
    pub batch: u32,
    /// Registry calls in flight at a time, per lane.
    pub concurrency: usize,
    /// Batches in progress at a time.
    pub lanes: usize,
}

/// Enterprises with findings applied at a time within a batch.
const APPLY_CONCURRENCY: usize = 4;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecheckReport {
    /// Enterprises claimed.
    pub enterprises: usize,
    /// Enterprises the registry answered for.
    pub checked: usize,
    /// Enterprises whose check failed and will be retried.
    pub retries: usize,
    /// Accounts sent a notice.
    pub notices: usize,
    /// Accounts revoked.
    pub revocations: usize,
    /// Pending revocations cancelled.
    pub cancellations: usize,
}

impl RecheckReport {
    fn add(&mut self, other: Self) {
        self.enterprises += other.enterprises;
        self.checked += other.checked;
        self.retries += other.retries;
        self.notices += other.notices;
        self.revocations += other.revocations;
        self.cancellations += other.cancellations;
    }
}

/// What [`RunRecheck::new`] takes: its ports and policies, by name.
pub struct RunRecheckDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub store: Arc<dyn RecheckStore>,
    pub registry: Arc<dyn BusinessRegistry>,
    pub owner: String,
    pub settings: RecheckSettings,
}

/// Runs the re-check for one claimer (`owner`, unique per replica or process).
pub struct RunRecheck {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    store: Arc<dyn RecheckStore>,
    registry: Arc<dyn BusinessRegistry>,
    owner: String,
    settings: RecheckSettings,
    progress: Option<Arc<dyn Progress>>,
}

impl RunRecheck {
    /// Wires the use case.
    pub fn new(deps: RunRecheckDeps) -> Self {
        let RunRecheckDeps {
            uow,
            clock,
            store,
            registry,
            owner,
            settings,
        } = deps;
        Self {
            uow,
            clock,
            store,
            registry,
            owner,
            settings,
            progress: None,
        }
    }

    /// Tells `progress` how many enterprises are due, and each batch processed.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Processes everything due now (or, with `all`, every enterprise not yet checked in this
    /// run) batch by batch, until nothing is left.
    ///
    /// # Errors
    /// Storage errors; batches done before stay done, and claims of the failed batch come back
    /// after their lease.
    pub async fn execute(&self, all: bool) -> Result<RecheckReport, AppError> {
        self.execute_until(all, &|| false).await
    }

    /// As [`Self::execute`], but stops between batches once `stop` says so (a graceful
    /// shutdown): the batch in progress finishes and its claims are released.
    ///
    /// # Errors
    /// As [`Self::execute`].
    #[tracing::instrument(name = "run_recheck", skip_all, fields(all))]
    pub async fn execute_until(
        &self,
        all: bool,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<RecheckReport, AppError> {
        let started = self.clock.now();
        let scope = if all {
            RecheckScope::All {
                since: started,
                after: None,
            }
        } else {
            RecheckScope::DueAt(started)
        };
        if let Some(progress) = &self.progress {
            progress.begin(self.store.count(&scope).await?);
        }
        // Lanes claim disjoint batches (SKIP LOCKED and the lease keep them apart), so one
        // lane's registry calls overlap another's database work.
        let lanes = (0..self.settings.lanes.max(1)).map(|_| self.lane(scope.clone(), stop));
        let mut total = RecheckReport::default();
        for report in futures::future::join_all(lanes).await {
            total.add(report?);
        }
        Ok(total)
    }

    /// Runs batches until nothing is left or `stop` says so.
    async fn lane(
        &self,
        mut scope: RecheckScope,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<RecheckReport, AppError> {
        let mut total = RecheckReport::default();
        while !stop() {
            let (report, last) = self.batch(&scope).await?;
            if let Some(progress) = &self.progress {
                progress.advance(report.enterprises as u64);
            }
            total.add(report);
            match (&mut scope, last) {
                (_, None) => break,
                (RecheckScope::All { after, .. }, Some(last)) => *after = Some(last),
                (RecheckScope::DueAt(_), Some(_)) => {}
            }
        }
        Ok(total)
    }

    /// Claims and processes one batch; returns what it did and the last key claimed.
    async fn batch(
        &self,
        scope: &RecheckScope,
    ) -> Result<(RecheckReport, Option<realname_ports::EnterpriseRef>), AppError> {
        let now = self.clock.now();
        let RecheckSettings {
            policy,
            lease,
            batch,
            concurrency,
            ..
        } = self.settings;
        let candidates = self
            .store
            .claim(scope, now, &self.owner, lease, batch)
            .await?;
        let Some(last) = candidates.iter().map(|c| c.key.clone()).max() else {
            return Ok((RecheckReport::default(), None));
        };
        let all = matches!(scope, RecheckScope::All { .. });
        let assessed = assess_all(&self.registry, candidates, all, &policy, now, concurrency).await;
        let mut report = RecheckReport {
            enterprises: assessed.len(),
            ..RecheckReport::default()
        };
        // Enterprises with findings are applied a few at a time, each in its own transaction.
        let with_findings: Vec<usize> = (0..assessed.len())
            .filter(|&i| !assessed[i].1.actions.is_empty())
            .collect();
        let assessed_ref = &assessed;
        let applied: Vec<Applied> = futures::stream::iter(with_findings)
            .map(|i| self.apply(&assessed_ref[i].0, &assessed_ref[i].1, now))
            .buffer_unordered(APPLY_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        for done in applied {
            report.notices += done.notices;
            report.revocations += done.revocations;
            report.cancellations += done.cancellations;
        }
        let mut schedules = Vec::with_capacity(assessed.len());
        for (candidate, assessment) in assessed {
            if assessment.checked {
                report.checked += 1;
            } else if assessment.failures > candidate.target.failures {
                report.retries += 1;
            }
            schedules.push(Reschedule {
                key: candidate.key,
                next_check_at: assessment.next_check_at,
                failures: assessment.failures,
                checked_at: assessment.checked.then_some(now),
            });
        }
        self.store.reschedule(&self.owner, &schedules).await?;
        Ok((report, Some(last)))
    }

    /// Applies an enterprise's actions in one transaction. Each account is locked and the
    /// action re-checked against what the lock shows (R17): an account modified, closed or
    /// already noticed since the claim is left alone, so a notice is never sent twice.
    async fn apply(
        &self,
        candidate: &RecheckCandidate,
        assessment: &Assessment,
        now: DateTime<Utc>,
    ) -> Result<Applied, AppError> {
        let enterprise = candidate
            .target
            .enterprise()
            .map(|e| Subject::Enterprise(e.clone()).key_material());
        let mut tx = self.uow.begin().await?;
        let mut applied = Applied::default();
        for (id, action) in &assessment.actions {
            let Some(account) = tx.account_for_update(*id).await? else {
                continue;
            };
            let verified_as = account
                .verification
                .as_ref()
                .map(|v| v.subject.key_material());
            if verified_as == enterprise && action.applies_to(&account, now) {
                apply_action(tx.as_mut(), account, *action, now, &mut applied).await?;
            }
        }
        tx.commit().await?;
        Ok(applied)
    }
}

async fn apply_action(
    tx: &mut dyn Transaction,
    mut account: Account,
    action: AccountAction,
    now: DateTime<Utc>,
    applied: &mut Applied,
) -> Result<(), AppError> {
    let actor = Actor::System;
    let (event, change) = match action {
        AccountAction::Revoke { finding } => {
            revoke_in(tx, &actor, account.id, finding.revocation_reason(), now).await?;
            applied.revocations += 1;
            return Ok(());
        }
        AccountAction::Notice {
            finding,
            effective_at,
        } => {
            account.schedule_revocation(effective_at);
            applied.notices += 1;
            // R17: the holder is warned first, durably, with the date.
            let mut notice = Notification::new(NoticeKind::RevocationNotice, account.id, now);
            notice.at = Some(effective_at);
            tx.queue_notification(&notice).await?;
            let event = DomainEvent::AccountRevocationScheduled {
                finding: finding.as_str(),
                effective_at,
            };
            let after = format!("revocation_pending={}", effective_at.to_rfc3339());
            (event, ("revocation_pending=none".to_owned(), after))
        }
        AccountAction::Cancel => {
            let before = account
                .revocation_pending_at
                .map_or_else(String::new, |at| at.to_rfc3339());
            account.cancel_revocation();
            applied.cancellations += 1;
            let event = DomainEvent::AccountRevocationCancelled {
                reason: "registry_fixed",
            };
            let before = format!("revocation_pending={before}");
            (event, (before, "revocation_pending=none".to_owned()))
        }
    };
    tx.save_account(&account).await?;
    let action_name = event.type_name();
    let reason = match &event {
        DomainEvent::AccountRevocationScheduled { finding, .. } => (*finding).to_owned(),
        _ => "registry_fixed".to_owned(),
    };
    emit(tx, account.id, event, now).await?;
    tx.append_audit(&AuditEntry::new(account.id, &actor, action_name, change, now).because(reason))
        .await?;
    Ok(())
}

#[derive(Debug, Default)]
struct Applied {
    notices: usize,
    revocations: usize,
    cancellations: usize,
}

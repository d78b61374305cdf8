//! The scheduled jobs: deadlines, sessions, webhooks, the re-check (R17) and the maintenance.

use std::sync::Arc;
use std::time::Duration;

use realname_application::accounts::{
    RedactClosedAccounts, RedactClosedAccountsDeps, RedactKeptRecords,
};
use realname_application::events::{DeliverEvents, DeliverEventsDeps};
use realname_application::maintenance::PruneIdempotencyKeys;
use realname_application::notifications::{DeliverNotifications, DeliverNotificationsDeps};
use realname_application::recheck::{
    AssessBlastRadius, AssessBlastRadiusDeps, RunRecheck, RunRecheckDeps,
};
use realname_application::verification::{
    ExpireSessions, ExpireSessionsDeps, ProcessDeadlines, ProcessDeadlinesDeps,
};
use realname_gateways::RateLimitedRegistry;
use realname_ports::BusinessRegistry;
use realname_scheduler::{
    DeadlinesJob, DeliveryJob, ExpireSessionsJob, Job, NotificationsJob, PollProviderResultsJob,
    PruneIdempotencyJob, RecheckJob, RetentionJob,
};

use crate::settings::Settings;

use super::{Adapters, claimer_id, lease};

impl Adapters {
    /// The registry as the re-check calls it: at most `recheck.rate_per_second` (R17).
    fn paced_registry(&self, settings: &Settings) -> Arc<dyn BusinessRegistry> {
        Arc::new(RateLimitedRegistry::new(
            self.registry.clone(),
            settings.recheck.rate_per_second,
        ))
    }

    /// The re-check (R17) for one claimer, its registry calls paced by the configured rate.
    pub(crate) fn recheck(&self, settings: &Settings, owner: String) -> RunRecheck {
        let registry = self.paced_registry(settings);
        RunRecheck::new(RunRecheckDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            store: self.store.clone(),
            registry,
            owner,
            settings: settings.recheck.settings(lease(settings)),
        })
    }

    /// The re-check's dry run (R17).
    pub(crate) fn blast_radius(&self, settings: &Settings) -> AssessBlastRadius {
        let registry = self.paced_registry(settings);
        AssessBlastRadius::new(AssessBlastRadiusDeps {
            clock: self.clock.clone(),
            store: self.store.clone(),
            registry,
            settings: settings.recheck.settings(lease(settings)),
        })
    }

    pub(super) fn jobs(&self, settings: &Settings) -> Vec<(Arc<dyn Job>, Duration)> {
        if !settings.scheduler.enabled {
            return Vec::new();
        }
        let every = |secs: u64| Duration::from_secs(secs.max(1));
        let expire = ExpireSessions::new(ExpireSessionsDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            applications: self.store.clone(),
            batch: 100,
        });
        let owner = claimer_id();
        let lease = lease(settings);
        let recheck = self.recheck(settings, owner.clone());
        let delivery = DeliverEvents::new(DeliverEventsDeps {
            store: self.store.clone(),
            feed: self.store.clone(),
            sender: self.webhook_sender.clone(),
            clock: self.clock.clone(),
            owner: owner.clone(),
            settings: settings.webhooks.settings(lease),
        });
        let prune = PruneIdempotencyKeys::new(self.store.clone(), self.clock.clone(), 1000);
        let deadlines = ProcessDeadlines::new(ProcessDeadlinesDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            claims: self.store.clone(),
            owner: owner.clone(),
            lease,
            batch: 100,
        });
        let notifications = DeliverNotifications::new(DeliverNotificationsDeps {
            store: self.store.clone(),
            holders: self.holders.clone(),
            support: self.support.clone(),
            clock: self.clock.clone(),
            owner,
            lease,
            policy: settings.notifications.policy(),
            batch: 100,
        });
        let retention = RedactClosedAccounts::new(RedactClosedAccountsDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            policy: self.policy.clone(),
            accounts: self.store.clone(),
        });
        vec![
            (
                Arc::new(ExpireSessionsJob(Arc::new(expire))),
                every(settings.scheduler.expire_sessions_interval_secs),
            ),
            (
                Arc::new(PollProviderResultsJob(Arc::new(
                    self.pull_provider_result(),
                ))),
                every(settings.providers.faceid.poll_interval_secs),
            ),
            (
                Arc::new(DeadlinesJob(Arc::new(deadlines))),
                every(settings.scheduler.deadlines_interval_secs),
            ),
            (
                Arc::new(RetentionJob {
                    accounts: Arc::new(retention),
                    records: Arc::new(RedactKeptRecords::new(
                        self.store.clone(),
                        self.clock.clone(),
                        self.policy.clone(),
                    )),
                }),
                every(settings.scheduler.retention_interval_secs),
            ),
            (
                Arc::new(RecheckJob(Arc::new(recheck))),
                every(settings.scheduler.recheck_interval_secs),
            ),
            (
                Arc::new(NotificationsJob(Arc::new(notifications))),
                every(settings.scheduler.delivery_interval_secs),
            ),
            (
                Arc::new(DeliveryJob(Arc::new(delivery))),
                every(settings.scheduler.delivery_interval_secs),
            ),
            (
                Arc::new(PruneIdempotencyJob(Arc::new(prune))),
                every(settings.scheduler.idempotency_prune_interval_secs),
            ),
        ]
    }
}

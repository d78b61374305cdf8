//! The scheduler adapter: periodic jobs as a `run_once` tick plus a loop with shutdown.
//!
//! A job is a thin call into one use case; no SQL and no rule lives here. A failing tick is
//! logged and the loop carries on; every job is idempotent, so several replicas may run it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use realname_application::verification::{ExpireSessions, ProcessDeadlines, PullProviderResult};
use serde::Deserialize;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

/// Scheduler settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// Whether this replica runs the jobs.
    pub enabled: bool,
    /// Seconds between runs of the session-expiry job (R5).
    pub expire_sessions_interval_secs: u64,
    /// Seconds between runs of the deadline job (R8).
    pub deadlines_interval_secs: u64,
    /// How long a claimed row stays with its claimer, in seconds.
    pub lease_secs: u64,
    /// Seconds between runs of the retention job (R21).
    pub retention_interval_secs: u64,
    /// Seconds between runs of the enterprise re-check (R17).
    pub recheck_interval_secs: u64,
    /// Seconds between runs of webhook delivery (SPEC §6).
    pub delivery_interval_secs: u64,
    /// Seconds between runs of idempotency-key pruning.
    pub idempotency_prune_interval_secs: u64,
}

/// One periodic job.
#[async_trait]
pub trait Job: Send + Sync {
    /// A stable name for logs.
    fn name(&self) -> &'static str;

    /// One tick: does what is due now and reports how many items it handled. A long tick
    /// may stop early, between units of work, once `shutdown` is cancelled.
    ///
    /// # Errors
    /// Whatever stopped the tick; the loop logs it and tries again next tick.
    async fn run_once(&self, shutdown: &CancellationToken) -> anyhow::Result<usize>;
}

/// Expires instant sessions past their validity (R5).
pub struct ExpireSessionsJob(pub Arc<ExpireSessions>);

#[async_trait]
impl Job for ExpireSessionsJob {
    fn name(&self) -> &'static str {
        "expire_sessions"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        Ok(self.0.execute().await?)
    }
}

/// Delivers durable notifications: holders by SMS, support by e-mail (R8, R14, R17, R19).
pub struct NotificationsJob(pub Arc<realname_application::notifications::DeliverNotifications>);

#[async_trait]
impl Job for NotificationsJob {
    fn name(&self) -> &'static str {
        "notifications"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        Ok(self.0.execute().await?)
    }
}

/// Pulls the results of open FaceID sessions, for holders who never come back (R5).
pub struct PollProviderResultsJob(pub Arc<PullProviderResult>);

#[async_trait]
impl Job for PollProviderResultsJob {
    fn name(&self) -> &'static str {
        "poll_provider_results"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        Ok(self.0.poll().await?)
    }
}

/// Expires unpaid applications and escalates overdue reviews at their deadline (R8).
pub struct DeadlinesJob(pub Arc<ProcessDeadlines>);

#[async_trait]
impl Job for DeadlinesJob {
    fn name(&self) -> &'static str {
        "deadlines"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        Ok(self.0.execute().await?)
    }
}

/// Redacts closed accounts, then superseded subjects, identity proofs and case messages, after
/// the retention period (R21).
pub struct RetentionJob {
    /// Closed accounts.
    pub accounts: Arc<realname_application::accounts::RedactClosedAccounts>,
    /// The other records kept for the period.
    pub records: Arc<realname_application::accounts::RedactKeptRecords>,
}

#[async_trait]
impl Job for RetentionJob {
    fn name(&self) -> &'static str {
        "retention"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        let accounts = self.accounts.execute().await?;
        Ok(accounts + self.records.execute().await?)
    }
}

/// Re-checks the enterprises due now against the business registry (R17).
pub struct RecheckJob(pub Arc<realname_application::recheck::RunRecheck>);

#[async_trait]
impl Job for RecheckJob {
    fn name(&self) -> &'static str {
        "recheck"
    }

    async fn run_once(&self, shutdown: &CancellationToken) -> anyhow::Result<usize> {
        let stop = || shutdown.is_cancelled();
        Ok(self.0.execute_until(false, &stop).await?.enterprises)
    }
}

/// Queues new events for webhook endpoints and posts due deliveries (SPEC §6).
pub struct DeliveryJob(pub Arc<realname_application::events::DeliverEvents>);

#[async_trait]
impl Job for DeliveryJob {
    fn name(&self) -> &'static str {
        "webhook_delivery"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        let report = self.0.execute().await?;
        Ok(report.delivered + report.retried + report.failed)
    }
}

/// Deletes expired `Idempotency-Key` records.
pub struct PruneIdempotencyJob(pub Arc<realname_application::maintenance::PruneIdempotencyKeys>);

#[async_trait]
impl Job for PruneIdempotencyJob {
    fn name(&self) -> &'static str {
        "idempotency_prune"
    }

    async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
        Ok(self.0.execute().await?)
    }
}

/// Runs `job` every `every` until `shutdown` is cancelled. A tick in progress finishes first.
pub async fn run_loop(job: Arc<dyn Job>, every: Duration, shutdown: CancellationToken) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            _ = interval.tick() => {}
        }
        match job.run_once(&shutdown).await {
            Ok(0) => {}
            Ok(handled) => tracing::debug!(job = job.name(), handled, "tick done"),
            Err(error) => {
                tracing::warn!(job = job.name(), error = %error, "tick failed; will retry")
            }
        }
    }
    tracing::info!(job = job.name(), "job stopped");
}

/// Spawns every job's loop; the returned handles finish after `shutdown` is cancelled.
#[must_use]
pub fn spawn_all(
    jobs: Vec<(Arc<dyn Job>, Duration)>,
    shutdown: &CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    jobs.into_iter()
        .map(|(job, every)| tokio::spawn(run_loop(job, every, shutdown.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Counting {
        runs: AtomicUsize,
        fail: bool,
    }

    #[async_trait]
    impl Job for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }

        async fn run_once(&self, _: &CancellationToken) -> anyhow::Result<usize> {
            self.runs.fetch_add(1, Ordering::SeqCst);
            anyhow::ensure!(!self.fail, "boom");
            Ok(1)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_loop_ticks_until_shutdown_and_then_stops() {
        let job = Arc::new(Counting {
            runs: AtomicUsize::new(0),
            fail: false,
        });
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(run_loop(
            job.clone(),
            Duration::from_secs(10),
            shutdown.clone(),
        ));

        tokio::time::sleep(Duration::from_secs(25)).await;
        shutdown.cancel();
        handle.await.unwrap();
        let runs = job.runs.load(Ordering::SeqCst);
        assert_eq!(runs, 3, "ticks at 0 s, 10 s and 20 s");

        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            job.runs.load(Ordering::SeqCst),
            runs,
            "no tick after shutdown"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_tick_does_not_stop_the_loop() {
        let job = Arc::new(Counting {
            runs: AtomicUsize::new(0),
            fail: true,
        });
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(run_loop(
            job.clone(),
            Duration::from_secs(1),
            shutdown.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(3500)).await;
        shutdown.cancel();
        handle.await.unwrap();
        assert_eq!(job.runs.load(Ordering::SeqCst), 4);
    }
}

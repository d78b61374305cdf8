//! Expire instant sessions with no result within their validity (R5).

use std::sync::Arc;

use realname_domain::{Actor, Application};
use realname_ports::{ApplicationReader, Clock, UnitOfWork};

use crate::AppError;
use crate::access::lock_application;
use crate::record::save_transition;

/// What [`ExpireSessions::new`] takes: its ports and policies, by name.
pub struct ExpireSessionsDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub applications: Arc<dyn ApplicationReader>,
    pub batch: u32,
}

/// Expires stale sessions, a batch at a time. Safe to run on several replicas at once: each
/// application is re-checked under its account's lock, so it expires once.
pub struct ExpireSessions {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    applications: Arc<dyn ApplicationReader>,
    batch: u32,
}

impl ExpireSessions {
    /// Wires the use case; `batch` bounds one run.
    pub fn new(deps: ExpireSessionsDeps) -> Self {
        let ExpireSessionsDeps {
            uow,
            clock,
            applications,
            batch,
        } = deps;
        Self {
            uow,
            clock,
            applications,
            batch,
        }
    }

    /// Expires what is stale now and returns how many it expired.
    ///
    /// # Errors
    /// Storage errors; what was expired before the error stays expired.
    #[tracing::instrument(name = "expire_sessions", skip_all)]
    pub async fn execute(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let stale = self.applications.stale_sessions(now, self.batch).await?;
        let mut expired = 0;
        for candidate in stale {
            if self.expire_one(&candidate, now).await? {
                expired += 1;
            }
        }
        if expired > 0 {
            tracing::info!(expired, "expired stale sessions");
        }
        Ok(expired)
    }

    async fn expire_one(
        &self,
        candidate: &Application,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, AppError> {
        let mut tx = self.uow.begin().await?;
        tx.account_for_update(candidate.account_id).await?;
        let mut application = lock_application(tx.as_mut(), candidate.id).await?;
        if !application.status.is_undecided() || !application.session_expired(now) {
            return Ok(false);
        }
        let before = application.status;
        application
            .expire(now)
            .map_err(|e| AppError::ApplicationDecided(e.0))?;
        save_transition(tx.as_mut(), &Actor::System, &application, before, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_domain::{ApplicationStatus, NextAction};
    use realname_ports::{MockApplicationReader, MockTransaction};

    use super::*;
    use crate::testing::{account, clock, expect_recorded, now, pending_application, unit_of_work};

    fn stale_app() -> Application {
        let mut app = pending_application(account().id);
        app.next_action = Some(NextAction::ScanQr {
            qr_url: "https://x".into(),
            expires_at: now() - Duration::minutes(1),
        });
        app
    }

    fn use_case(listed: Vec<Application>, txs: Vec<MockTransaction>) -> ExpireSessions {
        let mut reader = MockApplicationReader::new();
        reader
            .expect_stale_sessions()
            .returning(move |_, _| Ok(listed.clone()));
        ExpireSessions::new(ExpireSessionsDeps {
            uow: unit_of_work(txs),
            clock: clock(),
            applications: Arc::new(reader),
            batch: 100,
        })
    }

    fn locking(app: Application) -> MockTransaction {
        let mut tx = MockTransaction::new();
        let acct = account();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(acct.clone())));
        tx.expect_application_for_update()
            .returning(move |_| Ok(Some(app.clone())));
        tx
    }

    #[tokio::test]
    async fn a_stale_session_expires_with_session_expired() {
        let app = stale_app();
        let mut tx = locking(app.clone());
        tx.expect_save_application()
            .withf(|a| a.status == ApplicationStatus::Expired)
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);

        assert_eq!(use_case(vec![app], vec![tx]).execute().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn an_application_decided_meanwhile_is_left_alone() {
        let app = stale_app();
        let mut decided = app.clone();
        decided.approve(now()).unwrap();
        let mut tx = locking(decided);
        tx.expect_save_application().never();
        tx.expect_commit().never();

        assert_eq!(use_case(vec![app], vec![tx]).execute().await.unwrap(), 0);
    }
}

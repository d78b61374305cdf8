//! The R8 deadline job: applications still waiting for the applicant at their deadline expire;
//! those waiting for a reviewer are flagged overdue and escalated to support, exactly once.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{ApplicationFacts, DomainEvent, NewEvent};
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::{Actor, Application, DeadlineAction};
use realname_ports::{Clock, DeadlineClaims, UnitOfWork};

use crate::AppError;
use crate::access::lock_application;
use crate::record::save_transition;

/// What [`ProcessDeadlines::new`] takes: its ports and policies, by name.
pub struct ProcessDeadlinesDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub claims: Arc<dyn DeadlineClaims>,
    pub owner: String,
    pub lease: Duration,
    pub batch: u32,
}

/// Processes due deadlines. Rows are claimed with a lease, so replicas share the work; each
/// application is re-checked under its account's lock, so it is escalated once.
pub struct ProcessDeadlines {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    claims: Arc<dyn DeadlineClaims>,
    owner: String,
    lease: Duration,
    batch: u32,
}

impl ProcessDeadlines {
    /// Wires the use case for one claimer (`owner`, unique per replica).
    pub fn new(deps: ProcessDeadlinesDeps) -> Self {
        let ProcessDeadlinesDeps {
            uow,
            clock,
            claims,
            owner,
            lease,
            batch,
        } = deps;
        Self {
            uow,
            clock,
            claims,
            owner,
            lease,
            batch,
        }
    }

    /// Handles what is due now and returns how many applications it expired or escalated.
    ///
    /// # Errors
    /// Storage errors; what was handled before stays handled.
    #[tracing::instrument(name = "process_deadlines", skip_all)]
    pub async fn execute(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let claimed = self
            .claims
            .claim_due(now, &self.owner, self.lease, self.batch)
            .await?;
        let mut handled = 0;
        for candidate in claimed {
            let outcome = self.handle(&candidate, now).await;
            self.claims.release(candidate.id, &self.owner).await?;
            if outcome?.is_some() {
                handled += 1;
            }
        }
        Ok(handled)
    }

    async fn handle(
        &self,
        candidate: &Application,
        now: DateTime<Utc>,
    ) -> Result<Option<Application>, AppError> {
        let mut tx = self.uow.begin().await?;
        tx.account_for_update(candidate.account_id).await?;
        let mut application = lock_application(tx.as_mut(), candidate.id).await?;
        let before = application.status;
        match application.deadline_action(now) {
            DeadlineAction::None => return Ok(None),
            DeadlineAction::Expire => {
                application
                    .expire(now)
                    .map_err(|e| AppError::ApplicationDecided(e.0))?;
                save_transition(tx.as_mut(), &Actor::System, &application, before, now).await?;
            }
            DeadlineAction::Escalate => {
                application.escalate();
                tx.save_application(&application).await?;
                let event = DomainEvent::ApplicationOverdue(ApplicationFacts::from(&application));
                tx.append_event(
                    &NewEvent {
                        account_id: Some(application.account_id),
                        event,
                    },
                    now,
                )
                .await?;
                let change = ("overdue=false".to_owned(), "overdue=true".to_owned());
                let entry = AuditEntry::new(
                    application.account_id,
                    &Actor::System,
                    "application.overdue",
                    change,
                    now,
                );
                tx.append_audit(&entry.because(format!("application={}", application.id)))
                    .await?;
                // R8: support is told, durably, in the escalation's own transaction.
                let mut notice =
                    Notification::new(NoticeKind::Overdue, application.account_id, now);
                notice.application_id = Some(application.id);
                notice.at = application.deadline;
                tx.queue_notification(&notice).await?;
            }
        }
        tx.commit().await?;
        Ok(Some(application))
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::enterprise::ReviewReason;
    use realname_domain::{ApplicationStatus, Method};
    use realname_ports::{MockDeadlineClaims, MockTransaction};

    use super::*;
    use crate::testing::{
        VALID_USCC, account, clock, enterprise_application, expect_recorded, now, unit_of_work,
    };

    fn due(in_review: bool) -> Application {
        let mut app = enterprise_application(Method::CorporateRemittance, VALID_USCC);
        app.deadline = Some(now() - Duration::minutes(1));
        if in_review {
            app.send_to_review(ReviewReason::PaymentNameMismatch, now())
                .unwrap();
        }
        app
    }

    fn use_case(
        app: Application,
        mut tx: MockTransaction,
        notifications: usize,
    ) -> ProcessDeadlines {
        let mut claims = MockDeadlineClaims::new();
        let listed = vec![app.clone()];
        claims
            .expect_claim_due()
            .returning(move |_, _, _, _| Ok(listed.clone()));
        claims.expect_release().times(1).returning(|_, _| Ok(()));
        tx.expect_queue_notification()
            .withf(|n| n.kind == NoticeKind::Overdue && n.application_id.is_some())
            .times(notifications)
            .returning(|_| Ok(()));
        ProcessDeadlines::new(ProcessDeadlinesDeps {
            uow: unit_of_work(vec![tx]),
            clock: clock(),
            claims: Arc::new(claims),
            owner: "r1".into(),
            lease: Duration::minutes(5),
            batch: 50,
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
    async fn an_application_in_review_past_its_deadline_is_escalated_and_support_notified() {
        let app = due(true);
        let mut tx = locking(app.clone());
        tx.expect_save_application()
            .withf(|a| a.overdue && a.escalated)
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        assert_eq!(use_case(app, tx, 1).execute().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn an_unpaid_application_at_its_deadline_expires_without_escalation() {
        let app = due(false);
        let mut tx = locking(app.clone());
        tx.expect_save_application()
            .withf(|a| a.status == ApplicationStatus::Expired)
            .times(1)
            .returning(|_| Ok(()));
        expect_recorded(&mut tx, 1);
        assert_eq!(use_case(app, tx, 0).execute().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn an_application_escalated_meanwhile_is_not_escalated_again() {
        let mut app = due(true);
        app.escalate();
        let mut tx = locking(app.clone());
        tx.expect_save_application().never();
        tx.expect_commit().never();
        assert_eq!(use_case(app, tx, 0).execute().await.unwrap(), 0);
    }
}

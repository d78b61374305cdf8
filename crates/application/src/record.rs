//! Recording an application's transition: the saved application, its outbox event and its
//! audit entry, always together (R22, SPEC §6).

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{ApplicationFacts, DomainEvent, NewEvent};
use realname_domain::{AccountId, Actor, Application, ApplicationStatus};
use realname_ports::{Answer, Transaction};

use crate::AppError;

/// Records a keyed request's answer in the transaction of the change it answers (API.md
/// `Idempotency-Key`), so that both commit or neither does.
pub(crate) async fn answer<T: Sync>(
    tx: &mut dyn Transaction,
    answer: Option<&Answer<T>>,
    value: &T,
) -> Result<(), AppError> {
    if let Some(answer) = answer {
        answer.record(tx, value).await?;
    }
    Ok(())
}

/// Appends an account's event to the outbox, in the caller's transaction (SPEC §6).
pub(crate) async fn emit(
    tx: &mut dyn Transaction,
    account: AccountId,
    event: DomainEvent,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let event = NewEvent {
        account_id: Some(account),
        event,
    };
    Ok(tx.append_event(&event, now).await?)
}

/// Saves `application` after a transition from `before`, with its event and audit entry.
pub(crate) async fn save_transition(
    tx: &mut dyn Transaction,
    actor: &Actor,
    application: &Application,
    before: ApplicationStatus,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    tx.save_application(application).await?;
    record_application_event(tx, actor, application, Some(before), now).await
}

/// Appends the event and audit entry for an application's current status.
pub(crate) async fn record_application_event(
    tx: &mut dyn Transaction,
    actor: &Actor,
    application: &Application,
    before: Option<ApplicationStatus>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let facts = ApplicationFacts::from(application);
    let failure = application.failure.as_ref().map(|f| f.code);
    let event = match (application.status, failure) {
        (ApplicationStatus::Approved, _) => DomainEvent::ApplicationApproved(facts),
        (ApplicationStatus::Rejected, Some(code)) => DomainEvent::ApplicationRejected(facts, code),
        (ApplicationStatus::Expired, _) => DomainEvent::ApplicationExpired(facts),
        (ApplicationStatus::Withdrawn, _) => DomainEvent::ApplicationWithdrawn(facts),
        _ => DomainEvent::ApplicationSubmitted(facts),
    };
    let action = event.type_name();
    let summary = |status: Option<ApplicationStatus>| {
        status.map_or_else(
            || "none".to_owned(),
            |s| format!("application={},status={}", application.id, s.as_str()),
        )
    };
    let mut entry = AuditEntry::new(
        application.account_id,
        actor,
        action,
        (summary(before), summary(Some(application.status))),
        now,
    );
    if let Some(code) = failure {
        entry = entry.because(code.as_str());
    }
    tx.append_event(
        &NewEvent {
            account_id: Some(application.account_id),
            event,
        },
        now,
    )
    .await?;
    tx.append_audit(&entry).await?;
    Ok(())
}

//! Deciding an application under the quota: shared by provider results, payment credits and
//! reviewer decisions, so that every approval claims its slot the same way (R3, R4).

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::calendar::BusinessCalendar;
use realname_domain::enterprise::Verdict;
use realname_domain::event::{ApplicationFacts, DomainEvent};
use realname_domain::{Account, Actor, Application, Failure, FailureCode, Policy, Purpose};
use realname_ports::Transaction;

use crate::AppError;
use crate::inheritance::{fan_out, lock_heirs};
use crate::record::emit;

/// What a decision weighs besides the rows: the limits (R3, R4, R8) and the business calendar.
#[derive(Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) calendar: &'a BusinessCalendar,
}

/// Applies a verdict: approval claims the subject's slot (or is rejected at the limit), review
/// leaves it undecided for a reviewer (with a review deadline if it has none, R8), rejection
/// records the code.
pub(crate) async fn apply_verdict(
    tx: &mut dyn Transaction,
    rules: Rules<'_>,
    actor: &Actor,
    account: &mut Account,
    application: &mut Application,
    verdict: Verdict,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let decided = match verdict {
        Verdict::Approve => {
            match approve(tx, rules.policy, actor, account, application, now).await? {
                None => return Ok(()),
                Some(failure) => application.reject(failure, now),
            }
        }
        Verdict::Review(reason) => {
            let deadline = rules
                .calendar
                .add_working_days(now, rules.policy.review_max_working_days);
            application.send_to_review(reason, deadline)
        }
        Verdict::Reject(code) => application.reject(Failure::new(code), now),
    };
    decided.map_err(|e| AppError::ApplicationDecided(e.0))
}

/// Claims the subject's slot and verifies the account; a full quota gives the failure.
async fn approve(
    tx: &mut dyn Transaction,
    policy: &Policy,
    actor: &Actor,
    account: &mut Account,
    application: &mut Application,
    now: DateTime<Utc>,
) -> Result<Option<Failure>, AppError> {
    match application.purpose {
        Purpose::Verify => account.ensure_may_verify()?,
        Purpose::Modify => account.ensure_active()?,
    }
    let heirs = lock_heirs(tx, account).await?;
    let subject_type = application.subject.subject_type();
    let slots = tx
        .lock_subject(&application.subject, policy.account_limit(subject_type))
        .await?;
    if let Err(full) = slots.claim(account.id) {
        return Ok(Some(Failure {
            code: FailureCode::IdentityAccountLimitReached,
            holding_accounts: full.holders,
            reason: None,
        }));
    }
    let summary = |a: &Account| {
        let subject_type = a
            .verification
            .as_ref()
            .map_or("none", |v| v.subject.subject_type().as_str());
        format!("status={},subject_type={subject_type}", a.status.as_str())
    };
    let before = summary(account);
    let was_pending = account.revocation_pending_at.is_some();
    account.verify(application.subject.clone(), application.method, now);
    application
        .approve(now)
        .map_err(|e| AppError::ApplicationDecided(e.0))?;
    tx.save_account(account).await?;
    let facts = ApplicationFacts::from(&*application);
    let event = match application.purpose {
        Purpose::Verify => DomainEvent::AccountVerified(facts),
        Purpose::Modify => DomainEvent::AccountModified(facts),
    };
    let action = event.type_name();
    emit(tx, account.id, event, now).await?;
    let entry = AuditEntry::new(account.id, actor, action, (before, summary(account)), now);
    tx.append_audit(&entry.because(format!("application={}", application.id)))
        .await?;
    if was_pending {
        // R17: an approved modification (or re-authentication) cancels the pending revocation.
        let event = DomainEvent::AccountRevocationCancelled { reason: "modified" };
        emit(tx, account.id, event, now).await?;
    }
    fan_out(tx, actor, account, &heirs, now).await?;
    Ok(None)
}

//! Reviewers list and resolve appeals and theft cases (R14).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identity::{Case, CaseKind, CaseOutcome};
use realname_domain::{Actor, CaseId, RealNameStatus};
use realname_ports::{CaseReader, Clock, Page, Transaction, UnitOfWork};

use crate::AppError;
use crate::real_name::revoke_verification::revoke_in;

/// Lists cases.
pub struct ListCases {
    cases: Arc<dyn CaseReader>,
}

impl ListCases {
    /// Wires the use case.
    pub fn new(cases: Arc<dyn CaseReader>) -> Self {
        Self { cases }
    }

    /// A page of the cases of a kind, open ones only when asked, oldest first, after the case
    /// `after`, and whether more follow.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(
        &self,
        (kind, open_only): (Option<CaseKind>, bool),
        page: Page<CaseId>,
    ) -> Result<(Vec<Case>, bool), AppError> {
        Ok(self.cases.cases(kind, open_only, page).await?)
    }
}

/// Resolves cases. A confirmed theft revokes the impostor's accounts (reason `identity_theft`)
/// and releases their slots; a rejected one releases the frozen accounts.
pub struct ResolveCase {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl ResolveCase {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Resolves it.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::CaseNotOpen`] when it is resolved or the outcome
    /// does not fit its kind.
    #[tracing::instrument(name = "resolve_case", skip_all, fields(case.id = %id, outcome = outcome.as_str()))]
    pub async fn execute(
        &self,
        actor: &Actor,
        id: CaseId,
        (outcome, note): (CaseOutcome, Option<String>),
    ) -> Result<Case, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut case = tx
            .case_for_update(id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        case.resolve(outcome, (actor.audit_label(), note), now)
            .map_err(|_| AppError::CaseNotOpen)?;
        for account_id in case.account_ids.clone() {
            match (case.kind, outcome) {
                (CaseKind::Theft, CaseOutcome::Confirmed) => {
                    let account = tx
                        .account_for_update(account_id)
                        .await?
                        .ok_or(AppError::NotFound("account"))?;
                    if account.status == RealNameStatus::Verified {
                        revoke_in(tx.as_mut(), actor, account_id, "identity_theft", now).await?;
                    }
                }
                (CaseKind::Theft, CaseOutcome::Rejected) => {
                    let mut account = tx
                        .account_for_update(account_id)
                        .await?
                        .ok_or(AppError::NotFound("account"))?;
                    account.unfreeze();
                    tx.save_account(&account).await?;
                    tx.append_event(
                        &NewEvent {
                            account_id: Some(account_id),
                            event: DomainEvent::AccountUnfrozen,
                        },
                        now,
                    )
                    .await?;
                    let change = ("state=frozen".to_owned(), "state=active".to_owned());
                    tx.append_audit(
                        &AuditEntry::new(account_id, actor, "account.unfrozen", change, now)
                            .because(format!("case={id}")),
                    )
                    .await?;
                }
                _ => {}
            }
        }
        tx.save_case(&case).await?;
        record_case(tx.as_mut(), &case, &actor.audit_label(), now).await?;
        tx.commit().await?;
        Ok(case)
    }
}

/// Shows one case to a reviewer, its messages decrypted (R14).
pub struct GetCase {
    cases: Arc<dyn CaseReader>,
}

impl GetCase {
    /// Wires the use case.
    pub fn new(cases: Arc<dyn CaseReader>) -> Self {
        Self { cases }
    }

    /// The case.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn execute(&self, id: CaseId) -> Result<Case, AppError> {
        self.cases.case(id).await?.ok_or(AppError::NotFound("case"))
    }
}

/// Writes, for each existing account the case concerns, an event (`case.opened`, or
/// `case.resolved` once it has an outcome) and an audit entry by `actor` (R14, R22). An
/// appeal's account id is taken as given: one that does not exist gets nothing, and the caller
/// learns nothing either way.
pub(crate) async fn record_case(
    tx: &mut dyn Transaction,
    case: &Case,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let case_id = case.id.to_string();
    let kind = case.kind.as_str();
    let (event, action, change) = match case.outcome {
        None => (
            DomainEvent::CaseOpened {
                case_id: case_id.clone(),
                kind,
            },
            "case.opened",
            ("case=none".to_owned(), format!("case=open,kind={kind}")),
        ),
        Some(outcome) => (
            DomainEvent::CaseResolved {
                case_id: case_id.clone(),
                kind,
                outcome: outcome.as_str(),
            },
            "case.resolved",
            (
                "case=open".to_owned(),
                format!("case=resolved,outcome={}", outcome.as_str()),
            ),
        ),
    };
    for account_id in &case.account_ids {
        if tx.account_for_update(*account_id).await?.is_none() {
            continue;
        }
        let new = NewEvent {
            account_id: Some(*account_id),
            event: event.clone(),
        };
        tx.append_event(&new, now).await?;
        let mut entry = AuditEntry::new(*account_id, &Actor::System, action, change.clone(), now);
        actor.clone_into(&mut entry.actor);
        tx.append_audit(&entry.because(format!("case={case_id}")))
            .await?;
    }
    Ok(())
}

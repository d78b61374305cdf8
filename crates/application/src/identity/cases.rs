//! Reviewers list and resolve appeals and theft cases (R14).

use std::sync::Arc;

use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::identity::{Case, CaseKind, CaseOutcome};
use realname_domain::{Actor, CaseId, RealNameStatus};
use realname_ports::{CaseReader, Clock, UnitOfWork};

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

    /// Cases of a kind, open ones only when asked.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(
        &self,
        kind: Option<CaseKind>,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<Case>, AppError> {
        Ok(self.cases.cases(kind, open_only, limit).await?)
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
        outcome: CaseOutcome,
    ) -> Result<Case, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut case = tx
            .case_for_update(id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        if case.outcome.is_some() || !outcome.fits(case.kind) {
            return Err(AppError::CaseNotOpen);
        }
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
        case.outcome = Some(outcome);
        case.resolved_at = Some(now);
        tx.save_case(&case).await?;
        tx.commit().await?;
        Ok(case)
    }
}

//! R16: when a root's status changes, its inheriting sub-accounts follow, each with its own event.

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::{Account, AccountKind, Actor};
use realname_ports::Transaction;

use crate::AppError;

/// Locks the root's inheriting sub-accounts (before any subject row: lock order).
pub(crate) async fn lock_heirs(
    tx: &mut dyn Transaction,
    root: &Account,
) -> Result<Vec<Account>, AppError> {
    if root.kind != AccountKind::Root {
        return Ok(Vec::new());
    }
    let subs = tx.sub_accounts_for_update(root.id).await?;
    Ok(subs
        .into_iter()
        .filter(|s| s.inherited_from() == Some(root.id))
        .collect())
}

/// Emits one event, and one audit entry, per inheriting sub-account for the root's new status.
pub(crate) async fn fan_out(
    tx: &mut dyn Transaction,
    actor: &Actor,
    root: &Account,
    heirs: &[Account],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for heir in heirs {
        let event = DomainEvent::InheritedStatusChanged {
            root_id: root.id.to_string(),
            status: root.status.as_str(),
        };
        tx.append_event(
            &NewEvent {
                account_id: Some(heir.id),
                event,
            },
            now,
        )
        .await?;
        let change = (
            "inherited".to_owned(),
            format!("inherited,status={}", root.status.as_str()),
        );
        let entry = AuditEntry::new(
            heir.id,
            actor,
            "account.inherited_status_changed",
            change,
            now,
        );
        tx.append_audit(&entry.because(format!("root={}", root.id)))
            .await?;
    }
    Ok(())
}

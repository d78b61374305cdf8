//! Associate an existing, verified account under a root (R16): an admin associates at once; a
//! root's holder invites, and the target's holder accepts.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::audit::AuditEntry;
use realname_domain::event::{DomainEvent, NewEvent};
use realname_domain::invitation::{Invitation, InvitationStatus};
use realname_domain::{Account, AccountId, AccountKind, Actor, InvitationId};
use realname_ports::{AccountReader, Answer, Clock, Page, Transaction, UnitOfWork};

use crate::AppError;
use crate::access::lock_visible_account;

/// Associates accounts under roots.
pub struct AssociateSubAccount {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl AssociateSubAccount {
    /// Wires the use case.
    pub fn new(uow: Arc<dyn UnitOfWork>, clock: Arc<dyn Clock>) -> Self {
        Self { uow, clock }
    }

    /// Invites (a holder) or associates at once (an admin). The checks run in order: the
    /// target exists, it is verified, and consent.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; [`AppError::SubAccountMustVerify`]; [`AppError::NotARootAccount`].
    #[tracing::instrument(name = "associate_sub_account", skip_all, fields(account.id = %root_id))]
    pub async fn execute(
        &self,
        actor: &Actor,
        root_id: AccountId,
        target_id: AccountId,
        answer: Option<Answer<Invitation>>,
    ) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let root = lock_visible_account(tx.as_mut(), actor, root_id).await?;
        let mut target = tx
            .account_for_update(target_id)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        target.ensure_may_associate(&root)?;
        let mut invitation = Invitation::invite(root.id, target.id, now);
        if *actor == Actor::Admin {
            associate(tx.as_mut(), actor, &root, &mut target, &mut invitation, now).await?;
        }
        tx.save_invitation(&invitation).await?;
        record_step(tx.as_mut(), actor, &invitation, now).await?;
        crate::record::answer(tx.as_mut(), answer.as_ref(), &invitation).await?;
        tx.commit().await?;
        Ok(invitation)
    }

    /// The target's holder accepts an invitation.
    ///
    /// # Errors
    /// [`AppError::NotFound`] unless it is a pending invitation for the actor's account; the
    /// association checks again.
    #[tracing::instrument(name = "accept_sub_account_association", skip_all, fields(invitation.id = %id))]
    pub async fn accept(&self, actor: &Actor, id: InvitationId) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut invitation = tx
            .invitation_for_update(id)
            .await?
            .filter(|i| i.status == realname_domain::invitation::InvitationStatus::Pending)
            .ok_or(AppError::NotFound("invitation"))?;
        let root = tx
            .account_for_update(invitation.root_id)
            .await?
            .ok_or(AppError::NotFound("invitation"))?;
        let mut target = lock_visible_account(tx.as_mut(), actor, invitation.account_id)
            .await
            .map_err(|_| AppError::NotFound("invitation"))?;
        target.ensure_may_associate(&root)?;
        associate(tx.as_mut(), actor, &root, &mut target, &mut invitation, now).await?;
        tx.save_invitation(&invitation).await?;
        record_step(tx.as_mut(), actor, &invitation, now).await?;
        tx.commit().await?;
        Ok(invitation)
    }

    /// Ends a pending invitation: `Declined` by the target's holder, `Cancelled` by the root's
    /// (R16).
    ///
    /// # Errors
    /// [`AppError::NotFound`] unless it is a pending invitation whose side the actor holds.
    #[tracing::instrument(name = "end_sub_account_association", skip_all, fields(invitation.id = %id))]
    pub async fn end(
        &self,
        actor: &Actor,
        id: InvitationId,
        status: InvitationStatus,
    ) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut invitation = tx
            .invitation_for_update(id)
            .await?
            .ok_or(AppError::NotFound("invitation"))?;
        let side = if status == InvitationStatus::Declined {
            invitation.account_id
        } else {
            invitation.root_id
        };
        lock_visible_account(tx.as_mut(), actor, side)
            .await
            .map_err(|_| AppError::NotFound("invitation"))?;
        invitation
            .end(status, now)
            .map_err(|_| AppError::NotFound("invitation"))?;
        tx.save_invitation(&invitation).await?;
        record_step(tx.as_mut(), actor, &invitation, now).await?;
        tx.commit().await?;
        Ok(invitation)
    }
}

/// Lists the invitations where an account is the root or the target (R16).
pub struct ListInvitations {
    accounts: Arc<dyn AccountReader>,
}

impl ListInvitations {
    /// Wires the use case.
    pub fn new(accounts: Arc<dyn AccountReader>) -> Self {
        Self { accounts }
    }

    /// A page of them, oldest first, and whether more follow.
    ///
    /// # Errors
    /// [`AppError::NotFound`] unless the actor may see the account.
    pub async fn execute(
        &self,
        actor: &Actor,
        account: AccountId,
        page: Page<InvitationId>,
    ) -> Result<(Vec<Invitation>, bool), AppError> {
        crate::access::visible_account(self.accounts.as_ref(), actor, account).await?;
        Ok(self.accounts.invitations(account, page).await?)
    }
}

/// The invitation's event on the target account's feed, and an audit entry (R16, R22).
async fn record_step(
    tx: &mut dyn Transaction,
    actor: &Actor,
    invitation: &Invitation,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let event = invitation.event();
    let action = event.type_name();
    tx.append_event(
        &NewEvent {
            account_id: Some(invitation.account_id),
            event,
        },
        now,
    )
    .await?;
    let change = (
        format!("invitation={}", invitation.id),
        format!("status={}", invitation.status.as_str()),
    );
    tx.append_audit(&AuditEntry::new(
        invitation.account_id,
        actor,
        action,
        change,
        now,
    ))
    .await?;
    Ok(())
}

async fn associate(
    tx: &mut dyn Transaction,
    actor: &Actor,
    root: &Account,
    target: &mut Account,
    invitation: &mut Invitation,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    target.kind = AccountKind::Sub {
        root: root.id,
        inherits: false,
    };
    invitation.accept(now);
    tx.save_account(target).await?;
    let event = DomainEvent::AccountAssociated {
        root_id: root.id.to_string(),
    };
    tx.append_event(
        &NewEvent {
            account_id: Some(target.id),
            event,
        },
        now,
    )
    .await?;
    let change = ("kind=root".to_owned(), format!("kind=sub,root={}", root.id));
    tx.append_audit(&AuditEntry::new(
        target.id,
        actor,
        "account.associated",
        change,
        now,
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use realname_ports::MockTransaction;

    use super::*;
    use crate::testing::{account, clock, expect_recorded, unit_of_work, verified_account};

    fn tx_with(root: Account, target: Account) -> MockTransaction {
        let mut tx = MockTransaction::new();
        let root_id = root.id;
        tx.expect_account_for_update().returning(move |id| {
            Ok(Some(if id == root_id {
                root.clone()
            } else {
                target.clone()
            }))
        });
        tx
    }

    #[tokio::test]
    async fn an_unverified_account_cannot_be_associated() {
        let (root, target) = (verified_account(), account());
        let mut tx = tx_with(root.clone(), target.clone());
        tx.expect_commit().never();
        let err = AssociateSubAccount::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::Admin, root.id, target.id, None)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::SubAccountMustVerify));
    }

    #[tokio::test]
    async fn a_holder_only_invites_and_nothing_moves_until_the_target_accepts() {
        let (root, target) = (verified_account(), verified_account());
        let mut tx = tx_with(root.clone(), target.clone());
        tx.expect_save_account().never();
        tx.expect_save_invitation().times(1).returning(|_| Ok(()));
        // R16: only the invitation's own event, association.invited.
        tx.expect_append_event()
            .withf(|e, _| e.event.type_name() == "association.invited")
            .times(1)
            .returning(|_, _| Ok(()));
        tx.expect_append_audit().times(1).returning(|_| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));
        let invitation = AssociateSubAccount::new(unit_of_work(vec![tx]), clock())
            .execute(
                &Actor::Holder { account: root.id },
                root.id,
                target.id,
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            invitation.status,
            realname_domain::invitation::InvitationStatus::Pending
        );
    }

    #[tokio::test]
    async fn an_admin_associates_at_once() {
        let (root, target) = (verified_account(), verified_account());
        let mut tx = tx_with(root.clone(), target.clone());
        let root_id = root.id;
        tx.expect_save_account()
            .withf(move |a| {
                a.kind
                    == AccountKind::Sub {
                        root: root_id,
                        inherits: false,
                    }
            })
            .times(1)
            .returning(|_| Ok(()));
        tx.expect_save_invitation().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 2); // account.associated and association.accepted
        let invitation = AssociateSubAccount::new(unit_of_work(vec![tx]), clock())
            .execute(&Actor::Admin, root.id, target.id, None)
            .await
            .unwrap();
        assert_eq!(
            invitation.status,
            realname_domain::invitation::InvitationStatus::Accepted
        );
    }
}

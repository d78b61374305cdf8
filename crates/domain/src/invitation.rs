//! Association of an existing account as a sub-account, by consent of both sides (R16).

use chrono::{DateTime, Utc};

use crate::ids::{AccountId, InvitationId};

/// Where an association stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// The root's holder invited; the target's holder has not accepted yet.
    Pending,
    /// Associated.
    Accepted,
    /// The target's holder declined.
    Declined,
    /// The root's holder withdrew it.
    Cancelled,
}

impl InvitationStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Accepted,
        Self::Declined,
        Self::Cancelled,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// An invitation that is no longer pending cannot be decided again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the invitation is not pending")]
pub struct NotPending;

/// An association of `account_id` under `root_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The root.
    pub root_id: AccountId,
    /// The account to associate.
    pub account_id: AccountId,
    /// Pending or accepted.
    pub status: InvitationStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was accepted.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// A pending invitation.
    #[must_use]
    pub fn invite(root_id: AccountId, account_id: AccountId, now: DateTime<Utc>) -> Self {
        Self {
            id: InvitationId::new(),
            root_id,
            account_id,
            status: InvitationStatus::Pending,
            created_at: now,
            decided_at: None,
        }
    }

    /// Marks it accepted.
    pub fn accept(&mut self, now: DateTime<Utc>) {
        self.status = InvitationStatus::Accepted;
        self.decided_at = Some(now);
    }

    /// Ends a pending invitation without association: `Declined` by the target's holder,
    /// `Cancelled` by the root's (R16).
    ///
    /// # Errors
    /// [`NotPending`] once it was decided.
    pub fn end(&mut self, status: InvitationStatus, now: DateTime<Utc>) -> Result<(), NotPending> {
        if self.status != InvitationStatus::Pending
            || !matches!(
                status,
                InvitationStatus::Declined | InvitationStatus::Cancelled
            )
        {
            return Err(NotPending);
        }
        self.status = status;
        self.decided_at = Some(now);
        Ok(())
    }

    /// Its event (R16): `association.<status>`, carried by the target account's feed.
    #[must_use]
    pub fn event(&self) -> crate::event::DomainEvent {
        crate::event::DomainEvent::Association {
            invitation_id: self.id.to_string(),
            root_id: self.root_id.to_string(),
            step: match self.status {
                InvitationStatus::Pending => crate::event::AssociationStep::Invited,
                InvitationStatus::Accepted => crate::event::AssociationStep::Accepted,
                InvitationStatus::Declined => crate::event::AssociationStep::Declined,
                InvitationStatus::Cancelled => crate::event::AssociationStep::Cancelled,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pending_invitation_is_declined_or_cancelled() {
        let now = Utc::now();
        let mut declined = Invitation::invite(AccountId::new(), AccountId::new(), now);
        declined.end(InvitationStatus::Declined, now).unwrap();
        assert_eq!(declined.status, InvitationStatus::Declined);
        assert_eq!(
            declined.end(InvitationStatus::Cancelled, now),
            Err(NotPending)
        );
        let mut accepted = Invitation::invite(AccountId::new(), AccountId::new(), now);
        accepted.accept(now);
        assert_eq!(
            accepted.end(InvitationStatus::Declined, now),
            Err(NotPending)
        );
        let mut pending = Invitation::invite(AccountId::new(), AccountId::new(), now);
        assert_eq!(
            pending.end(InvitationStatus::Accepted, now),
            Err(NotPending)
        );
        assert_eq!(pending.event().type_name(), "association.invited");
        pending.end(InvitationStatus::Cancelled, now).unwrap();
        assert_eq!(pending.event().type_name(), "association.cancelled");
    }
}

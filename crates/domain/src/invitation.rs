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
}

impl InvitationStatus {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

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
}

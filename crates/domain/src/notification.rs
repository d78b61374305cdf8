//! Notifications: what a person must be told, written in the same transaction as the change
//! that calls for it and delivered later, with retries (R8, R14, R17, R19).
//!
//! Holders are told by SMS at the account's bound phone, read only at send time; a phone change
//! is told to the **old** number, which is therefore kept with the notification. Support is told
//! by e-mail.

use chrono::{DateTime, Utc};

use crate::identifiers::Phone;
use crate::ids::{AccountId, ApplicationId, NotificationId};

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// R17: the verification will be revoked at a date unless the record is fixed.
    RevocationNotice,
    /// R14, R17: the verification was revoked.
    Revoked,
    /// R19: the account's phone was changed or recovered (told to the old number).
    PhoneChanged,
    /// R14: the account was frozen in a theft case.
    AccountFrozen,
    /// R8: an application passed its deadline (told to support).
    Overdue,
}

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// SMS to a holder.
    Sms,
    /// E-mail to the support desk.
    Email,
}

impl NoticeKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::RevocationNotice,
        Self::Revoked,
        Self::PhoneChanged,
        Self::AccountFrozen,
        Self::Overdue,
    ];

    /// The API and storage name; for SMS also the `http` gateway's `template`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RevocationNotice => "revocation_notice",
            Self::Revoked => "revoked",
            Self::PhoneChanged => "phone_changed",
            Self::AccountFrozen => "account_frozen",
            Self::Overdue => "overdue",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Holders by SMS; support by e-mail.
    #[must_use]
    pub const fn channel(self) -> Channel {
        match self {
            Self::Overdue => Channel::Email,
            _ => Channel::Sms,
        }
    }
}

impl Channel {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// One notification to deliver.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// What it says.
    pub kind: NoticeKind,
    /// The account it concerns.
    pub account_id: AccountId,
    /// The application, for an overdue notice.
    pub application_id: Option<ApplicationId>,
    /// The number to tell, when it is not the account's bound phone (the old number of a phone
    /// change).
    pub phone: Option<Phone>,
    /// The date a scheduled revocation takes effect, or the deadline that passed.
    pub at: Option<DateTime<Utc>>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

impl Notification {
    /// A notification for `account`, written `now`.
    #[must_use]
    pub fn new(kind: NoticeKind, account_id: AccountId, now: DateTime<Utc>) -> Self {
        Self {
            id: NotificationId::new(),
            kind,
            account_id,
            application_id: None,
            phone: None,
            at: None,
            created_at: now,
        }
    }

    /// R19: tells the old number that the account was rebound to another.
    #[must_use]
    pub fn phone_changed(account_id: AccountId, old: Phone, now: DateTime<Utc>) -> Self {
        Self {
            phone: Some(old),
            ..Self::new(NoticeKind::PhoneChanged, account_id, now)
        }
    }
}

/// Notifications retry as webhook deliveries do: one policy, one place.
pub use crate::webhook::{AfterFailure, DeliveryPolicy};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_is_told_by_email_and_holders_by_sms() {
        assert_eq!(NoticeKind::Overdue.channel(), Channel::Email);
        for kind in NoticeKind::ALL
            .into_iter()
            .filter(|k| *k != NoticeKind::Overdue)
        {
            assert_eq!(kind.channel(), Channel::Sms);
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
        }
    }
}

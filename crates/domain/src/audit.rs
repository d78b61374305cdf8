//! The R22 audit log: append-only, one hash chain per account.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::actor::Actor;
use crate::ids::AccountId;

/// One state change, without personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The account whose chain it extends.
    pub account_id: AccountId,
    /// Who acted (a label, never a name).
    pub actor: String,
    /// What happened, e.g. `application.approved`.
    pub action: String,
    /// A summary of the state before, e.g. `status=unverified`.
    pub before: String,
    /// A summary of the state after.
    pub after: String,
    /// Why, when there is a reason (a failure code, a reviewer's reason code).
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The hash of the entry before the first one in a chain.
pub const GENESIS: [u8; 32] = [0; 32];

impl AuditEntry {
    /// An entry for `account` by `actor`.
    #[must_use]
    pub fn new(
        account_id: AccountId,
        actor: &Actor,
        action: &str,
        change: (String, String),
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            account_id,
            actor: actor.audit_label(),
            action: action.to_owned(),
            before: change.0,
            after: change.1,
            reason: None,
            at,
        }
    }

    /// The same entry with a reason.
    #[must_use]
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The entry's hash, chained to the previous entry's hash: any edit to this entry or any
    /// earlier one changes it.
    #[must_use]
    pub fn chained_hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(previous);
        for field in [
            self.account_id.to_string().as_str(),
            &self.actor,
            &self.action,
            &self.before,
            &self.after,
            self.reason.as_deref().unwrap_or(""),
            &self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry::new(
            AccountId::new(),
            &Actor::System,
            "application.approved",
            ("status=unverified".into(), "status=verified".into()),
            Utc::now(),
        )
    }

    #[test]
    fn the_hash_depends_on_the_previous_hash() {
        let e = entry();
        assert_ne!(e.chained_hash(&GENESIS), e.chained_hash(&[1; 32]));
    }

    #[test]
    fn editing_any_field_changes_the_hash() {
        let e = entry();
        let mut edited = e.clone();
        edited.after = "status=revoked".into();
        assert_ne!(e.chained_hash(&GENESIS), edited.chained_hash(&GENESIS));
        let reasoned = e.clone().because("x");
        assert_ne!(e.chained_hash(&GENESIS), reasoned.chained_hash(&GENESIS));
    }
}

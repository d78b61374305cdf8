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

/// An entry as stored: its position, the previous hash it was chained to, and its own hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    /// The entry's stable number in the log.
    pub id: i64,
    /// The entry.
    pub entry: AuditEntry,
    /// The hash it recorded for the entry before it.
    pub prev_hash: [u8; 32],
    /// Its recorded hash.
    pub hash: [u8; 32],
}

/// Where a chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {entry_id} breaks the chain")]
pub struct BrokenChain {
    /// The first entry whose link or hash does not hold.
    pub entry_id: i64,
}

/// Checks one account's chain, oldest first: each entry links to the hash of the one before
/// (the first to [`GENESIS`]) and its hash is the hash of its contents (R22).
///
/// # Errors
/// [`BrokenChain`] naming the first entry that was altered, removed around, or reordered.
pub fn verify_chain(entries: &[ChainedEntry]) -> Result<(), BrokenChain> {
    let mut previous = GENESIS;
    for stored in entries {
        if stored.prev_hash != previous || stored.entry.chained_hash(&previous) != stored.hash {
            return Err(BrokenChain {
                entry_id: stored.id,
            });
        }
        previous = stored.hash;
    }
    Ok(())
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

    fn chain(n: usize) -> Vec<ChainedEntry> {
        let mut previous = GENESIS;
        (0..n)
            .map(|i| {
                let mut e = entry();
                e.action = format!("step{i}");
                let hash = e.chained_hash(&previous);
                let stored = ChainedEntry {
                    id: i as i64 + 1,
                    entry: e,
                    prev_hash: previous,
                    hash,
                };
                previous = hash;
                stored
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(4)), Ok(()));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(4);
        entries[2].entry.after = "status=tampered".into();
        assert_eq!(verify_chain(&entries), Err(BrokenChain { entry_id: 3 }));
    }

    #[test]
    fn a_removed_entry_breaks_the_next_link() {
        let mut entries = chain(4);
        entries.remove(1);
        assert_eq!(verify_chain(&entries), Err(BrokenChain { entry_id: 3 }));
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

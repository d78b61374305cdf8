//! Quota decisions: accounts per subject (R3, R4) and accounts per phone number (R19).
//!
//! The adapter locks the subject's or the number's row and loads who holds slots; the decision
//! itself is made here, so that a mock-based test can reach every branch.

use chrono::{DateTime, Utc};

use crate::ids::AccountId;
use crate::masking::mask_identifier;
use crate::subject::SubjectType;

/// One account that holds a subject's slot, as the R3 error lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotHolder {
    /// The account.
    pub account_id: AccountId,
    /// Its masked phone.
    pub phone_masked: String,
    /// When it was verified.
    pub verified_at: DateTime<Utc>,
}

impl SlotHolder {
    /// The account id, masked for showing to someone who is not its holder.
    #[must_use]
    pub fn account_id_masked(&self) -> String {
        mask_identifier(&self.account_id.to_string())
    }
}

/// The slots of one subject, read under its row lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectSlots {
    /// Personal or enterprise.
    pub subject_type: SubjectType,
    /// The limit in force: the override, or the policy default.
    pub limit: u32,
    /// The accounts holding slots now.
    pub holders: Vec<SlotHolder>,
}

/// The subject has no free slot (`identity_account_limit_reached`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {subject_type:?} subject already verifies {limit} accounts")]
pub struct LimitReached {
    /// Personal or enterprise.
    pub subject_type: SubjectType,
    /// The limit in force.
    pub limit: u32,
    /// The accounts holding the slots; the ways out are to close one or change its subject.
    pub holders: Vec<SlotHolder>,
}

impl SubjectSlots {
    /// Claims a slot for `account` (R3, R4). An account that already holds one keeps it.
    ///
    /// # Errors
    /// [`LimitReached`] when every slot is taken by other accounts.
    pub fn claim(&self, account: AccountId) -> Result<(), LimitReached> {
        let already_holds = self.holders.iter().any(|h| h.account_id == account);
        if already_holds || self.holders.len() < self.limit as usize {
            return Ok(());
        }
        Err(LimitReached {
            subject_type: self.subject_type,
            limit: self.limit,
            holders: self.holders.clone(),
        })
    }
}

/// An account manager's change of an enterprise's limit (R4): who, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaOverride {
    /// The new limit.
    pub limit: u32,
    /// Who set it (an actor label).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The accounts bound to one phone number, read under its row lock (R19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneSlots {
    /// The per-number limit.
    pub limit: u32,
    /// Accounts bound to the number now (closed accounts are not bound).
    pub bound: u32,
}

/// The number is bound to as many accounts as allowed (`phone_account_limit_reached`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the phone number is bound to {limit} accounts already")]
pub struct PhoneLimitReached {
    /// The per-number limit.
    pub limit: u32,
}

impl PhoneSlots {
    /// Claims a binding for one more account (R19).
    ///
    /// # Errors
    /// [`PhoneLimitReached`] at the limit.
    pub const fn claim(&self) -> Result<(), PhoneLimitReached> {
        if self.bound < self.limit {
            Ok(())
        } else {
            Err(PhoneLimitReached { limit: self.limit })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> SlotHolder {
        SlotHolder {
            account_id: AccountId::new(),
            phone_masked: "138****5678".into(),
            verified_at: Utc::now(),
        }
    }

    fn slots(taken: usize) -> SubjectSlots {
        SubjectSlots {
            subject_type: SubjectType::Personal,
            limit: 3,
            holders: (0..taken).map(|_| holder()).collect(),
        }
    }

    #[test]
    fn a_third_account_may_claim_the_last_slot() {
        assert!(slots(2).claim(AccountId::new()).is_ok());
    }

    #[test]
    fn a_fourth_account_is_refused_with_the_accounts_that_hold_the_slots() {
        let full = slots(3);
        let err = full.claim(AccountId::new()).unwrap_err();
        assert_eq!(err.holders, full.holders);
        assert_eq!(err.limit, 3);
    }

    #[test]
    fn an_account_that_already_holds_a_slot_keeps_it() {
        let full = slots(3);
        assert!(full.claim(full.holders[0].account_id).is_ok());
    }

    #[test]
    fn the_phone_limit_refuses_at_the_limit() {
        assert!(PhoneSlots { limit: 5, bound: 4 }.claim().is_ok());
        assert_eq!(
            PhoneSlots { limit: 5, bound: 5 }.claim(),
            Err(PhoneLimitReached { limit: 5 })
        );
    }

    #[test]
    fn a_masked_holder_id_hides_most_of_the_id() {
        let h = holder();
        let masked = h.account_id_masked();
        assert!(masked.starts_with("acc"));
        assert!(masked.contains("****"));
        assert_ne!(masked, h.account_id.to_string());
    }
}

//! Who acts: the authenticated principal as the rules see it.

use crate::account::Account;
use crate::ids::AccountId;

/// The party making a request or running a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// An account holder, controlling a root account and its sub-accounts.
    Holder {
        /// The root account they control.
        root: AccountId,
    },
    /// A platform service.
    Service,
    /// A reviewer (customer service).
    Reviewer,
    /// An account manager.
    AccountManager,
    /// An administrator.
    Admin,
    /// A verification provider's callback.
    Provider,
    /// The service itself (scheduled jobs).
    System,
}

impl Actor {
    /// Whether this actor may see the account at all. A holder sees only their own accounts;
    /// everything else answers "not found", so ids cannot be probed (API.md).
    #[must_use]
    pub fn can_see(&self, account: &Account) -> bool {
        self.can_see_root(account.root_id())
    }

    /// Whether the actor may see accounts under `root`.
    #[must_use]
    pub fn can_see_root(&self, root: AccountId) -> bool {
        match self {
            Self::Holder { root: own } => *own == root,
            _ => true,
        }
    }

    /// A short, non-personal label for audit entries.
    #[must_use]
    pub fn audit_label(&self) -> String {
        match self {
            Self::Holder { root } => format!("holder:{root}"),
            Self::Service => "service".to_owned(),
            Self::Reviewer => "reviewer".to_owned(),
            Self::AccountManager => "account_manager".to_owned(),
            Self::Admin => "admin".to_owned(),
            Self::Provider => "provider".to_owned(),
            Self::System => "system".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::account::AccountKind;
    use crate::identifiers::Phone;

    #[test]
    fn a_holder_sees_their_root_and_its_sub_accounts_only() {
        let root = Account::register(Phone::parse("13812345678").unwrap(), Utc::now());
        let mut sub = Account::register(Phone::parse("13812345678").unwrap(), Utc::now());
        sub.kind = AccountKind::Sub {
            root: root.id,
            inherits: true,
        };
        let other = Account::register(Phone::parse("13812345678").unwrap(), Utc::now());
        let holder = Actor::Holder { root: root.id };
        assert!(holder.can_see(&root));
        assert!(holder.can_see(&sub));
        assert!(!holder.can_see(&other));
        assert!(Actor::Service.can_see(&other));
    }
}

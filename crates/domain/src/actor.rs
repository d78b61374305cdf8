//! Who acts: the authenticated principal as the rules see it.

use crate::account::Account;
use crate::ids::AccountId;

/// The party making a request or running a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// An account holder: the holder of the account their token names, and, when it is a root,
    /// of its sub-accounts (R16).
    Holder {
        /// The account their token names.
        account: AccountId,
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
        self.can_see_ids(account.id, account.root_id())
    }

    /// Whether the actor may see the account `id` under `root` (itself for a root). A holder
    /// sees the account their token names, and a root's holder its sub-accounts. An associated
    /// account's own holder keeps full access to it after the association (R16).
    #[must_use]
    pub fn can_see_ids(&self, id: AccountId, root: AccountId) -> bool {
        match self {
            Self::Holder { account } => *account == id || *account == root,
            _ => true,
        }
    }

    /// A short, non-personal label for audit entries.
    #[must_use]
    pub fn audit_label(&self) -> String {
        match self {
            Self::Holder { account } => format!("holder:{account}"),
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
        let holder = Actor::Holder { account: root.id };
        assert!(holder.can_see(&root));
        assert!(holder.can_see(&sub));
        assert!(!holder.can_see(&other));
        assert!(Actor::Service.can_see(&other));
        let sub_holder = Actor::Holder { account: sub.id };
        assert!(sub_holder.can_see(&sub));
        assert!(!sub_holder.can_see(&root));
    }

    #[test]
    fn an_associated_account_stays_visible_to_its_own_holder_and_to_the_roots() {
        // R16: T was verified on its own; after T's holder accepts R's invitation, both see T.
        let root = Account::register(Phone::parse("13812345678").unwrap(), Utc::now());
        let mut associated = Account::register(Phone::parse("13912345678").unwrap(), Utc::now());
        associated.kind = AccountKind::Sub {
            root: root.id,
            inherits: false,
        };
        assert!(
            Actor::Holder {
                account: associated.id
            }
            .can_see(&associated)
        );
        assert!(Actor::Holder { account: root.id }.can_see(&associated));
        assert!(
            !Actor::Holder {
                account: associated.id
            }
            .can_see(&root)
        );
    }
}

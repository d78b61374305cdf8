//! Typed, prefixed identifiers (`acct_…`, `app_…`), as API.md shows them.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A string that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct IdParseError {
    /// The kind of id that was expected, e.g. `account`.
    pub kind: &'static str,
}

macro_rules! prefixed_id {
    ($name:ident, $prefix:literal, $kind:literal) => {
        #[doc = concat!("Identifier of one ", $kind, ", shown as `", $prefix, "…`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps a stored UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The raw UUID, for storage.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0.simple())
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.strip_prefix($prefix)
                    .filter(|rest| rest.len() == 32)
                    .and_then(|rest| Uuid::try_parse(rest).ok())
                    .map(Self)
                    .ok_or(IdParseError { kind: $kind })
            }
        }
    };
}

prefixed_id!(AccountId, "acct_", "account");
prefixed_id!(ApplicationId, "app_", "application");
prefixed_id!(InvitationId, "sai_", "sub-account association");
prefixed_id!(ProofId, "idp_", "identity proof");
prefixed_id!(CaseId, "case_", "case");
prefixed_id!(NotificationId, "ntf_", "notification");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_round_trips_through_its_prefixed_form() {
        let id = AccountId::new();
        let shown = id.to_string();
        assert!(shown.starts_with("acct_"));
        assert_eq!(shown.parse::<AccountId>(), Ok(id));
    }

    #[test]
    fn an_id_with_the_wrong_prefix_is_refused() {
        let shown = ApplicationId::new().to_string();
        assert!(shown.parse::<AccountId>().is_err());
        assert!("acct_".parse::<AccountId>().is_err());
    }
}

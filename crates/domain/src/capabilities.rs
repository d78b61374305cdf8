//! The R12 capability table: "may this account do X?".

use chrono::{DateTime, Utc};

use crate::account::{Account, AccountState, RealNameStatus};

/// A capability other services ask about (R12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Buy products.
    Purchase,
    /// Use resources.
    UseResources,
    /// Pay after use.
    Postpaid,
    /// Renew automatically.
    AutoRenewal,
    /// Get invoices.
    Invoice,
    /// Sign contracts online.
    OnlineContract,
    /// Join public betas.
    PublicBeta,
}

impl Capability {
    /// Every capability, in API order.
    pub const ALL: [Self; 7] = [
        Self::Purchase,
        Self::UseResources,
        Self::Postpaid,
        Self::AutoRenewal,
        Self::Invoice,
        Self::OnlineContract,
        Self::PublicBeta,
    ];

    /// The API name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Purchase => "purchase",
            Self::UseResources => "use_resources",
            Self::Postpaid => "postpaid",
            Self::AutoRenewal => "auto_renewal",
            Self::Invoice => "invoice",
            Self::OnlineContract => "online_contract",
            Self::PublicBeta => "public_beta",
        }
    }

    /// Whether a revoked account keeps it until its agreement expiry (R12, R18).
    const fn survives_revocation(self) -> bool {
        matches!(self, Self::UseResources | Self::Postpaid)
    }
}

/// Why a capability is refused (R12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialReason {
    /// Never verified.
    RealNameRequired,
    /// Verification revoked.
    RealNameRevoked,
    /// Account closed.
    AccountClosed,
    /// Account frozen.
    AccountFrozen,
}

impl DenialReason {
    /// Every reason, in API order.
    pub const ALL: [Self; 4] = [
        Self::RealNameRequired,
        Self::RealNameRevoked,
        Self::AccountClosed,
        Self::AccountFrozen,
    ];

    /// The API reason code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RealNameRequired => "real_name_required",
            Self::RealNameRevoked => "real_name_revoked",
            Self::AccountClosed => "account_closed",
            Self::AccountFrozen => "account_frozen",
        }
    }

    /// The action that fixes it, if the holder can take one.
    #[must_use]
    pub const fn action(self) -> Option<&'static str> {
        match self {
            Self::RealNameRequired => Some("verify_real_name"),
            Self::RealNameRevoked => Some("modify_real_name"),
            Self::AccountFrozen => Some("contact_support"),
            Self::AccountClosed => None,
        }
    }
}

/// One answer of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityDecision {
    /// The capability.
    pub capability: Capability,
    /// Allowed or not.
    pub allowed: bool,
    /// Why not.
    pub reason: Option<DenialReason>,
    /// Allowed only until then (a revoked account under agreement, R18).
    pub until: Option<DateTime<Utc>>,
}

/// A warning shown beside the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilityWarning {
    /// A pending revocation takes effect then (R17).
    RevocationPending {
        /// The effective date.
        effective_at: DateTime<Utc>,
    },
}

/// All answers for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityReport {
    /// The status the answers come from (the root's, for an inheriting sub-account).
    pub status: RealNameStatus,
    /// One decision per capability, in [`Capability::ALL`] order.
    pub decisions: Vec<CapabilityDecision>,
    /// Warnings.
    pub warnings: Vec<CapabilityWarning>,
}

/// What the table needs to know about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityInputs {
    /// The account's state.
    pub state: AccountState,
    /// Its real-name status (the root's, for an inheriting sub-account).
    pub status: RealNameStatus,
    /// Its agreement expiry, if billing supplied one.
    pub agreement_expires_at: Option<DateTime<Utc>>,
    /// The effective date of a pending revocation, if any.
    pub pending_revocation_at: Option<DateTime<Utc>>,
}

impl From<&Account> for CapabilityInputs {
    fn from(account: &Account) -> Self {
        Self {
            state: account.state,
            status: account.status,
            agreement_expires_at: account.agreement_expires_at,
            pending_revocation_at: account.revocation_pending_at,
        }
    }
}

impl CapabilityInputs {
    /// The inputs of a sub-account that inherits `root`'s verification (R16): the root's
    /// status, agreement and pending revocation; its own state (closed or frozen).
    #[must_use]
    pub fn inherited(sub: &Account, root: &Account) -> Self {
        Self::inheriting(Self::from(sub), Self::from(root))
    }

    /// [`Self::inherited`] from the two accounts' own inputs.
    #[must_use]
    pub fn inheriting(sub: Self, root: Self) -> Self {
        let state = if sub.state == AccountState::Active {
            root.state
        } else {
            sub.state
        };
        Self { state, ..root }
    }
}

/// Evaluates the R12 table at `now`.
#[must_use]
pub fn evaluate(inputs: CapabilityInputs, now: DateTime<Utc>) -> CapabilityReport {
    let decisions = Capability::ALL
        .into_iter()
        .map(|capability| decide(capability, inputs, now))
        .collect();
    let warnings = inputs
        .pending_revocation_at
        .filter(|_| inputs.status == RealNameStatus::Verified)
        .map(|effective_at| CapabilityWarning::RevocationPending { effective_at })
        .into_iter()
        .collect();
    CapabilityReport {
        status: inputs.status,
        decisions,
        warnings,
    }
}

fn decide(
    capability: Capability,
    inputs: CapabilityInputs,
    now: DateTime<Utc>,
) -> CapabilityDecision {
    let denied = |reason| CapabilityDecision {
        capability,
        allowed: false,
        reason: Some(reason),
        until: None,
    };
    match (inputs.state, inputs.status) {
        (AccountState::Closed, _) => denied(DenialReason::AccountClosed),
        (AccountState::Frozen, _) => denied(DenialReason::AccountFrozen),
        (AccountState::Active, RealNameStatus::Unverified) => {
            denied(DenialReason::RealNameRequired)
        }
        (AccountState::Active, RealNameStatus::Verified) => CapabilityDecision {
            capability,
            allowed: true,
            reason: None,
            until: None,
        },
        (AccountState::Active, RealNameStatus::Revoked) => match inputs.agreement_expires_at {
            Some(expiry) if capability.survives_revocation() && now < expiry => {
                CapabilityDecision {
                    capability,
                    allowed: true,
                    reason: None,
                    until: Some(expiry),
                }
            }
            _ => denied(DenialReason::RealNameRevoked),
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn inputs(state: AccountState, status: RealNameStatus) -> CapabilityInputs {
        CapabilityInputs {
            state,
            status,
            agreement_expires_at: None,
            pending_revocation_at: None,
        }
    }

    fn allowed(report: &CapabilityReport) -> Vec<&'static str> {
        report
            .decisions
            .iter()
            .filter(|d| d.allowed)
            .map(|d| d.capability.as_str())
            .collect()
    }

    fn reasons(report: &CapabilityReport) -> Vec<Option<DenialReason>> {
        report.decisions.iter().map(|d| d.reason).collect()
    }

    #[test]
    fn an_unverified_account_may_do_nothing_and_is_told_to_verify() {
        let report = evaluate(
            inputs(AccountState::Active, RealNameStatus::Unverified),
            now(),
        );
        assert!(allowed(&report).is_empty());
        assert!(
            reasons(&report)
                .iter()
                .all(|r| *r == Some(DenialReason::RealNameRequired))
        );
        assert_eq!(
            DenialReason::RealNameRequired.action(),
            Some("verify_real_name")
        );
    }

    #[test]
    fn a_verified_account_may_do_everything() {
        let report = evaluate(
            inputs(AccountState::Active, RealNameStatus::Verified),
            now(),
        );
        assert_eq!(allowed(&report).len(), Capability::ALL.len());
    }

    #[test]
    fn a_revoked_account_keeps_resources_and_postpaid_until_its_agreement_expires() {
        let mut revoked = inputs(AccountState::Active, RealNameStatus::Revoked);
        revoked.agreement_expires_at = Some(now() + Duration::days(10));
        let report = evaluate(revoked, now());
        assert_eq!(allowed(&report), ["use_resources", "postpaid"]);
        assert!(
            report
                .decisions
                .iter()
                .filter(|d| d.allowed)
                .all(|d| d.until == revoked.agreement_expires_at)
        );
        let after = evaluate(revoked, now() + Duration::days(11));
        assert!(allowed(&after).is_empty());
    }

    #[test]
    fn a_revoked_account_without_an_agreement_may_do_nothing() {
        let report = evaluate(inputs(AccountState::Active, RealNameStatus::Revoked), now());
        assert!(allowed(&report).is_empty());
        assert!(
            reasons(&report)
                .iter()
                .all(|r| *r == Some(DenialReason::RealNameRevoked))
        );
    }

    #[test]
    fn closed_and_frozen_accounts_may_do_nothing_whatever_their_status() {
        for (state, reason) in [
            (AccountState::Closed, DenialReason::AccountClosed),
            (AccountState::Frozen, DenialReason::AccountFrozen),
        ] {
            let report = evaluate(inputs(state, RealNameStatus::Verified), now());
            assert!(allowed(&report).is_empty());
            assert!(reasons(&report).iter().all(|r| *r == Some(reason)));
        }
    }

    #[test]
    fn a_pending_revocation_warns_but_keeps_everything_allowed() {
        let mut pending = inputs(AccountState::Active, RealNameStatus::Verified);
        let effective_at = now() + Duration::days(15);
        pending.pending_revocation_at = Some(effective_at);
        let report = evaluate(pending, now());
        assert_eq!(allowed(&report).len(), Capability::ALL.len());
        assert_eq!(
            report.warnings,
            [CapabilityWarning::RevocationPending { effective_at }]
        );
    }
}

//! The scheduled enterprise re-check (R17): what a registry answer means for an enterprise's
//! accounts, and when the enterprise is due again.
//!
//! The decisions here are pure. The application claims due enterprises, asks the registry and
//! applies the [`Assessment`]; nothing here knows how the registry is reached.

use chrono::{DateTime, Duration, Utc};

use crate::account::{Account, RealNameStatus};
use crate::capabilities::{self, Capability, CapabilityInputs};
use crate::enterprise::{RegistryRecord, RegistryStatus};
use crate::ids::AccountId;
use crate::subject::{EnterpriseSubject, Subject};

/// What a re-check can find wrong with an enterprise (R17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finding {
    /// The registry says the enterprise is deregistered (or otherwise out of business).
    Deregistered,
    /// The registry's record is incomplete, or it has none.
    Incomplete,
    /// The registered name for the USCC differs from the verified one.
    NameMismatch,
}

impl Finding {
    /// The API and event name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deregistered => "deregistered",
            Self::Incomplete => "incomplete",
            Self::NameMismatch => "name_mismatch",
        }
    }

    /// The revocation reason recorded when the finding persists (`account.revoked`).
    #[must_use]
    pub const fn revocation_reason(self) -> &'static str {
        match self {
            Self::Deregistered => "registry_deregistered",
            Self::Incomplete => "registry_incomplete",
            Self::NameMismatch => "registry_name_mismatch",
        }
    }
}

/// What the registry says about `subject`: nothing wrong, or a finding (R17).
#[must_use]
pub fn finding(subject: &EnterpriseSubject, record: Option<&RegistryRecord>) -> Option<Finding> {
    let Some(record) = record else {
        return Some(Finding::Incomplete);
    };
    if record.name.trim().is_empty() || record.legal_representative.trim().is_empty() {
        return Some(Finding::Incomplete);
    }
    if record.status != RegistryStatus::Active {
        return Some(Finding::Deregistered);
    }
    let normalise = |s: &str| s.split_whitespace().collect::<String>();
    if normalise(&record.name) != normalise(subject.name.as_str()) {
        return Some(Finding::NameMismatch);
    }
    None
}

/// The configurable timings of R17.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecheckPolicy {
    /// Every verified enterprise is due once per interval (default 30 days).
    pub interval: Duration,
    /// From notice to revocation (default 15 days).
    pub notice_period: Duration,
    /// The first retry after a registry error; it doubles per failure.
    pub retry_base: Duration,
    /// The longest wait between retries.
    pub retry_max: Duration,
}

impl Default for RecheckPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::days(30),
            notice_period: Duration::days(15),
            retry_base: Duration::minutes(15),
            retry_max: Duration::hours(12),
        }
    }
}

impl RecheckPolicy {
    /// The enterprise's next regular due time strictly after `after`.
    ///
    /// Each enterprise has a fixed `phase` (any stable number, such as a hash of its key): its
    /// due times are `phase mod interval` past the Unix epoch, plus whole intervals. Phases are
    /// spread uniformly, so the enterprises due in any stretch of time are proportional to its
    /// length, never all on one day however they were verified.
    #[must_use]
    pub fn next_due(&self, phase: u64, after: DateTime<Utc>) -> DateTime<Utc> {
        let period = self.interval.num_seconds().max(1);
        let offset = i64::try_from(phase % period.unsigned_abs()).unwrap_or(0);
        let since = after.timestamp() - offset;
        let cycles = since.div_euclid(period) + 1;
        DateTime::from_timestamp(offset + cycles * period, 0).unwrap_or(after + self.interval)
    }

    /// When to try again after `failures` consecutive registry errors (1 for the first).
    #[must_use]
    pub fn retry_at(&self, failures: u32, now: DateTime<Utc>) -> DateTime<Utc> {
        let doublings = failures.saturating_sub(1).min(20);
        let wait = self.retry_base * 2_i32.saturating_pow(doublings);
        now + wait.min(self.retry_max)
    }
}

/// The re-check state of one enterprise, as claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckTarget {
    /// A stable number that places the enterprise in the cycle.
    pub phase: u64,
    /// When it is due; `None` until it is first scheduled.
    pub next_check_at: Option<DateTime<Utc>>,
    /// Consecutive registry errors.
    pub failures: u32,
    /// Its verified accounts (R4: at most its limit), with their pending revocations.
    pub accounts: Vec<Account>,
}

impl RecheckTarget {
    /// The enterprise, taken from its first verified account; `None` when none holds it now.
    #[must_use]
    pub fn enterprise(&self) -> Option<&EnterpriseSubject> {
        self.accounts
            .iter()
            .find_map(|a| match a.verification.as_ref() {
                Some(v) if a.status == RealNameStatus::Verified => match &v.subject {
                    Subject::Enterprise(e) => Some(e),
                    Subject::Personal(_) => None,
                },
                _ => None,
            })
    }
}

/// What happens to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// Send a notice and set a pending revocation effective at this time.
    Notice {
        /// What was found.
        finding: Finding,
        /// When the revocation takes effect.
        effective_at: DateTime<Utc>,
    },
    /// The finding persists at the effective date: revoke.
    Revoke {
        /// What was found.
        finding: Finding,
    },
    /// The record is fixed: cancel the pending revocation.
    Cancel,
}

impl AccountAction {
    /// Whether the action still applies to the account as it is now, locked: a notice only
    /// without a pending revocation, a revocation only once its date has come, a cancellation
    /// only while one is pending, and all of them only while the account holds its slot.
    #[must_use]
    pub fn applies_to(&self, account: &Account, now: DateTime<Utc>) -> bool {
        if !account.holds_slot() {
            return false;
        }
        match (self, account.revocation_pending_at) {
            (Self::Notice { .. }, pending) => pending.is_none(),
            (Self::Revoke { .. }, Some(effective_at)) => effective_at <= now,
            (Self::Cancel, pending) => pending.is_some(),
            (Self::Revoke { .. }, None) => false,
        }
    }
}

/// The outcome of one enterprise's re-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The per-account actions, in account order.
    pub actions: Vec<(AccountId, AccountAction)>,
    /// When the enterprise is due next.
    pub next_check_at: DateTime<Utc>,
    /// Consecutive registry errors after this check.
    pub failures: u32,
    /// Whether the registry was asked and answered (false for a retry or an enrolment).
    pub checked: bool,
}

/// The registry's answer, as the assessment sees it.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// Not asked: the enterprise is being enrolled, or no account holds it any more.
    NotAsked,
    /// The registry answered (`None`: it has no record).
    Answered(Option<&'a RegistryRecord>),
    /// Error or timeout: never a revocation (R17).
    Failed,
}

/// Whether the target needs the registry now: it has a verified account and is scheduled
/// (or the run treats everything as due).
#[must_use]
pub fn needs_registry(target: &RecheckTarget, treat_all_as_due: bool) -> bool {
    target.enterprise().is_some() && (treat_all_as_due || target.next_check_at.is_some())
}

/// Decides one enterprise's re-check (R17).
///
/// - Not asked: the enterprise is (re)scheduled at its next due time, nothing else changes.
/// - Registry error: retried with backoff; nothing is revoked.
/// - For each verified account: a finding without a pending revocation sends a notice with
///   the notice period; a finding that persists at (or after) the effective date revokes; no
///   finding while a revocation is pending cancels it.
/// - While a revocation is pending the enterprise is due again at the earliest effective date;
///   otherwise at its next regular due time.
#[must_use]
pub fn assess(
    target: &RecheckTarget,
    lookup: Lookup<'_>,
    policy: &RecheckPolicy,
    now: DateTime<Utc>,
) -> Assessment {
    let regular = policy.next_due(target.phase, now);
    let record = match lookup {
        Lookup::NotAsked => {
            return Assessment {
                actions: Vec::new(),
                next_check_at: earliest_pending(target.accounts.iter(), regular),
                failures: target.failures,
                checked: false,
            };
        }
        Lookup::Failed => {
            let failures = target.failures.saturating_add(1);
            return Assessment {
                actions: Vec::new(),
                next_check_at: policy.retry_at(failures, now),
                failures,
                checked: false,
            };
        }
        Lookup::Answered(record) => record,
    };
    let mut actions = Vec::new();
    let mut pending: Option<DateTime<Utc>> = None;
    for account in target.accounts.iter().filter(|a| a.holds_slot()) {
        let found = match account.verification.as_ref().map(|v| &v.subject) {
            Some(Subject::Enterprise(e)) => finding(e, record),
            _ => continue,
        };
        let action = match (found, account.revocation_pending_at) {
            (None, None) => None,
            (None, Some(_)) => Some(AccountAction::Cancel),
            (Some(finding), None) => {
                let effective_at = now + policy.notice_period;
                pending = Some(pending.map_or(effective_at, |p| p.min(effective_at)));
                Some(AccountAction::Notice {
                    finding,
                    effective_at,
                })
            }
            (Some(finding), Some(effective_at)) if effective_at <= now => {
                Some(AccountAction::Revoke { finding })
            }
            (Some(_), Some(effective_at)) => {
                pending = Some(pending.map_or(effective_at, |p| p.min(effective_at)));
                None
            }
        };
        if let Some(action) = action {
            actions.push((account.id, action));
        }
    }
    Assessment {
        actions,
        next_check_at: pending.unwrap_or(regular),
        failures: 0,
        checked: true,
    }
}

fn earliest_pending<'a>(
    accounts: impl Iterator<Item = &'a Account>,
    regular: DateTime<Utc>,
) -> DateTime<Utc> {
    accounts
        .filter(|a| a.holds_slot())
        .filter_map(|a| a.revocation_pending_at)
        .min()
        .unwrap_or(regular)
}

/// The capabilities an account loses when it is revoked now (R12, R18): the dry run's "which
/// capabilities would change".
#[must_use]
pub fn capabilities_lost_on_revocation(account: &Account, now: DateTime<Utc>) -> Vec<Capability> {
    lost_on_revocation(account, |root| root, now)
}

/// The capabilities an inheriting sub-account (`heir`, its own facts) loses when its root is
/// revoked now (R12, R16): it answers with its root's status.
#[must_use]
pub fn capabilities_lost_by_heir(
    heir: CapabilityInputs,
    root: &Account,
    now: DateTime<Utc>,
) -> Vec<Capability> {
    lost_on_revocation(root, |root| CapabilityInputs::inheriting(heir, root), now)
}

/// What the answer `seen(root's inputs)` allows before `root`'s revocation and not after.
fn lost_on_revocation(
    root: &Account,
    seen: impl Fn(CapabilityInputs) -> CapabilityInputs,
    now: DateTime<Utc>,
) -> Vec<Capability> {
    let before = capabilities::evaluate(seen(CapabilityInputs::from(root)), now);
    let mut revoked = root.clone();
    revoked.status = RealNameStatus::Revoked;
    let after = capabilities::evaluate(seen(CapabilityInputs::from(&revoked)), now);
    before
        .decisions
        .iter()
        .zip(after.decisions.iter())
        .filter(|(b, a)| b.allowed && !a.allowed)
        .map(|(b, _)| b.capability)
        .collect()
}

#[cfg(test)]
mod tests;

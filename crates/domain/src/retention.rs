//! R21 retention of the verification records that outlive their use: a subject an account is no
//! longer verified as, an identity proof, an appeal's message. Each is kept for the retention
//! period (`policy.retention_days`) and then redacted; its subject key, dates and outcome stay,
//! so find-accounts (R15) and theft investigations still see the history. Closed accounts are
//! [`crate::Account::redact`]'s.

use chrono::{DateTime, Duration, Utc};

/// Whether a record dated `since` has been kept for the whole `retention` period at `now`.
#[must_use]
pub fn kept_long_enough(since: DateTime<Utc>, now: DateTime<Utc>, retention: Duration) -> bool {
    since + retention <= now
}

/// A decided application's subject, as the retention sweep sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecidedSubject {
    /// When the application was decided (approved, rejected, expired or withdrawn).
    pub decided_at: DateTime<Utc>,
    /// Whether it was approved.
    pub approved: bool,
    /// Whether the account is still verified as this subject (same subject key).
    pub still_the_accounts: bool,
}

impl DecidedSubject {
    /// Superseded: the account is not verified as it — it was refused, abandoned, or replaced by
    /// a modification (R2). The subject an account is verified as is never superseded.
    #[must_use]
    pub const fn superseded(&self) -> bool {
        !(self.approved && self.still_the_accounts)
    }

    /// Whether the sweep redacts it at `now`: superseded and decided a retention period ago.
    #[must_use]
    pub fn redaction_due(&self, now: DateTime<Utc>, retention: Duration) -> bool {
        self.superseded() && kept_long_enough(self.decided_at, now, retention)
    }
}

/// An identity proof, as the retention sweep sees it (R15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptProof {
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it passed, if it did.
    pub passed_at: Option<DateTime<Utc>>,
}

impl KeptProof {
    /// A passed proof is kept from when it passed; one that never passed, from its start.
    #[must_use]
    pub fn kept_since(&self) -> DateTime<Utc> {
        self.passed_at.unwrap_or(self.created_at)
    }

    /// Whether the sweep redacts its subject and secret at `now`.
    #[must_use]
    pub fn redaction_due(&self, now: DateTime<Utc>, retention: Duration) -> bool {
        kept_long_enough(self.kept_since(), now, retention)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + Duration::days(day)
    }

    const RETENTION: Duration = Duration::days(1095);

    #[test]
    fn the_subject_an_account_is_verified_as_is_kept_however_old() {
        let current = DecidedSubject {
            decided_at: at(0),
            approved: true,
            still_the_accounts: true,
        };
        assert!(!current.redaction_due(at(5000), RETENTION));
    }

    #[test]
    fn a_modified_refused_or_withdrawn_subject_goes_once_kept_long_enough() {
        for (approved, still_the_accounts) in [(true, false), (false, false), (false, true)] {
            let old = DecidedSubject {
                decided_at: at(0),
                approved,
                still_the_accounts,
            };
            assert!(!old.redaction_due(at(1094), RETENTION), "kept until then");
            assert!(old.redaction_due(at(1095), RETENTION), "then redacted");
        }
    }

    #[test]
    fn a_proof_is_kept_from_when_it_passed_or_else_from_its_start() {
        let passed = KeptProof {
            created_at: at(0),
            passed_at: Some(at(10)),
        };
        assert!(!passed.redaction_due(at(1104), RETENTION));
        assert!(passed.redaction_due(at(1105), RETENTION));
        let failed = KeptProof {
            created_at: at(0),
            passed_at: None,
        };
        assert!(failed.redaction_due(at(1095), RETENTION));
    }
}

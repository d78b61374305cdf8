//! A change of the bound phone, confirmed by a one-time code sent to the new number (R19):
//! 6 digits, valid 10 minutes, at most 5 tries, stored only as a hash.

use chrono::{DateTime, Duration, Utc};

use crate::identifiers::Phone;
use crate::ids::AccountId;

/// Identifier of one phone change, shown as `pc_…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneChangeId(uuid::Uuid);

impl PhoneChangeId {
    /// A new id.
    #[must_use]
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    /// Wraps a stored UUID.
    #[must_use]
    pub const fn from_uuid(uuid: uuid::Uuid) -> Self {
        Self(uuid)
    }

    /// The raw UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl Default for PhoneChangeId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for PhoneChangeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pc_{}", self.0.simple())
    }
}

impl std::str::FromStr for PhoneChangeId {
    type Err = crate::ids::IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.strip_prefix("pc_")
            .filter(|rest| rest.len() == 32)
            .and_then(|rest| uuid::Uuid::try_parse(rest).ok())
            .map(Self)
            .ok_or(crate::ids::IdParseError {
                kind: "phone change",
            })
    }
}

/// Where a phone change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneChangeStatus {
    /// Waiting for the code.
    Pending,
    /// Confirmed: the new number is bound.
    Confirmed,
    /// Five wrong codes: no further tries.
    Locked,
    /// Cancelled (the account was closed).
    Cancelled,
}

impl PhoneChangeStatus {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Locked => "locked",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Confirmed,
            Self::Locked,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// Why a code was refused (R19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// Wrong code (422 `otp_invalid`); the try is counted.
    #[error("the code is wrong")]
    Invalid {
        /// Tries left before the change locks.
        remaining: u32,
    },
    /// Past its validity (422 `otp_expired`).
    #[error("the code has expired")]
    Expired,
    /// Five wrong codes were tried, or the change is no longer pending (409 `otp_locked`).
    #[error("the change is locked")]
    Locked,
}

/// How long a one-time code is valid and how many tries it allows (R19: policy values,
/// `policy.otp_validity_minutes` and `policy.otp_max_tries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpRules {
    /// How long a code is valid.
    pub validity: Duration,
    /// The most tries a code allows.
    pub max_tries: u32,
}

/// The one-time codes already sent within the throttle windows (R19): to the destination
/// number in the last hour, and for the account in the last day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtpSends {
    /// When codes went to the destination number, within the last hour.
    pub to_phone: Vec<DateTime<Utc>>,
    /// When codes were sent for the account, within the last day.
    pub for_account: Vec<DateTime<Utc>>,
}

/// Whether another code may be sent now; `Err` carries when one may.
///
/// # Errors
/// The time the oldest counted send leaves its window, when a limit is reached.
pub fn check_otp_sends(
    sends: &OtpSends,
    per_phone_per_hour: u32,
    per_account_per_day: u32,
    now: DateTime<Utc>,
) -> Result<(), DateTime<Utc>> {
    let over = |times: &[DateTime<Utc>], limit: u32, window: Duration| {
        let recent: Vec<_> = times.iter().filter(|t| **t > now - window).collect();
        (recent.len() >= limit as usize)
            .then(|| recent.into_iter().min().map_or(now, |t| *t + window))
    };
    let phone = over(&sends.to_phone, per_phone_per_hour, Duration::hours(1));
    let account = over(&sends.for_account, per_account_per_day, Duration::days(1));
    match (phone, account) {
        (None, None) => Ok(()),
        (a, b) => Err(a.max(b).unwrap_or(now)),
    }
}

/// A pending or finished change of an account's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneChange {
    /// Its id.
    pub id: PhoneChangeId,
    /// The account.
    pub account_id: AccountId,
    /// The number to bind.
    pub new_phone: Phone,
    /// The hash of the code; the code itself is never kept.
    pub code_hash: [u8; 32],
    /// Wrong codes tried so far.
    pub failed_tries: u32,
    /// The most tries its code allows, fixed when it was requested.
    pub max_tries: u32,
    /// Where it stands.
    pub status: PhoneChangeStatus,
    /// When the code stops being valid.
    pub expires_at: DateTime<Utc>,
    /// When it was requested.
    pub created_at: DateTime<Utc>,
}

impl PhoneChange {
    /// A new change `id` whose code has the keyed digest `code_hash` (the caller sends the code
    /// and drops it; only the digest is kept).
    #[must_use]
    pub fn request(
        id: PhoneChangeId,
        account_id: AccountId,
        new_phone: Phone,
        code_hash: [u8; 32],
        (now, rules): (DateTime<Utc>, OtpRules),
    ) -> Self {
        Self {
            id,
            account_id,
            new_phone,
            code_hash,
            failed_tries: 0,
            max_tries: rules.max_tries,
            status: PhoneChangeStatus::Pending,
            expires_at: now + rules.validity,
            created_at: now,
        }
    }

    /// How many more wrong codes it takes.
    #[must_use]
    pub const fn remaining_tries(&self) -> u32 {
        self.max_tries.saturating_sub(self.failed_tries)
    }

    /// Tries a code, given as its keyed digest. A wrong one is counted; the last wrong one
    /// (the fifth by default) locks the change.
    ///
    /// # Errors
    /// [`OtpError`] as described.
    pub fn confirm(&mut self, presented: &[u8; 32], now: DateTime<Utc>) -> Result<(), OtpError> {
        if self.status != PhoneChangeStatus::Pending {
            return Err(OtpError::Locked);
        }
        if now >= self.expires_at {
            return Err(OtpError::Expired);
        }
        // Every byte is compared, whatever the first difference.
        let differs = presented
            .iter()
            .zip(self.code_hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if differs != 0 {
            self.failed_tries += 1;
            if self.failed_tries >= self.max_tries {
                self.status = PhoneChangeStatus::Locked;
            }
            return Err(OtpError::Invalid {
                remaining: self.remaining_tries(),
            });
        }
        self.status = PhoneChangeStatus::Confirmed;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for the keyed digest: the code's digits, padded.
    fn digest(code: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[..code.len()].copy_from_slice(code.as_bytes());
        out
    }

    fn change() -> (PhoneChange, DateTime<Utc>) {
        let now = Utc::now();
        (
            PhoneChange::request(
                PhoneChangeId::new(),
                AccountId::new(),
                Phone::parse("13912345678").unwrap(),
                digest("123456"),
                (now, crate::Policy::default().otp_rules()),
            ),
            now,
        )
    }

    #[test]
    fn the_codes_validity_and_tries_are_the_policys() {
        let policy = crate::Policy {
            otp_validity_minutes: 2,
            otp_max_tries: 2,
            ..crate::Policy::default()
        };
        let now = Utc::now();
        let request = || {
            PhoneChange::request(
                PhoneChangeId::new(),
                AccountId::new(),
                Phone::parse("13912345678").unwrap(),
                digest("123456"),
                (now, policy.otp_rules()),
            )
        };
        let mut c = request();
        assert_eq!(
            c.confirm(&digest("123456"), now + Duration::minutes(2)),
            Err(OtpError::Expired)
        );
        let mut c2 = request();
        assert_eq!(
            c2.confirm(&digest("000000"), now),
            Err(OtpError::Invalid { remaining: 1 })
        );
        assert_eq!(
            c2.confirm(&digest("000000"), now),
            Err(OtpError::Invalid { remaining: 0 })
        );
        assert_eq!(c2.confirm(&digest("123456"), now), Err(OtpError::Locked));
        c = request();
        assert_eq!(c.remaining_tries(), 2);
    }

    #[test]
    fn the_right_code_within_ten_minutes_confirms() {
        let (mut c, now) = change();
        assert_eq!(
            c.confirm(&digest("123456"), now + Duration::minutes(9)),
            Ok(())
        );
        assert_eq!(c.status, PhoneChangeStatus::Confirmed);
        assert_eq!(
            c.confirm(&digest("123456"), now),
            Err(OtpError::Locked),
            "a code works once"
        );
    }

    #[test]
    fn an_expired_code_is_refused() {
        let (mut c, now) = change();
        assert_eq!(
            c.confirm(&digest("123456"), now + Duration::minutes(10)),
            Err(OtpError::Expired)
        );
    }

    #[test]
    fn five_wrong_codes_lock_the_change_and_the_sixth_try_is_locked() {
        let (mut c, now) = change();
        for remaining in (0..5).rev() {
            assert_eq!(
                c.confirm(&digest("000000"), now),
                Err(OtpError::Invalid { remaining })
            );
        }
        assert_eq!(
            c.confirm(&digest("123456"), now),
            Err(OtpError::Locked),
            "even the right code"
        );
    }

    #[test]
    fn codes_are_throttled_per_destination_and_per_account() {
        let now = Utc::now();
        let times = |n: i64, step: Duration| (0..n).map(|i| now - step * (i as i32 + 1)).collect();
        let to_phone: Vec<_> = times(5, Duration::minutes(5));
        let sends = OtpSends {
            to_phone: to_phone.clone(),
            for_account: Vec::new(),
        };
        let oldest = *to_phone.iter().min().unwrap();
        assert_eq!(
            check_otp_sends(&sends, 5, 10, now),
            Err(oldest + Duration::hours(1))
        );
        assert_eq!(check_otp_sends(&sends, 6, 10, now), Ok(()));
        let account = OtpSends {
            to_phone: Vec::new(),
            for_account: times(10, Duration::hours(1)),
        };
        assert!(check_otp_sends(&account, 5, 10, now).is_err());
        assert_eq!(check_otp_sends(&OtpSends::default(), 5, 10, now), Ok(()));
    }

    #[test]
    fn the_code_is_kept_only_as_a_hash() {
        let (c, _) = change();
        assert!(!format!("{c:?}").contains("123456"));
    }
}

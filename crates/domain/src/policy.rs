//! Policy values with the SPEC defaults. Each is configurable.

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::attempts::AttemptLimit;
use crate::calendar::BusinessCalendar;
use crate::subject::SubjectType;

/// The configurable limits of the rules, with SPEC defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// R3: accounts one person may verify.
    pub personal_account_limit: u32,
    /// R4: accounts one enterprise may verify, unless overridden.
    pub enterprise_account_limit: u32,
    /// R19: accounts one phone number may be bound to.
    pub phone_account_limit: u32,
    /// R5: validity of an instant session, in minutes.
    pub session_validity_minutes: i64,
    /// R7: failed instant attempts allowed per window.
    pub max_failed_attempts: u32,
    /// R7: the attempt window, in hours.
    pub attempt_window_hours: i64,
    /// R2: the modification cooldown, in days.
    pub modification_cooldown_days: i64,
    /// R5, R6: where non-mainland subjects are sent.
    pub international_site_url: String,
    /// R8: the business calendar's time zone (IANA name).
    pub time_zone: String,
    /// R8: extra days off.
    pub holidays: Vec<NaiveDate>,
    /// R8: make-up working days (weekend days that are worked).
    pub make_up_days: Vec<NaiveDate>,
    /// R6: the account that corporate remittances and recharges are paid into.
    pub payee_account: String,
    /// R21: how long a closed account's verification records are kept before redaction.
    pub retention_days: i64,
    /// R8: the deadline, in working days from entering review, of an application that enters
    /// review without one of its own (an instant method sent to a reviewer).
    pub review_max_working_days: u32,
    /// R15: how long a passed identity proof stays usable, in seconds. Configured as
    /// `identity.proof_ttl_secs`, not under `policy`.
    #[serde(skip)]
    pub proof_ttl_secs: i64,
    /// R19: one-time codes one destination number may receive per hour.
    pub otp_sends_per_phone_per_hour: u32,
    /// R19: one-time codes sent for one account per day.
    pub otp_sends_per_account_per_day: u32,
    /// R19: how long a one-time code is valid, in minutes.
    pub otp_validity_minutes: i64,
    /// R19: the tries a one-time code allows.
    pub otp_max_tries: u32,
    /// R6, R13: the payment methods' typical and maximum durations.
    pub method_durations: crate::method::MethodDurations,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            personal_account_limit: 3,
            enterprise_account_limit: 10,
            phone_account_limit: 5,
            session_validity_minutes: 30,
            max_failed_attempts: 5,
            attempt_window_hours: 24,
            modification_cooldown_days: 30,
            international_site_url: "https://intl.cloud.example.com/realname".to_owned(),
            time_zone: "Asia/Shanghai".to_owned(),
            holidays: Vec::new(),
            make_up_days: Vec::new(),
            payee_account: "REALNAME-VERIFICATION-0001".to_owned(),
            retention_days: 1095,
            review_max_working_days: 1,
            proof_ttl_secs: 900,
            otp_sends_per_phone_per_hour: 5,
            otp_sends_per_account_per_day: 10,
            otp_validity_minutes: 10,
            otp_max_tries: 5,
            method_durations: crate::method::MethodDurations::default(),
        }
    }
}

impl Policy {
    /// The default account limit of a subject type (R3, R4).
    #[must_use]
    pub const fn account_limit(&self, subject_type: SubjectType) -> u32 {
        match subject_type {
            SubjectType::Personal => self.personal_account_limit,
            SubjectType::Enterprise => self.enterprise_account_limit,
        }
    }

    /// How long an instant session stays valid (R5).
    #[must_use]
    pub fn session_validity(&self) -> Duration {
        Duration::minutes(self.session_validity_minutes)
    }

    /// R15: how long a passed identity proof stays usable.
    #[must_use]
    pub fn proof_validity(&self) -> Duration {
        Duration::seconds(self.proof_ttl_secs.max(1))
    }

    /// The R7 attempt limit.
    #[must_use]
    pub fn attempt_limit(&self) -> AttemptLimit {
        AttemptLimit {
            max_failures: self.max_failed_attempts,
            window: Duration::hours(self.attempt_window_hours),
        }
    }

    /// The R8 business calendar.
    ///
    /// # Errors
    /// When the time zone is not an IANA name.
    pub fn calendar(&self) -> Result<BusinessCalendar, String> {
        let zone = self
            .time_zone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| format!("unknown time zone {:?}", self.time_zone))?;
        Ok(BusinessCalendar::new(
            zone,
            self.holidays.iter().copied(),
            self.make_up_days.iter().copied(),
        ))
    }

    /// R13 metadata of `method`, with the configured durations (R6).
    #[must_use]
    pub fn method_info(&self, method: crate::Method) -> crate::MethodInfo {
        method.info_with(&self.method_durations)
    }

    /// What is wrong with these values, naming each key (checked at start-up).
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.method_durations.problems();
        if self.otp_max_tries == 0 || self.otp_validity_minutes <= 0 {
            problems.push(
                "policy.otp_max_tries and policy.otp_validity_minutes must be positive".to_owned(),
            );
        }
        problems
    }

    /// R19: a one-time code's validity and tries.
    #[must_use]
    pub fn otp_rules(&self) -> crate::phone_change::OtpRules {
        crate::phone_change::OtpRules {
            validity: Duration::minutes(self.otp_validity_minutes),
            max_tries: self.otp_max_tries,
        }
    }

    /// The R21 retention period.
    #[must_use]
    pub fn retention(&self) -> Duration {
        Duration::days(self.retention_days)
    }

    /// The R2 cooldown.
    #[must_use]
    pub fn modification_cooldown(&self) -> Duration {
        Duration::days(self.modification_cooldown_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_spec_values() {
        let policy = Policy::default();
        assert_eq!(policy.account_limit(SubjectType::Personal), 3);
        assert_eq!(policy.account_limit(SubjectType::Enterprise), 10);
        assert_eq!(policy.phone_account_limit, 5);
        assert_eq!(policy.session_validity(), Duration::minutes(30));
        assert_eq!(policy.attempt_limit().max_failures, 5);
        assert_eq!(policy.attempt_limit().window, Duration::hours(24));
        assert_eq!(policy.modification_cooldown(), Duration::days(30));
    }
}

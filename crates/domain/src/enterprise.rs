//! Enterprise decisions (R6, R9): what the business registry must say before an enterprise
//! application may be approved, and when it goes to a reviewer instead.

use crate::application::FailureCode;
use crate::subject::EnterpriseSubject;

/// The registry's status for an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryStatus {
    /// In business.
    Active,
    /// Deregistered.
    Deregistered,
    /// Any other status the registry reports (revoked, suspended, …).
    Other(String),
}

/// What the business registry holds for one USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRecord {
    /// The registered name.
    pub name: String,
    /// The status.
    pub status: RegistryStatus,
    /// The legal representative's name.
    pub legal_representative: String,
}

/// The evidence a method produced, to weigh against the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence<'a> {
    /// A legal-person scan or face check: the name of the person who completed it.
    LegalPerson {
        /// The person the provider asserts.
        scanner_name: &'a str,
    },
    /// The WeChat official account's own enterprise verification confirmed the subject.
    PublicPlatform,
    /// A matched payment from a corporate account.
    Payment {
        /// The payer name on the credit.
        payer_name: &'a str,
    },
    /// A reviewer approved it.
    Reviewer,
}

/// Why an undecided enterprise application waits for a reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    /// The payer name differs from the registered name (R6).
    PaymentNameMismatch,
    /// The USCC fails its check character: never approved automatically (R9).
    UsccChecksum,
    /// The registry could not be asked; a reviewer decides once it answers.
    RegistryUnavailable,
}

impl ReviewReason {
    /// Every reason, in API order.
    pub const ALL: [Self; 3] = [
        Self::PaymentNameMismatch,
        Self::UsccChecksum,
        Self::RegistryUnavailable,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PaymentNameMismatch => "payment_name_mismatch",
            Self::UsccChecksum => "uscc_checksum_failed",
            Self::RegistryUnavailable => "registry_unavailable",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// The outcome of weighing evidence against the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Approve, subject to the quota (R4).
    Approve,
    /// Leave undecided for a reviewer.
    Review(ReviewReason),
    /// Reject with this code.
    Reject(FailureCode),
}

/// Decides an enterprise application (R6, R9) from the registry's record (`None`: the registry
/// has no such USCC) and the method's evidence.
#[must_use]
pub fn decide(
    subject: &EnterpriseSubject,
    record: Option<&RegistryRecord>,
    evidence: &Evidence<'_>,
) -> Verdict {
    let Some(record) = record.filter(|r| r.status == RegistryStatus::Active) else {
        return Verdict::Reject(FailureCode::EnterpriseNotActive);
    };
    let registered_name_matches = same_name(&record.name, subject.name.as_str());
    match evidence {
        Evidence::LegalPerson { scanner_name }
            if !same_name(&record.legal_representative, scanner_name) =>
        {
            return Verdict::Reject(FailureCode::LegalPersonMismatch);
        }
        Evidence::Payment { payer_name } if !same_name(&record.name, payer_name) => {
            return Verdict::Review(ReviewReason::PaymentNameMismatch);
        }
        Evidence::Reviewer => return Verdict::Approve,
        _ if !registered_name_matches => {
            return Verdict::Reject(FailureCode::EnterpriseNameMismatch);
        }
        _ => {}
    }
    if subject.uscc.checksum_ok() {
        Verdict::Approve
    } else {
        Verdict::Review(ReviewReason::UsccChecksum)
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let normalise = |s: &str| s.split_whitespace().collect::<String>();
    normalise(a) == normalise(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::{EnterpriseName, PersonName, Uscc};
    use crate::subject::Region;

    fn subject(uscc: &str) -> EnterpriseSubject {
        EnterpriseSubject {
            name: EnterpriseName::parse("北京示例科技有限公司").unwrap(),
            uscc: Uscc::parse(uscc).unwrap(),
            region: Region::Mainland,
            legal_person_name: Some(PersonName::parse("王五").unwrap()),
        }
    }

    fn active() -> RegistryRecord {
        RegistryRecord {
            name: "北京示例科技有限公司".into(),
            status: RegistryStatus::Active,
            legal_representative: "王五".into(),
        }
    }

    const VALID: &str = "91110000600037341L";

    #[test]
    fn the_legal_representative_scanning_approves() {
        let verdict = decide(
            &subject(VALID),
            Some(&active()),
            &Evidence::LegalPerson {
                scanner_name: "王五",
            },
        );
        assert_eq!(verdict, Verdict::Approve);
    }

    #[test]
    fn someone_else_scanning_is_a_legal_person_mismatch() {
        let verdict = decide(
            &subject(VALID),
            Some(&active()),
            &Evidence::LegalPerson {
                scanner_name: "赵六",
            },
        );
        assert_eq!(verdict, Verdict::Reject(FailureCode::LegalPersonMismatch));
    }

    #[test]
    fn an_inactive_or_unknown_enterprise_is_never_approved() {
        let mut gone = active();
        gone.status = RegistryStatus::Deregistered;
        for record in [Some(&gone), None] {
            for evidence in [
                Evidence::PublicPlatform,
                Evidence::Reviewer,
                Evidence::Payment {
                    payer_name: "北京示例科技有限公司",
                },
            ] {
                assert_eq!(
                    decide(&subject(VALID), record, &evidence),
                    Verdict::Reject(FailureCode::EnterpriseNotActive)
                );
            }
        }
    }

    #[test]
    fn a_payment_from_another_name_goes_to_review() {
        let verdict = decide(
            &subject(VALID),
            Some(&active()),
            &Evidence::Payment {
                payer_name: "别的公司",
            },
        );
        assert_eq!(verdict, Verdict::Review(ReviewReason::PaymentNameMismatch));
        let verdict = decide(
            &subject(VALID),
            Some(&active()),
            &Evidence::Payment {
                payer_name: "北京示例科技有限公司",
            },
        );
        assert_eq!(verdict, Verdict::Approve);
    }

    #[test]
    fn a_failing_check_character_goes_to_review_instead_of_approval() {
        let verdict = decide(
            &subject("91350100M0001TGQXM"),
            Some(&active()),
            &Evidence::PublicPlatform,
        );
        assert_eq!(verdict, Verdict::Review(ReviewReason::UsccChecksum));
    }

    #[test]
    fn a_submitted_name_that_differs_from_the_register_is_a_name_mismatch() {
        let mut renamed = active();
        renamed.name = "北京另一家有限公司".into();
        let verdict = decide(&subject(VALID), Some(&renamed), &Evidence::PublicPlatform);
        assert_eq!(
            verdict,
            Verdict::Reject(FailureCode::EnterpriseNameMismatch)
        );
    }

    #[test]
    fn a_reviewer_may_approve_a_pilot_code_of_an_active_enterprise() {
        let verdict = decide(
            &subject("91350100M0001TGQXM"),
            Some(&active()),
            &Evidence::Reviewer,
        );
        assert_eq!(verdict, Verdict::Approve);
    }
}

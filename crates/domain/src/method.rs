//! Verification methods and their R13 metadata (personal part, R5).

use crate::subject::{DocumentType, Region, Subject, SubjectType};

/// The external provider that runs a method's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderName {
    /// WeChat scans.
    Wechat,
    /// QQ scans.
    Qq,
    /// Face recognition (liveness plus comparison with the authority's photo).
    Face,
    /// WeChat Public Platform.
    WechatMp,
    /// The payment platform.
    Payments,
}

impl ProviderName {
    const ALL: [Self; 5] = [
        Self::Wechat,
        Self::Qq,
        Self::Face,
        Self::WechatMp,
        Self::Payments,
    ];

    /// The path name in `POST /v1/provider-events/{provider}`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Qq => "qq",
            Self::Face => "face",
            Self::WechatMp => "wechat_mp",
            Self::Payments => "payments",
        }
    }

    /// Parses a path name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A verification method: the personal ones of R5 and the enterprise ones of R6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Scan a QR code with WeChat (recommended).
    WechatScan,
    /// Scan a QR code with QQ.
    QqScan,
    /// Face recognition.
    FaceRecognition,
    /// The enterprise's verified WeChat official account (recommended).
    WechatPublicPlatform,
    /// The legal representative scans with WeChat (recommended).
    LegalPersonWechatScan,
    /// The legal representative passes face recognition (recommended).
    LegalPersonFaceRecognition,
    /// A recharge from the enterprise's account, then review.
    CloudRecharge,
    /// A remittance of a random small amount from the corporate account, then review.
    CorporateRemittance,
}

/// The R13 metadata of one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodInfo {
    /// The method.
    pub method: Method,
    /// Which subject type it verifies.
    pub subject_type: SubjectType,
    /// Decided when the provider reports (R5, R11).
    pub instant: bool,
    /// Whether documents must be uploaded.
    pub needs_documents: bool,
    /// Whether the console recommends it.
    pub recommended: bool,
    /// Typical duration in working days; `None` for instant methods.
    pub typical_duration_working_days: Option<u32>,
    /// Maximum duration in working days; `None` for instant methods.
    pub max_duration_working_days: Option<u32>,
    /// The document types it accepts (personal methods only).
    pub document_types: &'static [DocumentType],
}

/// How long a payment method takes (R6, R13), in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodDuration {
    /// Typically.
    pub typical_working_days: u32,
    /// At most: the application's deadline (R8).
    pub max_working_days: u32,
}

/// The durations of the methods that have one (`policy.method_durations.<method>`); instant
/// methods have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MethodDurations {
    /// `cloud_recharge`: 1 and 3 by default.
    pub cloud_recharge: MethodDuration,
    /// `corporate_remittance`: 3 and 5 by default.
    pub corporate_remittance: MethodDuration,
}

impl Default for MethodDurations {
    fn default() -> Self {
        Self {
            cloud_recharge: MethodDuration {
                typical_working_days: 1,
                max_working_days: 3,
            },
            corporate_remittance: MethodDuration {
                typical_working_days: 3,
                max_working_days: 5,
            },
        }
    }
}

impl MethodDurations {
    /// The duration of `method`; `None` for an instant one.
    #[must_use]
    pub const fn of(&self, method: Method) -> Option<MethodDuration> {
        match method {
            Method::CloudRecharge => Some(self.cloud_recharge),
            Method::CorporateRemittance => Some(self.corporate_remittance),
            _ => None,
        }
    }

    /// What is wrong with these durations, by key: a maximum of 0 days, or a typical duration
    /// longer than the maximum.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        [
            ("cloud_recharge", self.cloud_recharge),
            ("corporate_remittance", self.corporate_remittance),
        ]
        .into_iter()
        .filter(|(_, d)| d.max_working_days == 0 || d.typical_working_days > d.max_working_days)
        .map(|(name, _)| {
            format!(
                "policy.method_durations.{name}: max_working_days must be at least 1 and at \
                 least typical_working_days"
            )
        })
        .collect()
    }
}

impl Method {
    /// Every method, in display order.
    pub const ALL: [Self; 8] = [
        Self::WechatScan,
        Self::QqScan,
        Self::FaceRecognition,
        Self::WechatPublicPlatform,
        Self::LegalPersonWechatScan,
        Self::LegalPersonFaceRecognition,
        Self::CloudRecharge,
        Self::CorporateRemittance,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WechatScan => "wechat_scan",
            Self::QqScan => "qq_scan",
            Self::FaceRecognition => "face_recognition",
            Self::WechatPublicPlatform => "wechat_public_platform",
            Self::LegalPersonWechatScan => "legal_person_wechat_scan",
            Self::LegalPersonFaceRecognition => "legal_person_face_recognition",
            Self::CloudRecharge => "cloud_recharge",
            Self::CorporateRemittance => "corporate_remittance",
        }
    }

    /// Parses an API name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The provider that runs the session and reports its result.
    #[must_use]
    pub const fn provider(self) -> ProviderName {
        match self {
            Self::WechatScan | Self::LegalPersonWechatScan => ProviderName::Wechat,
            Self::QqScan => ProviderName::Qq,
            Self::FaceRecognition | Self::LegalPersonFaceRecognition => ProviderName::Face,
            Self::WechatPublicPlatform => ProviderName::WechatMp,
            Self::CloudRecharge | Self::CorporateRemittance => ProviderName::Payments,
        }
    }

    /// Which subject type it verifies.
    #[must_use]
    pub const fn subject_type(self) -> SubjectType {
        match self {
            Self::WechatScan | Self::QqScan | Self::FaceRecognition => SubjectType::Personal,
            _ => SubjectType::Enterprise,
        }
    }

    /// Whether the applicant pays and the decision may wait for review (R6).
    #[must_use]
    pub const fn is_payment(self) -> bool {
        matches!(self, Self::CloudRecharge | Self::CorporateRemittance)
    }

    /// Whether the provider's scan or face check names the legal representative (R6).
    #[must_use]
    pub const fn is_legal_person(self) -> bool {
        matches!(
            self,
            Self::LegalPersonWechatScan | Self::LegalPersonFaceRecognition
        )
    }

    /// R13 metadata, with the SPEC default durations.
    #[must_use]
    pub fn info(self) -> MethodInfo {
        self.info_with(&MethodDurations::default())
    }

    /// R13 metadata, with the configured durations (`Policy::method_info`).
    #[must_use]
    pub fn info_with(self, configured: &MethodDurations) -> MethodInfo {
        const EVERY_DOCUMENT: &[DocumentType] = &DocumentType::ALL;
        const WITHOUT_TRAVEL_PERMITS: &[DocumentType] =
            &[DocumentType::ResidentId, DocumentType::ResidencePermit];
        const NONE: &[DocumentType] = &[];
        let (recommended, needs_documents, document_types, durations) = match self {
            Self::WechatScan => (true, true, EVERY_DOCUMENT, None),
            Self::QqScan => (false, true, WITHOUT_TRAVEL_PERMITS, None),
            Self::FaceRecognition => (false, false, WITHOUT_TRAVEL_PERMITS, None),
            Self::WechatPublicPlatform | Self::LegalPersonFaceRecognition => {
                (true, false, NONE, None)
            }
            Self::LegalPersonWechatScan => (true, true, NONE, None),
            Self::CloudRecharge | Self::CorporateRemittance => (false, true, NONE, None),
        };
        let durations = configured
            .of(self)
            .map(|d| (d.typical_working_days, d.max_working_days))
            .or(durations);
        MethodInfo {
            method: self,
            subject_type: self.subject_type(),
            instant: durations.is_none(),
            needs_documents,
            recommended,
            typical_duration_working_days: durations.map(|(typical, _)| typical),
            max_duration_working_days: durations.map(|(_, max)| max),
            document_types,
        }
    }

    /// Whether the method accepts this document type (R5: travel permits are WeChat-only).
    #[must_use]
    pub fn accepts(self, document: DocumentType) -> bool {
        self.info().document_types.contains(&document)
    }

    /// Whether this method may verify this subject here (R5, R6).
    ///
    /// # Errors
    /// The [`Ineligible`] reason.
    pub fn check_eligibility(self, subject: &Subject) -> Result<(), Ineligible> {
        if self.subject_type() != subject.subject_type() {
            return Err(Ineligible::WrongSubjectType);
        }
        match subject {
            Subject::Personal(person) => {
                if person.region == Region::International {
                    return Err(Ineligible::UseInternationalSite);
                }
                if !self.accepts(person.document.kind()) {
                    return Err(Ineligible::MethodNotAvailableForDocument);
                }
            }
            Subject::Enterprise(enterprise) => {
                if enterprise.region != Region::Mainland {
                    return Err(Ineligible::UseInternationalSite);
                }
                if self.is_legal_person() && enterprise.legal_person_name.is_none() {
                    return Err(Ineligible::LegalPersonNameRequired);
                }
            }
        }
        Ok(())
    }
}

/// Why a method cannot verify a subject here (R5, R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ineligible {
    /// The subject must verify on the international site.
    #[error("use the international site")]
    UseInternationalSite,
    /// The method does not accept the subject's document (travel permits are WeChat-only).
    #[error("the method is not available for this document")]
    MethodNotAvailableForDocument,
    /// A personal method for an enterprise, or the reverse.
    #[error("the method verifies the other subject type")]
    WrongSubjectType,
    /// A legal-person method needs the legal representative's name.
    #[error("the legal representative's name is required")]
    LegalPersonNameRequired,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_permit_holders_may_only_use_wechat_scan() {
        for permit in [DocumentType::HkMacaoPermit, DocumentType::TaiwanPermit] {
            assert!(Method::WechatScan.accepts(permit));
            assert!(!Method::QqScan.accepts(permit));
            assert!(!Method::FaceRecognition.accepts(permit));
        }
    }

    fn person(kind: DocumentType, number: &str, region: Region) -> Subject {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        Subject::Personal(crate::subject::PersonalSubject {
            document: crate::subject::PersonalDocument::parse(kind, number, today).unwrap(),
            name: crate::identifiers::PersonName::parse("张三").unwrap(),
            region,
        })
    }

    #[test]
    fn an_international_person_is_sent_to_the_international_site() {
        let subject = person(
            DocumentType::ResidentId,
            "11010519491231002X",
            Region::International,
        );
        assert_eq!(
            Method::WechatScan.check_eligibility(&subject),
            Err(Ineligible::UseInternationalSite)
        );
    }

    #[test]
    fn a_hk_permit_holder_is_refused_face_recognition_but_may_scan_with_wechat() {
        let subject = person(DocumentType::HkMacaoPermit, "H12345678", Region::HongKong);
        assert_eq!(
            Method::FaceRecognition.check_eligibility(&subject),
            Err(Ineligible::MethodNotAvailableForDocument)
        );
        assert_eq!(Method::WechatScan.check_eligibility(&subject), Ok(()));
    }

    #[test]
    fn a_hong_kong_enterprise_is_sent_to_the_international_site_and_legal_person_methods_need_a_name()
     {
        let mut enterprise = crate::subject::EnterpriseSubject {
            name: crate::identifiers::EnterpriseName::parse("香港示例有限公司").unwrap(),
            uscc: crate::identifiers::Uscc::parse("91110000600037341L").unwrap(),
            region: Region::HongKong,
            legal_person_name: None,
        };
        let abroad = Subject::Enterprise(enterprise.clone());
        assert_eq!(
            Method::CloudRecharge.check_eligibility(&abroad),
            Err(Ineligible::UseInternationalSite)
        );
        enterprise.region = Region::Mainland;
        let nameless = Subject::Enterprise(enterprise);
        assert_eq!(
            Method::LegalPersonWechatScan.check_eligibility(&nameless),
            Err(Ineligible::LegalPersonNameRequired)
        );
        assert_eq!(
            Method::WechatScan.check_eligibility(&nameless),
            Err(Ineligible::WrongSubjectType)
        );
        assert_eq!(
            Method::WechatPublicPlatform.check_eligibility(&nameless),
            Ok(())
        );
    }

    #[test]
    fn residence_permit_holders_may_use_every_personal_method() {
        for method in Method::ALL
            .into_iter()
            .filter(|m| m.subject_type() == SubjectType::Personal)
        {
            assert!(method.accepts(DocumentType::ResidencePermit));
        }
    }

    #[test]
    fn exactly_the_three_r13_methods_need_no_documents() {
        let no_docs: Vec<_> = Method::ALL
            .iter()
            .filter(|m| !m.info().needs_documents)
            .collect();
        assert_eq!(
            no_docs,
            [
                &Method::FaceRecognition,
                &Method::WechatPublicPlatform,
                &Method::LegalPersonFaceRecognition
            ]
        );
    }

    #[test]
    fn payment_methods_carry_typical_and_maximum_working_days_and_instant_ones_none() {
        let recharge = Method::CloudRecharge.info();
        assert_eq!(
            (
                recharge.typical_duration_working_days,
                recharge.max_duration_working_days
            ),
            (Some(1), Some(3))
        );
        let remittance = Method::CorporateRemittance.info();
        assert_eq!(remittance.max_duration_working_days, Some(5));
        assert!(!remittance.instant);
        for m in [
            Method::WechatPublicPlatform,
            Method::LegalPersonWechatScan,
            Method::LegalPersonFaceRecognition,
        ] {
            assert!(
                m.info().instant
                    && m.info().recommended
                    && m.info().max_duration_working_days.is_none()
            );
        }
    }
}

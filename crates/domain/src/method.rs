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

/// A verification method (R5; the enterprise methods of R6 are added with enterprises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Scan a QR code with WeChat (recommended).
    WechatScan,
    /// Scan a QR code with QQ.
    QqScan,
    /// Face recognition.
    FaceRecognition,
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
    /// The document types it accepts.
    pub document_types: &'static [DocumentType],
}

impl Method {
    /// Every method, in display order.
    pub const ALL: [Self; 3] = [Self::WechatScan, Self::QqScan, Self::FaceRecognition];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WechatScan => "wechat_scan",
            Self::QqScan => "qq_scan",
            Self::FaceRecognition => "face_recognition",
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
            Self::WechatScan => ProviderName::Wechat,
            Self::QqScan => ProviderName::Qq,
            Self::FaceRecognition => ProviderName::Face,
        }
    }

    /// R13 metadata. Only `face_recognition` needs no documents among personal methods.
    #[must_use]
    pub fn info(self) -> MethodInfo {
        const EVERY_DOCUMENT: &[DocumentType] = &DocumentType::ALL;
        const WITHOUT_TRAVEL_PERMITS: &[DocumentType] =
            &[DocumentType::ResidentId, DocumentType::ResidencePermit];
        let (recommended, needs_documents, document_types) = match self {
            Self::WechatScan => (true, true, EVERY_DOCUMENT),
            Self::QqScan => (false, true, WITHOUT_TRAVEL_PERMITS),
            Self::FaceRecognition => (false, false, WITHOUT_TRAVEL_PERMITS),
        };
        MethodInfo {
            method: self,
            subject_type: SubjectType::Personal,
            instant: true,
            needs_documents,
            recommended,
            typical_duration_working_days: None,
            max_duration_working_days: None,
            document_types,
        }
    }

    /// Whether the method accepts this document type (R5: travel permits are WeChat-only).
    #[must_use]
    pub fn accepts(self, document: DocumentType) -> bool {
        self.info().document_types.contains(&document)
    }

    /// Whether this method may verify this subject here (R5).
    ///
    /// # Errors
    /// [`Ineligible::UseInternationalSite`] for an international subject;
    /// [`Ineligible::MethodNotAvailableForDocument`] for a document the method does not take.
    pub fn check_eligibility(self, subject: &Subject) -> Result<(), Ineligible> {
        match subject {
            Subject::Personal(person) => {
                if person.region == Region::International {
                    return Err(Ineligible::UseInternationalSite);
                }
                if !self.accepts(person.document.kind()) {
                    return Err(Ineligible::MethodNotAvailableForDocument);
                }
                Ok(())
            }
        }
    }
}

/// Why a method cannot verify a subject here (R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ineligible {
    /// The subject must verify on the international site.
    #[error("use the international site")]
    UseInternationalSite,
    /// The method does not accept the subject's document (travel permits are WeChat-only).
    #[error("the method is not available for this document")]
    MethodNotAvailableForDocument,
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
    fn residence_permit_holders_may_use_every_personal_method() {
        for method in Method::ALL {
            assert!(method.accepts(DocumentType::ResidencePermit));
        }
    }

    #[test]
    fn only_face_recognition_needs_no_documents_and_only_wechat_is_recommended() {
        let no_docs: Vec<_> = Method::ALL
            .iter()
            .filter(|m| !m.info().needs_documents)
            .collect();
        assert_eq!(no_docs, [&Method::FaceRecognition]);
        let recommended: Vec<_> = Method::ALL
            .iter()
            .filter(|m| m.info().recommended)
            .collect();
        assert_eq!(recommended, [&Method::WechatScan]);
    }
}

//! The real-name subject (SPEC §2): a person (R5) or an enterprise (R6).

use chrono::NaiveDate;

use crate::identifiers::{
    EnterpriseName, HkMacaoPermit, IdentifierError, PersonName, ResidentId, TaiwanPermit, Uscc,
};
use crate::masking::mask_identifier;

/// The kind of subject, used for quotas (R3, R4) and method eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectType {
    /// A person.
    Personal,
    /// An enterprise identified by its USCC.
    Enterprise,
}

impl SubjectType {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Personal => "personal",
            Self::Enterprise => "enterprise",
        }
    }
}

/// The document types of API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    /// Mainland resident ID card.
    ResidentId,
    /// Mainland travel permit for HK and Macao residents.
    HkMacaoPermit,
    /// Mainland travel permit for Taiwan residents.
    TaiwanPermit,
    /// HK/Macao/Taiwan residence permit (18 characters, address code 81/82/83).
    ResidencePermit,
}

impl DocumentType {
    /// Every document type, in API order.
    pub const ALL: [Self; 4] = [
        Self::ResidentId,
        Self::HkMacaoPermit,
        Self::TaiwanPermit,
        Self::ResidencePermit,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
            Self::HkMacaoPermit => "hk_macao_permit",
            Self::TaiwanPermit => "taiwan_permit",
            Self::ResidencePermit => "residence_permit",
        }
    }

    /// Parses an API name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether this is a travel permit, whose holders may only use `wechat_scan` (R5).
    #[must_use]
    pub const fn is_travel_permit(self) -> bool {
        matches!(self, Self::HkMacaoPermit | Self::TaiwanPermit)
    }
}

/// Where a subject belongs; anything but mainland may be sent to the international site (R5, R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// Mainland China, the default.
    #[default]
    Mainland,
    /// Hong Kong.
    HongKong,
    /// Macao.
    Macao,
    /// Taiwan.
    Taiwan,
    /// Anywhere else.
    International,
}

impl Region {
    /// Every region, in API order.
    pub const ALL: [Self; 5] = [
        Self::Mainland,
        Self::HongKong,
        Self::Macao,
        Self::Taiwan,
        Self::International,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mainland => "mainland",
            Self::HongKong => "hong_kong",
            Self::Macao => "macao",
            Self::Taiwan => "taiwan",
            Self::International => "international",
        }
    }

    /// Parses an API name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// A checked personal document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PersonalDocument {
    /// A resident ID card.
    ResidentId(ResidentId),
    /// A HK/Macao travel permit.
    HkMacaoPermit(HkMacaoPermit),
    /// A Taiwan travel permit.
    TaiwanPermit(TaiwanPermit),
    /// A residence permit.
    ResidencePermit(ResidentId),
}

impl PersonalDocument {
    /// Parses a number as the given document type (SPEC §5).
    ///
    /// # Errors
    /// [`IdentifierError`] when the number does not fit the type.
    pub fn parse(kind: DocumentType, raw: &str, today: NaiveDate) -> Result<Self, IdentifierError> {
        match kind {
            DocumentType::ResidentId => {
                let id = ResidentId::parse(raw, today)?;
                if id.is_residence_permit() {
                    return Err(IdentifierError::AddressCode);
                }
                Ok(Self::ResidentId(id))
            }
            DocumentType::ResidencePermit => {
                let id = ResidentId::parse(raw, today)?;
                if !id.is_residence_permit() {
                    return Err(IdentifierError::AddressCode);
                }
                Ok(Self::ResidencePermit(id))
            }
            DocumentType::HkMacaoPermit => HkMacaoPermit::parse(raw).map(Self::HkMacaoPermit),
            DocumentType::TaiwanPermit => TaiwanPermit::parse(raw).map(Self::TaiwanPermit),
        }
    }

    /// The document type.
    #[must_use]
    pub const fn kind(&self) -> DocumentType {
        match self {
            Self::ResidentId(_) => DocumentType::ResidentId,
            Self::HkMacaoPermit(_) => DocumentType::HkMacaoPermit,
            Self::TaiwanPermit(_) => DocumentType::TaiwanPermit,
            Self::ResidencePermit(_) => DocumentType::ResidencePermit,
        }
    }

    /// The full number as submitted (normalised case).
    #[must_use]
    pub fn number(&self) -> &str {
        match self {
            Self::ResidentId(id) | Self::ResidencePermit(id) => id.as_str(),
            Self::HkMacaoPermit(p) => p.as_str(),
            Self::TaiwanPermit(p) => p.as_str(),
        }
    }

    /// The normalised identifier that the subject key hashes (SPEC §4): the part that stays the
    /// same across renewals of the same document.
    #[must_use]
    pub fn key_material(&self) -> &str {
        match self {
            Self::HkMacaoPermit(p) => p.lifelong_part(),
            other => other.number(),
        }
    }
}

/// A person as the subject of a verification (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalSubject {
    /// The checked document.
    pub document: PersonalDocument,
    /// The holder's name.
    pub name: PersonName,
    /// The region, `mainland` by default.
    pub region: Region,
}

impl PersonalSubject {
    /// Whether `other` names the same document holder with the same name: the check a
    /// provider's asserted subject must pass.
    #[must_use]
    pub fn same_person(&self, other: &Self) -> bool {
        self.document.kind() == other.document.kind()
            && self.document.key_material() == other.document.key_material()
            && self.name == other.name
    }
}

/// An enterprise as the subject of a verification (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseSubject {
    /// The registered name.
    pub name: EnterpriseName,
    /// The Unified Social Credit Code.
    pub uscc: Uscc,
    /// The region, `mainland` by default.
    pub region: Region,
    /// The legal representative's name, where the method needs it.
    pub legal_person_name: Option<PersonName>,
}

/// A real-name subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A person.
    Personal(PersonalSubject),
    /// An enterprise.
    Enterprise(EnterpriseSubject),
}

impl Subject {
    /// The subject type.
    #[must_use]
    pub const fn subject_type(&self) -> SubjectType {
        match self {
            Self::Personal(_) => SubjectType::Personal,
            Self::Enterprise(_) => SubjectType::Enterprise,
        }
    }

    /// The normalised identifier for the subject key, prefixed with what it identifies so that
    /// different document kinds never collide (SPEC §4).
    #[must_use]
    pub fn key_material(&self) -> String {
        match self {
            Self::Personal(p) => format!(
                "{}:{}",
                p.document.kind().as_str(),
                p.document.key_material()
            ),
            Self::Enterprise(e) => e.uscc.key_material(),
        }
    }

    /// Whether a provider's assertion confirms this submitted subject: the same holder and name
    /// and, for a travel permit, a WeChat account linked to a mainland bank card (R5).
    #[must_use]
    pub fn confirmed_by(&self, asserted: &Self, mainland_bank_card: bool) -> bool {
        match (self, asserted) {
            (Self::Personal(submitted), Self::Personal(asserted)) => {
                submitted.same_person(asserted)
                    && (!submitted.document.kind().is_travel_permit() || mainland_bank_card)
            }
            (Self::Enterprise(submitted), Self::Enterprise(asserted)) => {
                submitted.uscc == asserted.uscc && submitted.name == asserted.name
            }
            _ => false,
        }
    }

    /// The masked view for responses (SPEC §4).
    #[must_use]
    pub fn masked(&self) -> MaskedSubject {
        match self {
            Self::Personal(p) => MaskedSubject {
                subject_type: SubjectType::Personal,
                document_type: Some(p.document.kind()),
                document_number: mask_identifier(p.document.number()),
                name: p.name.masked(),
                region: p.region,
                legal_person_name: None,
            },
            Self::Enterprise(e) => MaskedSubject {
                subject_type: SubjectType::Enterprise,
                document_type: None,
                document_number: mask_identifier(e.uscc.as_str()),
                name: e.name.as_str().to_owned(),
                region: e.region,
                legal_person_name: e.legal_person_name.as_ref().map(PersonName::masked),
            },
        }
    }
}

/// A subject with its identifiers masked, safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedSubject {
    /// Personal or enterprise.
    pub subject_type: SubjectType,
    /// The document type, for a person.
    pub document_type: Option<DocumentType>,
    /// The masked document number (or USCC).
    pub document_number: String,
    /// The masked name of a person, or an enterprise's registered name (public record).
    pub name: String,
    /// The region.
    pub region: Region,
    /// The masked legal representative, for an enterprise.
    pub legal_person_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_resident_id_with_a_residence_permit_code_is_refused_as_an_id_card() {
        let permit = "810000199001010019";
        let as_card = PersonalDocument::parse(DocumentType::ResidentId, permit, today());
        assert_eq!(as_card, Err(IdentifierError::AddressCode));
    }

    #[test]
    fn renewed_hk_permits_share_one_key() {
        let first = PersonalDocument::parse(DocumentType::HkMacaoPermit, "H1234567801", today());
        let renewed = PersonalDocument::parse(DocumentType::HkMacaoPermit, "H1234567802", today());
        assert_eq!(
            first.unwrap().key_material(),
            renewed.unwrap().key_material()
        );
    }

    fn person(kind: DocumentType, number: &str, name: &str) -> Subject {
        Subject::Personal(PersonalSubject {
            document: PersonalDocument::parse(kind, number, today()).unwrap(),
            name: PersonName::parse(name).unwrap(),
            region: Region::Mainland,
        })
    }

    #[test]
    fn an_assertion_for_another_name_or_number_does_not_confirm_the_subject() {
        let submitted = person(DocumentType::ResidentId, "11010519491231002X", "张三");
        assert!(submitted.confirmed_by(&submitted, false));
        let other_name = person(DocumentType::ResidentId, "11010519491231002X", "李四");
        assert!(!submitted.confirmed_by(&other_name, false));
        let other_number = person(DocumentType::ResidentId, "110105198001010016", "张三");
        assert!(!submitted.confirmed_by(&other_number, false));
    }

    #[test]
    fn a_travel_permit_needs_a_mainland_bank_card_on_the_wechat_account() {
        let submitted = person(DocumentType::TaiwanPermit, "12345678", "陈大文");
        assert!(!submitted.confirmed_by(&submitted, false));
        assert!(submitted.confirmed_by(&submitted, true));
    }

    #[test]
    fn the_masked_subject_hides_number_and_name() {
        let subject = Subject::Personal(PersonalSubject {
            document: PersonalDocument::parse(
                DocumentType::ResidentId,
                "11010519491231002X",
                today(),
            )
            .unwrap(),
            name: PersonName::parse("张三").unwrap(),
            region: Region::Mainland,
        });
        let masked = subject.masked();
        assert_eq!(masked.document_number, "110***********002X");
        assert_eq!(masked.name, "张*");
    }
}

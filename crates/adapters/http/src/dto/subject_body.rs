//! The subject of an application, a proof or an assertion (SPEC §5, R9).

use chrono::NaiveDate;
use realname_domain::identifiers::{EnterpriseName, PersonName, Uscc};
use realname_domain::{
    DocumentType, EnterpriseSubject, PersonalDocument, PersonalSubject, Region, Subject,
};
use serde::Deserialize;

use crate::error::FieldError;
use crate::schema;

use super::Fields;

/// A subject in a request. Its deserialization is flat, so that every invalid field is reported
/// at once (R9); its schema ([`schema::subject`]) is the one of each document type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    #[serde(rename = "type")]
    subject_type: Option<String>,
    document_type: Option<String>,
    document_number: Option<String>,
    name: Option<String>,
    region: Option<String>,
    uscc: Option<String>,
    legal_person_name: Option<String>,
    /// Only in a provider's assertion: the WeChat account has a mainland bank card (R5).
    #[serde(default)]
    pub(super) mainland_bank_card: Option<bool>,
}

impl utoipa::PartialSchema for SubjectBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::OneOf(schema::subject()))
    }
}

impl utoipa::ToSchema for SubjectBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "Subject".into()
    }
}

impl SubjectBody {
    pub(super) fn convert(
        &self,
        prefix: &str,
        fields: &mut Fields,
        today: NaiveDate,
    ) -> Option<Subject> {
        let f = |name: &str| format!("{prefix}.{name}");
        match fields.required(&f("type"), self.subject_type.as_deref())? {
            "personal" => {}
            "enterprise" => return self.convert_enterprise(prefix, fields),
            _ => {
                fields.0.push(FieldError::new(
                    f("type"),
                    "unknown_value",
                    "Use personal or enterprise.",
                ));
                return None;
            }
        }
        if self.uscc.is_some() || self.legal_person_name.is_some() {
            fields.0.push(FieldError::new(
                f("uscc"),
                "not_allowed",
                "Personal subjects have no USCC or legal person.",
            ));
        }
        let kind = fields.one_of(
            &f("document_type"),
            self.document_type.as_deref(),
            DocumentType::parse,
        );
        let number = fields.required(&f("document_number"), self.document_number.as_deref());
        let document = match (kind, number) {
            (Some(kind), Some(number)) => fields.identifier(
                &f("document_number"),
                PersonalDocument::parse(kind, number, today),
            ),
            _ => None,
        };
        let name = fields
            .required(&f("name"), self.name.as_deref())
            .and_then(|n| fields.identifier(&f("name"), PersonName::parse(n)));
        let region = match self.region.as_deref() {
            None => Some(Region::Mainland),
            Some(r) => fields.one_of(&f("region"), Some(r), Region::parse),
        };
        Some(Subject::Personal(PersonalSubject {
            document: document?,
            name: name?,
            region: region?,
        }))
    }
}

impl SubjectBody {
    fn convert_enterprise(&self, prefix: &str, fields: &mut Fields) -> Option<Subject> {
        let f = |name: &str| format!("{prefix}.{name}");
        if self.document_type.is_some() || self.document_number.is_some() {
            fields.0.push(FieldError::new(
                f("document_number"),
                "not_allowed",
                "Enterprises are identified by their USCC.",
            ));
        }
        let name = fields
            .required(&f("name"), self.name.as_deref())
            .and_then(|n| fields.identifier(&f("name"), EnterpriseName::parse(n)));
        let uscc = fields
            .required(&f("uscc"), self.uscc.as_deref())
            .and_then(|u| fields.identifier(&f("uscc"), Uscc::parse(u)));
        let legal_person_name = match self.legal_person_name.as_deref() {
            None => Some(None),
            Some(n) => fields
                .identifier(&f("legal_person_name"), PersonName::parse(n))
                .map(Some),
        };
        let region = match self.region.as_deref() {
            None => Some(Region::Mainland),
            Some(r) => fields.one_of(&f("region"), Some(r), Region::parse),
        };
        Some(Subject::Enterprise(EnterpriseSubject {
            name: name?,
            uscc: uscc?,
            region: region?,
            legal_person_name: legal_person_name?,
        }))
    }
}

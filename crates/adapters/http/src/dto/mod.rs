//! Request bodies and their conversion into domain values, collecting field-level errors (R9),
//! one module per area.

use realname_domain::identifiers::IdentifierError;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode, FieldError};

mod accounts_body;
mod applications_body;
mod identity_body;
mod providers_body;
mod review_body;
mod subject_body;

pub use accounts_body::{ConfirmBody, RegisterAccountBody};
pub use applications_body::{ApplicationBody, ApplicationRequest};
pub use identity_body::{proof_request, recovery_request};
pub use providers_body::{PaymentCreditBody, ProviderEventBody, VerdictBody};
pub use review_body::{AccountLimitBody, DecisionBody};
pub use subject_body::SubjectBody;

/// Parses a JSON body: malformed JSON or an unknown field is 400; a wrong type is 422. The
/// messages are fixed sentences: serde's own quote the value or the field name sent, which
/// would then reach the response and the logs (SPEC §4).
///
/// # Errors
/// [`ApiError`] as described.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let unknown = e.to_string().starts_with("unknown field");
        if e.is_data() && !unknown {
            ApiError::validation(vec![FieldError::new(
                "body",
                "invalid_type",
                "A field has the wrong type, or a required field is missing.",
            )])
        } else if unknown {
            ApiError::new(ErrorCode::MalformedRequest)
                .detail("The body has a field this operation does not take.")
        } else {
            ApiError::new(ErrorCode::MalformedRequest).detail("The body is not valid JSON.")
        }
    })
}

/// Collects field errors while converting.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    fn required<'a>(&mut self, field: &str, value: Option<&'a str>) -> Option<&'a str> {
        if value.is_none() {
            self.0.push(FieldError::new(
                field,
                "required",
                "This field is required.",
            ));
        }
        value
    }

    fn one_of<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let value = self.required(field, value)?;
        let parsed = parse(value);
        if parsed.is_none() {
            self.0.push(FieldError::new(
                field,
                "unknown_value",
                "This value is not one of the allowed values.",
            ));
        }
        parsed
    }

    fn identifier<T>(&mut self, field: &str, parsed: Result<T, IdentifierError>) -> Option<T> {
        parsed
            .map_err(|e| {
                let code = match e {
                    IdentifierError::Format => "invalid_format",
                    IdentifierError::Checksum => "checksum_mismatch",
                    IdentifierError::BirthDate => "invalid_birth_date",
                    IdentifierError::AddressCode => "invalid_address_code",
                };
                self.0.push(FieldError::new(field, code, e.to_string()));
            })
            .ok()
    }

    /// Ends the conversion: the value, or a 422 listing every field error.
    ///
    /// # Errors
    /// [`ApiError`] 422 when any field was wrong.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(ApiError::validation(self.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn an_unknown_field_is_a_malformed_request() {
        let err =
            parse_json::<RegisterAccountBody>(br#"{"phone":"13812345678","x":1}"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedRequest);
        let err = parse_json::<RegisterAccountBody>(b"{").unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedRequest);
    }

    #[test]
    fn a_wrong_check_digit_is_a_field_error_on_the_document_number() {
        let body: ApplicationBody = parse_json(
            r#"{"purpose":"verify","method":"face_recognition","subject":{"type":"personal","document_type":"resident_id","document_number":"110101199003071234","name":"张三"}}"#.as_bytes(),
        )
        .unwrap();
        let err = body.convert(today()).unwrap_err();
        let errors = &err.body()["errors"];
        assert_eq!(errors[0]["field"], "subject.document_number");
        assert_eq!(errors[0]["code"], "checksum_mismatch");
    }

    #[test]
    fn every_missing_field_is_listed() {
        let body: ApplicationBody = parse_json(br#"{"subject":{"type":"personal"}}"#).unwrap();
        let err = body.convert(today()).unwrap_err();
        let fields: Vec<String> = err.body()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            fields,
            [
                "purpose",
                "method",
                "subject.document_type",
                "subject.document_number",
                "subject.name"
            ]
        );
    }

    #[test]
    fn a_bad_phone_is_a_field_error() {
        let body: RegisterAccountBody = parse_json(br#"{"phone":"12345"}"#).unwrap();
        assert_eq!(
            body.into_phone().unwrap_err().body()["errors"][0]["field"],
            "phone"
        );
    }
}

//! Request bodies and their conversion into domain values, collecting field-level errors (R9).

use chrono::NaiveDate;
use realname_application::review::{Decision, SetEnterpriseLimitCommand};
use realname_application::verification::PaymentCredit;
use realname_domain::identifiers::{EnterpriseName, IdentifierError, PersonName, Phone, Uscc};
use realname_domain::{
    Amount, DocumentType, EnterpriseSubject, FailureCode, Method, PersonalDocument,
    PersonalSubject, Purpose, Region, Subject,
};
use realname_ports::{AssertedSubject, SandboxInstruction};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::schema;

/// Parses a JSON body: malformed JSON or an unknown field is 400; a wrong type is 422.
///
/// # Errors
/// [`ApiError`] as described.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let unknown = e.to_string().contains("unknown field");
        if e.is_data() && !unknown {
            ApiError::validation(vec![FieldError::new(
                "body",
                "invalid_type",
                strip_location(&e),
            )])
        } else {
            ApiError::new(ErrorCode::MalformedRequest).detail(strip_location(&e))
        }
    })
}

fn strip_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split(" at line ").next().unwrap_or(&text).to_owned()
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

/// `POST /v1/accounts`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegisterAccount)]
pub struct RegisterAccountBody {
    /// A mainland mobile number (SPEC §5), bound to the account (R19).
    #[schema(required, value_type = String, pattern = r"^(?:\+?86|0086)?1[3-9][0-9]{9}$", example = "13812345678")]
    phone: Option<String>,
}

impl RegisterAccountBody {
    /// The phone to bind.
    ///
    /// # Errors
    /// 422 for a missing or invalid phone.
    pub fn into_phone(self) -> Result<Phone, ApiError> {
        let mut fields = Fields::default();
        let phone = fields
            .required("phone", self.phone.as_deref())
            .and_then(|p| fields.identifier("phone", Phone::parse(p)));
        fields.finish(phone)
    }
}

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
    mainland_bank_card: Option<bool>,
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
    fn convert(&self, prefix: &str, fields: &mut Fields, today: NaiveDate) -> Option<Subject> {
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

/// `POST /v1/payment-credits`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PaymentCredit)]
pub struct PaymentCreditBody {
    /// The payment reference the applicant quoted (R6).
    #[schema(required, value_type = String, min_length = 1, max_length = 64)]
    reference: Option<String>,
    /// Yuan, as a string (`"0.37"`) or a number.
    #[schema(required, value_type = String, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "0.37")]
    amount: Option<serde_json::Value>,
    /// The payer's name as the bank reports it.
    #[schema(required, value_type = String, min_length = 1, max_length = 200)]
    payer_name: Option<String>,
    /// The paying account.
    #[schema(required, value_type = String, min_length = 1, max_length = 64)]
    payer_account: Option<String>,
    #[schema(required, value_type = chrono::DateTime<chrono::Utc>)]
    received_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl PaymentCreditBody {
    /// Converts into a credit; `amount` is yuan as a string (`"0.37"`) or a number.
    ///
    /// # Errors
    /// 422 listing every invalid field.
    pub fn convert(&self) -> Result<PaymentCredit, ApiError> {
        let mut fields = Fields::default();
        let reference = fields.required("reference", self.reference.as_deref());
        let amount = match &self.amount {
            None => fields.required("amount", None).and(None),
            Some(value) => {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let parsed = Amount::parse(&text).filter(|a| a.0 > 0);
                if parsed.is_none() {
                    fields.0.push(FieldError::new(
                        "amount",
                        "invalid_format",
                        "Use a positive amount in yuan, e.g. \"0.37\".",
                    ));
                }
                parsed
            }
        };
        let payer_name = fields.required("payer_name", self.payer_name.as_deref());
        let payer_account = fields.required("payer_account", self.payer_account.as_deref());
        if self.received_at.is_none() {
            fields.0.push(FieldError::new(
                "received_at",
                "required",
                "This field is required.",
            ));
        }
        let credit = match (
            reference,
            amount,
            payer_name,
            payer_account,
            self.received_at,
        ) {
            (
                Some(reference),
                Some(amount),
                Some(payer_name),
                Some(payer_account),
                Some(received_at),
            ) => Some(PaymentCredit {
                reference: reference.to_owned(),
                amount,
                payer_name: payer_name.to_owned(),
                payer_account: payer_account.to_owned(),
                received_at,
            }),
            _ => None,
        };
        fields.finish(credit)
    }
}

/// `POST /v1/applications/{id}/decision`; its schema is [`schema::decision`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: Option<String>,
    /// Required to reject: a snake_case reason code, shown to the applicant (R7).
    reason_code: Option<String>,
    /// The reviewer's note, kept with the decision.
    note: Option<String>,
}

impl utoipa::PartialSchema for DecisionBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::OneOf(schema::decision()))
    }
}

impl utoipa::ToSchema for DecisionBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "Decision".into()
    }
}

impl DecisionBody {
    /// Converts into a decision and its note.
    ///
    /// # Errors
    /// 422 listing every invalid field.
    pub fn convert(self) -> Result<(Decision, Option<String>), ApiError> {
        let mut fields = Fields::default();
        let reason = self.reason_code.filter(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
        let decision = match (self.decision.as_deref(), reason) {
            (Some("approve"), _) => Some(Decision::Approve),
            (Some("reject"), Some(reason_code)) => Some(Decision::Reject { reason_code }),
            (Some("reject"), None) => {
                fields.0.push(FieldError::new(
                    "reason_code",
                    "required",
                    "A rejection needs a snake_case reason code.",
                ));
                None
            }
            (other, _) => fields.one_of("decision", other, |_| None::<Decision>),
        };
        if self.note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            fields.0.push(FieldError::new(
                "note",
                "too_long",
                "At most 2000 characters.",
            ));
        }
        fields.finish(decision.map(|d| (d, self.note)))
    }
}

/// `PUT /v1/enterprises/{uscc}/account-limit`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountLimit)]
pub struct AccountLimitBody {
    #[schema(required, value_type = u32, minimum = 0, maximum = 10000)]
    limit: Option<i64>,
    /// Why, in at most 500 characters.
    #[schema(required, value_type = String, min_length = 1, max_length = 500)]
    reason: Option<String>,
}

impl AccountLimitBody {
    /// Converts into a command for `uscc`.
    ///
    /// # Errors
    /// 422 listing every invalid field.
    pub fn convert(self, uscc: &str) -> Result<SetEnterpriseLimitCommand, ApiError> {
        let mut fields = Fields::default();
        let uscc = fields.identifier("uscc", Uscc::parse(uscc));
        let limit = self
            .limit
            .and_then(|l| u32::try_from(l).ok())
            .filter(|l| *l <= 10_000);
        if limit.is_none() {
            fields.0.push(FieldError::new(
                "limit",
                "out_of_range",
                "Use a whole number from 0 to 10000.",
            ));
        }
        let reason = self
            .reason
            .filter(|r| !r.trim().is_empty() && r.chars().count() <= 500);
        if reason.is_none() {
            fields.0.push(FieldError::new(
                "reason",
                "required",
                "Say why, in at most 500 characters.",
            ));
        }
        let command = match (uscc, limit, reason) {
            (Some(uscc), Some(limit), Some(reason)) => Some(SetEnterpriseLimitCommand {
                uscc,
                limit,
                reason,
            }),
            _ => None,
        };
        fields.finish(command)
    }
}

/// `POST /v1/accounts/{id}/phone-changes/{change_id}/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ConfirmCode)]
pub struct ConfirmBody {
    /// The 6-digit code sent by SMS.
    #[schema(required, value_type = String, pattern = r"^[0-9]{6}$", example = "123456")]
    code: Option<String>,
}

impl ConfirmBody {
    /// The code: 6 digits.
    ///
    /// # Errors
    /// 422 for a missing or malformed code.
    pub fn into_code(self) -> Result<String, ApiError> {
        let mut fields = Fields::default();
        let code = fields
            .required("code", self.code.as_deref())
            .map(str::to_owned);
        let code = code.filter(|c| {
            let ok = c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                fields.0.push(FieldError::new(
                    "code",
                    "invalid_format",
                    "The code is 6 digits.",
                ));
            }
            ok
        });
        fields.finish(code)
    }
}

/// The method and subject of an identity proof (R14).
///
/// # Errors
/// 422 listing every invalid field.
pub fn proof_request(
    method: Option<&str>,
    subject: Option<&SubjectBody>,
    today: NaiveDate,
) -> Result<(Method, Subject), ApiError> {
    let mut fields = Fields::default();
    let method = fields.one_of("method", method, Method::parse);
    let subject = match subject {
        Some(s) => s.convert("subject", &mut fields, today),
        None => fields.required("subject", None).and(None),
    };
    let request = method.zip(subject);
    fields.finish(request)
}

/// The reference and number of a recovery.
///
/// # Errors
/// 422 listing every invalid field.
pub fn recovery_request(
    reference: Option<String>,
    phone: Option<String>,
) -> Result<(String, Phone), ApiError> {
    let mut fields = Fields::default();
    let reference = fields
        .required("ref", reference.as_deref())
        .map(str::to_owned);
    let phone = fields
        .required("phone", phone.as_deref())
        .and_then(|p| fields.identifier("phone", Phone::parse(p)));
    fields.finish(reference.zip(phone))
}

/// `POST /v1/accounts/{id}/applications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubmitApplication)]
pub struct ApplicationBody {
    /// `verify` a first time, or `modify` the subject (R2).
    #[schema(required, value_type = String, schema_with = schema::purposes)]
    purpose: Option<String>,
    #[schema(required, value_type = String, schema_with = schema::methods)]
    method: Option<String>,
    #[schema(required, nullable = false)]
    subject: Option<SubjectBody>,
}

/// A checked application request.
#[derive(Debug)]
pub struct ApplicationRequest {
    /// Verify or modify.
    pub purpose: Purpose,
    /// The method.
    pub method: Method,
    /// The subject.
    pub subject: Subject,
}

impl ApplicationBody {
    /// Converts into domain values.
    ///
    /// # Errors
    /// 422 listing every invalid field.
    pub fn convert(&self, today: NaiveDate) -> Result<ApplicationRequest, ApiError> {
        let mut fields = Fields::default();
        let purpose = fields.one_of("purpose", self.purpose.as_deref(), Purpose::parse);
        let method = fields.one_of("method", self.method.as_deref(), Method::parse);
        let subject = match &self.subject {
            Some(s) => s.convert("subject", &mut fields, today),
            None => fields.required("subject", None).and(None),
        };
        let request = match (purpose, method, subject) {
            (Some(purpose), Some(method), Some(subject)) => Some(ApplicationRequest {
                purpose,
                method,
                subject,
            }),
            _ => None,
        };
        fields.finish(request)
    }
}

/// A provider's verdict on a session: what a provider event reports and what a sandbox
/// completion instructs.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Verdict)]
pub struct VerdictBody {
    #[schema(required, value_type = String, schema_with = schema::outcomes)]
    outcome: Option<String>,
    /// Why a failed session failed (R7); `provider_error` when absent.
    #[schema(required = false, value_type = String, schema_with = schema::reportable_failure_codes)]
    failure_code: Option<String>,
    /// Who the provider saw; required when `passed`.
    asserted_subject: Option<SubjectBody>,
}

/// The body of `POST /v1/provider-events/{provider}`: a verdict on the provider's session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProviderEvent)]
pub struct ProviderEventBody {
    /// The provider's session reference.
    #[schema(required, value_type = String, min_length = 1, max_length = 200)]
    pub session_ref: Option<String>,
    #[schema(required, value_type = String, schema_with = schema::outcomes)]
    outcome: Option<String>,
    /// Why a failed session failed (R7); `provider_error` when absent.
    #[schema(required = false, value_type = String, schema_with = schema::reportable_failure_codes)]
    failure_code: Option<String>,
    /// Who the provider saw; required when `passed`.
    asserted_subject: Option<SubjectBody>,
}

impl ProviderEventBody {
    /// The verdict, without the session reference.
    #[must_use]
    pub fn verdict(self) -> (Option<String>, VerdictBody) {
        let verdict = VerdictBody {
            outcome: self.outcome,
            failure_code: self.failure_code,
            asserted_subject: self.asserted_subject,
        };
        (self.session_ref, verdict)
    }
}

impl VerdictBody {
    /// Converts into a sandbox instruction (also the shape of a provider's verdict).
    ///
    /// # Errors
    /// 422 listing every invalid field.
    pub fn convert(&self, today: NaiveDate) -> Result<SandboxInstruction, ApiError> {
        let mut fields = Fields::default();
        let passed = fields.one_of("outcome", self.outcome.as_deref(), |o| match o {
            "passed" => Some(true),
            "failed" => Some(false),
            _ => None,
        });
        let failure_code = match self.failure_code.as_deref() {
            None => None,
            Some(code) => fields.one_of("failure_code", Some(code), |c| {
                FailureCode::parse(c).filter(|c| c.is_provider_reportable())
            }),
        };
        let asserted_subject = self.asserted_subject.as_ref().and_then(|s| {
            let subject = s.convert("asserted_subject", &mut fields, today)?;
            Some(AssertedSubject {
                subject,
                mainland_bank_card: s.mainland_bank_card.unwrap_or(false),
            })
        });
        let instruction = passed.map(|passed| SandboxInstruction {
            passed,
            failure_code,
            asserted_subject,
        });
        fields.finish(instruction)
    }
}

#[cfg(test)]
mod tests {
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

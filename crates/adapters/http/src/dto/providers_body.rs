//! Provider results and payment credits (R6, R11).

use chrono::NaiveDate;
use realname_application::verification::PaymentCredit;
use realname_domain::{Amount, FailureCode};
use realname_ports::{AssertedSubject, SandboxInstruction};
use serde::Deserialize;

use crate::error::{ApiError, FieldError};
use crate::schema;

use super::{Fields, SubjectBody};

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

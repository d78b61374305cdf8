//! Reviewer decisions and enterprise limits (R4, R7, R8).

use realname_application::review::{Decision, SetEnterpriseLimitCommand};
use realname_domain::identifiers::Uscc;
use serde::Deserialize;

use crate::error::{ApiError, FieldError};
use crate::schema;

use super::Fields;

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

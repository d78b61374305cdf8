//! Applications (R2, R5, R6).

use chrono::NaiveDate;
use realname_domain::{Method, Purpose, Subject};
use serde::Deserialize;

use crate::error::ApiError;
use crate::schema;

use super::{Fields, SubjectBody};

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

//! The one place that maps errors to HTTP: a table of code → status → title, and problem+json
//! bodies (RFC 9457) with `code`, `errors` and `reference`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use realname_application::AppError;
use realname_domain::phone_change::OtpError;
use serde::Serialize;
use serde_json::{Map, Value, json};

macro_rules! codes {
    ($($variant:ident => ($status:expr, $code:literal, $title:literal),)*) => {
        /// Every error code the API answers with (API.md), in one table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $(#[doc = $title] $variant,)* }

        impl ErrorCode {
            /// Every code, in the table's order (the problem schema enumerates them).
            pub const ALL: &[Self] = &[$(Self::$variant,)*];

            /// The HTTP status.
            #[must_use]
            pub const fn status(self) -> StatusCode {
                match self { $(Self::$variant => $status,)* }
            }

            /// The stable snake_case code.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// A short human title.
            #[must_use]
            pub const fn title(self) -> &'static str {
                match self { $(Self::$variant => $title,)* }
            }
        }
    };
}

codes! {
    MalformedRequest => (StatusCode::BAD_REQUEST, "malformed_request", "The request body is not valid JSON for this operation."),
    Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Missing or invalid credentials."),
    TokenRevoked => (StatusCode::UNAUTHORIZED, "token_revoked", "The token was issued before the account was recovered or frozen; sign in again."),
    InvalidSignature => (StatusCode::UNAUTHORIZED, "invalid_signature", "The signature does not match."),
    SignatureExpired => (StatusCode::UNAUTHORIZED, "signature_expired", "The signature's timestamp is outside the tolerance."),
    ContentEncodingRefused => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_encoding_not_allowed", "A signed request is verified over the bytes sent: send it without Content-Encoding."),
    Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Your role may not do this."),
    NotFound => (StatusCode::NOT_FOUND, "not_found", "No such resource."),
    AlreadyVerified => (StatusCode::CONFLICT, "already_verified", "The account is already verified."),
    VerificationIrreversible => (StatusCode::CONFLICT, "verification_irreversible", "Real-name verification cannot be removed; modify it instead."),
    NotVerified => (StatusCode::CONFLICT, "not_verified", "The account is not verified."),
    ApplicationPending => (StatusCode::CONFLICT, "application_pending", "The account already has an undecided application."),
    ApplicationDecided => (StatusCode::CONFLICT, "application_decided", "The application is already decided."),
    AccountClosed => (StatusCode::CONFLICT, "account_closed", "The account is closed."),
    AccountFrozen => (StatusCode::CONFLICT, "account_frozen", "The account is frozen."),
    NoChange => (StatusCode::CONFLICT, "no_change", "The new subject is the current one."),
    OtpLocked => (StatusCode::CONFLICT, "otp_locked", "Too many wrong codes, or the change is no longer pending; request a new one."),
    OtpInvalid => (StatusCode::UNPROCESSABLE_ENTITY, "otp_invalid", "The code is wrong."),
    OtpExpired => (StatusCode::UNPROCESSABLE_ENTITY, "otp_expired", "The code has expired; request a new one."),
    ModificationCooldown => (StatusCode::CONFLICT, "modification_cooldown", "Real-name information cannot be modified yet: the cooldown after the last successful authentication has not passed."),
    PhoneLimitReached => (StatusCode::CONFLICT, "phone_account_limit_reached", "The phone number is bound to the maximum number of accounts."),
    IdempotencyKeyInUse => (StatusCode::CONFLICT, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed."),
    NotInReview => (StatusCode::CONFLICT, "application_not_in_review", "The application does not wait for a reviewer."),
    ProofNotPassed => (StatusCode::CONFLICT, "identity_proof_not_passed", "The identity proof has not passed; nothing is shown before it does."),
    ProofExpired => (StatusCode::CONFLICT, "identity_proof_expired", "The identity proof passed too long ago; prove the identity again."),
    ProofDecided => (StatusCode::CONFLICT, "identity_proof_decided", "The identity proof is already decided."),
    CaseNotOpen => (StatusCode::CONFLICT, "case_not_open", "The case is resolved, or the outcome does not fit its kind."),
    SubAccountMustVerify => (StatusCode::CONFLICT, "sub_account_must_verify", "Only a verified account can be associated as a sub-account."),
    NotARootAccount => (StatusCode::CONFLICT, "not_a_root_account", "Only a root account can be associated under another root."),
    PaymentExpected => (StatusCode::CONFLICT, "payment_expected", "A payment application is completed by its payment credit."),
    RegistryUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "registry_unavailable", "The business registry is unavailable; try again later."),
    ValidationFailed => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "The request has invalid fields."),
    MethodNotAvailableForDocument => (StatusCode::UNPROCESSABLE_ENTITY, "method_not_available_for_document", "This method is not available for this document type."),
    UseInternationalSite => (StatusCode::UNPROCESSABLE_ENTITY, "use_international_site", "Verify on the international site."),
    MethodNotAllowedForProof => (StatusCode::UNPROCESSABLE_ENTITY, "method_not_allowed_for_proof", "Only a person proves an identity, with wechat_scan, qq_scan or face_recognition."),
    IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "This Idempotency-Key was used with a different request."),
    TooManyAttempts => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", "Too many failed verification attempts."),
    RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests; retry after the time given."),
    ProviderError => (StatusCode::BAD_GATEWAY, "provider_error", "The verification provider failed."),
    Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side."),
    Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "The service is temporarily unavailable."),
}

/// One field-level validation error (R9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path, e.g. `subject.document_number`.
    pub field: String,
    /// A stable code, e.g. `checksum`.
    pub code: &'static str,
    /// A human message.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// An error answered as problem+json (boxed: it travels in every `Result` of the adapter).
pub struct ApiError(Box<ProblemParts>);

/// Only the code and the failing fields' names and codes: never a detail, a message or an
/// extension, which may quote what a client sent (SPEC §4). Request logging prints this.
impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<String> = self
            .errors
            .iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect();
        f.debug_struct("ApiError")
            .field("code", &self.code.as_str())
            .field("fields", &fields)
            .finish_non_exhaustive()
    }
}

/// The parts of a problem.
pub struct ProblemParts {
    code: ErrorCode,
    detail: Option<String>,
    errors: Vec<FieldError>,
    extensions: Map<String, Value>,
    retry_after_secs: Option<i64>,
    headers: Vec<(&'static str, String)>,
    reference: Option<String>,
    cause: Option<anyhow::Error>,
}

impl ApiError {
    /// An error with only its code.
    #[must_use]
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new(ProblemParts {
            code,
            detail: None,
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after_secs: None,
            headers: Vec::new(),
            // Every 5xx carries a reference to quote to support, and its log line the same.
            reference: code
                .status()
                .is_server_error()
                .then(|| uuid::Uuid::new_v4().simple().to_string()),
            cause: None,
        }))
    }

    /// Adds a detail message (never personal data).
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A 422 with field errors.
    #[must_use]
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(ErrorCode::ValidationFailed);
        e.errors = errors;
        e
    }

    /// Adds an extension member.
    #[must_use]
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extensions.insert(key.to_owned(), value);
        self
    }

    /// Sets `Retry-After`, in seconds.
    #[must_use]
    pub fn retry_after(mut self, secs: i64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// Adds a response header.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// A 5xx with its cause, which is logged once and never shown.
    #[must_use]
    pub fn internal(code: ErrorCode, cause: anyhow::Error) -> Self {
        let mut e = Self::new(code);
        e.cause = Some(cause);
        e
    }

    /// The code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The problem+json body.
    #[must_use]
    pub fn body(&self) -> Value {
        let status = self.code.status().as_u16();
        let mut body = json!({
            "type": format!("https://docs.realname.example/problems/{}", self.code.as_str()),
            "title": self.code.title(),
            "status": status,
            "code": self.code.as_str(),
        });
        let Value::Object(map) = &mut body else {
            return body;
        };
        if let Some(detail) = &self.detail {
            map.insert("detail".into(), detail.clone().into());
        }
        if !self.errors.is_empty() {
            map.insert(
                "errors".into(),
                serde_json::to_value(&self.errors).unwrap_or_default(),
            );
        }
        if let Some(reference) = &self.reference {
            map.insert("reference".into(), reference.clone().into());
        }
        map.extend(self.extensions.clone());
        body
    }
}

impl std::ops::Deref for ApiError {
    type Target = ProblemParts;

    fn deref(&self) -> &ProblemParts {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ProblemParts {
        &mut self.0
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code.as_str())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        match (&self.cause, &self.reference) {
            (Some(cause), reference) => {
                tracing::error!(reference = reference.as_deref().unwrap_or(""), code = self.code.as_str(), error = ?cause, "request failed");
            }
            (None, Some(reference)) => {
                tracing::warn!(
                    reference = reference.as_str(),
                    code = self.code.as_str(),
                    "request failed"
                );
            }
            (None, None) => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if let Some(value) = self
            .retry_after_secs
            .and_then(|secs| HeaderValue::from_str(&secs.max(1).to_string()).ok())
        {
            response.insert_header((header::RETRY_AFTER, value));
        }
        for (name, value) in &self.headers {
            response.insert_header((*name, value.as_str()));
        }
        response.body(self.body().to_string())
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound(what) => Self::new(ErrorCode::NotFound).detail(format!("No such {what}.")),
            AppError::AccountClosed => Self::new(ErrorCode::AccountClosed),
            AppError::AccountFrozen => Self::new(ErrorCode::AccountFrozen),
            AppError::AlreadyVerified => Self::new(ErrorCode::AlreadyVerified)
                .detail("Use purpose \"modify\" to change the real-name subject."),
            AppError::NotVerified => Self::new(ErrorCode::NotVerified),
            AppError::VerificationIrreversible => Self::new(ErrorCode::VerificationIrreversible)
                .detail("Verification cannot be removed. To change the real-name subject, submit an application with purpose \"modify\".")
                .with("modification", json!({"method": "POST", "path": "/v1/accounts/{id}/applications", "purpose": "modify"})),
            AppError::ApplicationPending => Self::new(ErrorCode::ApplicationPending),
            AppError::ApplicationDecided(status) => Self::new(ErrorCode::ApplicationDecided)
                .with("application_status", status.as_str().into()),
            AppError::MethodNotAvailableForDocument => Self::new(ErrorCode::MethodNotAvailableForDocument)
                .detail("Travel-permit holders can verify only with wechat_scan."),
            AppError::UseInternationalSite { url } => Self::new(ErrorCode::UseInternationalSite)
                .with("international_site_url", url.into()),
            AppError::TooManyAttempts { retry_at } => {
                let mut e = Self::new(ErrorCode::TooManyAttempts).with("retry_at", json!(retry_at));
                e.retry_after_secs = Some((retry_at - chrono::Utc::now()).num_seconds());
                e
            }
            AppError::OtpThrottled { retry_at } => Self::new(ErrorCode::RateLimited)
                .detail("Too many codes were sent to this number or for this account.")
                .retry_after((retry_at - chrono::Utc::now()).num_seconds()),
            AppError::PhoneLimitReached { limit } => Self::new(ErrorCode::PhoneLimitReached)
                .detail("Change the phone number of one of the accounts bound to it, then try again.")
                .with("limit", limit.into()),
            AppError::NoChange => Self::new(ErrorCode::NoChange),
            AppError::Otp(OtpError::Invalid { remaining }) => {
                Self::new(ErrorCode::OtpInvalid).with("attempts_remaining", remaining.into())
            }
            AppError::Otp(OtpError::Expired) => Self::new(ErrorCode::OtpExpired),
            AppError::Otp(OtpError::Locked) => Self::new(ErrorCode::OtpLocked),
            AppError::ModificationCooldown {
                allowed_from,
                cooldown_days,
            } => Self::new(ErrorCode::ModificationCooldown)
                .detail(format!(
                    "Real-name information can be modified {cooldown_days} days after the last \
                     successful authentication, from {}.",
                    allowed_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ))
                .with("modification_allowed_from", json!(allowed_from)),
            AppError::MethodNotForSubjectType => Self::validation(vec![FieldError::new(
                "method",
                "wrong_subject_type",
                "This method verifies the other subject type.",
            )]),
            AppError::LegalPersonNameRequired => Self::validation(vec![FieldError::new(
                "subject.legal_person_name",
                "required",
                "Legal-person methods need the legal representative's name.",
            )]),
            AppError::WebhookRefused(refused) => {
                use realname_domain::webhook::EndpointRefused;
                let (field, code) = match refused {
                    EndpointRefused::Malformed => ("url", "invalid_format"),
                    EndpointRefused::NotHttps => ("url", "https_required"),
                    EndpointRefused::NotPublic => ("url", "not_public"),
                    EndpointRefused::UnknownEventType => ("event_types", "unknown_event_type"),
                };
                Self::validation(vec![FieldError::new(field, code, refused.to_string())])
            }
            AppError::RegistryUnavailable => Self::new(ErrorCode::RegistryUnavailable),
            AppError::NotInReview => Self::new(ErrorCode::NotInReview),
            AppError::ProofNotPassed => Self::new(ErrorCode::ProofNotPassed),
            AppError::ProofExpired => Self::new(ErrorCode::ProofExpired),
            AppError::ProofDecided => Self::new(ErrorCode::ProofDecided),
            AppError::TokenRevoked => Self::new(ErrorCode::TokenRevoked),
            AppError::MethodNotAllowedForProof => Self::new(ErrorCode::MethodNotAllowedForProof),
            AppError::CaseNotOpen => Self::new(ErrorCode::CaseNotOpen),
            AppError::SubAccountMustVerify => Self::new(ErrorCode::SubAccountMustVerify),
            AppError::NotARootAccount => Self::new(ErrorCode::NotARootAccount),
            AppError::PaymentExpected => Self::new(ErrorCode::PaymentExpected)
                .detail("Payment applications are decided by POST /v1/payment-credits."),
            AppError::Provider(cause) => Self::internal(ErrorCode::ProviderError, cause.into()),
            AppError::Store(realname_ports::StoreError::Conflict) => {
                Self::internal(ErrorCode::Unavailable, anyhow::anyhow!("a concurrent change won; retry"))
            }
            AppError::Store(cause) => Self::internal(ErrorCode::Internal, cause.into()),
        }
    }
}

/// The problem+json body (RFC 9457) as documented: its `code` is one of the error table's.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a documentation type: the body is built by [`ApiError::body`]
pub struct Problem {
    r#type: String,
    title: String,
    status: u16,
    #[schema(schema_with = problem_codes)]
    code: String,
    detail: Option<String>,
    /// For `validation_failed`: the field-level errors (R9).
    errors: Option<Vec<FieldProblem>>,
    /// On every 5xx: a reference to quote to support, also in the log line.
    reference: Option<String>,
}

/// One field-level error.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a documentation type
pub struct FieldProblem {
    field: String,
    code: String,
    message: String,
}

/// Every code of the one error table.
pub(crate) fn problem_codes() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .build()
}

/// `not_found`: no such resource, or not the caller's (a holder learns nothing of others').
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a documentation type
pub enum NotFound {
    /// `not_found`: no such resource, or not the caller's.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// `malformed_request`: the body is not JSON of this operation's shape.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a documentation type
pub enum MalformedRequest {
    /// `malformed_request`
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
}

/// `validation_failed`: the fields listed in `errors` are invalid (R9).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a documentation type
pub enum ValidationFailed {
    /// `validation_failed`, listing each invalid field.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// The problems any operation behind a bearer token can answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a documentation type
pub enum BearerProblems {
    /// `unauthorized`: no valid token; `token_revoked`: a holder token issued before its
    /// account's last recovery or freeze (R14).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// `forbidden`: the token's role may not call this operation.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// `rate_limited`: retry after the time given.
    #[response(status = 429, content_type = "application/problem+json")]
    RateLimited(Problem),
    /// `internal_error`, with a reference.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
    /// `service_unavailable`: the database is unreachable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// The problems any operation authenticated by a provider's `Signature` can answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a documentation type
pub enum SignedProblems {
    /// `invalid_signature`, or `signature_expired`: outside the timestamp tolerance.
    #[response(status = 401, content_type = "application/problem+json")]
    BadSignature(Problem),
    /// `content_encoding_not_allowed`: the body was sent compressed.
    #[response(status = 415, content_type = "application/problem+json")]
    Encoded(Problem),
    /// `rate_limited`: retry after the time given.
    #[response(status = 429, content_type = "application/problem+json")]
    RateLimited(Problem),
    /// `internal_error`, with a reference.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
    /// `service_unavailable`: the database is unreachable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_5xx_carries_a_reference_and_no_cause() {
        let e = ApiError::internal(ErrorCode::Internal, anyhow::anyhow!("password=hunter2"));
        let body = e.body().to_string();
        assert!(body.contains("\"reference\""));
        assert!(!body.contains("hunter2"));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// Issue 15, item 10: every 5xx, not only `internal_error`.
    #[test]
    fn every_5xx_code_carries_a_reference_and_no_4xx_does() {
        for code in ErrorCode::ALL {
            let body = ApiError::new(*code).body();
            assert_eq!(
                body.get("reference").is_some_and(Value::is_string),
                code.status().is_server_error(),
                "{}",
                code.as_str()
            );
        }
        let registry = ApiError::from(AppError::RegistryUnavailable).body();
        assert_eq!(registry["status"], 503);
        assert!(registry["reference"].is_string());
    }

    #[test]
    fn irreversibility_points_to_modification() {
        let e = ApiError::from(AppError::VerificationIrreversible);
        assert_eq!(e.status_code(), StatusCode::CONFLICT);
        assert_eq!(e.body()["code"], "verification_irreversible");
        assert_eq!(e.body()["modification"]["purpose"], "modify");
    }

    #[test]
    fn validation_errors_list_their_fields() {
        let e = ApiError::validation(vec![FieldError::new(
            "phone",
            "invalid",
            "not a mainland mobile number",
        )]);
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body()["errors"][0]["field"], "phone");
    }
}

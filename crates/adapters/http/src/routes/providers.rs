//! Inbound provider results, and the sandbox's own completion.

use actix_web::{HttpRequest, HttpResponse, post, web};
use realname_application::verification::{CallbackOutcome, Recorded};
use realname_domain::{FailureCode, ProviderName};
use realname_ports::{ProviderOutcome, ProviderReport};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Authorized;
use crate::dto::{PaymentCreditBody, ProviderEventBody, VerdictBody, parse_json};
use crate::error::{
    ApiError, BearerProblems, ErrorCode, FieldError, MalformedRequest, NotFound, Problem,
    SignedProblems, ValidationFailed,
};
use crate::routes::application_id;
use crate::schema::{application_statuses, proof_statuses, recorded_results};
use crate::state::HttpState;
use crate::views::{self, ApplicationView};

/// What a provider event or payment credit did to an application.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApplicationRecorded)]
pub struct ApplicationRecorded {
    /// `duplicate` when the same result was recorded before: it changed nothing.
    #[schema(schema_with = recorded_results)]
    result: &'static str,
    application_id: String,
    #[schema(schema_with = application_statuses)]
    status: &'static str,
}

impl From<&Recorded> for ApplicationRecorded {
    fn from(recorded: &Recorded) -> Self {
        Self {
            result: if recorded.duplicate {
                "duplicate"
            } else {
                "recorded"
            },
            application_id: recorded.application.id.to_string(),
            status: recorded.application.status.as_str(),
        }
    }
}

/// What a provider event did to an identity proof (R14).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProofRecorded)]
pub struct ProofRecorded {
    /// `duplicate` when the proof was decided before: it changed nothing.
    #[schema(schema_with = recorded_results)]
    result: &'static str,
    identity_proof_id: String,
    #[schema(schema_with = proof_statuses)]
    status: &'static str,
}

/// The session a provider event decided: an application's or an identity proof's.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = ProviderEventResult)]
pub enum ProviderEventResult {
    /// An application's session.
    Application(ApplicationRecorded),
    /// An identity proof's session.
    Proof(ProofRecorded),
}

/// A signed provider result for a session
///
/// Authenticated by the `Signature` header over the raw body, not by a bearer token. A
/// duplicate delivery changes nothing and still answers 200.
#[utoipa::path(
    operation_id = "record_provider_event",
    tag = "providers",
    params(
        ("provider" = String, Path, description = "The provider: `wechat`, `qq`, `face`, `wechat_mp` or `payments`."),
        crate::signature::SignatureHeader,
    ),
    request_body(content = ProviderEventBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded, or a duplicate.", body = ProviderEventResult),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`application_decided`, `identity_proof_decided`: the session was decided otherwise; `account_closed`.",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        SignedProblems,
    ),
)]
#[post("/v1/provider-events/{provider}")]
pub async fn record_provider_event(
    state: web::Data<HttpState>,
    provider: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let provider =
        ProviderName::parse(&provider).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    verify_signed(&state, provider, &req, &body)?;
    let (session_ref, verdict) = parse_json::<ProviderEventBody>(&body)?.verdict();
    let instruction = verdict.convert(state.clock.now().date_naive())?;
    let mut missing = Vec::new();
    if session_ref.is_none() {
        missing.push(FieldError::new(
            "session_ref",
            "required",
            "This field is required.",
        ));
    }
    if instruction.passed && instruction.asserted_subject.is_none() {
        missing.push(FieldError::new(
            "asserted_subject",
            "required",
            "A passed session asserts its subject.",
        ));
    }
    let (Some(session_ref), true) = (session_ref, missing.is_empty()) else {
        return Err(ApiError::validation(missing));
    };
    let outcome = match instruction.asserted_subject {
        Some(asserted) if instruction.passed => ProviderOutcome::Passed(asserted),
        _ => ProviderOutcome::Failed(
            instruction
                .failure_code
                .unwrap_or(FailureCode::ProviderError),
        ),
    };
    let report = ProviderReport {
        provider,
        session_ref,
        outcome,
    };
    let result = match state.use_cases.provider_callback.execute(report).await? {
        CallbackOutcome::Application(recorded) => {
            ProviderEventResult::Application(ApplicationRecorded::from(&recorded))
        }
        CallbackOutcome::Proof { proof, duplicate } => ProviderEventResult::Proof(ProofRecorded {
            result: if duplicate { "duplicate" } else { "recorded" },
            identity_proof_id: proof.id.to_string(),
            status: proof.status.as_str(),
        }),
    };
    Ok(HttpResponse::Ok().json(result))
}

/// Checks the `Signature` header of a provider's request over its raw body, under that
/// provider's secrets.
fn verify_signed(
    state: &HttpState,
    provider: ProviderName,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(), ApiError> {
    // The signature covers the bytes sent, never a decompressed body.
    if req
        .headers()
        .get(actix_web::http::header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        return Err(ApiError::new(ErrorCode::ContentEncodingRefused));
    }
    let signature = req.headers().get("Signature").and_then(|v| v.to_str().ok());
    state
        .signatures
        .verify(provider, signature, body, state.clock.now().timestamp())
}

/// A signed payment credit (R6)
///
/// Matched on reference and amount. Authenticated by the `Signature` header over the raw
/// body. A repeated credit changes nothing and still answers 200.
#[utoipa::path(
    operation_id = "record_payment_credit",
    tag = "providers",
    params(
        crate::signature::SignatureHeader,
    ),
    request_body(content = PaymentCreditBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded, or a duplicate.", body = ApplicationRecorded),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`application_decided`, `account_closed`",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        SignedProblems,
    ),
)]
#[post("/v1/payment-credits")]
pub async fn record_payment_credit(
    state: web::Data<HttpState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    verify_signed(&state, ProviderName::Payments, &req, &body)?;
    let credit = parse_json::<PaymentCreditBody>(&body)?.convert()?;
    let recorded = state
        .use_cases
        .record_payment_credit
        .execute(&credit)
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationRecorded::from(&recorded)))
}

/// Sandbox: decide an application as its provider would
///
/// Served only while the sandbox is on.
///
/// Roles: holder (own account), service, admin.
#[utoipa::path(
    operation_id = "sandbox_complete_application",
    tag = "sandbox",
    params(("id" = String, Path, description = "The application id (`app_…`).", pattern = "^app_[0-9a-f]{32}$")),
    request_body(content = VerdictBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The application after the verdict.", body = ApplicationView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`application_decided`, `payment_expected`, `account_closed`",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "admin"]))),
)]
#[post("/v1/sandbox/applications/{id}/complete")]
pub async fn sandbox_complete_application(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let verdict: VerdictBody = parse_json(&body)?;
    let instruction = verdict.convert(state.clock.now().date_naive())?;
    let application = state
        .use_cases
        .complete_sandbox_application
        .execute(caller.actor(), application_id(&id)?, &instruction)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

//! Inbound provider results, and the sandbox's own completion.

use actix_web::{HttpRequest, HttpResponse, web};
use realname_application::verification::CallbackOutcome;
use realname_domain::{FailureCode, ProviderName};
use realname_ports::{ProviderOutcome, ProviderReport};
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::dto::{PaymentCreditBody, VerdictBody, parse_json};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::routes::application_id;
use crate::state::HttpState;
use crate::views;

/// `POST /v1/provider-events/{provider}`: a signed result for a session. A duplicate delivery
/// changes nothing and still answers 200.
pub async fn provider_event(
    state: web::Data<HttpState>,
    provider: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let provider =
        ProviderName::parse(&provider).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let signature = req.headers().get("Signature").and_then(|v| v.to_str().ok());
    state
        .signatures
        .verify(signature, &body, state.clock.now().timestamp())?;
    let verdict: VerdictBody = parse_json(&body)?;
    let instruction = verdict.convert(state.clock.now().date_naive())?;
    let mut missing = Vec::new();
    if verdict.session_ref.is_none() {
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
    let (Some(session_ref), true) = (verdict.session_ref, missing.is_empty()) else {
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
    let body = match state.use_cases.provider_callback.execute(report).await? {
        CallbackOutcome::Application(recorded) => json!({
            "result": if recorded.duplicate { "duplicate" } else { "recorded" },
            "application_id": recorded.application.id.to_string(),
            "status": recorded.application.status.as_str(),
        }),
        CallbackOutcome::Proof { proof, duplicate } => json!({
            "result": if duplicate { "duplicate" } else { "recorded" },
            "identity_proof_id": proof.id.to_string(),
            "status": proof.status.as_str(),
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// Checks the `Signature` header of a provider's request over its raw body.
fn verify_signed(state: &HttpState, req: &HttpRequest, body: &[u8]) -> Result<(), ApiError> {
    let signature = req.headers().get("Signature").and_then(|v| v.to_str().ok());
    state
        .signatures
        .verify(signature, body, state.clock.now().timestamp())
}

/// `POST /v1/payment-credits`: a signed credit, matched on reference and amount (R6). A
/// repeated credit changes nothing and still answers 200.
pub async fn payment_credit(
    state: web::Data<HttpState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    verify_signed(&state, &req, &body)?;
    let credit = parse_json::<PaymentCreditBody>(&body)?.convert()?;
    let recorded = state
        .use_cases
        .record_payment_credit
        .execute(&credit)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "result": if recorded.duplicate { "duplicate" } else { "recorded" },
        "application_id": recorded.application.id.to_string(),
        "status": recorded.application.status.as_str(),
    })))
}

/// `POST /v1/sandbox/applications/{id}/complete`: decide as the provider would (sandbox only).
pub async fn sandbox_complete(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service, Role::Admin])?;
    let verdict: VerdictBody = parse_json(&body)?;
    if verdict.session_ref.is_some() {
        return Err(
            ApiError::new(ErrorCode::MalformedRequest).detail("unknown field `session_ref`")
        );
    }
    let instruction = verdict.convert(state.clock.now().date_naive())?;
    let application = state
        .use_cases
        .complete_sandbox_application
        .execute(actor, application_id(&id)?, &instruction)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

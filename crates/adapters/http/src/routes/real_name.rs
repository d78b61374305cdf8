//! Real-name status, capabilities and methods.

use actix_web::{HttpResponse, delete, get, web};

use crate::auth::Authorized;
use crate::error::{ApiError, BearerProblems, NotFound, Problem};
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views;

/// The real-name status (R20)
///
/// The status, the masked subject, the method, when a modification becomes possible (R2),
/// the undecided application and a pending revocation (R17); an inheriting sub-account shows
/// its root's (R16).
///
/// Roles: holder (own account), service, reviewer.
#[utoipa::path(
    operation_id = "get_real_name",
    tag = "real-name",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The status.", body = views::RealNameView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "reviewer"]))),
)]
#[get("/v1/accounts/{id}/real-name")]
pub async fn get_real_name(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .use_cases
        .get_status
        .execute(caller.actor(), account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::status(&view)))
}

/// Remove verification: always refused (R1)
///
/// Verification cannot be removed; modify the subject instead (R2). The answer is always a
/// problem: 409 `verification_irreversible` for a visible account, 404 otherwise.
///
/// Roles: holder (own account), service, admin.
#[utoipa::path(
    operation_id = "remove_real_name",
    tag = "real-name",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 409, description = "`verification_irreversible` (R1): always.",
            body = Problem, content_type = "application/problem+json"),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "admin"]))),
)]
#[delete("/v1/accounts/{id}/real-name")]
pub async fn remove_real_name(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    match state
        .use_cases
        .refuse_deauthentication
        .execute(caller.actor(), account_id(&id)?)
        .await
    {
        Err(refusal) => Err(refusal.into()),
    }
}

/// May this account do X? (R12)
///
/// Every capability's answer, with the reason and the action that fixes a refusal; an
/// inheriting sub-account answers with its root's verification (R16).
///
/// Roles: holder (own account), service.
#[utoipa::path(
    operation_id = "get_capabilities",
    tag = "real-name",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The answers.", body = views::CapabilitiesView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service"]))),
)]
#[get("/v1/accounts/{id}/capabilities")]
pub async fn get_capabilities(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = account_id(&id)?;
    let report = state
        .use_cases
        .get_capabilities
        .execute(caller.actor(), id)
        .await?;
    Ok(HttpResponse::Ok().json(views::capabilities(id, &report)))
}

/// The verification methods (R13)
///
/// Each method's subject type, durations and document types.
///
/// Roles: anyone, without a token.
#[utoipa::path(
    operation_id = "list_verification_methods",
    tag = "real-name",
    responses((status = 200, description = "The methods, in display order.", body = views::MethodList)),
    extensions(("x-roles" = json!([]))),
)]
#[get("/v1/verification-methods")]
pub async fn list_verification_methods(state: web::Data<HttpState>) -> HttpResponse {
    HttpResponse::Ok().json(views::MethodList::of(
        &state.use_cases.list_methods.execute(),
    ))
}

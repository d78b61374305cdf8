//! Real-name status, capabilities and methods.

use actix_web::{HttpResponse, get, web};

use crate::auth::{Authorized, Principal, Role};
use crate::error::{ApiError, BearerProblems, Problem};
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views;

/// `GET /v1/accounts/{id}/real-name` (R20).
pub async fn status(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service, Role::Reviewer])?;
    let view = state
        .use_cases
        .get_status
        .execute(actor, account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::status(&view)))
}

/// `DELETE /v1/accounts/{id}/real-name`: always 409 (R1).
pub async fn deauthenticate(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service, Role::Admin])?;
    match state
        .use_cases
        .refuse_deauthentication
        .execute(actor, account_id(&id)?)
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
    params(("id" = String, Path, description = "The account id (`acct_…`).")),
    responses(
        (status = 200, description = "The answers.", body = views::CapabilitiesView),
        (status = 404, description = "`not_found`: no such account, or not the holder's.",
            body = Problem, content_type = "application/problem+json"),
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

//! Real-name status, capabilities and methods.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::error::ApiError;
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

/// `GET /v1/accounts/{id}/capabilities` (R12).
pub async fn capabilities(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service])?;
    let id = account_id(&id)?;
    let report = state.use_cases.get_capabilities.execute(actor, id).await?;
    Ok(HttpResponse::Ok().json(views::capabilities(id, &report)))
}

/// `GET /v1/verification-methods` (R13); anyone may ask.
pub async fn methods(state: web::Data<HttpState>) -> HttpResponse {
    let data: Vec<_> = state
        .use_cases
        .list_methods
        .execute()
        .iter()
        .map(views::method)
        .collect();
    HttpResponse::Ok().json(json!({"data": data}))
}

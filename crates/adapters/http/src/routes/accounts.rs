//! Accounts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use realname_application::accounts::RegisterAccountCommand;

use crate::auth::{Principal, Role};
use crate::dto::{RegisterAccountBody, parse_json};
use crate::error::ApiError;
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::AccountView;

/// `POST /v1/accounts`: register a root account (R19).
pub async fn register(
    state: web::Data<HttpState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *principal.require(&[Role::Service, Role::Admin])?;
    idempotency::once(&state, &req, &principal, &body, || async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let account = state
            .use_cases
            .register_account
            .execute(&actor, RegisterAccountCommand { phone })
            .await?;
        Ok((
            StatusCode::CREATED,
            serde_json::to_value(AccountView::from(&account)).unwrap_or_default(),
        ))
    })
    .await
}

/// `GET /v1/accounts/{id}`.
pub async fn get(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service, Role::Reviewer])?;
    let account = state
        .use_cases
        .get_account
        .execute(actor, account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

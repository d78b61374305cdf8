//! Account lifecycle: closure (R21) and phone changes (R19).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use realname_domain::phone_change::PhoneChangeId;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::dto::{ConfirmBody, RegisterAccountBody, parse_json};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::{self, AccountView};

fn change_id(raw: &str) -> Result<PhoneChangeId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such phone change."))
}

/// `POST /v1/accounts/{id}/close` (R21).
pub async fn close(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Admin])?;
    let account = state
        .use_cases
        .close_account
        .execute(actor, account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

/// `POST /v1/accounts/{id}/phone-changes` `{phone}`: sends a code to the new number. The number
/// travels in the body only: request lines are logged.
pub async fn request_change(
    state: web::Data<HttpState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *principal.require(&[Role::Holder])?;
    let account = account_id(&id)?;
    idempotency::once(&state, &req, &principal, &body, || async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let change = state
            .use_cases
            .request_phone_change
            .execute(&actor, account, phone)
            .await?;
        Ok((StatusCode::CREATED, views::phone_change(&change)))
    })
    .await
}

/// `POST /v1/accounts/{id}/phone-changes/{change_id}/confirm` `{code}`.
pub async fn confirm_change(
    state: web::Data<HttpState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder])?;
    let (account, change) = (account_id(&path.0)?, change_id(&path.1)?);
    let code = parse_json::<ConfirmBody>(&body)?.into_code()?;
    let change = state
        .use_cases
        .confirm_phone_change
        .execute(actor, account, change, &code)
        .await?;
    Ok(HttpResponse::Ok().json(views::phone_change(&change)))
}

/// The query of the sandbox SMS inbox.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsQuery {
    change_id: Option<String>,
}

/// `GET /v1/sandbox/sms?change_id=` (sandbox mode only): the code the sandbox "sent", for the
/// change's holder, a service or an admin.
pub async fn sandbox_sms(
    state: web::Data<HttpState>,
    principal: Principal,
    query: web::Query<SmsQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Service, Role::Admin])?;
    let Some(raw) = query.change_id.as_deref() else {
        return Err(ApiError::validation(vec![FieldError::new(
            "change_id",
            "required",
            "This field is required.",
        )]));
    };
    let change = change_id(raw)?;
    let inbox = state
        .sandbox_sms
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let (account, code) = inbox
        .code_for(change)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    // Visible to whoever may see the account (R16's holder rules live in the domain).
    let visible = state
        .use_cases
        .get_account
        .execute(actor, account)
        .await
        .is_ok();
    if !visible {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(HttpResponse::Ok().json(json!({"change_id": change.to_string(), "code": code})))
}

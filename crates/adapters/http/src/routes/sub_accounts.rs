//! Sub-accounts (R16).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Principal, Role};
use crate::dto::{RegisterAccountBody, parse_json};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::{self, AccountView};

/// `POST /v1/accounts/{id}/sub-accounts` `{phone}`: an inheriting sub-account.
pub async fn create(
    state: web::Data<HttpState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *principal.require(&[Role::Holder])?;
    let root = account_id(&id)?;
    idempotency::once(&state, &req, &principal, &body, || async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let sub = state
            .use_cases
            .create_sub_account
            .execute(&actor, root, phone)
            .await?;
        Ok((
            StatusCode::CREATED,
            serde_json::to_value(AccountView::from(&sub)).unwrap_or_default(),
        ))
    })
    .await
}

/// The body of an association.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationBody {
    account_id: Option<String>,
}

/// `POST /v1/accounts/{id}/sub-account-associations` `{account_id}`: an admin associates at
/// once; a root's holder invites.
pub async fn associate(
    state: web::Data<HttpState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *principal.require(&[Role::Holder, Role::Admin])?;
    let root = account_id(&id)?;
    idempotency::once(&state, &req, &principal, &body, || async {
        let raw = parse_json::<AssociationBody>(&body)?.account_id;
        let Some(raw) = raw else {
            return Err(ApiError::validation(vec![FieldError::new(
                "account_id",
                "required",
                "This field is required.",
            )]));
        };
        let target = raw
            .parse()
            .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such account."))?;
        let invitation = state
            .use_cases
            .associate_sub_account
            .execute(&actor, root, target)
            .await?;
        Ok((StatusCode::CREATED, views::invitation(&invitation)))
    })
    .await
}

/// `POST /v1/sub-account-associations/{id}/accept`: the target's holder consents.
pub async fn accept(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder])?;
    let id = id.parse().map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let invitation = state
        .use_cases
        .associate_sub_account
        .accept(actor, id)
        .await?;
    Ok(HttpResponse::Ok().json(views::invitation(&invitation)))
}

//! Verification applications.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use realname_application::verification::SubmitApplicationCommand;
use realname_ports::Page;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::dto::{ApplicationBody, parse_json};
use crate::error::{ApiError, FieldError};
use crate::idempotency;
use crate::routes::{account_id, application_id};
use crate::state::HttpState;
use crate::views;

/// `POST /v1/accounts/{id}/applications`: verify or modify.
pub async fn submit(
    state: web::Data<HttpState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *principal.require(&[Role::Holder])?;
    let account_id = account_id(&id)?;
    idempotency::once(&state, &req, &principal, &body, || async {
        let request =
            parse_json::<ApplicationBody>(&body)?.convert(state.clock.now().date_naive())?;
        let cmd = SubmitApplicationCommand {
            account_id,
            purpose: request.purpose,
            method: request.method,
            subject: request.subject,
        };
        let application = state
            .use_cases
            .submit_application
            .execute(&actor, cmd)
            .await?;
        Ok((StatusCode::CREATED, views::application(&application)))
    })
    .await
}

/// The paging query of list endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    limit: Option<u32>,
    starting_after: Option<String>,
}

/// `GET /v1/accounts/{id}/applications`, newest first.
pub async fn list(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Reviewer])?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation(vec![FieldError::new(
            "limit",
            "out_of_range",
            "Use 1 to 100.",
        )]));
    }
    let starting_after = match query.starting_after.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse().map_err(|_| {
            ApiError::validation(vec![FieldError::new(
                "starting_after",
                "invalid_format",
                "Not an application id.",
            )])
        })?),
    };
    let page = Page {
        starting_after,
        limit,
    };
    let (applications, has_more) = state
        .use_cases
        .list_applications
        .execute(actor, account_id(&id)?, page)
        .await?;
    let data: Vec<_> = applications.iter().map(views::application).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": has_more})))
}

/// `GET /v1/applications/{id}`.
pub async fn get(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Reviewer])?;
    let application = state
        .use_cases
        .get_application
        .execute(actor, application_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

/// `POST /v1/applications/{id}/withdraw`: only while undecided.
pub async fn withdraw(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder])?;
    let application = state
        .use_cases
        .withdraw_application
        .execute(actor, application_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

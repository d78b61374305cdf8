//! Reviewers and account managers.

use actix_web::{HttpResponse, web};
use realname_application::review::SetEnterpriseLimitCommand;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::dto::{AccountLimitBody, DecisionBody, parse_json};
use crate::error::{ApiError, FieldError};
use crate::routes::application_id;
use crate::state::HttpState;
use crate::views;

/// The query of the review queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    limit: Option<u32>,
}

/// `GET /v1/review-queue`: undecided applications that need a human, overdue first (R8).
pub async fn queue(
    state: web::Data<HttpState>,
    principal: Principal,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(&[Role::Reviewer])?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation(vec![FieldError::new(
            "limit",
            "out_of_range",
            "Use 1 to 200.",
        )]));
    }
    let (applications, has_more) = state.use_cases.list_review_queue.execute(limit).await?;
    let data: Vec<_> = applications.iter().map(views::application).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": has_more})))
}

/// `POST /v1/applications/{id}/decision`.
pub async fn decide(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Reviewer])?;
    let id = application_id(&id)?;
    let (decision, note) = parse_json::<DecisionBody>(&body)?.convert()?;
    let application = state
        .use_cases
        .decide_application
        .execute(actor, id, decision, note)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

/// `PUT /v1/enterprises/{uscc}/account-limit` (R4).
pub async fn account_limit(
    state: web::Data<HttpState>,
    principal: Principal,
    uscc: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::AccountManager])?;
    let command: SetEnterpriseLimitCommand =
        parse_json::<AccountLimitBody>(&body)?.convert(&uscc)?;
    let uscc = realname_domain::masking::mask_identifier(command.uscc.as_str());
    let change = state
        .use_cases
        .set_enterprise_limit
        .execute(actor, command)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "uscc": uscc,
        "limit": change.limit,
        "reason": change.reason,
        "set_by": change.actor,
        "set_at": change.at,
    })))
}

//! Verification applications.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use realname_application::verification::SubmitApplicationCommand;
use realname_domain::Application;
use serde::Deserialize;

use crate::auth::Authorized;
use crate::dto::{ApplicationBody, parse_json};
use crate::error::{ApiError, BearerProblems, MalformedRequest, NotFound, Problem};
use crate::idempotency;
use crate::routes::{account_id, application_id};
use crate::state::HttpState;
use crate::views;

/// Submit a verification or modification (R2, R5, R6)
///
/// The body is checked before the account is looked up (R9). An instant method answers with
/// its `next_action`; a payment method with the reference to pay. Idempotent with
/// `Idempotency-Key`.
///
/// Roles: holder (own account).
#[utoipa::path(
    operation_id = "submit_application",
    tag = "applications",
    params(
        ("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = ApplicationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The application.", body = views::ApplicationView,
            links(
                ("get_application" = (operation_id = "get_application", parameters(("id" = "$response.body#/id")))),
                ("withdraw_application" = (operation_id = "withdraw_application", parameters(("id" = "$response.body#/id")))),
            )
        ),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`already_verified`, `not_verified`, `application_pending`, `account_closed`, `account_frozen`, `no_change`, `modification_cooldown`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (R9), `method_not_available_for_document`, `use_international_site`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`provider_error`: the provider did not open a session.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/accounts/{id}/applications")]
pub async fn submit_application(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *caller.actor();
    let account_id = account_id(&id)?;
    let render = |application: &Application| idempotency::created(views::application(application));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
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
            .execute(&actor, cmd, answer)
            .await?;
        Ok(application)
    })
    .await
}

/// The paging query of list endpoints.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100; 20 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last application id of the page before.
    #[param(pattern = "^app_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

/// An account's applications, newest first
///
/// Roles: holder (own account), reviewer.
#[utoipa::path(
    operation_id = "list_applications",
    tag = "applications",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"), PageQuery),
    responses(
        (status = 200, description = "A page of applications.", body = views::ApplicationPage),
        NotFound,
        (status = 422, description = "`validation_failed`: `limit` or `starting_after`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "reviewer"]))),
)]
#[get("/v1/accounts/{id}/applications")]
pub async fn list_applications(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
    let page = crate::routes::page(
        query.limit,
        query.starting_after.as_deref(),
        20,
        "Not an application id.",
    )?;
    let (applications, has_more) = state
        .use_cases
        .list_applications
        .execute(actor, account_id(&id)?, page)
        .await?;
    Ok(HttpResponse::Ok().json(views::ApplicationPage::of(&applications, has_more)))
}

/// An application
///
/// Its status, next action, deadline (R8) and failure (R7); for a reviewer also
/// `review_context`: the registry record the decision used and the payment credit (R6).
///
/// Roles: holder (own account's), reviewer.
#[utoipa::path(
    operation_id = "get_application",
    tag = "applications",
    params(("id" = String, Path, description = "The application id (`app_…`).", pattern = "^app_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The application.", body = views::ApplicationView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "reviewer"]))),
)]
#[get("/v1/applications/{id}")]
pub async fn get_application(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let application = state
        .use_cases
        .get_application
        .execute(caller.actor(), application_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::application_for(&application, caller.actor())))
}

/// Withdraw an undecided application
///
/// Roles: holder (own account's).
#[utoipa::path(
    operation_id = "withdraw_application",
    tag = "applications",
    params(("id" = String, Path, description = "The application id (`app_…`).", pattern = "^app_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The withdrawn application.", body = views::ApplicationView),
        NotFound,
        (status = 409, description = "`application_decided`", body = Problem,
            content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/applications/{id}/withdraw")]
pub async fn withdraw_application(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let application = state
        .use_cases
        .withdraw_application
        .execute(caller.actor(), application_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

//! Reviewers and account managers.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use realname_application::review::SetEnterpriseLimitCommand;
use serde::{Deserialize, Serialize};

use crate::auth::Authorized;
use crate::dto::{AccountLimitBody, DecisionBody, parse_json};
use crate::error::{
    ApiError, BearerProblems, FieldError, MalformedRequest, NotFound, Problem, ValidationFailed,
};
use crate::routes::application_id;
use crate::state::HttpState;
use crate::views;

/// The query of the review queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// 1 to 200; 50 by default.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The last application id of the previous page (`app_…`).
    #[param(pattern = "^app_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

/// The review queue (R8)
///
/// Undecided applications that need a human, overdue first.
///
/// Roles: reviewer.
#[utoipa::path(
    operation_id = "list_review_queue",
    tag = "review",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of applications.", body = views::ApplicationPage),
        (status = 422, description = "`validation_failed`: `limit` or `starting_after`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["reviewer"]))),
)]
#[get("/v1/review-queue")]
pub async fn list_review_queue(
    state: web::Data<HttpState>,
    _caller: Authorized,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = crate::routes::page_up_to(
        query.limit,
        query.starting_after.as_deref(),
        (50, 200),
        "Not an application id.",
    )?;
    let (applications, has_more) = state.use_cases.list_review_queue.execute(page).await?;
    Ok(HttpResponse::Ok().json(views::ApplicationPage::of(&applications, has_more)))
}

/// Decide an application in review (R6, R9)
///
/// An approval is checked against the business registry and claims the subject's slot (R3,
/// R4); a rejection carries the reviewer's reason code (R7).
///
/// Roles: reviewer.
#[utoipa::path(
    operation_id = "decide_application",
    tag = "review",
    params(("id" = String, Path, description = "The application id (`app_…`).", pattern = "^app_[0-9a-f]{32}$")),
    request_body(content = DecisionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The decided application.", body = views::ApplicationView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`application_not_in_review`, `application_decided`",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["reviewer"]))),
)]
#[post("/v1/applications/{id}/decision")]
pub async fn decide_application(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = application_id(&id)?;
    let (decision, note) = parse_json::<DecisionBody>(&body)?.convert()?;
    let application = state
        .use_cases
        .decide_application
        .execute(caller.actor(), id, decision, note)
        .await?;
    Ok(HttpResponse::Ok().json(views::application(&application)))
}

/// An enterprise's account limit as set by an account manager (R4).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountLimitView {
    /// The USCC, masked.
    uscc: String,
    limit: u32,
    reason: String,
    set_by: String,
    set_at: DateTime<Utc>,
}

/// Set an enterprise's account limit (R4)
///
/// Overrides the default of `policy.enterprise_account_limit` for one USCC; who, when and why
/// are recorded.
///
/// Roles: account manager.
#[utoipa::path(
    operation_id = "set_enterprise_account_limit",
    tag = "review",
    params(("uscc" = String, Path, description = "The enterprise's USCC.", pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")),
    request_body(content = AccountLimitBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The limit in force.", body = AccountLimitView),
        MalformedRequest,
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["account_manager"]))),
)]
#[put("/v1/enterprises/{uscc}/account-limit")]
pub async fn set_enterprise_account_limit(
    state: web::Data<HttpState>,
    caller: Authorized,
    uscc: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let command: SetEnterpriseLimitCommand =
        parse_json::<AccountLimitBody>(&body)?.convert(&uscc)?;
    let uscc = realname_domain::masking::mask_identifier(command.uscc.as_str());
    let change = state
        .use_cases
        .set_enterprise_limit
        .execute(caller.actor(), command)
        .await?;
    Ok(HttpResponse::Ok().json(AccountLimitView {
        uscc,
        limit: change.limit,
        reason: change.reason,
        set_by: change.actor,
        set_at: change.at,
    }))
}

/// One change of an enterprise's limit (R4).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AccountLimitChange)]
pub struct AccountLimitChangeView {
    limit: u32,
    set_by: String,
    set_at: DateTime<Utc>,
    reason: String,
}

/// An enterprise's limit, its use and its history (R4).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = EnterpriseAccountLimit)]
pub struct EnterpriseLimitView {
    /// The USCC, masked.
    uscc: String,
    /// The limit in force: the override, else `default_limit`.
    limit: u32,
    /// `policy.enterprise_account_limit`.
    default_limit: u32,
    /// How many accounts hold its slots.
    used: usize,
    /// Those accounts, masked.
    holders: Vec<views::SlotHolderView>,
    /// Every change, oldest first.
    history: Vec<AccountLimitChangeView>,
}

/// An enterprise's account limit (R4)
///
/// The limit in force, the default, the accounts holding its slots (masked) and every change
/// with who, when and why.
///
/// Roles: account manager, reviewer, admin.
#[utoipa::path(
    operation_id = "get_enterprise_account_limit",
    tag = "review",
    params(("uscc" = String, Path, description = "The enterprise's USCC.", pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")),
    responses(
        (status = 200, description = "The limit, its use and its history.", body = EnterpriseLimitView),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["account_manager", "reviewer", "admin"]))),
)]
#[get("/v1/enterprises/{uscc}/account-limit")]
pub async fn get_enterprise_account_limit(
    state: web::Data<HttpState>,
    _caller: Authorized,
    uscc: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let uscc = realname_domain::identifiers::Uscc::parse(&uscc).map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            "uscc",
            "invalid_format",
            "Not a Unified Social Credit Code.",
        )])
    })?;
    let shown = state.use_cases.get_enterprise_limit.execute(&uscc).await?;
    Ok(HttpResponse::Ok().json(EnterpriseLimitView {
        uscc: realname_domain::masking::mask_identifier(uscc.as_str()),
        limit: shown.limit,
        default_limit: shown.default_limit,
        used: shown.stored.holders.len(),
        holders: shown
            .stored
            .holders
            .iter()
            .map(views::SlotHolderView::from)
            .collect(),
        history: shown
            .stored
            .history
            .into_iter()
            .map(|c| AccountLimitChangeView {
                limit: c.limit,
                set_by: c.actor,
                set_at: c.at,
                reason: c.reason,
            })
            .collect(),
    }))
}

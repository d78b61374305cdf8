//! Accounts.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use realname_application::accounts::RegisterAccountCommand;
use realname_domain::Account;

use crate::auth::Authorized;
use crate::dto::{RegisterAccountBody, parse_json};
use crate::error::{ApiError, BearerProblems, MalformedRequest, NotFound, Problem};
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::AccountView;

/// Register a root account (R19)
///
/// The account is bound to the phone; at most `policy.phone_account_limit` open accounts per
/// number. Idempotent with `Idempotency-Key`.
///
/// Roles: service, admin.
#[utoipa::path(
    operation_id = "register_account",
    tag = "accounts",
    request_body(content = RegisterAccountBody, content_type = "application/json"),
    params(idempotency::IdempotencyKey),
    responses(
        (status = 201, description = "The account, its phone masked.", body = AccountView,
            links(
                ("get_account" = (operation_id = "get_account", parameters(("id" = "$response.body#/id")))),
                ("get_real_name" = (operation_id = "get_real_name", parameters(("id" = "$response.body#/id")))),
                ("get_capabilities" = (operation_id = "get_capabilities", parameters(("id" = "$response.body#/id")))),
                ("submit_application" = (operation_id = "submit_application", parameters(("id" = "$response.body#/id")))),
                ("list_applications" = (operation_id = "list_applications", parameters(("id" = "$response.body#/id")))),
                ("request_phone_change" = (operation_id = "request_phone_change", parameters(("id" = "$response.body#/id")))),
                ("create_sub_account" = (operation_id = "create_sub_account", parameters(("id" = "$response.body#/id")))),
                ("close_account" = (operation_id = "close_account", parameters(("id" = "$response.body#/id")))),
                ("remove_real_name" = (operation_id = "remove_real_name", parameters(("id" = "$response.body#/id")))),
            )
        ),
        MalformedRequest,
        (status = 409, description = "`phone_account_limit_reached` (R19), `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["service", "admin"]))),
)]
#[post("/v1/accounts")]
pub async fn register_account(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *caller.actor();
    let render = |account: &Account| idempotency::created(AccountView::from(account));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let account = state
            .use_cases
            .register_account
            .execute_answering(&actor, RegisterAccountCommand { phone }, answer)
            .await?;
        Ok(account)
    })
    .await
}

/// An account
///
/// Its kind, state and real-name status in brief; the phone is masked.
///
/// Roles: holder (own account), service, reviewer.
#[utoipa::path(
    operation_id = "get_account",
    tag = "accounts",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The account, its phone masked.", body = AccountView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "reviewer"]))),
)]
#[get("/v1/accounts/{id}")]
pub async fn get_account(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account = state
        .use_cases
        .get_account
        .execute(caller.actor(), account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

//! Account lifecycle: closure (R21) and phone changes (R19).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use realname_domain::phone_change::PhoneChange;
use realname_domain::phone_change::PhoneChangeId;
use serde::{Deserialize, Serialize};

use crate::auth::Authorized;
use crate::dto::{ConfirmBody, RegisterAccountBody, parse_json};
use crate::error::{
    ApiError, BearerProblems, ErrorCode, FieldError, MalformedRequest, NotFound, Problem,
};
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::{self, AccountView};

fn change_id(raw: &str) -> Result<PhoneChangeId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such phone change."))
}

/// Close an account (R21)
///
/// Its phone binding and quota slot are released; a root's inheriting sub-accounts close with
/// it and its associated accounts are detached; pending applications and phone changes are
/// cancelled.
///
/// Roles: holder (own account), admin.
#[utoipa::path(
    operation_id = "close_account",
    tag = "accounts",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The closed account.", body = AccountView),
        NotFound,
        (status = 409, description = "`account_closed`: closed already.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "admin"]))),
)]
#[post("/v1/accounts/{id}/close")]
pub async fn close_account(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account = state
        .use_cases
        .close_account
        .execute(caller.actor(), account_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

/// Change the bound phone (R19)
///
/// Sends a one-time code to the new number. The number travels in the body only: request
/// lines are logged. Idempotent with `Idempotency-Key`.
///
/// Roles: holder (own account).
#[utoipa::path(
    operation_id = "request_phone_change",
    tag = "accounts",
    params(
        ("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = RegisterAccountBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The pending change.", body = views::PhoneChangeView,
            links(
                ("confirm_phone_change" = (operation_id = "confirm_phone_change", parameters(("id" = "$response.body#/account_id"), ("change_id" = "$response.body#/id")))),
            )
        ),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`account_closed`, `account_frozen`, `phone_account_limit_reached`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/accounts/{id}/phone-changes")]
pub async fn request_phone_change(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *caller.actor();
    let account = account_id(&id)?;
    let render = |change: &PhoneChange| idempotency::created(views::phone_change(change));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let change = state
            .use_cases
            .request_phone_change
            .execute(&actor, account, phone, answer)
            .await?;
        Ok(change)
    })
    .await
}

/// Confirm a phone change with its code (R19)
///
/// Roles: holder (own account).
#[utoipa::path(
    operation_id = "confirm_phone_change",
    tag = "accounts",
    params(
        ("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        ("change_id" = String, Path, description = "The phone change id (`pc_…`).", pattern = "^pc_[0-9a-f]{32}$"),
    ),
    request_body(content = ConfirmBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The confirmed change; the account is bound to the new number.",
            body = views::PhoneChangeView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`otp_locked`, `account_closed`, `account_frozen`, `phone_account_limit_reached`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `otp_invalid`, `otp_expired`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/accounts/{id}/phone-changes/{change_id}/confirm")]
pub async fn confirm_phone_change(
    state: web::Data<HttpState>,
    caller: Authorized,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
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
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SmsQuery {
    /// The phone change or recovery (`pc_…`).
    #[param(required, value_type = String, pattern = "^pc_[0-9a-f]{32}$")]
    change_id: Option<String>,
}

/// The code the sandbox "sent".
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SandboxSms)]
pub struct SandboxSms {
    change_id: String,
    /// Six digits.
    code: String,
}

/// Sandbox: the code the sandbox "sent" for a phone change
///
/// Served only while the sandbox is on. Visible to whoever may see the account.
///
/// Roles: holder (own account), service, admin.
#[utoipa::path(
    operation_id = "sandbox_read_sms",
    tag = "sandbox",
    params(SmsQuery),
    responses(
        (status = 200, description = "The code.", body = SandboxSms),
        NotFound,
        (status = 422, description = "`validation_failed`: `change_id`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "admin"]))),
)]
#[get("/v1/sandbox/sms")]
pub async fn sandbox_read_sms(
    state: web::Data<HttpState>,
    caller: Authorized,
    query: web::Query<SmsQuery>,
) -> Result<HttpResponse, ApiError> {
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
        .execute(caller.actor(), account)
        .await
        .is_ok();
    if !visible {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(HttpResponse::Ok().json(SandboxSms {
        change_id: change.to_string(),
        code,
    }))
}

//! Sub-accounts (R16).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use realname_application::accounts::SubAccountCreated;
use realname_domain::invitation::{Invitation, InvitationStatus};
use serde::{Deserialize, Serialize};

use crate::auth::Authorized;
use crate::dto::{RegisterAccountBody, parse_json};
use crate::error::{
    ApiError, BearerProblems, ErrorCode, FieldError, MalformedRequest, NotFound, Problem,
    ValidationFailed,
};
use crate::idempotency;
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::{self, AccountView, SubAccountView};

/// Create an inheriting sub-account (R16)
///
/// It inherits the root's verification and uses no slot of R3 or R4. Its phone is bound like a
/// phone change (R19): a code goes to the number, and the number is bound, and counted against
/// its limit, only once the holder confirms the code at
/// `POST /v1/accounts/{sub}/phone-changes/{phone_change.id}/confirm`. Until then `phone` is
/// `null`. Idempotent with `Idempotency-Key`.
///
/// Roles: holder (own root).
#[utoipa::path(
    operation_id = "create_sub_account",
    tag = "sub-accounts",
    params(
        ("id" = String, Path, description = "The root account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = RegisterAccountBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The sub-account, no phone bound yet, and the pending phone change.", body = SubAccountView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`not_a_root_account`, `account_closed`, `account_frozen`, `phone_account_limit_reached`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`provider_error`: the code could not be sent; the sub-account exists with its change pending", body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/accounts/{id}/sub-accounts")]
pub async fn create_sub_account(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *caller.actor();
    let root = account_id(&id)?;
    let render = |sub: &SubAccountCreated| idempotency::created(SubAccountView::from(sub));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let phone = parse_json::<RegisterAccountBody>(&body)?.into_phone()?;
        let sub = state
            .use_cases
            .create_sub_account
            .execute(&actor, root, phone, answer)
            .await?;
        Ok(sub)
    })
    .await
}

/// The body of an association.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AssociateAccount)]
pub struct AssociationBody {
    /// The verified account to associate (`acct_…`).
    #[schema(required, value_type = String, pattern = "^acct_[0-9a-f]{32}$")]
    account_id: Option<String>,
}

/// Associate an existing account under a root (R16)
///
/// An admin associates at once (`accepted`); a root's holder invites (`pending`) and the
/// target's holder accepts. The target must be verified itself. Idempotent with
/// `Idempotency-Key`.
///
/// Roles: holder (own root), admin.
#[utoipa::path(
    operation_id = "associate_sub_account",
    tag = "sub-accounts",
    params(
        ("id" = String, Path, description = "The root account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = AssociationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The association.", body = views::InvitationView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`sub_account_must_verify`, `not_a_root_account`, `account_closed`, `account_frozen`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "admin"]))),
)]
#[post("/v1/accounts/{id}/sub-account-associations")]
pub async fn associate_sub_account(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = *caller.actor();
    let root = account_id(&id)?;
    let render = |invitation: &Invitation| idempotency::created(views::invitation(invitation));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
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
            .execute(&actor, root, target, answer)
            .await?;
        Ok(invitation)
    })
    .await
}

/// Accept an association (R16)
///
/// The target account's holder consents; the account becomes an associated sub-account,
/// keeping its own verification.
///
/// Roles: holder (the target's).
#[utoipa::path(
    operation_id = "accept_association",
    tag = "sub-accounts",
    params(("id" = String, Path, description = "The association id (`sai_…`).", pattern = "^sai_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The accepted association.", body = views::InvitationView),
        NotFound,
        (status = 409, description = "`sub_account_must_verify`, `not_a_root_account`, `account_closed`, `account_frozen`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/sub-account-associations/{id}/accept")]
pub async fn accept_association(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
    let id = id.parse().map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let invitation = state
        .use_cases
        .associate_sub_account
        .accept(actor, id)
        .await?;
    Ok(HttpResponse::Ok().json(views::invitation(&invitation)))
}

/// Decline an association (R16)
///
/// The target account's holder refuses a pending invitation; nothing moves.
///
/// Roles: holder (the target's).
#[utoipa::path(
    operation_id = "decline_association",
    tag = "sub-accounts",
    params(("id" = String, Path, description = "The association id (`sai_…`).", pattern = "^sai_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The declined association.", body = views::InvitationView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/sub-account-associations/{id}/decline")]
pub async fn decline_association(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_association(&state, &caller, &id, InvitationStatus::Declined).await
}

/// Cancel an association (R16)
///
/// The root's holder withdraws a pending invitation.
///
/// Roles: holder (the root's).
#[utoipa::path(
    operation_id = "cancel_association",
    tag = "sub-accounts",
    params(("id" = String, Path, description = "The association id (`sai_…`).", pattern = "^sai_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The cancelled association.", body = views::InvitationView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder"]))),
)]
#[post("/v1/sub-account-associations/{id}/cancel")]
pub async fn cancel_association(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_association(&state, &caller, &id, InvitationStatus::Cancelled).await
}

async fn end_association(
    state: &HttpState,
    caller: &Authorized,
    id: &str,
    status: InvitationStatus,
) -> Result<HttpResponse, ApiError> {
    let id = id.parse().map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let invitation = state
        .use_cases
        .associate_sub_account
        .end(caller.actor(), id, status)
        .await?;
    Ok(HttpResponse::Ok().json(views::invitation(&invitation)))
}

/// The query of `GET /v1/accounts/{id}/sub-account-associations`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationsQuery {
    /// At most this many (1 to 100); 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last association id of the previous page (`sai_…`).
    #[param(pattern = "^sai_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

/// A page of associations, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = InvitationList)]
pub struct InvitationList {
    data: Vec<views::InvitationView>,
    has_more: bool,
}

/// The account's associations (R16)
///
/// The invitations where the account is the root or the target, in every status.
///
/// Roles: holder (of either side), admin.
#[utoipa::path(
    operation_id = "list_associations",
    tag = "sub-accounts",
    params(
        ("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        InvitationsQuery,
    ),
    responses(
        (status = 200, description = "The associations.", body = InvitationList),
        NotFound,
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "admin"]))),
)]
#[get("/v1/accounts/{id}/sub-account-associations")]
pub async fn list_associations(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    query: web::Query<InvitationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let account = account_id(&id)?;
    let page = crate::routes::page(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not an association id.",
    )?;
    let (found, has_more) = state
        .use_cases
        .list_invitations
        .execute(caller.actor(), account, page)
        .await?;
    Ok(HttpResponse::Ok().json(InvitationList {
        data: found.iter().map(views::invitation).collect(),
        has_more,
    }))
}

/// The query of `GET /v1/accounts/{id}/sub-accounts`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubAccountsQuery {
    /// At most this many (1 to 100); 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last account id of the previous page (`acct_…`).
    #[param(pattern = "^acct_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

/// A page of sub-accounts, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SubAccountList)]
pub struct SubAccountList {
    data: Vec<AccountView>,
    has_more: bool,
}

/// A root's sub-accounts (R16)
///
/// Inheriting and associated sub-accounts under the root, in every state, oldest first; phones
/// masked. The console's account switcher reads it.
///
/// Roles: holder (of the root), service, reviewer.
#[utoipa::path(
    operation_id = "list_sub_accounts",
    tag = "sub-accounts",
    params(
        ("id" = String, Path, description = "The root account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        SubAccountsQuery,
    ),
    responses(
        (status = 200, description = "The sub-accounts.", body = SubAccountList),
        NotFound,
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "service", "reviewer"]))),
)]
#[get("/v1/accounts/{id}/sub-accounts")]
pub async fn list_sub_accounts(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    query: web::Query<SubAccountsQuery>,
) -> Result<HttpResponse, ApiError> {
    let root = account_id(&id)?;
    let page = crate::routes::page(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not an account id.",
    )?;
    let (found, has_more) = state
        .use_cases
        .list_sub_accounts
        .execute(caller.actor(), root, page)
        .await?;
    Ok(HttpResponse::Ok().json(SubAccountList {
        data: found.iter().map(AccountView::from).collect(),
        has_more,
    }))
}

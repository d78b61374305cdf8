//! The sandbox's development sign-in (issue 16): a bearer token for any role, minted without
//! credentials. Registered only while the sandbox is on, so it answers 404 otherwise; production
//! mode refuses to start with the sandbox on.

use actix_web::{HttpResponse, post, web};
use realname_domain::AccountId;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::dto::parse_json;
use crate::error::{ApiError, ErrorCode, FieldError, MalformedRequest, NotFound, Problem};
use crate::state::HttpState;

/// How long a sandbox token lives.
const SANDBOX_TOKEN_HOURS: i64 = 8;

/// `POST /v1/sandbox/tokens`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SandboxTokenRequest)]
pub struct SandboxTokenBody {
    /// The role to sign in as.
    #[schema(required, value_type = String, pattern = "^(holder|service|reviewer|account_manager|admin)$")]
    role: Option<String>,
    /// The account a holder token controls (`acct_…`); only for `holder`, and required there.
    #[schema(value_type = String, pattern = "^acct_[0-9a-f]{32}$")]
    account_id: Option<String>,
}

impl SandboxTokenBody {
    /// The role and account, or the fields at fault.
    fn into_grant(self) -> Result<(Role, Option<AccountId>), ApiError> {
        let mut errors = Vec::new();
        let role = match self.role.as_deref() {
            None => {
                errors.push(FieldError::new("role", "required", "Name a role."));
                None
            }
            Some(raw) => Role::parse(raw).or_else(|| {
                errors.push(FieldError::new(
                    "role",
                    "invalid",
                    "Use holder, service, reviewer, account_manager or admin.",
                ));
                None
            }),
        };
        let account = match self.account_id.as_deref() {
            None => None,
            Some(raw) => raw.parse::<AccountId>().map(Some).unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "account_id",
                    "invalid_format",
                    "An account id looks like acct_ followed by 32 hex digits.",
                ));
                None
            }),
        };
        match (role, account) {
            (Some(Role::Holder), None) if self.account_id.is_none() => {
                errors.push(FieldError::new(
                    "account_id",
                    "required",
                    "A holder token names its account.",
                ))
            }
            (Some(role), Some(_)) if role != Role::Holder => errors.push(FieldError::new(
                "account_id",
                "not_allowed",
                "Only a holder token names an account.",
            )),
            _ => {}
        }
        match role {
            Some(role) if errors.is_empty() => Ok((role, account)),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// A signed bearer token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SandboxToken)]
pub struct SandboxToken {
    /// The token (`Authorization: Bearer …`), valid for 8 hours.
    token: String,
}

/// Sandbox: a development sign-in token
///
/// Served only while the sandbox is on, without a token: the console's development sign-in
/// chooses a role and, for a holder, an account.
///
/// Roles: anyone, without a token (sandbox only).
#[utoipa::path(
    operation_id = "sandbox_issue_token",
    tag = "sandbox",
    request_body(content = SandboxTokenBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The token.", body = SandboxToken),
        MalformedRequest,
        NotFound,
        (status = 422, description = "`validation_failed`: `role`, `account_id`.",
            body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!([]))),
)]
#[post("/v1/sandbox/tokens")]
pub async fn sandbox_issue_token(
    state: web::Data<HttpState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (role, account) = parse_json::<SandboxTokenBody>(&body)?.into_grant()?;
    let token = state
        .auth
        .issue(
            "sandbox-console",
            role,
            account,
            chrono::Duration::hours(SANDBOX_TOKEN_HOURS),
        )
        .map_err(|e| ApiError::internal(ErrorCode::Internal, e))?;
    Ok(HttpResponse::Ok().json(SandboxToken { token }))
}

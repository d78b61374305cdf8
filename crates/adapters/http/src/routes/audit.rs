//! The R22 audit export.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Authorized;
use crate::error::{ApiError, BearerProblems, NotFound};
use crate::routes::account_id;
use crate::state::HttpState;

/// One entry of an account's audit chain (R22).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    id: i64,
    /// Who acted: a role label, never a name.
    actor: String,
    action: String,
    before: String,
    after: String,
    #[schema(required)]
    reason: Option<String>,
    at: DateTime<Utc>,
    /// The hash of the entry before (64 zeros for the first), hex.
    prev_hash: String,
    /// SHA-256 over the previous hash and this entry, hex.
    hash: String,
}

/// An account's audit chain (R22).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AuditLog)]
pub struct AuditLogView {
    account_id: String,
    /// The last entry's hash; `null` for an empty chain.
    #[schema(required)]
    head_hash: Option<String>,
    data: Vec<AuditEntryView>,
}

/// An account's audit log (R22)
///
/// The account's hash chain, oldest first, with each entry's previous hash and hash, so that a
/// reader can check it.
///
/// Roles: holder (own account), reviewer.
#[utoipa::path(
    operation_id = "get_audit_log",
    tag = "audit",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The chain.", body = AuditLogView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["holder", "reviewer"]))),
)]
#[get("/v1/accounts/{id}/audit-log")]
pub async fn get_audit_log(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account = account_id(&id)?;
    let chain = state
        .use_cases
        .get_audit_log
        .execute(caller.actor(), account)
        .await?;
    let data = chain
        .iter()
        .map(|c| AuditEntryView {
            id: c.id,
            actor: c.entry.actor.clone(),
            action: c.entry.action.clone(),
            before: c.entry.before.clone(),
            after: c.entry.after.clone(),
            reason: c.entry.reason.clone(),
            at: c.entry.at,
            prev_hash: hex::encode(c.prev_hash),
            hash: hex::encode(c.hash),
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditLogView {
        account_id: account.to_string(),
        head_hash: chain.last().map(|c| hex::encode(c.hash)),
        data,
    }))
}

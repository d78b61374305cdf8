//! The R22 audit export.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Authorized;
use crate::error::{ApiError, BearerProblems, NotFound, ValidationFailed};
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
    /// The chain's last entry's hash, whatever the page; `null` for an empty chain.
    #[schema(required)]
    head_hash: Option<String>,
    data: Vec<AuditEntryView>,
    /// Whether more entries follow this page.
    has_more: bool,
    /// Whether the whole chain verifies, from the genesis to the head: the check of
    /// `realname audit verify`, on this account's chain.
    chain_valid: bool,
}

/// The query of the audit log.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most this many entries (1 to 1000); 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The last entry id of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    starting_after: Option<String>,
}

/// An account's audit log (R22)
///
/// The account's hash chain, oldest first, a page at a time, with each entry's previous hash
/// and hash, so that a reader can check it.
///
/// Roles: holder (own account), reviewer.
#[utoipa::path(
    operation_id = "get_audit_log",
    tag = "audit",
    params(
        ("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$"),
        AuditQuery,
    ),
    responses(
        (status = 200, description = "A page of the chain.", body = AuditLogView),
        NotFound,
        ValidationFailed,
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
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let account = account_id(&id)?;
    let page = crate::routes::page_up_to(
        query.limit,
        query.starting_after.as_deref(),
        (100, 1000),
        "Not an audit entry id.",
    )?;
    let log = state
        .use_cases
        .get_audit_log
        .execute(caller.actor(), account, page)
        .await?;
    let chain = &log.page;
    let data = chain
        .entries
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
        head_hash: chain.head.map(hex::encode),
        data,
        has_more: chain.has_more,
        chain_valid: log.chain_valid,
    }))
}

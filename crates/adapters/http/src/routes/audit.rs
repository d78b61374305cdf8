//! The R22 audit export.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::error::ApiError;
use crate::routes::account_id;
use crate::state::HttpState;

/// `GET /v1/accounts/{id}/audit-log`: the account's chain, oldest first, with each entry's
/// previous hash and hash, so a reader can check it.
pub async fn export(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Holder, Role::Reviewer])?;
    let account = account_id(&id)?;
    let chain = state
        .use_cases
        .get_audit_log
        .execute(actor, account)
        .await?;
    let data: Vec<_> = chain
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "actor": c.entry.actor,
                "action": c.entry.action,
                "before": c.entry.before,
                "after": c.entry.after,
                "reason": c.entry.reason,
                "at": c.entry.at,
                "prev_hash": hex::encode(c.prev_hash),
                "hash": hex::encode(c.hash),
            })
        })
        .collect();
    let head = chain.last().map(|c| hex::encode(c.hash));
    Ok(HttpResponse::Ok()
        .json(json!({"account_id": account.to_string(), "head_hash": head, "data": data})))
}

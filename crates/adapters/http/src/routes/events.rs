//! The event feed and webhook subscriptions (SPEC §6), and agreement expiries (R12, R18).

use actix_web::{HttpResponse, web};
use realname_ports::FeedEvent;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::dto::parse_json;
use crate::error::{ApiError, FieldError};
use crate::routes::account_id;
use crate::state::HttpState;
use crate::views::AccountView;

/// The query of `GET /v1/events`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    starting_after: Option<String>,
    limit: Option<u32>,
    account_id: Option<String>,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, "invalid_format", message)])
}

/// `GET /v1/events?starting_after=&limit=&account_id=` (service, admin): oldest first.
pub async fn feed(
    state: web::Data<HttpState>,
    principal: Principal,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(&[Role::Service, Role::Admin])?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation(vec![FieldError::new(
            "limit",
            "out_of_range",
            "Use 1 to 500.",
        )]));
    }
    let after = match query.starting_after.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.strip_prefix("evt_")
                .and_then(|u| uuid::Uuid::try_parse(u).ok())
                .ok_or_else(|| invalid("starting_after", "Not an event id."))?,
        ),
    };
    let account = match query.account_id.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| invalid("account_id", "Not an account id."))?,
        ),
    };
    let (events, has_more) = state
        .use_cases
        .list_events
        .execute(account, after, limit)
        .await?;
    let data: Vec<_> = events.iter().map(FeedEvent::to_json).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": has_more})))
}

/// The body of `PUT /v1/accounts/{id}/agreement`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementBody {
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `PUT /v1/accounts/{id}/agreement` `{expires_at}` (service): `null` clears it.
pub async fn agreement(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Service])?;
    let body: AgreementBody = parse_json(&body)?;
    let account = state
        .use_cases
        .set_agreement
        .execute(actor, account_id(&id)?, body.expires_at)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

/// The body of `POST /v1/webhook-endpoints`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    url: String,
    #[serde(default)]
    event_types: Vec<String>,
}

/// `POST /v1/webhook-endpoints` `{url, event_types}` (admin): 201 with the signing secret, shown
/// this once.
pub async fn create_webhook(
    state: web::Data<HttpState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(&[Role::Admin])?;
    let body: WebhookBody = parse_json(&body)?;
    let (endpoint, secret) = state
        .use_cases
        .create_webhook_endpoint
        .execute(&body.url, body.event_types)
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": format!("whe_{}", endpoint.id.simple()),
        "url": endpoint.url.as_str(),
        "event_types": endpoint.event_types,
        "secret": secret.expose(),
        "created_at": endpoint.created_at,
    })))
}

/// The query of `GET /v1/webhook-endpoints/{id}/deliveries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    status: Option<String>,
    limit: Option<u32>,
}

/// `GET /v1/webhook-endpoints/{id}/deliveries?status=failed` (admin): newest first.
pub async fn deliveries(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(&[Role::Admin])?;
    let endpoint = id
        .strip_prefix("whe_")
        .and_then(|u| uuid::Uuid::try_parse(u).ok())
        .ok_or_else(|| ApiError::new(crate::error::ErrorCode::NotFound))?;
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(
            realname_ports::DeliveryStatus::parse(raw)
                .ok_or_else(|| invalid("status", "Use pending, delivered or failed."))?,
        ),
    };
    let records = state
        .use_cases
        .list_deliveries
        .execute(endpoint, status, query.limit.unwrap_or(50))
        .await?;
    let data: Vec<_> = records
        .iter()
        .map(|r| {
            json!({
                "event_id": format!("evt_{}", r.event_id.simple()),
                "event_type": r.event_type,
                "status": r.status.as_str(),
                "attempts": r.attempts,
                "last_error": r.last_error,
                "queued_at": r.queued_at,
                "last_attempt_at": r.last_attempt_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}

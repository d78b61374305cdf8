//! The event feed and webhook subscriptions (SPEC §6), and agreement expiries (R12, R18).

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use realname_domain::webhook::{WebhookEndpoint, WebhookSecret};
use realname_ports::{DeliveryRecord, DeliveryStatus, FeedEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Authorized;
use crate::dto::parse_json;
use crate::error::{
    ApiError, BearerProblems, FieldError, MalformedRequest, NotFound, Problem, ValidationFailed,
};
use crate::idempotency;
use crate::routes::account_id;
use crate::schema::one_of;
use crate::state::HttpState;
use crate::views::AccountView;

/// The query of `GET /v1/events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The last event id of the page before (`evt_…`).
    #[param(pattern = "^evt_[0-9a-f]{32}$")]
    starting_after: Option<String>,
    /// 1 to 500; 100 by default.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Only this account's events (`acct_…`).
    #[param(pattern = "^acct_[0-9a-f]{32}$")]
    account_id: Option<String>,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, "invalid_format", message)])
}

/// A page of the feed, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EventPage)]
pub struct EventPage {
    data: Vec<FeedEvent>,
    has_more: bool,
}

/// The event feed, oldest first (SPEC §6)
///
/// Page with `starting_after`, the last event id seen. Never shows an event that a still
/// running transaction could precede, so a consumer paging it misses none.
///
/// Roles: service, admin.
#[utoipa::path(
    operation_id = "list_events",
    tag = "events",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of events.", body = EventPage),
        (status = 422, description = "`validation_failed`: `limit`, `starting_after` or `account_id`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["service", "admin"]))),
)]
#[get("/v1/events")]
pub async fn list_events(
    state: web::Data<HttpState>,
    _caller: Authorized,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
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
            raw.parse::<EventRef>()
                .map_err(|()| invalid("starting_after", "Not an event id."))?
                .0,
        ),
    };
    let account = match query.account_id.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| invalid("account_id", "Not an account id."))?,
        ),
    };
    let (data, has_more) = state
        .use_cases
        .list_events
        .execute(account, after, limit)
        .await?;
    Ok(HttpResponse::Ok().json(EventPage { data, has_more }))
}

/// The body of `PUT /v1/accounts/{id}/agreement`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Agreement)]
pub struct AgreementBody {
    /// When the account's agreement expires; `null` clears it.
    #[schema(required)]
    expires_at: Option<DateTime<Utc>>,
}

/// Set or clear the agreement expiry (R12, R18)
///
/// `sign_contract` is allowed until it; `null` clears it.
///
/// Roles: service.
#[utoipa::path(
    operation_id = "set_agreement",
    tag = "accounts",
    params(("id" = String, Path, description = "The account id (`acct_…`).", pattern = "^acct_[0-9a-f]{32}$")),
    request_body(content = AgreementBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The account.", body = AccountView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`account_closed`",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["service"]))),
)]
#[put("/v1/accounts/{id}/agreement")]
pub async fn set_agreement(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: AgreementBody = parse_json(&body)?;
    let account = state
        .use_cases
        .set_agreement
        .execute(caller.actor(), account_id(&id)?, body.expires_at)
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

/// The body of `POST /v1/webhook-endpoints`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateWebhookEndpoint)]
pub struct WebhookBody {
    /// An `https` URL on a public host.
    #[schema(
        pattern = r"^https://[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/[A-Za-z0-9._~-]*)*$",
        max_length = 2048
    )]
    url: String,
    /// The event types to deliver; all of them when empty.
    #[serde(default)]
    #[schema(schema_with = event_type_list)]
    event_types: Vec<String>,
}

fn event_type_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(crate::schema::event_types())
}

/// A new webhook endpoint, with its signing secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookEndpointCreated)]
pub struct WebhookEndpointCreated {
    /// `whe_…`.
    id: String,
    url: String,
    #[schema(schema_with = event_type_list)]
    event_types: Vec<String>,
    /// The signing secret, shown this once.
    secret: String,
    created_at: DateTime<Utc>,
}

/// Subscribe a webhook endpoint (SPEC §6)
///
/// The signing secret is shown this once.
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "create_webhook_endpoint",
    tag = "events",
    request_body(content = WebhookBody, content_type = "application/json"),
    params(idempotency::IdempotencyKey),
    responses(
        (status = 201, description = "The endpoint and its secret (a retry with the same key gets the same endpoint and secret).", body = WebhookEndpointCreated),
        MalformedRequest,
        (status = 409, description = "`idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`webhook_refused`: the URL or an event type; `validation_failed`, `idempotency_key_reused`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[post("/v1/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let render = |(endpoint, secret): &(WebhookEndpoint, WebhookSecret)| {
        idempotency::created(WebhookEndpointCreated {
            id: format!("whe_{}", endpoint.id.simple()),
            url: endpoint.url.as_str().to_owned(),
            event_types: endpoint.event_types.clone(),
            secret: secret.expose().to_owned(),
            created_at: endpoint.created_at,
        })
    };
    // No transaction here: the answer is stored right after the endpoint, sealed.
    idempotency::once(&state, &req, &caller.0, &body, render, |_| async {
        let body: WebhookBody = parse_json(&body)?;
        Ok(state
            .use_cases
            .create_webhook_endpoint
            .execute(&body.url, body.event_types)
            .await?)
    })
    .await
}

/// The query of `GET /v1/webhook-endpoints/{id}/deliveries`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    #[param(schema_with = delivery_statuses)]
    status: Option<String>,
    /// 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last event id of the previous page (`evt_…`).
    #[param(pattern = "^evt_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

fn delivery_statuses() -> utoipa::openapi::schema::Object {
    one_of(DeliveryStatus::ALL.map(DeliveryStatus::as_str))
}

/// One delivery of an event to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryView {
    /// `evt_…`.
    event_id: String,
    #[schema(schema_with = crate::schema::event_types)]
    event_type: String,
    #[schema(schema_with = delivery_statuses)]
    status: &'static str,
    attempts: u32,
    /// The last failure, without the response body.
    #[schema(required)]
    last_error: Option<String>,
    queued_at: DateTime<Utc>,
    #[schema(required)]
    last_attempt_at: Option<DateTime<Utc>>,
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(r: &DeliveryRecord) -> Self {
        Self {
            event_id: format!("evt_{}", r.event_id.simple()),
            event_type: r.event_type.clone(),
            status: r.status.as_str(),
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            queued_at: r.queued_at,
            last_attempt_at: r.last_attempt_at,
        }
    }
}

/// An endpoint's deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeliveryList)]
pub struct DeliveryList {
    data: Vec<DeliveryView>,
    has_more: bool,
}

/// An event id as the API shows it, `evt_…`.
struct EventRef(uuid::Uuid);

impl std::str::FromStr for EventRef {
    type Err = ();

    fn from_str(raw: &str) -> Result<Self, ()> {
        raw.strip_prefix("evt_")
            .and_then(|u| uuid::Uuid::try_parse(u).ok())
            .map(Self)
            .ok_or(())
    }
}

/// An endpoint's deliveries, newest first (SPEC §6)
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "events",
    params(("id" = String, Path, description = "The endpoint id (`whe_…`).", pattern = "^whe_[0-9a-f]{32}$"), DeliveriesQuery),
    responses(
        (status = 200, description = "The deliveries.", body = DeliveryList),
        NotFound,
        (status = 422, description = "`validation_failed`: `status`, `limit` or `starting_after`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[get("/v1/webhook-endpoints/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<HttpState>,
    _caller: Authorized,
    id: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = id
        .strip_prefix("whe_")
        .and_then(|u| uuid::Uuid::try_parse(u).ok())
        .ok_or_else(|| ApiError::new(crate::error::ErrorCode::NotFound))?;
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(
            DeliveryStatus::parse(raw)
                .ok_or_else(|| invalid("status", "Use pending, delivered or failed."))?,
        ),
    };
    let page = crate::routes::page::<EventRef>(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not an event id.",
    )?;
    let page = realname_ports::Page {
        starting_after: page.starting_after.map(|e| e.0),
        limit: page.limit,
    };
    let (records, has_more) = state
        .use_cases
        .list_deliveries
        .execute(endpoint, status, page)
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        data: records.iter().map(DeliveryView::from).collect(),
        has_more,
    }))
}

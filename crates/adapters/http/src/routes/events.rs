//! The event feed and webhook subscriptions (SPEC §6), and agreement expiries (R12, R18).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use realname_domain::webhook::{StartFrom, WebhookEndpoint, WebhookSecret};
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
    /// Where deliveries start: `head` (the default), the events after the endpoint's creation;
    /// `beginning`, the whole history.
    #[serde(default)]
    from: StartAt,
}

/// Where a new endpoint's deliveries start.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartAt {
    /// With the events after its creation.
    #[default]
    Head,
    /// With the whole history.
    Beginning,
}

impl From<StartAt> for StartFrom {
    fn from(at: StartAt) -> Self {
        match at {
            StartAt::Head => Self::Head,
            StartAt::Beginning => Self::Beginning,
        }
    }
}

fn event_type_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(crate::schema::event_types())
}

/// A webhook endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookEndpoint)]
pub struct WebhookEndpointView {
    /// `whe_…`.
    #[schema(pattern = "^whe_[0-9a-f]{32}$")]
    id: String,
    url: String,
    #[schema(schema_with = event_type_list)]
    event_types: Vec<String>,
    /// While disabled, its events are held and nothing is posted.
    disabled: bool,
    created_at: DateTime<Utc>,
    /// When the secret was last rotated.
    #[schema(required)]
    secret_rotated_at: Option<DateTime<Utc>>,
    /// Until when deliveries also carry a signature with the secret before the last rotation.
    #[schema(required)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
}

impl From<&WebhookEndpoint> for WebhookEndpointView {
    fn from(endpoint: &WebhookEndpoint) -> Self {
        Self {
            id: format!("whe_{}", endpoint.id.simple()),
            url: endpoint.url.as_str().to_owned(),
            event_types: endpoint.event_types.clone(),
            disabled: endpoint.disabled,
            created_at: endpoint.created_at,
            secret_rotated_at: endpoint.secret_rotated_at,
            previous_secret_expires_at: endpoint.previous_secret_expires_at,
        }
    }
}

/// A webhook endpoint with its new signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookEndpointWithSecret)]
pub struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    endpoint: WebhookEndpointView,
    /// The signing secret, shown this once.
    secret: String,
}

fn with_secret(
    (endpoint, secret): &(WebhookEndpoint, WebhookSecret),
) -> (actix_web::http::StatusCode, serde_json::Value) {
    idempotency::created(WebhookEndpointWithSecret {
        endpoint: WebhookEndpointView::from(endpoint),
        secret: secret.expose().to_owned(),
    })
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
        (status = 201, description = "The endpoint and its secret (a retry with the same key gets the same endpoint and secret).", body = WebhookEndpointWithSecret),
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
    // No transaction here: the answer is stored right after the endpoint, sealed.
    idempotency::once(&state, &req, &caller.0, &body, with_secret, |_| async {
        let body: WebhookBody = parse_json(&body)?;
        Ok(state
            .use_cases
            .webhook_endpoints
            .create(&body.url, body.event_types, body.from.into())
            .await?)
    })
    .await
}

/// A webhook endpoint id as the API shows it, `whe_…`.
struct EndpointRef(uuid::Uuid);

impl std::str::FromStr for EndpointRef {
    type Err = ();

    fn from_str(raw: &str) -> Result<Self, ()> {
        raw.strip_prefix("whe_")
            .and_then(|u| uuid::Uuid::try_parse(u).ok())
            .map(Self)
            .ok_or(())
    }
}

/// The endpoint in the path; an id of the wrong shape names no endpoint.
fn endpoint_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    raw.parse::<EndpointRef>()
        .map(|e| e.0)
        .map_err(|()| ApiError::new(crate::error::ErrorCode::NotFound))
}

/// The query of `GET /v1/webhook-endpoints`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EndpointsQuery {
    /// 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last endpoint id of the previous page (`whe_…`).
    #[param(pattern = "^whe_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

/// A page of webhook endpoints, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookEndpointList)]
pub struct WebhookEndpointList {
    data: Vec<WebhookEndpointView>,
    has_more: bool,
}

/// The webhook endpoints, oldest first (SPEC §6)
///
/// Deleted endpoints are not listed. Secrets are never shown here.
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "list_webhook_endpoints",
    tag = "events",
    params(EndpointsQuery),
    responses(
        (status = 200, description = "A page of endpoints.", body = WebhookEndpointList),
        (status = 422, description = "`validation_failed`: `limit` or `starting_after`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[get("/v1/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<HttpState>,
    _caller: Authorized,
    query: web::Query<EndpointsQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = crate::routes::page::<EndpointRef>(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not a webhook endpoint id.",
    )?;
    let page = realname_ports::Page {
        starting_after: page.starting_after.map(|e| e.0),
        limit: page.limit,
    };
    let (endpoints, has_more) = state.use_cases.webhook_endpoints.list(page).await?;
    Ok(HttpResponse::Ok().json(WebhookEndpointList {
        data: endpoints.iter().map(WebhookEndpointView::from).collect(),
        has_more,
    }))
}

/// A webhook endpoint (SPEC §6)
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "get_webhook_endpoint",
    tag = "events",
    params(("id" = String, Path, description = "The endpoint id (`whe_…`).", pattern = "^whe_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookEndpointView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[get("/v1/webhook-endpoints/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<HttpState>,
    _caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = state
        .use_cases
        .webhook_endpoints
        .get(endpoint_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookEndpointView::from(&endpoint)))
}

/// The body of `PATCH /v1/webhook-endpoints/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UpdateWebhookEndpoint)]
pub struct EndpointPatch {
    /// `true` holds its events and posts nothing; `false` resumes, oldest held event first.
    disabled: bool,
}

/// Disable or enable a webhook endpoint (SPEC §6)
///
/// While disabled, events are still queued for it and held; enabling it delivers them.
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "update_webhook_endpoint",
    tag = "events",
    params(("id" = String, Path, description = "The endpoint id (`whe_…`).", pattern = "^whe_[0-9a-f]{32}$")),
    request_body(content = EndpointPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookEndpointView),
        MalformedRequest,
        NotFound,
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[patch("/v1/webhook-endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<HttpState>,
    _caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = endpoint_id(&id)?;
    let body: EndpointPatch = parse_json(&body)?;
    let endpoint = state
        .use_cases
        .webhook_endpoints
        .set_disabled(id, body.disabled)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookEndpointView::from(&endpoint)))
}

/// Delete a webhook endpoint (SPEC §6)
///
/// Nothing more is queued or posted for it; its pending deliveries are cancelled. Its delivery
/// history is kept, but no longer shown.
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "delete_webhook_endpoint",
    tag = "events",
    params(("id" = String, Path, description = "The endpoint id (`whe_…`).", pattern = "^whe_[0-9a-f]{32}$")),
    responses(
        (status = 204, description = "Deleted."),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[delete("/v1/webhook-endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<HttpState>,
    _caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .use_cases
        .webhook_endpoints
        .delete(endpoint_id(&id)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The body of `POST /v1/webhook-endpoints/{id}/secret-rotations`: nothing, or `{}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RotateWebhookSecret)]
pub struct RotationBody {}

/// Rotate a webhook endpoint's signing secret (SPEC §6)
///
/// The new secret is shown this once. For `webhooks.rotation_overlap_hours` (24 by default)
/// every delivery carries two `v1=` signatures, with the new secret and the old one, so a
/// receiver can switch at its own pace; then the old secret is dropped. Rotating again within
/// the overlap drops the oldest secret at once.
///
/// Roles: admin.
#[utoipa::path(
    operation_id = "rotate_webhook_secret",
    tag = "events",
    params(("id" = String, Path, description = "The endpoint id (`whe_…`).", pattern = "^whe_[0-9a-f]{32}$"), idempotency::IdempotencyKey),
    request_body(content = Option<RotationBody>, content_type = "application/json",
        description = "None, or `{}`."),
    responses(
        (status = 201, description = "The endpoint and its new secret (a retry with the same key gets the same secret).", body = WebhookEndpointWithSecret),
        NotFound,
        (status = 409, description = "`idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        MalformedRequest,
        (status = 422, description = "`idempotency_key_reused`, `validation_failed`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[post("/v1/webhook-endpoints/{id}/secret-rotations")]
pub async fn rotate_webhook_secret(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // As for a new endpoint, the answer is stored sealed right after the rotation. The key is
    // bound to the body and to the path, so one key never rotates two endpoints.
    let mut bound = body.to_vec();
    bound.extend_from_slice(req.path().as_bytes());
    idempotency::once(&state, &req, &caller.0, &bound, with_secret, |_| async {
        if !body.is_empty() {
            let _: RotationBody = parse_json(&body)?;
        }
        Ok(state
            .use_cases
            .webhook_endpoints
            .rotate_secret(endpoint_id(&id)?)
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
    let endpoint = endpoint_id(&id)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(
            DeliveryStatus::parse(raw)
                .ok_or_else(|| invalid("status", "Use pending, delivered, failed or cancelled."))?,
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
        .webhook_endpoints
        .deliveries(endpoint, status, page)
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        data: records.iter().map(DeliveryView::from).collect(),
        has_more,
    }))
}

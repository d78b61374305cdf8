//! What could not be delivered: the durable notifications, for admins (R8, R14, R17, R19).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use realname_domain::notification::NoticeKind;
use realname_ports::{NotificationRecord, NotificationStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Authorized;
use crate::error::{ApiError, BearerProblems, FieldError, Problem};
use crate::schema::one_of;
use crate::state::HttpState;

/// The query of `GET /v1/notifications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// Only notifications in this state; `failed` shows what could not be delivered.
    #[param(schema_with = notification_statuses)]
    status: Option<String>,
    /// 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last notification id of the page before.
    #[param(pattern = "^ntf_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

fn notification_statuses() -> utoipa::openapi::schema::Object {
    one_of(NotificationStatus::ALL.map(NotificationStatus::as_str))
}

fn notice_kinds() -> utoipa::openapi::schema::Object {
    one_of(NoticeKind::ALL.map(NoticeKind::as_str))
}

fn channels() -> utoipa::openapi::schema::Object {
    one_of(["sms", "email"])
}

/// One notification: what, to whom by account, and how delivery went. No number, no name.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notification)]
pub struct NotificationView {
    /// `ntf_…`.
    id: String,
    #[schema(schema_with = notice_kinds)]
    kind: &'static str,
    #[schema(schema_with = channels)]
    channel: &'static str,
    /// `acct_…`.
    account_id: String,
    #[schema(schema_with = notification_statuses)]
    status: &'static str,
    attempts: u32,
    /// The last failure: the gateway's status or code.
    #[schema(required)]
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    #[schema(required)]
    last_attempt_at: Option<DateTime<Utc>>,
}

impl From<&NotificationRecord> for NotificationView {
    fn from(r: &NotificationRecord) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.as_str(),
            channel: r.channel.as_str(),
            account_id: r.account_id.to_string(),
            status: r.status.as_str(),
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            created_at: r.created_at,
            last_attempt_at: r.last_attempt_at,
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationPage)]
pub struct NotificationPage {
    data: Vec<NotificationView>,
    has_more: bool,
}

/// Notifications, newest first; `status=failed` shows what could not be delivered
///
/// Holder notices go by SMS, support escalations by e-mail; each is retried until
/// `notifications.give_up_after_hours`, then `failed`. Roles: admin.
#[utoipa::path(
    operation_id = "list_notifications",
    tag = "events",
    params(NotificationsQuery),
    responses(
        (status = 200, description = "A page of notifications.", body = NotificationPage),
        (status = 422, description = "`validation_failed`: `status`, `limit` or `starting_after`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
#[get("/v1/notifications")]
pub async fn list_notifications(
    state: web::Data<HttpState>,
    _caller: Authorized,
    query: web::Query<NotificationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(NotificationStatus::parse(raw).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "status",
                "invalid_format",
                "Use pending, sent or failed.",
            )])
        })?),
    };
    let page = crate::routes::page(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not a notification id.",
    )?;
    let (records, has_more) = state
        .use_cases
        .list_notifications
        .execute(status, page)
        .await?;
    Ok(HttpResponse::Ok().json(NotificationPage {
        data: records.iter().map(NotificationView::from).collect(),
        has_more,
    }))
}

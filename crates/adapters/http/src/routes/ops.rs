//! Operations endpoints; no authentication.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::error::{ApiError, ErrorCode, Problem};
use crate::state::HttpState;

/// A probe's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Probe {
    #[schema(schema_with = probe_statuses)]
    status: &'static str,
}

fn probe_statuses() -> utoipa::openapi::schema::Object {
    crate::schema::one_of(["ok", "ready"])
}

/// The process is up
///
/// Roles: anyone, without a token.
#[utoipa::path(
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "`ok`.", body = Probe)),
    extensions(("x-roles" = json!([]))),
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Probe { status: "ok" })
}

/// The database is reachable and migrated
///
/// Roles: anyone, without a token.
#[utoipa::path(
    operation_id = "readyz",
    tag = "operations",
    responses(
        (status = 200, description = "`ready`.", body = Probe),
        (status = 503, description = "`service_unavailable`", body = Problem,
            content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!([]))),
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<HttpState>) -> Result<HttpResponse, ApiError> {
    if state.readiness.ready().await {
        Ok(HttpResponse::Ok().json(Probe { status: "ready" }))
    } else {
        Err(ApiError::new(ErrorCode::Unavailable)
            .detail("The database is unreachable or not migrated."))
    }
}

/// Unknown paths answer problem+json 404.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::NotFound))
}

//! Prometheus metrics: request counts and durations per route pattern (never per id, so no
//! account id or other value ends up in a label).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::state::HttpState;

/// Records `http_requests_total` and `http_request_duration_seconds` for every request.
///
/// # Errors
/// What the wrapped service returns.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let response = next.call(req).await?;
    let request = response.request();
    // After routing, actix-web knows the matched resource: no second match of the path.
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let labels = [
        ("method", request.method().as_str().to_owned()),
        ("route", route),
        ("status", response.status().as_str().to_owned()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// `GET /metrics`: Prometheus text.
pub async fn export(state: web::Data<HttpState>) -> HttpResponse {
    let text = state
        .metrics
        .as_ref()
        .map(|render| render())
        .unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text)
}

//! Prometheus metrics: request counts and durations per route pattern (never per id, so no
//! account id or other value ends up in a label).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use std::sync::Arc;

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
        ("method", method_label(request.method()).to_owned()),
        ("route", route),
        ("status", response.status().as_str().to_owned()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// The method label: a standard method, or `other`, so invented methods add no series.
#[must_use]
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method as M;
    match *method {
        M::GET => "GET",
        M::HEAD => "HEAD",
        M::POST => "POST",
        M::PUT => "PUT",
        M::DELETE => "DELETE",
        M::PATCH => "PATCH",
        M::OPTIONS => "OPTIONS",
        M::TRACE => "TRACE",
        M::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// Renders the Prometheus text.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// The metrics listener (`telemetry.metrics_listen`, not the public port): `GET /metrics`
/// only.
///
/// # Errors
/// When the address cannot be bound.
pub fn server(
    listener: std::net::TcpListener,
    render: Render,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(web::Data::new(render.clone()))
            .route("/metrics", web::get().to(export))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

async fn export(render: web::Data<Render>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(render.get_ref()())
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    use super::method_label;

    #[test]
    fn invented_methods_share_one_label() {
        // The attack: X000 … X059, each a permanent series.
        for n in 0..60 {
            let invented = Method::from_bytes(format!("X{n:03}").as_bytes()).unwrap();
            assert_eq!(method_label(&invented), "other");
        }
        assert_eq!(method_label(&Method::POST), "POST");
    }
}

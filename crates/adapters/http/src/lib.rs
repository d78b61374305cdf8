//! The HTTP adapter: actix-web routes of API.md, DTOs, JWT roles, provider signatures,
//! idempotency keys and problem+json errors.
//!
//! Handlers translate; they decide no rule. This crate must not know the database.

pub mod auth;
pub mod console;
pub mod dto;
pub mod error;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
mod schema;
pub mod signature;
pub mod state;
pub mod telemetry;
pub mod views;

use actix_web::web;
use serde::Deserialize;

pub use auth::{AuthSettings, Authenticator, Role};
pub use signature::{ProviderSecrets, SignatureSettings};
pub use state::{HttpState, UseCases};

/// Where and how the server listens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// The listen address, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub listen: String,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Where this service is reached from outside: providers return holders and post results
    /// under it. Required in production mode.
    #[serde(default)]
    pub public_base_url: Option<String>,
    /// Where a holder's browser is sent after a provider's page, with `?application=<id>`.
    #[serde(default)]
    pub holder_return_url: Option<String>,
}

/// The whole API on an actix-web app: the routes and `/openapi.json`, from one registration;
/// the roles and idempotency of each operation, read from that document; `/docs`; and the
/// default answer. `/metrics` is on a listener of its own ([`metrics::server`]).
///
/// # Panics
/// Never: a test builds the same document and reads its roles.
pub fn serve<T>(app: actix_web::App<T>, state: web::Data<HttpState>) -> actix_web::App<T>
where
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Error = actix_web::Error,
            InitError = (),
        >,
{
    use utoipa_actix_web::AppExt;
    let sandbox = state.sandbox;
    let (app, document) = app
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            error::ApiError::validation(vec![error::FieldError::new(
                "query",
                "invalid",
                e.to_string(),
            )])
            .into()
        }))
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| error::ApiError::new(error::ErrorCode::NotFound).into()),
        )
        .app_data(web::PayloadConfig::new(64 * 1024))
        .into_utoipa_app()
        .openapi(openapi::frame())
        .configure(|cfg| routes::configure(cfg, sandbox))
        .split_for_parts();
    let table = openapi::RouteTable::from_document(&document)
        .unwrap_or_else(|e| unreachable!("the annotated roles are roles: {e}"));
    app.app_data(web::Data::new(table))
        .route(
            "/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::Found()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .service(utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document))
        .configure(console::configure)
        .default_service(web::to(routes::ops::not_found))
}

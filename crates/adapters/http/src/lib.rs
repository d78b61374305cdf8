//! The HTTP adapter: actix-web routes of API.md, DTOs, JWT roles, provider signatures,
//! idempotency keys and problem+json errors.
//!
//! Handlers translate; they decide no rule. This crate must not know the database.

pub mod auth;
pub mod dto;
pub mod error;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
pub mod signature;
pub mod state;
pub mod telemetry;
pub mod views;

use actix_web::web;
use serde::Deserialize;

pub use auth::{AuthSettings, Authenticator, Role};
pub use signature::SignatureSettings;
pub use state::{HttpState, UseCases};

/// Where and how the server listens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// The listen address, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub listen: String,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
}

/// Configures the whole API on an actix-web app.
pub fn configure(state: web::Data<HttpState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let sandbox = state.sandbox;
        cfg.app_data(state)
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
            .app_data(web::PayloadConfig::new(64 * 1024));
        routes::configure(cfg, sandbox);
        cfg.default_service(web::to(routes::ops::not_found));
    }
}

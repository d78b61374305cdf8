//! The routes of API.md, one module per area. Handlers extract, convert, call one use case and
//! map the result; nothing else.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod events;
pub mod identity;
pub mod lifecycle;
pub mod ops;
pub mod providers;
pub mod real_name;
pub mod review;
pub mod sub_accounts;

use actix_web::web;
use realname_domain::{AccountId, ApplicationId};

use crate::error::{ApiError, ErrorCode};

/// An account id from the path; a malformed one cannot exist, so it is 404.
pub(crate) fn account_id(raw: &str) -> Result<AccountId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such account."))
}

/// An application id from the path.
pub(crate) fn application_id(raw: &str) -> Result<ApplicationId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such application."))
}

/// The configuration that collects each annotated handler's OpenAPI entry as it registers it.
pub type Routes<'a> = utoipa_actix_web::service_config::ServiceConfig<'a>;

/// Registers every route. Operations registered with `.service()` carry their own OpenAPI entry
/// (`#[utoipa::path]`), roles (`x-roles`) and path; the `.route()` ones are still described by
/// the table in [`crate::openapi`] until they move.
pub fn configure(cfg: &mut Routes<'_>, sandbox: bool) {
    // The capability query comes first: the router tries resources in order, one regular
    // expression each, and this is the path other services call on every purchase (under load,
    // route matching was a quarter of the server's CPU).
    cfg.service(real_name::get_capabilities)
        .service(ops::healthz)
        .route(
            "/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::Found()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .service(ops::readyz)
        .route("/metrics", web::get().to(crate::metrics::export))
        .service(real_name::list_verification_methods)
        .service(accounts::register_account)
        .service(accounts::get_account)
        .service(real_name::get_real_name)
        .service(real_name::remove_real_name)
        .service(applications::submit_application)
        .service(applications::list_applications)
        .service(applications::get_application)
        .service(applications::withdraw_application)
        .route(
            "/v1/provider-events/{provider}",
            web::post().to(providers::provider_event),
        )
        .route(
            "/v1/payment-credits",
            web::post().to(providers::payment_credit),
        )
        .service(review::list_review_queue)
        .service(audit::get_audit_log)
        .service(lifecycle::close_account)
        .route("/v1/events", web::get().to(events::feed))
        .route(
            "/v1/webhook-endpoints",
            web::post().to(events::create_webhook),
        )
        .route(
            "/v1/webhook-endpoints/{id}/deliveries",
            web::get().to(events::deliveries),
        )
        .route(
            "/v1/accounts/{id}/agreement",
            web::put().to(events::agreement),
        )
        .route("/v1/identity-proofs", web::post().to(identity::start))
        .route(
            "/v1/identity-proofs/{id}/accounts",
            web::get().to(identity::accounts),
        )
        .route(
            "/v1/identity-proofs/{id}/recoveries",
            web::post().to(identity::recover),
        )
        .route(
            "/v1/identity-proofs/{id}/recoveries/{rid}/confirm",
            web::post().to(identity::confirm_recovery),
        )
        .route(
            "/v1/identity-proofs/{id}/freezes",
            web::post().to(identity::freeze),
        )
        .route("/v1/appeals", web::post().to(identity::appeal))
        .route("/v1/cases", web::get().to(identity::cases))
        .route(
            "/v1/cases/{id}/resolution",
            web::post().to(identity::resolve),
        )
        .service(sub_accounts::create_sub_account)
        .service(sub_accounts::associate_sub_account)
        .service(sub_accounts::accept_association)
        .service(lifecycle::request_phone_change)
        .service(lifecycle::confirm_phone_change)
        .service(review::decide_application)
        .service(review::set_enterprise_account_limit);
    if sandbox {
        cfg.route(
            "/v1/sandbox/applications/{id}/complete",
            web::post().to(providers::sandbox_complete),
        )
        .route("/v1/sandbox/sms", web::get().to(lifecycle::sandbox_sms))
        .route(
            "/v1/sandbox/identity-proofs/{id}/complete",
            web::post().to(identity::sandbox_complete),
        );
    }
}

//! The routes of API.md, one module per area. Handlers extract, convert, call one use case and
//! map the result; nothing else.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod events;
pub mod identity;
pub mod lifecycle;
pub mod notifications;
pub mod ops;
pub mod providers;
pub mod real_name;
pub mod returns;
pub mod review;
pub mod sandbox;
pub mod sub_accounts;

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

/// A page from `limit` (1 to 100, `default` when absent) and `starting_after` (an id of the
/// listed kind; `not_an_id` says which when it is not one).
pub(crate) fn page<T: std::str::FromStr>(
    limit: Option<u32>,
    starting_after: Option<&str>,
    default: u32,
    not_an_id: &str,
) -> Result<realname_ports::Page<T>, ApiError> {
    page_up_to(limit, starting_after, (default, 100), not_an_id)
}

/// A page as [`page`] reads it, with a `limit` of 1 to `max`.
pub(crate) fn page_up_to<T: std::str::FromStr>(
    limit: Option<u32>,
    starting_after: Option<&str>,
    (default, max): (u32, u32),
    not_an_id: &str,
) -> Result<realname_ports::Page<T>, ApiError> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "limit",
            "out_of_range",
            format!("Use 1 to {max}."),
        )]));
    }
    let starting_after = match starting_after {
        None => None,
        Some(raw) => Some(raw.parse().map_err(|_| {
            ApiError::validation(vec![crate::error::FieldError::new(
                "starting_after",
                "invalid_format",
                not_an_id,
            )])
        })?),
    };
    Ok(realname_ports::Page {
        starting_after,
        limit,
    })
}

/// The configuration that collects each annotated handler's OpenAPI entry as it registers it.
pub type Routes<'a> = utoipa_actix_web::service_config::ServiceConfig<'a>;

/// Registers every operation of the API. Each handler carries its own OpenAPI entry
/// (`#[utoipa::path]`), roles (`x-roles`), idempotency (an `Idempotency-Key` parameter) and path,
/// so this registration is the router and the document at once. The sandbox's operations are
/// registered, and so documented, only while the sandbox is on.
pub fn configure(cfg: &mut Routes<'_>, sandbox: bool) {
    // The capability query comes first: the router tries resources in order, one regular
    // expression each, and this is the path other services call on every purchase (under load,
    // route matching was a quarter of the server's CPU).
    cfg.service(real_name::get_capabilities)
        .service(ops::healthz)
        .service(ops::readyz)
        .service(real_name::list_verification_methods)
        .service(accounts::register_account)
        .service(accounts::get_account)
        .service(real_name::get_real_name)
        .service(real_name::remove_real_name)
        .service(applications::submit_application)
        .service(applications::list_applications)
        .service(applications::get_application)
        .service(applications::withdraw_application)
        .service(providers::record_provider_event)
        .service(providers::record_payment_credit)
        .service(returns::return_from_faceid)
        .service(review::list_review_queue)
        .service(audit::get_audit_log)
        .service(lifecycle::close_account)
        .service(events::list_events)
        .service(events::create_webhook_endpoint)
        .service(events::list_webhook_endpoints)
        .service(events::get_webhook_endpoint)
        .service(events::update_webhook_endpoint)
        .service(events::delete_webhook_endpoint)
        .service(events::rotate_webhook_secret)
        .service(events::list_webhook_deliveries)
        .service(events::set_agreement)
        .service(notifications::list_notifications)
        .service(identity::start_identity_proof)
        .service(identity::get_identity_proof)
        .service(identity::find_accounts)
        .service(identity::request_recovery)
        .service(identity::confirm_recovery)
        .service(identity::freeze_accounts)
        .service(identity::open_appeal)
        .service(identity::list_cases)
        .service(identity::get_case)
        .service(identity::resolve_case)
        .service(sub_accounts::create_sub_account)
        .service(sub_accounts::list_sub_accounts)
        .service(sub_accounts::associate_sub_account)
        .service(sub_accounts::accept_association)
        .service(sub_accounts::decline_association)
        .service(sub_accounts::cancel_association)
        .service(sub_accounts::list_associations)
        .service(lifecycle::request_phone_change)
        .service(lifecycle::confirm_phone_change)
        .service(review::decide_application)
        .service(review::set_enterprise_account_limit)
        .service(review::get_enterprise_account_limit);
    if sandbox {
        cfg.service(providers::sandbox_complete_application)
            .service(lifecycle::sandbox_read_sms)
            .service(identity::sandbox_complete_identity_proof)
            .service(sandbox::sandbox_issue_token);
    }
}

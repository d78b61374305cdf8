//! Rate limits (API.md "Rate limits"): token buckets per client address and, on mutating and
//! proof endpoints, per account. `service` and `admin` tokens are exempt. Over a limit the answer
//! is 429 `rate_limited` with `Retry-After` and `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset`.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use realname_application::AppError;
use realname_domain::AccountId;
use serde::Deserialize;

use crate::auth::Role;
use crate::error::{ApiError, ErrorCode};
use crate::state::HttpState;

/// Rate-limit settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// The switch.
    pub enabled: bool,
    /// Requests per second per client address.
    pub per_address_per_second: u32,
    /// Requests per minute per account on mutating and proof endpoints.
    pub per_account_per_minute: u32,
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// The buckets of one process.
pub struct RateLimits {
    per_address: Keyed<IpAddr>,
    per_account: Keyed<String>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl RateLimits {
    /// The buckets for these settings; `None` when limits are switched off.
    #[must_use]
    pub fn new(settings: &RateLimitSettings) -> Option<Self> {
        if !settings.enabled {
            return None;
        }
        let address = NonZeroU32::new(settings.per_address_per_second).unwrap_or(NonZeroU32::MIN);
        let account = NonZeroU32::new(settings.per_account_per_minute).unwrap_or(NonZeroU32::MIN);
        Some(Self {
            per_address: RateLimiter::keyed(Quota::per_second(address))
                .with_middleware::<StateInformationMiddleware>(),
            per_account: RateLimiter::keyed(Quota::per_minute(account))
                .with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
        })
    }

    /// Forgets buckets that are full again, so memory follows the active callers only.
    pub fn forget_idle(&self) {
        self.per_address.retain_recent();
        self.per_account.retain_recent();
    }
}

/// The 429 for a refused request.
fn refused(
    not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>,
    clock: &DefaultClock,
) -> ApiError {
    let wait = not_until.wait_time_from(clock.now());
    let retry_after =
        i64::try_from(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).unwrap_or(1);
    let limit = not_until.quota().burst_size().get();
    ApiError::new(ErrorCode::RateLimited)
        .retry_after(retry_after.max(1))
        .header("RateLimit-Limit", limit.to_string())
        .header("RateLimit-Remaining", "0".to_owned())
        .header("RateLimit-Reset", retry_after.max(1).to_string())
}

/// Whether the account bucket applies: every mutating method, and the proof endpoints.
fn per_account(req: &ServiceRequest) -> bool {
    req.method() != Method::GET && req.method() != Method::HEAD
        || req.path().starts_with("/v1/identity-proofs")
}

/// The middleware.
///
/// # Errors
/// What the wrapped service returns.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = req.app_data::<web::Data<HttpState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let Some(limits) = state.rate_limits.as_ref() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let principal = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| state.auth.verify(token.trim()).ok());
    if principal
        .as_ref()
        .is_some_and(|p| matches!(p.role, Role::Service | Role::Admin))
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let address = req.peer_addr().map(|a| a.ip());
    let mut verdict = address.map(|ip| limits.per_address.check_key(&ip));
    if matches!(verdict, Some(Ok(_)) | None)
        && per_account(&req)
        && let Some(principal) = &principal
    {
        verdict = Some(limits.per_account.check_key(&principal.owner_label()));
    }
    match verdict {
        Some(Err(not_until)) => {
            // API.md: R7's attempt limit is checked first and keeps its own code.
            let error = match (attempted_account(&req), &principal) {
                (Some(account), Some(principal)) => state
                    .use_cases
                    .check_attempts
                    .execute(&principal.actor, account)
                    .await
                    .err()
                    .filter(|e| matches!(e, AppError::TooManyAttempts { .. }))
                    .map(ApiError::from),
                _ => None,
            };
            let error = error.unwrap_or_else(|| refused(&not_until, &limits.clock));
            Ok(req
                .into_response(error.error_response())
                .map_into_right_body())
        }
        _ => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

/// The account of an application submission (`POST /v1/accounts/{id}/applications`), where
/// R7 applies.
fn attempted_account(req: &ServiceRequest) -> Option<AccountId> {
    if req.method() != Method::POST {
        return None;
    }
    let id = req
        .path()
        .strip_prefix("/v1/accounts/")?
        .strip_suffix("/applications")?;
    id.parse().ok()
}

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
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed: behind them the
    /// client is the rightmost forwarded address that is not itself a trusted proxy.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

/// An address range, `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `addr` or `addr/prefix`.
    ///
    /// # Errors
    /// A message naming the entry.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("not an address or CIDR range: {raw:?}");
        let (addr, prefix) = raw
            .trim()
            .split_once('/')
            .map_or((raw.trim(), None), |(a, p)| (a, Some(p)));
        let base: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.map_or(Ok(max), |p| p.parse::<u8>().map_err(|_| bad()))?;
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { base, prefix })
    }

    /// Whether `ip` lies in the range.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        let ((base, width), (other, other_width)) = (bits(self.base), bits(ip));
        if width != other_width {
            return false;
        }
        let shift = u32::from(width - self.prefix);
        shift >= 128 || (base >> shift) == (other >> shift)
    }
}

/// The client address: the peer, or, when the peer is a trusted proxy, the rightmost
/// `X-Forwarded-For` entry that is not a trusted proxy.
#[must_use]
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|h| h.split(','))
        .rev()
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// The buckets of one process.
pub struct RateLimits {
    trusted: Vec<Network>,
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
    ///
    /// # Errors
    /// A `trusted_proxies` entry that is not an address or a CIDR range.
    pub fn new(settings: &RateLimitSettings) -> Result<Option<Self>, String> {
        if !settings.enabled {
            return Ok(None);
        }
        let trusted = settings
            .trusted_proxies
            .iter()
            .map(|raw| Network::parse(raw))
            .collect::<Result<Vec<_>, _>>()?;
        let address = NonZeroU32::new(settings.per_address_per_second).unwrap_or(NonZeroU32::MIN);
        let account = NonZeroU32::new(settings.per_account_per_minute).unwrap_or(NonZeroU32::MIN);
        Ok(Some(Self {
            trusted,
            per_address: RateLimiter::keyed(Quota::per_second(address))
                .with_middleware::<StateInformationMiddleware>(),
            per_account: RateLimiter::keyed(Quota::per_minute(account))
                .with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
        }))
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
    let forwarded = req
        .headers()
        .get("X-Forwarded-For")
        .and_then(|v| v.to_str().ok());
    let address = req
        .peer_addr()
        .map(|a| client_address(a.ip(), forwarded, &limits.trusted));
    let mut verdict = address.map(|ip| limits.per_address.check_key(&bucket_of(ip)));
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

/// The per-address bucket of a client: its IPv4 address, or its IPv6 /64, which one subscriber
/// holds whole (an address per request would otherwise be unlimited). An IPv4-mapped address
/// counts as its IPv4 address.
#[must_use]
pub fn bucket_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_ipv6_slash_64_is_one_bucket() {
        // The attack: a fresh address of the same /64 for every request.
        let limiter: Keyed<IpAddr> =
            RateLimiter::keyed(Quota::per_second(NonZeroU32::new(3).unwrap()))
                .with_middleware::<StateInformationMiddleware>();
        let allowed = (1..=10u16)
            .map(|n| ip(&format!("2001:db8:1:2::{n:x}")))
            .filter(|addr| limiter.check_key(&bucket_of(*addr)).is_ok())
            .count();
        assert_eq!(allowed, 3);
        assert_ne!(
            bucket_of(ip("2001:db8:1:2::1")),
            bucket_of(ip("2001:db8:1:3::1")),
            "another /64 is another subscriber"
        );
        assert_eq!(bucket_of(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(bucket_of(ip("203.0.113.7")), ip("203.0.113.7"));
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn ranges_contain_their_addresses_only() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.255.1.2")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::1")));
        assert!(
            Network::parse("127.0.0.1")
                .unwrap()
                .contains(ip("127.0.0.1"))
        );
        assert!(
            !Network::parse("127.0.0.1")
                .unwrap()
                .contains(ip("127.0.0.2"))
        );
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Network::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("proxy").is_err());
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_the_rightmost_untrusted_entry_is_the_client() {
        let trusted = [Network::parse("10.0.0.0/8").unwrap()];
        let header = Some("1.2.3.4, 203.0.113.7, 10.0.0.5");
        assert_eq!(
            client_address(ip("10.0.0.9"), header, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("198.51.100.1"), header, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.9"), None, &trusted),
            ip("10.0.0.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.9"), Some("junk"), &trusted),
            ip("10.0.0.9")
        );
        assert_eq!(client_address(ip("10.0.0.9"), header, &[]), ip("10.0.0.9"));
    }
}

//! Webhook subscriptions and delivery retries (SPEC §6, API.md "Events").

use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// Why a subscription URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EndpointRefused {
    /// Not an absolute `http(s)://host…` URL.
    #[error("the url is not an absolute http or https url")]
    Malformed,
    /// Production accepts only `https://`.
    #[error("only https urls are accepted")]
    NotHttps,
    /// Production accepts only public addresses.
    #[error("the url points to a loopback, private or link-local address")]
    NotPublic,
    /// An event type that does not exist.
    #[error("unknown event type")]
    UnknownEventType,
}

/// A checked endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Parses a subscription URL. With `allow_local` (sandbox and development modes) `http://`
    /// and loopback or private hosts are accepted; otherwise only `https://` to a public host.
    ///
    /// # Errors
    /// [`EndpointRefused`] with the reason.
    pub fn parse(raw: &str, allow_local: bool) -> Result<Self, EndpointRefused> {
        let raw = raw.trim();
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EndpointRefused::Malformed);
        }
        // WHATWG parsing, as a client would: `127.1`, `2130706433` and `0x7f000001` are
        // 127.0.0.1, a backslash ends the authority, brackets hold IPv6.
        let url = url::Url::parse(raw).map_err(|_| EndpointRefused::Malformed)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointRefused::Malformed);
        }
        let host = url.host().ok_or(EndpointRefused::Malformed)?;
        if allow_local {
            return Ok(Self(url.to_string()));
        }
        if url.scheme() != "https" {
            return Err(EndpointRefused::NotHttps);
        }
        let public = match host {
            url::Host::Ipv4(ip) => is_public_ip(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => is_public_ip(IpAddr::V6(ip)),
            url::Host::Domain(name) => is_public_name(name),
        };
        if !public {
            return Err(EndpointRefused::NotPublic);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointRefused::Malformed);
        }
        Ok(Self(url.to_string()))
    }

    /// The URL.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a name may be a public destination: not `localhost` or an internal suffix, with or
/// without the trailing dot. Whether it resolves to a public address is checked at connect
/// time, on every delivery ([`is_public_ip`]).
fn is_public_name(name: &str) -> bool {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    !(lower.is_empty()
        || lower == "localhost"
        || lower.ends_with(".localhost")
        || lower.ends_with(".internal")
        || lower.ends_with(".local"))
}

/// Whether an address is public: not loopback, private, link-local, CGNAT (`100.64/10`),
/// benchmarking (`198.18/15`), `0/8`, IETF protocol assignments (`192.0.0/24`), multicast,
/// broadcast or reserved (`224/3`); for IPv6
/// also not unique-local, link-local, multicast, and not an IPv4-mapped, -compatible or NAT64
/// (`64:ff9b::/96`) form of a non-public IPv4 address.
#[must_use]
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(a == 0
                || a >= 224
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || (a == 100 && (b & 0xC0) == 64)
                || (a == 198 && (b & 0xFE) == 18)
                || (a == 192 && b == 0 && c == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            let embedded =
                std::net::Ipv4Addr::from(u32::try_from(u128::from(v6) & 0xffff_ffff).unwrap_or(0));
            // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and IPv4-compatible forms.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                || segments[..3] == [0x64, 0xff9b, 1]
                || segments[..6] == [0, 0, 0, 0, 0, 0]
            {
                return !v6.is_loopback()
                    && !v6.is_unspecified()
                    && is_public_ip(IpAddr::V4(embedded));
            }
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xFE00) == 0xFC00
                || (first & 0xFFC0) == 0xFE80)
        }
    }
}

/// An endpoint's signing secret. Shown once, when the endpoint is created; never in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    /// A secret from 32 or more random bytes, as `whsec_<hex>`.
    #[must_use]
    pub fn from_random(bytes: &[u8]) -> Self {
        Self(format!("whsec_{}", hex::encode(bytes)))
    }

    /// A stored secret.
    #[must_use]
    pub const fn from_stored(secret: String) -> Self {
        Self(secret)
    }

    /// The secret, to sign with or to show once.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: uuid::Uuid,
    /// Where events are posted.
    pub url: EndpointUrl,
    /// The event types it wants; empty means every type.
    pub event_types: Vec<String>,
    /// While disabled, its events are queued and held, and nothing is posted.
    pub disabled: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its secret was last rotated.
    pub secret_rotated_at: Option<DateTime<Utc>>,
    /// Until when deliveries are also signed with the secret before the last rotation.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// Where a new endpoint's deliveries start in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartFrom {
    /// With the events after its creation: the feed's head.
    #[default]
    Head,
    /// With the whole history, oldest first.
    Beginning,
}

/// The secrets an endpoint's deliveries are signed with: the current one and, for the overlap
/// after a rotation, the one before it, so receivers can switch without missing a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSecrets {
    /// The secret shown at the last rotation (or at creation).
    pub current: WebhookSecret,
    /// The secret before it, and when it stops being used.
    pub previous: Option<(WebhookSecret, DateTime<Utc>)>,
}

impl SigningSecrets {
    /// The secrets to sign with at `now`, current first; the previous one only before its end.
    #[must_use]
    pub fn in_use_at(&self, now: DateTime<Utc>) -> Vec<WebhookSecret> {
        let mut secrets = vec![self.current.clone()];
        if let Some((previous, until)) = &self.previous
            && now < *until
        {
            secrets.push(previous.clone());
        }
        secrets
    }

    /// When the secret being replaced by a rotation at `now` stops being used. A secret
    /// replaced earlier that was still overlapping is dropped at once: only the last two
    /// secrets ever sign.
    #[must_use]
    pub fn previous_until(now: DateTime<Utc>, overlap: Duration) -> DateTime<Utc> {
        now + overlap
    }
}

impl WebhookEndpoint {
    /// Whether it wants events of this type.
    #[must_use]
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// Checks requested event types against the known ones.
///
/// # Errors
/// [`EndpointRefused::UnknownEventType`].
pub fn check_event_types(requested: &[String], known: &[&str]) -> Result<(), EndpointRefused> {
    if requested.iter().all(|t| known.contains(&t.as_str())) {
        Ok(())
    } else {
        Err(EndpointRefused::UnknownEventType)
    }
}

/// How deliveries are retried: exponential backoff from `first_retry`, capped at `max_wait`,
/// for at least `give_up_after` since the first attempt (SPEC §6: at least 3 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// The wait after the first failure.
    pub first_retry: Duration,
    /// The longest wait between attempts.
    pub max_wait: Duration,
    /// No attempt is made after this long since the event was queued; the delivery fails.
    pub give_up_after: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            first_retry: Duration::seconds(30),
            max_wait: Duration::hours(6),
            give_up_after: Duration::days(3),
        }
    }
}

/// What happens after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Give up: the delivery is marked failed for that endpoint, visible to admins.
    GiveUp,
}

impl DeliveryPolicy {
    /// Decides after the `attempts`-th failed attempt (1 for the first) of a delivery queued at
    /// `queued_at`. The last retry is scheduled at the end of the window, so deliveries are
    /// tried for the whole window and never given up early.
    #[must_use]
    pub fn after_failure(
        &self,
        attempts: u32,
        queued_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> AfterFailure {
        let deadline = queued_at + self.give_up_after;
        if now >= deadline {
            return AfterFailure::GiveUp;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self.first_retry * 2_i32.saturating_pow(doublings);
        AfterFailure::RetryAt((now + wait.min(self.max_wait)).min(deadline))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn development_accepts_http_and_loopback() {
        assert!(EndpointUrl::parse("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(EndpointUrl::parse("http://localhost/hook", true).is_ok());
        assert_eq!(
            EndpointUrl::parse("ftp://example.com", true),
            Err(EndpointRefused::Malformed)
        );
        assert_eq!(
            EndpointUrl::parse("not a url", true),
            Err(EndpointRefused::Malformed)
        );
    }

    #[test]
    fn production_accepts_only_https_to_public_hosts() {
        assert!(EndpointUrl::parse("https://hooks.example.com/realname", false).is_ok());
        assert!(EndpointUrl::parse("https://203.0.113.9/x", false).is_ok());
        assert_eq!(
            EndpointUrl::parse("http://hooks.example.com", false),
            Err(EndpointRefused::NotHttps)
        );
        for private in [
            "https://127.0.0.1/x",
            "https://localhost:8443/x",
            "https://10.1.2.3/x",
            "https://192.168.0.10/x",
            "https://172.16.5.4/x",
            "https://169.254.169.254/latest",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://0.0.0.0/x",
            "https://100.64.0.1/x",
            "https://user@127.0.0.1:443/x",
        ] {
            assert_eq!(
                EndpointUrl::parse(private, false),
                Err(EndpointRefused::NotPublic),
                "{private}"
            );
        }
    }

    #[test]
    fn a_secret_never_shows_in_debug() {
        let secret = WebhookSecret::from_random(&[7; 32]);
        assert!(secret.expose().starts_with("whsec_0707"));
        assert!(!format!("{secret:?}").contains("0707"));
    }

    #[test]
    fn an_endpoint_without_types_wants_everything() {
        let endpoint = WebhookEndpoint {
            id: uuid::Uuid::nil(),
            url: EndpointUrl::parse("https://example.com", false).unwrap(),
            event_types: Vec::new(),
            disabled: false,
            created_at: Utc::now(),
            secret_rotated_at: None,
            previous_secret_expires_at: None,
        };
        assert!(endpoint.wants("account.revoked"));
        let picky = WebhookEndpoint {
            event_types: vec!["account.revoked".into()],
            ..endpoint
        };
        assert!(picky.wants("account.revoked"));
        assert!(!picky.wants("account.created"));
    }

    #[test]
    fn after_a_rotation_both_secrets_sign_until_the_overlap_ends() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let until = SigningSecrets::previous_until(now, Duration::hours(24));
        assert_eq!(until, now + Duration::hours(24));
        let secrets = SigningSecrets {
            current: WebhookSecret::from_stored("whsec_new".into()),
            previous: Some((WebhookSecret::from_stored("whsec_old".into()), until)),
        };
        let shown = |at| {
            secrets
                .in_use_at(at)
                .iter()
                .map(|s| s.expose().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(now), ["whsec_new", "whsec_old"]);
        assert_eq!(
            shown(until - Duration::seconds(1)),
            ["whsec_new", "whsec_old"]
        );
        assert_eq!(shown(until), ["whsec_new"]);
        let fresh = SigningSecrets {
            previous: None,
            ..secrets.clone()
        };
        assert_eq!(fresh.in_use_at(now).len(), 1);
    }

    #[test]
    fn retries_back_off_and_cover_at_least_three_days() {
        let policy = DeliveryPolicy::default();
        let queued = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let mut now = queued;
        let mut attempts = 0;
        let mut waits = Vec::new();
        loop {
            attempts += 1;
            match policy.after_failure(attempts, queued, now) {
                AfterFailure::RetryAt(at) => {
                    waits.push(at - now);
                    now = at;
                }
                AfterFailure::GiveUp => break,
            }
        }
        assert_eq!(waits[0], Duration::seconds(30));
        assert_eq!(waits[1], Duration::seconds(60));
        assert!(waits.iter().all(|w| *w <= Duration::hours(6)));
        assert!(
            now - queued >= Duration::days(3),
            "gave up after {}",
            now - queued
        );
        assert!(attempts < 40, "{attempts} attempts");
    }

    #[test]
    fn every_disguise_of_an_internal_address_is_refused() {
        // The attack: each of these passed the old hand-written check.
        for disguised in [
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://localhost./",
            "https://127.0.0.1\\@example.com/",
            "https://100.64.0.1/",
            "https://198.18.0.1/",
            "https://0.0.0.1/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[ff02::1]/",
            "https://user:pw@example.com/",
        ] {
            assert!(
                EndpointUrl::parse(disguised, false).is_err(),
                "{disguised} was accepted"
            );
        }
        assert!(EndpointUrl::parse("https://[2606:4700::1111]/hook", false).is_ok());
        assert!(EndpointUrl::parse("https://[64:ff9b::808:808]/", false).is_ok());
    }
}

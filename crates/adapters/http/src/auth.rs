//! JWT bearer authentication with the API.md roles.

use std::fmt;
use std::future::{Ready, ready};

use futures::future::LocalBoxFuture;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use realname_domain::{AccountId, Actor};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::state::HttpState;

/// The roles of API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An account holder.
    Holder,
    /// A platform service.
    Service,
    /// A reviewer.
    Reviewer,
    /// An account manager.
    AccountManager,
    /// An administrator.
    Admin,
}

impl Role {
    /// Parses a role name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }
}

/// The token's claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The subject: who holds the token.
    pub sub: String,
    /// The role.
    pub role: Role,
    /// For holders: the root account they control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}

/// Auth settings.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// The `iss` claim required.
    pub issuer: String,
    /// The `aud` claim required.
    pub audience: String,
    /// The HS256 signing key (development and scripts); empty: no HS256 token is accepted.
    pub signing_key: SecretString,
    /// The platform identity provider's public keys, `kid` → PEM (RS256 or EdDSA).
    #[serde(default)]
    pub public_keys: std::collections::BTreeMap<String, String>,
    /// Tokens living longer than this (`exp - iat`) are refused.
    #[serde(default = "default_max_ttl")]
    pub max_ttl_secs: i64,
}

const fn default_max_ttl() -> i64 {
    86_400
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("signing_key", &"[redacted]")
            .finish()
    }
}

/// How far a token's `iat` may run ahead of this clock: jsonwebtoken's default leeway.
const CLOCK_SKEW_SECS: i64 = 60;

/// Issues and checks tokens.
#[derive(Clone)]
pub struct Authenticator {
    settings: AuthSettings,
    /// HS256 under the signing key, when one is set.
    shared: Option<(DecodingKey, Validation)>,
    /// The identity provider's keys, by `kid`.
    public: Vec<(String, DecodingKey, Validation)>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator for these settings.
    ///
    /// # Panics
    /// Never: unreadable public keys are refused by [`Self::try_new`] at start-up.
    #[must_use]
    pub fn new(settings: AuthSettings) -> Self {
        Self::try_new(settings).unwrap_or_else(|e| unreachable!("checked at start-up: {e}"))
    }

    /// An authenticator for these settings.
    ///
    /// # Errors
    /// Naming the `kid` whose key is neither an RSA nor an Ed25519 public key in PEM.
    pub fn try_new(settings: AuthSettings) -> Result<Self, String> {
        let validation = |algorithm| {
            let mut validation = Validation::new(algorithm);
            validation.set_issuer(&[&settings.issuer]);
            validation.set_audience(&[&settings.audience]);
            validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            validation.validate_nbf = true;
            validation
        };
        let secret = settings.signing_key.expose_secret();
        let shared = (!secret.is_empty()).then(|| {
            (
                DecodingKey::from_secret(secret.as_bytes()),
                validation(Algorithm::HS256),
            )
        });
        let mut public = Vec::new();
        for (kid, pem) in &settings.public_keys {
            let (key, algorithm) = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map(|k| (k, Algorithm::RS256))
                .or_else(|_| {
                    DecodingKey::from_ed_pem(pem.as_bytes()).map(|k| (k, Algorithm::EdDSA))
                })
                .map_err(|_| {
                    format!("auth.public_keys.{kid} is not an RSA or Ed25519 public key")
                })?;
            public.push((kid.clone(), key, validation(algorithm)));
        }
        Ok(Self {
            settings,
            shared,
            public,
        })
    }

    /// The claims of a token signed by one of the configured keys: the key its `kid` names,
    /// else each public key in turn, else the shared key.
    fn claims(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let named = header.kid.as_deref().and_then(|kid| {
            self.public
                .iter()
                .find(|(k, ..)| k == kid)
                .map(|(_, key, v)| (key, v))
        });
        let candidates: Vec<(&DecodingKey, &Validation)> = match named {
            Some(one) => vec![one],
            None => self
                .public
                .iter()
                .map(|(_, key, v)| (key, v))
                .chain(self.shared.iter().map(|(key, v)| (key, v)))
                .filter(|(_, v)| v.algorithms.contains(&header.alg))
                .collect(),
        };
        let claims = candidates
            .into_iter()
            .find_map(|(key, validation)| decode::<Claims>(token, key, validation).ok())?
            .claims;
        // `iat` in the future would stretch a token past auth.max_ttl_secs (and past a
        // credential epoch); an `iat` far in the past would overflow the subtraction.
        let now = chrono::Utc::now().timestamp();
        let issued = claims.iat <= now.saturating_add(CLOCK_SKEW_SECS);
        let lifetime = claims.exp.checked_sub(claims.iat);
        (issued && lifetime.is_some_and(|l| l <= self.settings.max_ttl_secs)).then_some(claims)
    }

    /// Signs a token.
    ///
    /// # Errors
    /// When signing fails.
    pub fn issue(
        &self,
        subject: &str,
        role: Role,
        account_id: Option<AccountId>,
        ttl: chrono::Duration,
    ) -> anyhow::Result<String> {
        self.issue_at(subject, role, account_id, chrono::Utc::now(), ttl)
    }

    /// Signs a token issued at `issued_at`, living `ttl` from then.
    ///
    /// # Errors
    /// When signing fails.
    pub fn issue_at(
        &self,
        subject: &str,
        role: Role,
        account_id: Option<AccountId>,
        issued_at: chrono::DateTime<chrono::Utc>,
        ttl: chrono::Duration,
    ) -> anyhow::Result<String> {
        let iat = issued_at.timestamp();
        let claims = Claims {
            sub: subject.to_owned(),
            role,
            account_id: account_id.map(|a| a.to_string()),
            exp: iat + ttl.num_seconds(),
            iat,
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
        };
        let key = EncodingKey::from_secret(self.settings.signing_key.expose_secret().as_bytes());
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &key)?)
    }

    /// Checks a bearer token and returns its principal.
    ///
    /// # Errors
    /// [`ErrorCode::Unauthorized`] for a bad, expired or incomplete token.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let claims = self
            .claims(token)
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        let actor = match claims.role {
            Role::Holder => {
                let account = claims
                    .account_id
                    .as_deref()
                    .and_then(|id| id.parse::<AccountId>().ok())
                    .ok_or_else(|| {
                        ApiError::new(ErrorCode::Unauthorized)
                            .detail("A holder token needs account_id.")
                    })?;
                Actor::Holder { account }
            }
            Role::Service => Actor::Service,
            Role::Reviewer => Actor::Reviewer,
            Role::AccountManager => Actor::AccountManager,
            Role::Admin => Actor::Admin,
        };
        Ok(Principal {
            subject: claims.sub,
            role: claims.role,
            actor,
            issued_at: claims.iat,
        })
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The token's subject.
    pub subject: String,
    /// The role.
    pub role: Role,
    /// The actor the use cases see.
    pub actor: Actor,
    /// The token's `iat`, seconds since the epoch.
    pub issued_at: i64,
}

impl Principal {
    /// A stable label of this caller, owning identity proofs and cases (no personal data).
    #[must_use]
    pub fn owner_label(&self) -> String {
        match self.actor {
            Actor::Holder { account } => format!("holder:{account}:{}", self.subject),
            _ => format!("{:?}:{}", self.role, self.subject).to_lowercase(),
        }
    }

    /// Checks the role against an endpoint's "who" column.
    ///
    /// # Errors
    /// [`ErrorCode::Forbidden`] for any other role.
    pub fn require(&self, roles: &[Role]) -> Result<&Actor, ApiError> {
        if roles.contains(&self.role) {
            Ok(&self.actor)
        } else {
            Err(ApiError::new(ErrorCode::Forbidden))
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let state = req
        .app_data::<web::Data<HttpState>>()
        .ok_or_else(|| ApiError::internal(ErrorCode::Internal, anyhow::anyhow!("no state")))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
    state.auth.verify(token.trim())
}

/// A caller whose role the matched operation's `x-roles` admits: 401 without a valid token,
/// 403 for any other role. An operation without `x-roles` admits nobody (it fails closed).
#[derive(Debug, Clone)]
pub struct Authorized(pub Principal);

impl Authorized {
    /// The actor the use cases see.
    #[must_use]
    pub const fn actor(&self) -> &Actor {
        &self.0.actor
    }
}

impl FromRequest for Authorized {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    /// A holder token issued before its account's last recovery or freeze is refused with 401
    /// `token_revoked` (R14), whatever the operation.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authorized = authorize(req);
        let state = req.app_data::<web::Data<HttpState>>().cloned();
        Box::pin(async move {
            let authorized = authorized?;
            if let (Actor::Holder { account }, Some(state)) = (&authorized.0.actor, state) {
                state
                    .use_cases
                    .check_credentials
                    .execute(*account, authorized.0.issued_at)
                    .await?;
            }
            Ok(authorized)
        })
    }
}

fn authorize(req: &HttpRequest) -> Result<Authorized, ApiError> {
    let principal = authenticate(req)?;
    let admitted = req
        .match_name()
        .zip(req.app_data::<web::Data<crate::openapi::RouteTable>>())
        .and_then(|(operation, table)| table.roles(operation))
        .is_some_and(|roles| roles.contains(&principal.role));
    if admitted {
        Ok(Authorized(principal))
    } else {
        Err(ApiError::new(ErrorCode::Forbidden))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(key: &str) -> Authenticator {
        Authenticator::new(AuthSettings {
            issuer: "realname".into(),
            audience: "realname-api".into(),
            signing_key: key.into(),
            public_keys: std::collections::BTreeMap::new(),
            max_ttl_secs: 86_400,
        })
    }

    /// A test identity provider's Ed25519 key pair (generated for these tests only).
    const IDP_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFii2UX3PUmhUxeZINNTv3bjKFSRhtdzGBYdZjsGevYS\n-----END PRIVATE KEY-----\n";
    const IDP_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA8/PSvlEjET4BAJa4H2MRwAmsyz6JuI+FOdbwZETCh2Q=\n-----END PUBLIC KEY-----\n";

    fn platform(signing_key: &str) -> Authenticator {
        Authenticator::try_new(AuthSettings {
            issuer: "realname".into(),
            audience: "realname-api".into(),
            signing_key: signing_key.into(),
            public_keys: [("idp-2026".to_owned(), IDP_PUBLIC.to_owned())].into(),
            max_ttl_secs: 86_400,
        })
        .unwrap()
    }

    fn idp_token(kid: Option<&str>, iat: i64, exp: i64, nbf: Option<i64>) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = kid.map(str::to_owned);
        let mut claims = serde_json::json!({"sub": "u1", "role": "admin", "iat": iat, "exp": exp,
            "iss": "realname", "aud": "realname-api"});
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        let key = EncodingKey::from_ed_pem(IDP_PRIVATE.as_bytes()).unwrap();
        encode(&header, &claims, &key).unwrap()
    }

    #[test]
    fn the_identity_providers_tokens_verify_with_its_public_key_and_realname_can_mint_none() {
        let now = chrono::Utc::now().timestamp();
        let idp = platform("");
        assert!(
            idp.verify(&idp_token(Some("idp-2026"), now, now + 600, None))
                .is_ok()
        );
        assert!(
            idp.verify(&idp_token(None, now, now + 600, None)).is_ok(),
            "tried against each"
        );
        // The attack: whoever holds realname's configuration mints an admin token. With only
        // public keys configured there is nothing to mint with.
        let minted = auth("k".repeat(32).as_str())
            .issue("attacker", Role::Admin, None, chrono::Duration::hours(1))
            .unwrap();
        assert!(idp.verify(&minted).is_err());
        // A token that lives longer than auth.max_ttl_secs, or is not yet valid, is refused.
        assert!(
            idp.verify(&idp_token(None, now, now + 86_401, None))
                .is_err()
        );
        assert!(
            idp.verify(&idp_token(None, now, now + 600, Some(now + 300)))
                .is_err()
        );
        assert!(
            idp.verify(&idp_token(None, now, now + 600, Some(now - 5)))
                .is_ok()
        );
        assert!(
            Authenticator::try_new(AuthSettings {
                public_keys: [("bad".to_owned(), "not a key".to_owned())].into(),
                ..idp.settings.clone()
            })
            .is_err()
        );
    }

    /// Found writing the `jwt` fuzz target's invariant: `exp - iat` overflowed for an `iat` near `i64::MIN`
    /// (wrapping to a negative lifetime in release builds), and an `iat` in the future made any
    /// `exp` look short-lived.
    #[test]
    fn a_token_cannot_stretch_its_lifetime_with_its_iat() {
        let now = chrono::Utc::now().timestamp();
        let idp = platform("");
        let year_3000 = 32_503_680_000;
        assert!(
            idp.verify(&idp_token(None, year_3000, year_3000, None))
                .is_err()
        );
        assert!(
            idp.verify(&idp_token(None, i64::MIN, now + 600, None))
                .is_err()
        );
        assert!(
            idp.verify(&idp_token(None, now + 30, now + 600, None))
                .is_ok(),
            "clock skew"
        );
    }

    #[test]
    fn an_issued_holder_token_verifies_to_its_account() {
        let a = auth("k".repeat(32).as_str());
        let account = AccountId::new();
        let token = a
            .issue(
                "u1",
                Role::Holder,
                Some(account),
                chrono::Duration::hours(1),
            )
            .unwrap();
        let principal = a.verify(&token).unwrap();
        assert_eq!(principal.actor, Actor::Holder { account });
    }

    #[test]
    fn a_token_signed_with_another_key_or_expired_is_refused() {
        let token = auth("a".repeat(32).as_str())
            .issue("u1", Role::Service, None, chrono::Duration::hours(1))
            .unwrap();
        assert!(auth("b".repeat(32).as_str()).verify(&token).is_err());
        let a = auth("a".repeat(32).as_str());
        let expired = a
            .issue("u1", Role::Service, None, chrono::Duration::hours(-1))
            .unwrap();
        assert!(a.verify(&expired).is_err());
    }

    #[test]
    fn a_holder_token_without_an_account_is_refused() {
        let a = auth("a".repeat(32).as_str());
        let token = a
            .issue("u1", Role::Holder, None, chrono::Duration::hours(1))
            .unwrap();
        assert!(a.verify(&token).is_err());
    }

    #[test]
    fn the_signing_key_never_shows_in_debug_output() {
        let shown = format!("{:?}", auth("supersecretsigningkey-0123456789"));
        assert!(!shown.contains("supersecret"));
    }
}

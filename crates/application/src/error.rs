//! The errors use cases report. The HTTP adapter maps each to one code of its table.

use chrono::{DateTime, Utc};
use realname_domain::account::AccountError;
use realname_domain::attempts::TooManyAttempts;
use realname_domain::quota::PhoneLimitReached;
use realname_domain::{ApplicationStatus, ModificationRefused};
use realname_ports::{GatewayError, StoreError};

/// A use case's refusal or failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The resource does not exist, or the actor may not see it (API.md: 404, not 403).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The account is closed (R21).
    #[error("the account is closed")]
    AccountClosed,
    /// The account is frozen (R14).
    #[error("the account is frozen")]
    AccountFrozen,
    /// A first-time verification of a verified account (R20).
    #[error("the account is already verified")]
    AlreadyVerified,
    /// The account was never verified.
    #[error("the account is not verified")]
    NotVerified,
    /// Verification cannot be removed (R1); modify it instead (R2).
    #[error("verification cannot be removed")]
    VerificationIrreversible,
    /// The account already has an undecided application (SPEC §2).
    #[error("an application is already pending")]
    ApplicationPending,
    /// The application is already decided.
    #[error("the application is already {}", .0.as_str())]
    ApplicationDecided(ApplicationStatus),
    /// Travel-permit holders may only use `wechat_scan` (R5).
    #[error("the method is not available for this document")]
    MethodNotAvailableForDocument,
    /// A personal method for an enterprise, or the reverse.
    #[error("the method verifies the other subject type")]
    MethodNotForSubjectType,
    /// A legal-person method needs the legal representative's name (R6).
    #[error("the legal representative's name is required")]
    LegalPersonNameRequired,
    /// The business registry could not be asked; nothing was decided (R6).
    #[error("the business registry is unavailable")]
    RegistryUnavailable,
    /// A payment application is completed by its payment credit, not by a provider session.
    #[error("the application waits for a payment")]
    PaymentExpected,
    /// Only a verified account may be associated as a sub-account (R16).
    #[error("the account must be verified itself")]
    SubAccountMustVerify,
    /// Only a root may be associated, under another root (R16).
    #[error("not a root account")]
    NotARootAccount,
    /// The identity proof has not passed: nothing is revealed (R15).
    #[error("the identity proof has not passed")]
    ProofNotPassed,
    /// The identity proof passed longer ago than `identity.proof_ttl_secs` (R15).
    #[error("the identity proof has expired")]
    ProofExpired,
    /// A holder credential issued before the account's last recovery or freeze (R14).
    #[error("the credential was revoked")]
    TokenRevoked,
    /// The identity proof is already decided.
    #[error("the identity proof is already decided")]
    ProofDecided,
    /// Only an instant personal method with a personal subject proves an identity (R14).
    #[error("this method cannot prove an identity")]
    MethodNotAllowedForProof,
    /// The case is resolved already, or the outcome does not fit its kind.
    #[error("the case cannot be resolved so")]
    CaseNotOpen,
    /// The application does not wait for a reviewer.
    #[error("the application is not in review")]
    NotInReview,
    /// Non-mainland subjects verify on the international site (R5).
    #[error("use the international site")]
    UseInternationalSite {
        /// The configured address.
        url: String,
    },
    /// Too many failed instant attempts (R7).
    #[error("too many failed attempts")]
    TooManyAttempts {
        /// When the next attempt is possible.
        retry_at: DateTime<Utc>,
    },
    /// Too many one-time codes to this number or for this account (R19).
    #[error("too many codes sent")]
    OtpThrottled {
        /// When another code may be sent.
        retry_at: DateTime<Utc>,
    },
    /// The phone number is bound to as many accounts as allowed (R19).
    #[error("the phone number is bound to the maximum number of accounts")]
    PhoneLimitReached {
        /// The per-number limit.
        limit: u32,
    },
    /// The modification names the current subject (R2).
    #[error("the subject is unchanged")]
    NoChange,
    /// A modification inside the cooldown (R2).
    #[error("modification is not allowed yet")]
    ModificationCooldown {
        /// When it becomes allowed.
        allowed_from: DateTime<Utc>,
        /// The cooldown, in days.
        cooldown_days: i64,
    },
    /// A one-time code was refused (R19).
    #[error("the one-time code was refused")]
    Otp(#[from] realname_domain::phone_change::OtpError),
    /// A provider could not be reached.
    #[error("the verification provider failed")]
    Provider(#[source] GatewayError),
    /// A webhook subscription with a refused URL or event type.
    #[error("the webhook endpoint is refused: {0}")]
    WebhookRefused(realname_domain::webhook::EndpointRefused),
    /// Storage failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Closed => Self::AccountClosed,
            AccountError::Frozen => Self::AccountFrozen,
            AccountError::AlreadyVerified => Self::AlreadyVerified,
            AccountError::NotVerified => Self::NotVerified,
        }
    }
}

impl From<ModificationRefused> for AppError {
    fn from(e: ModificationRefused) -> Self {
        match e {
            ModificationRefused::Account(e) => e.into(),
            ModificationRefused::NotVerified => Self::NotVerified,
            ModificationRefused::NoChange => Self::NoChange,
            ModificationRefused::Cooldown {
                allowed_from,
                cooldown_days,
            } => Self::ModificationCooldown {
                allowed_from,
                cooldown_days,
            },
        }
    }
}

impl From<realname_domain::AssociationRefused> for AppError {
    fn from(e: realname_domain::AssociationRefused) -> Self {
        match e {
            realname_domain::AssociationRefused::Account(e) => e.into(),
            realname_domain::AssociationRefused::MustVerify => Self::SubAccountMustVerify,
            realname_domain::AssociationRefused::NotARoot => Self::NotARootAccount,
        }
    }
}

impl From<TooManyAttempts> for AppError {
    fn from(e: TooManyAttempts) -> Self {
        Self::TooManyAttempts {
            retry_at: e.retry_at,
        }
    }
}

impl From<PhoneLimitReached> for AppError {
    fn from(e: PhoneLimitReached) -> Self {
        Self::PhoneLimitReached { limit: e.limit }
    }
}

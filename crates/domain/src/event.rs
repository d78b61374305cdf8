//! Domain events for the transactional outbox (SPEC §6). They carry no personal data.

use crate::application::{Application, FailureCode};
use crate::ids::AccountId;

/// A state change that other systems may consume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    /// A root account was registered.
    AccountCreated,
    /// The account was closed (R21).
    AccountClosed,
    /// The account was frozen in a theft case (R14).
    AccountFrozen,
    /// A closed account's personal data was redacted after the retention period (R21).
    AccountRedacted,
    /// A theft case was not confirmed; the account was released (R14).
    AccountUnfrozen,
    /// The account's verification was revoked (R14, R17).
    AccountRevoked {
        /// Why (`identity_theft`, `registry_deregistered`, …).
        reason: String,
    },
    /// A re-check found a problem; the account's verification is revoked at `effective_at`
    /// unless the record is fixed or the subject modified first (R17).
    AccountRevocationScheduled {
        /// What the re-check found (`deregistered`, `incomplete`, `name_mismatch`).
        finding: &'static str,
        /// When the revocation takes effect.
        effective_at: chrono::DateTime<chrono::Utc>,
    },
    /// A pending revocation was cancelled (R17).
    AccountRevocationCancelled {
        /// `registry_fixed` or `modified`.
        reason: &'static str,
    },
    /// The account became a sub-account of a root (R16).
    AccountAssociated {
        /// The root, shown with its prefix.
        root_id: String,
    },
    /// An associated account left its closing root and is a root again (R21).
    AccountDetached {
        /// The root it left, shown with its prefix.
        root_id: String,
    },
    /// The root of an inheriting sub-account changed status; the sub-account follows (R16).
    InheritedStatusChanged {
        /// The root, shown with its prefix.
        root_id: String,
        /// The root's new status.
        status: &'static str,
    },
    /// The account's bound phone changed (R19).
    AccountPhoneChanged,
    /// An application was submitted.
    ApplicationSubmitted(ApplicationFacts),
    /// An application was approved.
    ApplicationApproved(ApplicationFacts),
    /// An application was rejected.
    ApplicationRejected(ApplicationFacts, FailureCode),
    /// An application's session expired.
    ApplicationExpired(ApplicationFacts),
    /// An application was withdrawn.
    ApplicationWithdrawn(ApplicationFacts),
    /// The account became verified.
    AccountVerified(ApplicationFacts),
    /// The account's subject changed through an approved modification (R2).
    AccountModified(ApplicationFacts),
    /// An undecided application passed its deadline and was escalated (R8).
    ApplicationOverdue(ApplicationFacts),
    /// An invitation to associate the account under a root was made, accepted, declined or
    /// cancelled (R16).
    Association {
        /// The invitation, shown with its prefix.
        invitation_id: String,
        /// The root, shown with its prefix.
        root_id: String,
        /// What happened to it.
        step: AssociationStep,
    },
    /// An appeal or a theft case about the account was opened (R14).
    CaseOpened {
        /// The case, shown with its prefix.
        case_id: String,
        /// `appeal` or `theft`.
        kind: &'static str,
    },
    /// An appeal or a theft case about the account was resolved (R14).
    CaseResolved {
        /// The case, shown with its prefix.
        case_id: String,
        /// `appeal` or `theft`.
        kind: &'static str,
        /// `confirmed`, `rejected` or `resolved`.
        outcome: &'static str,
    },
    /// An account manager changed an enterprise's account limit (R4).
    EnterpriseQuotaChanged {
        /// The USCC, masked.
        uscc_masked: String,
        /// The limit before, if one was set.
        previous: Option<u32>,
        /// The new limit.
        limit: u32,
    },
}

/// What happened to an invitation (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssociationStep {
    /// A root's holder invited the account.
    Invited,
    /// The account was associated.
    Accepted,
    /// The target's holder declined.
    Declined,
    /// The root's holder cancelled.
    Cancelled,
}

/// The non-personal facts of an application that events carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFacts {
    /// The application id, shown with its prefix.
    pub application_id: String,
    /// The method.
    pub method: &'static str,
    /// Verify or modify.
    pub purpose: &'static str,
    /// Personal or enterprise.
    pub subject_type: &'static str,
}

impl From<&Application> for ApplicationFacts {
    fn from(app: &Application) -> Self {
        Self {
            application_id: app.id.to_string(),
            method: app.method.as_str(),
            purpose: app.purpose.as_str(),
            subject_type: app.subject.subject_type().as_str(),
        }
    }
}

/// An event ready for the outbox: its account, if any, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The account whose sequence it takes; `None` for an enterprise-wide event.
    pub account_id: Option<AccountId>,
    /// What happened.
    pub event: DomainEvent,
}

/// Every event type, for subscriptions (API.md `event_types`).
pub const EVENT_TYPES: &[&str] = &[
    "account.created",
    "account.closed",
    "account.frozen",
    "account.redacted",
    "account.unfrozen",
    "account.revoked",
    "account.revocation_scheduled",
    "account.revocation_cancelled",
    "account.associated",
    "account.detached",
    "account.inherited_status_changed",
    "account.phone_changed",
    "application.submitted",
    "application.approved",
    "application.rejected",
    "application.expired",
    "application.withdrawn",
    "account.verified",
    "account.modified",
    "application.overdue",
    "enterprise.quota_changed",
    "case.opened",
    "case.resolved",
    "association.invited",
    "association.accepted",
    "association.declined",
    "association.cancelled",
];

impl DomainEvent {
    /// The event type of SPEC §6.
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::AccountCreated => "account.created",
            Self::AccountClosed => "account.closed",
            Self::AccountFrozen => "account.frozen",
            Self::AccountRedacted => "account.redacted",
            Self::AccountUnfrozen => "account.unfrozen",
            Self::AccountRevoked { .. } => "account.revoked",
            Self::AccountRevocationScheduled { .. } => "account.revocation_scheduled",
            Self::AccountRevocationCancelled { .. } => "account.revocation_cancelled",
            Self::AccountAssociated { .. } => "account.associated",
            Self::AccountDetached { .. } => "account.detached",
            Self::InheritedStatusChanged { .. } => "account.inherited_status_changed",
            Self::AccountPhoneChanged => "account.phone_changed",
            Self::ApplicationSubmitted(_) => "application.submitted",
            Self::ApplicationApproved(_) => "application.approved",
            Self::ApplicationRejected(..) => "application.rejected",
            Self::ApplicationExpired(_) => "application.expired",
            Self::ApplicationWithdrawn(_) => "application.withdrawn",
            Self::AccountVerified(_) => "account.verified",
            Self::AccountModified(_) => "account.modified",
            Self::ApplicationOverdue(_) => "application.overdue",
            Self::EnterpriseQuotaChanged { .. } => "enterprise.quota_changed",
            Self::Association { step, .. } => match step {
                AssociationStep::Invited => "association.invited",
                AssociationStep::Accepted => "association.accepted",
                AssociationStep::Declined => "association.declined",
                AssociationStep::Cancelled => "association.cancelled",
            },
            Self::CaseOpened { .. } => "case.opened",
            Self::CaseResolved { .. } => "case.resolved",
        }
    }

    /// The event's data as flat name/value pairs; none of them is personal.
    #[must_use]
    pub fn data(&self) -> Vec<(&'static str, String)> {
        let facts = |f: &ApplicationFacts| {
            vec![
                ("application_id", f.application_id.clone()),
                ("method", f.method.to_owned()),
                ("purpose", f.purpose.to_owned()),
                ("subject_type", f.subject_type.to_owned()),
            ]
        };
        match self {
            Self::AccountCreated
            | Self::AccountClosed
            | Self::AccountFrozen
            | Self::AccountRedacted
            | Self::AccountUnfrozen
            | Self::AccountPhoneChanged => Vec::new(),
            Self::ApplicationSubmitted(f)
            | Self::ApplicationApproved(f)
            | Self::ApplicationExpired(f)
            | Self::ApplicationWithdrawn(f)
            | Self::AccountVerified(f)
            | Self::AccountModified(f)
            | Self::ApplicationOverdue(f) => facts(f),
            Self::AccountRevoked { reason } => vec![("reason", reason.clone())],
            Self::AccountRevocationScheduled {
                finding,
                effective_at,
            } => vec![
                ("finding", (*finding).to_owned()),
                (
                    "effective_at",
                    effective_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ),
            ],
            Self::AccountRevocationCancelled { reason } => vec![("reason", (*reason).to_owned())],
            Self::AccountAssociated { root_id } | Self::AccountDetached { root_id } => {
                vec![("root_id", root_id.clone())]
            }
            Self::InheritedStatusChanged { root_id, status } => {
                vec![
                    ("root_id", root_id.clone()),
                    ("status", (*status).to_owned()),
                ]
            }
            Self::EnterpriseQuotaChanged {
                uscc_masked,
                previous,
                limit,
            } => vec![
                ("uscc", uscc_masked.clone()),
                (
                    "previous_limit",
                    previous.map_or_else(String::new, |p| p.to_string()),
                ),
                ("limit", limit.to_string()),
            ],
            Self::ApplicationRejected(f, code) => {
                let mut data = facts(f);
                data.push(("failure_code", code.as_str().to_owned()));
                data
            }
            Self::Association {
                invitation_id,
                root_id,
                ..
            } => vec![
                ("invitation_id", invitation_id.clone()),
                ("root_account_id", root_id.clone()),
            ],
            Self::CaseOpened { case_id, kind } => {
                vec![("case_id", case_id.clone()), ("kind", (*kind).to_owned())]
            }
            Self::CaseResolved {
                case_id,
                kind,
                outcome,
            } => vec![
                ("case_id", case_id.clone()),
                ("kind", (*kind).to_owned()),
                ("outcome", (*outcome).to_owned()),
            ],
        }
    }
}

//! The application lifecycle (SPEC §2) and its failure reasons (R7, R10).

use chrono::{DateTime, Utc};

use crate::enterprise::ReviewReason;
use crate::ids::{AccountId, ApplicationId};
use crate::method::Method;
use crate::quota::SlotHolder;
use crate::subject::Subject;

/// Verify an unverified account, or modify a verified one (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A first verification (or a re-verification after revocation).
    Verify,
    /// A change of subject.
    Modify,
}

impl Purpose {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Modify => "modify",
        }
    }

    /// Parses an API name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Verify, Self::Modify]
            .into_iter()
            .find(|p| p.as_str() == name)
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    /// Waiting for the applicant: a QR code shown, a payment expected.
    AwaitingAction,
    /// The provider is working on it.
    Processing,
    /// Waiting for a reviewer.
    InReview,
    /// Decided: verified.
    Approved,
    /// Decided: refused, with a failure.
    Rejected,
    /// No result within the session's validity.
    Expired,
    /// Withdrawn by the applicant.
    Withdrawn,
}

impl ApplicationStatus {
    /// Every status, in API order.
    pub const ALL: [Self; 7] = [
        Self::AwaitingAction,
        Self::Processing,
        Self::InReview,
        Self::Approved,
        Self::Rejected,
        Self::Expired,
        Self::Withdrawn,
    ];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingAction => "awaiting_action",
            Self::Processing => "processing",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Not yet decided: at most one such application per account (SPEC §2).
    #[must_use]
    pub const fn is_undecided(self) -> bool {
        matches!(
            self,
            Self::AwaitingAction | Self::Processing | Self::InReview
        )
    }
}

/// The stable failure codes of R7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum FailureCode {
    FaceObstructed,
    FacePhotoMismatch,
    IdentityInfoIncorrect,
    FaceNotFullyVisible,
    LivenessFailed,
    IdentityAccountLimitReached,
    SessionExpired,
    ProviderError,
    LegalPersonMismatch,
    EnterpriseNotActive,
    EnterpriseNameMismatch,
    PaymentNameMismatch,
    ReviewerRejected,
}

impl FailureCode {
    /// Every code.
    pub const ALL: [Self; 13] = [
        Self::FaceObstructed,
        Self::FacePhotoMismatch,
        Self::IdentityInfoIncorrect,
        Self::FaceNotFullyVisible,
        Self::LivenessFailed,
        Self::IdentityAccountLimitReached,
        Self::SessionExpired,
        Self::ProviderError,
        Self::LegalPersonMismatch,
        Self::EnterpriseNotActive,
        Self::EnterpriseNameMismatch,
        Self::PaymentNameMismatch,
        Self::ReviewerRejected,
    ];

    /// The stable code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FaceObstructed => "face_obstructed",
            Self::FacePhotoMismatch => "face_photo_mismatch",
            Self::IdentityInfoIncorrect => "identity_info_incorrect",
            Self::FaceNotFullyVisible => "face_not_fully_visible",
            Self::LivenessFailed => "liveness_failed",
            Self::IdentityAccountLimitReached => "identity_account_limit_reached",
            Self::SessionExpired => "session_expired",
            Self::ProviderError => "provider_error",
            Self::LegalPersonMismatch => "legal_person_mismatch",
            Self::EnterpriseNotActive => "enterprise_not_active",
            Self::EnterpriseNameMismatch => "enterprise_name_mismatch",
            Self::PaymentNameMismatch => "payment_name_mismatch",
            Self::ReviewerRejected => "reviewer_rejected",
        }
    }

    /// Parses a code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The codes a provider may report for a failed session.
    #[must_use]
    pub const fn is_provider_reportable(self) -> bool {
        !matches!(
            self,
            Self::IdentityAccountLimitReached | Self::SessionExpired
        )
    }

    /// Whether a rejection with this code counts toward the R7 attempt limit: a failed instant
    /// attempt by the applicant, not a quota refusal or our own timeout.
    #[must_use]
    pub const fn counts_as_failed_attempt(self) -> bool {
        self.is_provider_reportable() && !matches!(self, Self::ProviderError)
    }

    /// A human message for the applicant (R7).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::FaceObstructed => {
                "Your face was obstructed. Remove glasses, masks or hats and try again."
            }
            Self::FacePhotoMismatch => {
                "Your face did not match the photo on record with the issuing authority."
            }
            Self::IdentityInfoIncorrect => {
                "The name or document number does not match the provider's records."
            }
            Self::FaceNotFullyVisible => {
                "Your face was not fully visible. Face the camera in good light and try again."
            }
            Self::LivenessFailed => {
                "The liveness check failed. Follow the on-screen prompts and try again."
            }
            Self::IdentityAccountLimitReached => {
                "This identity already verifies the maximum number of accounts. Close one of them or change its real-name subject."
            }
            Self::SessionExpired => "The verification session expired before a result arrived.",
            Self::ProviderError => "The verification provider failed. Please try again later.",
            Self::LegalPersonMismatch => {
                "The person who completed the check is not the enterprise's registered legal representative."
            }
            Self::EnterpriseNotActive => {
                "The business registry does not report the enterprise as active."
            }
            Self::EnterpriseNameMismatch => {
                "The enterprise name does not match the business registry."
            }
            Self::PaymentNameMismatch => {
                "The payer name does not match the registered enterprise name."
            }
            Self::ReviewerRejected => "A reviewer rejected the application.",
        }
    }

    /// Whether the applicant may try again (R7, R10). Not at the identity's account limit: a
    /// retry cannot pass until one of R3's ways out frees a slot (close an account holding one,
    /// or modify its subject). Not for an enterprise the registry reports inactive: the same
    /// registry answers the retry.
    #[must_use]
    pub const fn retry_allowed(self) -> bool {
        !matches!(
            self,
            Self::IdentityAccountLimitReached | Self::EnterpriseNotActive
        )
    }
}

/// Why an application was rejected (R7, R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code.
    pub code: FailureCode,
    /// For `identity_account_limit_reached`: the masked accounts holding the slots (R3).
    pub holding_accounts: Vec<SlotHolder>,
    /// For `reviewer_rejected`: the reviewer's reason code.
    pub reason: Option<String>,
}

impl Failure {
    /// A failure with no further detail.
    #[must_use]
    pub const fn new(code: FailureCode) -> Self {
        Self {
            code,
            holding_accounts: Vec::new(),
            reason: None,
        }
    }
}

/// An amount of money in fen (0.01 CNY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i64);

impl Amount {
    /// Parses `"12.34"`, `"12.3"` or `"12"` yuan.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (yuan, fen) = raw.split_once('.').unwrap_or((raw, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(yuan) || !digits(fen) || fen.len() > 2 {
            return None;
        }
        let fen: i64 = format!("{fen:0<2}").parse().ok()?;
        yuan.parse::<i64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(fen)
            .map(Self)
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// What the applicant must do next (API.md), with its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// Scan this QR code.
    ScanQr {
        /// The QR code's URL.
        qr_url: String,
        /// When the session expires.
        expires_at: DateTime<Utc>,
    },
    /// Open the liveness session.
    FaceLiveness {
        /// The liveness session's URL.
        session_url: String,
        /// When the session expires.
        expires_at: DateTime<Utc>,
    },
    /// Pay, quoting the reference (R6).
    Pay {
        /// The reference to quote with the payment.
        reference: String,
        /// The exact amount to remit, for `corporate_remittance`.
        amount: Option<Amount>,
        /// The account to pay into.
        payee_account: Option<String>,
        /// The deadline for the payment.
        expires_at: DateTime<Utc>,
    },
}

impl NextAction {
    /// When the action stops being possible.
    #[must_use]
    pub const fn expires_at(&self) -> DateTime<Utc> {
        match self {
            Self::ScanQr { expires_at, .. }
            | Self::FaceLiveness { expires_at, .. }
            | Self::Pay { expires_at, .. } => *expires_at,
        }
    }
}

/// What a passed deadline asks for (R8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineAction {
    /// Nothing: not due, decided, or already escalated.
    None,
    /// Still waiting for the applicant at the deadline: expire.
    Expire,
    /// Waiting for a reviewer: flag overdue and escalate to support, once.
    Escalate,
}

/// A transition that the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the application is already {0:?}")]
pub struct TransitionError(pub ApplicationStatus);

/// What a reviewer weighs beside the application (R6, issue 16): the registry record the last
/// decision used, and the payment credit that arrived. Kept with the application, sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewContext {
    /// The business registry's record, when it was asked.
    pub registry: Option<Box<RegistryCheck>>,
    /// The payment credit, for a payment method.
    pub payment_credit: Option<Box<CreditReceived>>,
}

/// The registry's answer as a decision used it. Its `Debug` masks the legal representative.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryCheck {
    /// The record, or `None` when the registry knows no such USCC.
    pub record: Option<crate::enterprise::RegistryRecord>,
    /// When it was asked.
    pub checked_at: DateTime<Utc>,
}

/// A payment credit as the bank reported it (R6). Its `Debug` masks the payer's account.
#[derive(Clone, PartialEq, Eq)]
pub struct CreditReceived {
    /// The amount received.
    pub amount: Amount,
    /// The payer's name.
    pub payer_name: String,
    /// The payer's account (a bank account number: shown masked).
    pub payer_account: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

impl Application {
    /// The review context as `actor` may see it: a reviewer's, never the holder's (the record
    /// and the credit are the reviewer's evidence, issue 16).
    #[must_use]
    pub const fn review_context_for(&self, actor: &crate::Actor) -> Option<&ReviewContext> {
        match actor {
            crate::Actor::Reviewer => Some(&self.review_context),
            _ => None,
        }
    }
}

impl std::fmt::Debug for RegistryCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let record = self.record.as_ref();
        f.debug_struct("RegistryCheck")
            .field("name", &record.map(|r| &r.name))
            .field("status", &record.map(|r| &r.status))
            .field(
                "legal_representative",
                &record.map(|r| crate::masking::mask_name(&r.legal_representative)),
            )
            .field("checked_at", &self.checked_at)
            .finish()
    }
}

impl std::fmt::Debug for CreditReceived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreditReceived")
            .field("amount", &self.amount)
            .field("payer_name", &self.payer_name)
            .field(
                "payer_account",
                &crate::masking::mask_identifier(&self.payer_account),
            )
            .field("received_at", &self.received_at)
            .finish()
    }
}

impl ReviewContext {
    /// Remembers what the registry answered at `at`; an unavailable registry leaves the last
    /// answer in place.
    pub fn registry_answered(
        &mut self,
        answer: Option<&Result<Option<crate::enterprise::RegistryRecord>, impl Sized>>,
        at: DateTime<Utc>,
    ) {
        if let Some(Ok(record)) = answer {
            self.registry = Some(Box::new(RegistryCheck {
                record: record.clone(),
                checked_at: at,
            }));
        }
    }
}

/// One attempt to verify an account, or to modify its subject, with one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Its id.
    pub id: ApplicationId,
    /// The account it verifies.
    pub account_id: AccountId,
    /// Verify or modify.
    pub purpose: Purpose,
    /// The method.
    pub method: Method,
    /// The submitted subject.
    pub subject: Subject,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The provider's session reference, which its callback names.
    pub session_ref: Option<String>,
    /// What the applicant does next, while undecided.
    pub next_action: Option<NextAction>,
    /// The review deadline (R8); `None` for instant methods.
    pub deadline: Option<DateTime<Utc>>,
    /// Undecided after its deadline (R8).
    pub overdue: bool,
    /// Escalated to support: at most once (R8).
    pub escalated: bool,
    /// Why it waits for a reviewer.
    pub review_reason: Option<ReviewReason>,
    /// The reviewer's note on a decision (may hold personal data: stored encrypted).
    pub review_note: Option<String>,
    /// Why it was rejected.
    pub failure: Option<Failure>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// What a reviewer weighs beside it.
    pub review_context: ReviewContext,
}

impl Application {
    /// Whether the provider session has passed its validity (R5).
    #[must_use]
    pub fn session_expired(&self, now: DateTime<Utc>) -> bool {
        self.next_action
            .as_ref()
            .is_some_and(|a| a.expires_at() <= now)
    }

    /// Whether it still waits for the applicant (a QR code shown, a payment expected).
    #[must_use]
    pub const fn awaits_applicant(&self) -> bool {
        matches!(
            self.status,
            ApplicationStatus::AwaitingAction | ApplicationStatus::Processing
        )
    }

    /// Sends it to the review queue (R6, R9). An application without a deadline (an instant
    /// method) gets `review_deadline`, so that R8 escalates it like any other; one with a
    /// deadline (a payment method) keeps its own.
    ///
    /// # Errors
    /// [`TransitionError`] when it is already decided.
    pub fn send_to_review(
        &mut self,
        reason: ReviewReason,
        review_deadline: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        if !self.status.is_undecided() {
            return Err(TransitionError(self.status));
        }
        self.status = ApplicationStatus::InReview;
        self.deadline.get_or_insert(review_deadline);
        self.review_reason = Some(reason);
        self.next_action = None;
        Ok(())
    }

    /// What its deadline asks for at `now` (R8): nothing yet, expiry of an application still
    /// waiting for the applicant, or escalation of one waiting for a reviewer, at most once.
    #[must_use]
    pub fn deadline_action(&self, now: DateTime<Utc>) -> DeadlineAction {
        match self.deadline {
            Some(deadline) if deadline <= now && self.status.is_undecided() => {
                if self.awaits_applicant() {
                    DeadlineAction::Expire
                } else if self.escalated {
                    DeadlineAction::None
                } else {
                    DeadlineAction::Escalate
                }
            }
            _ => DeadlineAction::None,
        }
    }

    /// Flags it overdue and escalated (R8).
    pub fn escalate(&mut self) {
        self.overdue = true;
        self.escalated = true;
    }

    /// Approves it.
    ///
    /// # Errors
    /// [`TransitionError`] when it is already decided.
    pub fn approve(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.decide(ApplicationStatus::Approved, None, now)
    }

    /// Rejects it with a failure (R7).
    ///
    /// # Errors
    /// [`TransitionError`] when it is already decided.
    pub fn reject(&mut self, failure: Failure, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.decide(ApplicationStatus::Rejected, Some(failure), now)
    }

    /// Expires it because its session ran out (R5).
    ///
    /// # Errors
    /// [`TransitionError`] when it is already decided.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        let failure = Failure::new(FailureCode::SessionExpired);
        self.decide(ApplicationStatus::Expired, Some(failure), now)
    }

    /// Withdraws it, which only an undecided application allows.
    ///
    /// # Errors
    /// [`TransitionError`] when it is already decided.
    pub fn withdraw(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.decide(ApplicationStatus::Withdrawn, None, now)
    }

    fn decide(
        &mut self,
        status: ApplicationStatus,
        failure: Option<Failure>,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        if !self.status.is_undecided() {
            return Err(TransitionError(self.status));
        }
        self.status = status;
        self.failure = failure;
        self.next_action = None;
        self.decided_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::identifiers::PersonName;
    use crate::subject::{DocumentType, PersonalDocument, PersonalSubject, Region};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
    }

    fn pending() -> Application {
        let document = PersonalDocument::parse(
            DocumentType::ResidentId,
            "11010519491231002X",
            now().date_naive(),
        )
        .unwrap();
        Application {
            id: ApplicationId::new(),
            account_id: AccountId::new(),
            purpose: Purpose::Verify,
            method: Method::FaceRecognition,
            subject: Subject::Personal(PersonalSubject {
                document,
                name: PersonName::parse("张三").unwrap(),
                region: Region::Mainland,
            }),
            status: ApplicationStatus::AwaitingAction,
            session_ref: Some("ses_1".into()),
            next_action: Some(NextAction::FaceLiveness {
                session_url: "https://face.example/s/1".into(),
                expires_at: now() + Duration::minutes(30),
            }),
            deadline: None,
            overdue: false,
            escalated: false,
            review_reason: None,
            review_note: None,
            failure: None,
            created_at: now(),
            decided_at: None,
            review_context: Default::default(),
        }
    }

    #[test]
    fn an_application_entering_review_without_a_deadline_gets_the_review_deadline() {
        // R8: an instant application routed to review must be able to go overdue.
        let mut app = pending();
        let review_deadline = now() + Duration::days(1);
        app.send_to_review(ReviewReason::RegistryUnavailable, review_deadline)
            .unwrap();
        assert_eq!(app.deadline, Some(review_deadline));
        assert_eq!(
            app.deadline_action(review_deadline),
            DeadlineAction::Escalate
        );

        // A payment method keeps its own deadline.
        let mut paid = pending();
        let own = now() + Duration::days(5);
        paid.deadline = Some(own);
        paid.send_to_review(ReviewReason::PaymentNameMismatch, review_deadline)
            .unwrap();
        assert_eq!(paid.deadline, Some(own));
    }

    #[test]
    fn only_quota_and_inactive_enterprise_failures_forbid_a_retry() {
        // R7: a retry cannot succeed until a slot is freed, or while the registry says inactive.
        for code in FailureCode::ALL {
            let expected = !matches!(
                code,
                FailureCode::IdentityAccountLimitReached | FailureCode::EnterpriseNotActive
            );
            assert_eq!(code.retry_allowed(), expected, "{}", code.as_str());
        }
    }

    #[test]
    fn at_its_deadline_an_unpaid_application_expires_and_a_reviewed_one_escalates_once() {
        let mut app = pending();
        app.deadline = Some(now());
        assert_eq!(
            app.deadline_action(now() - Duration::seconds(1)),
            DeadlineAction::None
        );
        assert_eq!(app.deadline_action(now()), DeadlineAction::Expire);
        app.send_to_review(ReviewReason::PaymentNameMismatch, now())
            .unwrap();
        assert_eq!(app.deadline_action(now()), DeadlineAction::Escalate);
        app.escalate();
        assert!(app.overdue);
        assert_eq!(
            app.deadline_action(now()),
            DeadlineAction::None,
            "escalated exactly once"
        );
    }

    #[test]
    fn amounts_parse_from_yuan_and_show_two_decimals() {
        assert_eq!(Amount::parse("0.37"), Some(Amount(37)));
        assert_eq!(Amount::parse("12.3"), Some(Amount(1230)));
        assert_eq!(Amount::parse("5"), Some(Amount(500)));
        assert_eq!(Amount(37).to_string(), "0.37");
        for bad in ["", ".5", "1.234", "-1", "1,00", "abc"] {
            assert_eq!(Amount::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_decided_application_cannot_be_decided_again() {
        let mut app = pending();
        app.approve(now()).unwrap();
        assert_eq!(
            app.withdraw(now()),
            Err(TransitionError(ApplicationStatus::Approved))
        );
        assert_eq!(
            app.reject(Failure::new(FailureCode::LivenessFailed), now()),
            Err(TransitionError(ApplicationStatus::Approved))
        );
    }

    #[test]
    fn a_rejection_keeps_its_code_and_clears_the_next_action() {
        let mut app = pending();
        app.reject(Failure::new(FailureCode::FaceObstructed), now())
            .unwrap();
        assert_eq!(app.status, ApplicationStatus::Rejected);
        assert_eq!(app.failure.unwrap().code, FailureCode::FaceObstructed);
        assert!(app.next_action.is_none());
        assert_eq!(app.decided_at, Some(now()));
    }

    #[test]
    fn the_session_expires_at_its_validity() {
        let app = pending();
        assert!(!app.session_expired(now() + Duration::minutes(29)));
        assert!(app.session_expired(now() + Duration::minutes(30)));
    }

    #[test]
    fn expiry_records_session_expired() {
        let mut app = pending();
        app.expire(now()).unwrap();
        assert_eq!(app.status, ApplicationStatus::Expired);
        assert_eq!(app.failure.unwrap().code, FailureCode::SessionExpired);
    }

    #[test]
    fn quota_and_timeout_failures_do_not_count_as_attempts() {
        assert!(FailureCode::LivenessFailed.counts_as_failed_attempt());
        assert!(!FailureCode::IdentityAccountLimitReached.counts_as_failed_attempt());
        assert!(!FailureCode::SessionExpired.counts_as_failed_attempt());
        assert!(!FailureCode::ProviderError.counts_as_failed_attempt());
    }

    #[test]
    fn only_a_reviewer_sees_the_review_context() {
        let app = pending();
        assert!(app.review_context_for(&crate::Actor::Reviewer).is_some());
        for other in [
            crate::Actor::Holder {
                account: app.account_id,
            },
            crate::Actor::Service,
            crate::Actor::Admin,
        ] {
            assert!(app.review_context_for(&other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn the_review_context_debug_masks_the_legal_representative_and_the_payer_account() {
        let mut app = pending();
        app.review_context.registry_answered(
            Some(&Ok::<_, ()>(Some(crate::enterprise::RegistryRecord {
                name: "北京示例科技有限公司".into(),
                status: crate::enterprise::RegistryStatus::Active,
                legal_representative: "王五".into(),
            }))),
            now(),
        );
        app.review_context.payment_credit = Some(Box::new(CreditReceived {
            amount: Amount(37),
            payer_name: "某某贸易有限公司".into(),
            payer_account: "6222020000000001".into(),
            received_at: now(),
        }));
        let shown = format!("{app:?}");
        assert!(
            !shown.contains("王五") && !shown.contains("6222020000000001"),
            "{shown}"
        );
    }
}

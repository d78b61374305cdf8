//! Proof of identity, find-accounts and theft cases (R14, R15).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::ids::{AccountId, CaseId, ProofId};
use crate::method::Method;
use crate::subject::Subject;

/// Where a proof stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofStatus {
    /// Waiting for the person to complete the instant method.
    AwaitingAction,
    /// Passed: the owner proved the identity.
    Passed,
    /// Failed.
    Failed,
}

impl ProofStatus {
    /// Every value.
    pub const ALL: [Self; 3] = [Self::AwaitingAction, Self::Passed, Self::Failed];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingAction => "awaiting_action",
            Self::Passed => "passed",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Why a proof cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Not this caller's proof (answered as "not found").
    #[error("no such proof")]
    NotOwner,
    /// Not passed: typing an ID number alone is never enough (R15).
    #[error("the proof has not passed")]
    NotPassed,
    /// Already decided.
    #[error("the proof is already decided")]
    Decided,
    /// Not an instant personal method with a personal subject: only a person proves an
    /// identity, and only on the spot (R14). An enterprise's accounts are never opened to
    /// whoever runs its official account or pays from its bank account.
    #[error("this method cannot prove an identity")]
    MethodNotAllowed,
    /// Passed longer ago than its validity: its references died with it (R15).
    #[error("the proof has expired")]
    Expired,
}

/// A person proving they own an identity by passing an instant personal method (R14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProof {
    /// Its id.
    pub id: ProofId,
    /// Who started it (a principal label); only they may use it.
    pub owner: String,
    /// The instant personal method.
    pub method: Method,
    /// The identity to prove.
    pub subject: Subject,
    /// Where it stands.
    pub status: ProofStatus,
    /// A random secret from which account references are derived; never shown.
    pub secret: [u8; 16],
    /// The provider's session reference.
    pub session_ref: Option<String>,
    /// What the person does next, while undecided.
    pub next_action: Option<crate::application::NextAction>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it passed; it is usable for `identity.proof_ttl_secs` from then.
    pub passed_at: Option<DateTime<Utc>>,
}

/// Whether a method may prove an identity: an instant personal one (R14).
#[must_use]
pub const fn proves_identity(method: Method) -> bool {
    matches!(method.subject_type(), crate::SubjectType::Personal) && !method.is_payment()
}

impl IdentityProof {
    /// A new proof, waiting for the person.
    ///
    /// # Errors
    /// [`ProofError::MethodNotAllowed`] unless an instant personal method proves a personal
    /// subject (R14).
    pub fn start(
        owner: String,
        method: Method,
        subject: Subject,
        secret: [u8; 16],
        now: DateTime<Utc>,
    ) -> Result<Self, ProofError> {
        if !proves_identity(method) || !matches!(subject, Subject::Personal(_)) {
            return Err(ProofError::MethodNotAllowed);
        }
        Ok(Self {
            id: ProofId::new(),
            owner,
            method,
            subject,
            status: ProofStatus::AwaitingAction,
            secret,
            session_ref: None,
            next_action: None,
            created_at: now,
            passed_at: None,
        })
    }

    /// Checks that `owner` may use it to see or act on accounts (R15).
    ///
    /// # Errors
    /// [`ProofError`].
    pub fn ensure_usable_by(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        validity: chrono::Duration,
    ) -> Result<(), ProofError> {
        if self.owner != owner {
            return Err(ProofError::NotOwner);
        }
        if self.status != ProofStatus::Passed {
            return Err(ProofError::NotPassed);
        }
        if self.passed_at.is_none_or(|at| now >= at + validity) {
            return Err(ProofError::Expired);
        }
        Ok(())
    }

    /// Until when it is of use (R15): its session's end while it awaits the person, the end of
    /// its validity once it passed; `None` once it failed.
    #[must_use]
    pub fn expires_at(&self, validity: chrono::Duration) -> Option<DateTime<Utc>> {
        match self.status {
            ProofStatus::AwaitingAction => self.next_action.as_ref().map(|a| a.expires_at()),
            ProofStatus::Passed => self.passed_at.map(|at| at + validity),
            ProofStatus::Failed => None,
        }
    }

    /// Whether its provider session is still open at `now` (R5): a result after it fails.
    #[must_use]
    pub fn session_open(&self, now: DateTime<Utc>) -> bool {
        self.next_action
            .as_ref()
            .is_none_or(|action| action.expires_at() > now)
    }

    /// Records the method's result: passed only when the provider confirmed this subject.
    ///
    /// # Errors
    /// [`ProofError::Decided`] when it is decided already.
    pub fn decide(&mut self, passed: bool, now: DateTime<Utc>) -> Result<(), ProofError> {
        if self.status != ProofStatus::AwaitingAction {
            return Err(ProofError::Decided);
        }
        // A result after the session's end fails the proof, whatever it says (R5).
        let passed = passed && self.session_open(now);
        self.status = if passed {
            ProofStatus::Passed
        } else {
            ProofStatus::Failed
        };
        self.passed_at = passed.then_some(now);
        self.next_action = None;
        Ok(())
    }

    /// The opaque reference of an account, valid only with this proof (R15).
    #[must_use]
    pub fn ref_for(&self, account: AccountId) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        hasher.update(account.as_uuid().as_bytes());
        let digest = hasher.finalize();
        format!(
            "ref_{}",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    }
}

/// Appeal or theft case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// An appeal to a reviewer.
    Appeal,
    /// A theft case opened by a freeze.
    Theft,
}

impl CaseKind {
    /// Every value.
    pub const ALL: [Self; 2] = [Self::Appeal, Self::Theft];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Appeal => "appeal",
            Self::Theft => "theft",
        }
    }

    /// Parses a name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// How a reviewer resolves a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Theft confirmed: the impostor's accounts lose their verification (R14).
    Confirmed,
    /// Theft not confirmed: the frozen accounts are released.
    Rejected,
    /// An appeal handled.
    Resolved,
}

impl CaseOutcome {
    /// Every value.
    pub const ALL: [Self; 3] = [Self::Confirmed, Self::Rejected, Self::Resolved];

    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Resolved => "resolved",
        }
    }

    /// Parses a name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether this outcome can close a case of `kind`.
    #[must_use]
    pub const fn fits(self, kind: CaseKind) -> bool {
        matches!(
            (kind, self),
            (CaseKind::Theft, Self::Confirmed | Self::Rejected)
                | (CaseKind::Appeal, Self::Resolved | Self::Rejected)
        )
    }
}

/// An appeal or theft case for reviewers (R14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// Appeal or theft.
    pub kind: CaseKind,
    /// Who opened it (a principal label).
    pub opened_by: String,
    /// The proof behind it, if any.
    pub proof_id: Option<ProofId>,
    /// The accounts concerned.
    pub account_ids: Vec<AccountId>,
    /// The opener's message or note (may hold personal data: stored encrypted); `None` once
    /// redacted after the retention period (R21).
    pub message: Option<String>,
    /// The outcome, once resolved.
    pub outcome: Option<CaseOutcome>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (a reviewer's label).
    pub resolved_by: Option<String>,
    /// The reviewer's note (may hold personal data: stored encrypted).
    pub resolution_note: Option<String>,
}

/// Why a case cannot be resolved so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the case is resolved, or the outcome does not fit its kind")]
pub struct CaseNotOpen;

impl Case {
    /// A case opened now, of `kind`, about `account_ids`.
    #[must_use]
    pub fn open(
        kind: CaseKind,
        opened_by: String,
        (proof_id, account_ids): (Option<ProofId>, Vec<AccountId>),
        message: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: CaseId::new(),
            kind,
            opened_by,
            proof_id,
            account_ids,
            message: Some(message),
            outcome: None,
            created_at: now,
            resolved_at: None,
            resolved_by: None,
            resolution_note: None,
        }
    }

    /// Resolves it with `outcome`, by `reviewer`, with their note (R14).
    ///
    /// # Errors
    /// [`CaseNotOpen`] when it is resolved already or the outcome does not fit its kind.
    pub fn resolve(
        &mut self,
        outcome: CaseOutcome,
        (reviewer, note): (String, Option<String>),
        now: DateTime<Utc>,
    ) -> Result<(), CaseNotOpen> {
        if self.outcome.is_some() || !outcome.fits(self.kind) {
            return Err(CaseNotOpen);
        }
        self.outcome = Some(outcome);
        self.resolved_at = Some(now);
        self.resolved_by = Some(reviewer);
        self.resolution_note = note;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::PersonName;
    use crate::subject::{DocumentType, PersonalDocument, PersonalSubject, Region};

    fn proof(secret: u8) -> IdentityProof {
        let subject = Subject::Personal(PersonalSubject {
            document: PersonalDocument::parse(
                DocumentType::ResidentId,
                "11010519491231002X",
                Utc::now().date_naive(),
            )
            .unwrap(),
            name: PersonName::parse("张三").unwrap(),
            region: Region::Mainland,
        });
        IdentityProof::start(
            "holder:1".into(),
            Method::FaceRecognition,
            subject,
            [secret; 16],
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn only_an_instant_personal_method_on_a_person_proves_an_identity() {
        use crate::identifiers::{EnterpriseName, Uscc};
        let person = proof(1).subject;
        let enterprise = Subject::Enterprise(crate::EnterpriseSubject {
            name: EnterpriseName::parse("北京示例科技有限公司").unwrap(),
            uscc: Uscc::parse("91110000600037341L").unwrap(),
            region: Region::Mainland,
            legal_person_name: None,
        });
        let start = |method, subject| {
            IdentityProof::start("holder:1".into(), method, subject, [0; 16], Utc::now())
        };
        for method in Method::ALL {
            let allowed = matches!(
                method,
                Method::WechatScan | Method::QqScan | Method::FaceRecognition
            );
            assert_eq!(start(method, person.clone()).is_ok(), allowed, "{method:?}");
            // The takeover: whoever runs an enterprise's official account or pays from its
            // bank account would reach every account of the enterprise.
            assert_eq!(
                start(method, enterprise.clone()),
                Err(ProofError::MethodNotAllowed),
                "{method:?}"
            );
        }
    }

    #[test]
    fn an_unpassed_proof_reveals_nothing_and_another_caller_cannot_use_it() {
        let mut p = proof(1);
        let now = p.created_at;
        let ttl = chrono::Duration::seconds(900);
        assert_eq!(
            p.ensure_usable_by("holder:1", now, ttl),
            Err(ProofError::NotPassed)
        );
        p.decide(true, now).unwrap();
        assert_eq!(
            p.ensure_usable_by("holder:2", now, ttl),
            Err(ProofError::NotOwner)
        );
        assert_eq!(p.ensure_usable_by("holder:1", now, ttl), Ok(()));
        assert_eq!(p.decide(false, now), Err(ProofError::Decided));
    }

    #[test]
    fn a_passed_proof_dies_after_its_validity() {
        let mut p = proof(1);
        let now = p.created_at;
        let ttl = chrono::Duration::seconds(900);
        p.decide(true, now).unwrap();
        let later = now + chrono::Duration::seconds(899);
        assert_eq!(p.ensure_usable_by("holder:1", later, ttl), Ok(()));
        let expired = now + ttl;
        assert_eq!(
            p.ensure_usable_by("holder:1", expired, ttl),
            Err(ProofError::Expired)
        );
    }

    #[test]
    fn a_pass_reported_after_the_session_ended_fails_the_proof() {
        let mut p = proof(1);
        let ends = p.created_at + chrono::Duration::minutes(30);
        p.next_action = Some(crate::application::NextAction::FaceLiveness {
            session_url: "https://h5.test/x".into(),
            expires_at: ends,
        });
        p.decide(true, ends).unwrap();
        assert_eq!(p.status, ProofStatus::Failed);
        assert_eq!(p.passed_at, None);
    }

    #[test]
    fn references_are_stable_per_proof_and_differ_between_proofs() {
        let account = AccountId::new();
        assert_eq!(proof(1).ref_for(account), proof(1).ref_for(account));
        assert_ne!(proof(1).ref_for(account), proof(2).ref_for(account));
        assert!(
            !proof(1)
                .ref_for(account)
                .contains(&account.as_uuid().simple().to_string())
        );
    }

    #[test]
    fn outcomes_fit_their_case_kinds() {
        assert!(CaseOutcome::Confirmed.fits(CaseKind::Theft));
        assert!(!CaseOutcome::Confirmed.fits(CaseKind::Appeal));
        assert!(CaseOutcome::Resolved.fits(CaseKind::Appeal));
    }
}

//! Pull a session's result from a provider that keeps it until asked (FaceID): when the holder's
//! browser returns, and from the poll job for sessions still open (R5, R6, R11, R14).
//!
//! Both paths end in [`ProviderCallback`], which decides under the locks: a return and a poll
//! racing on one session decide it once.

use std::sync::Arc;

use chrono::NaiveDate;
use realname_domain::identifiers::PersonName;
use realname_domain::identity::{IdentityProof, ProofStatus};
use realname_domain::{Application, FailureCode, PersonalDocument, PersonalSubject, Subject};
use realname_ports::{
    ApplicationReader, AssertedSubject, Clock, ProviderOutcome, ProviderReport, ProviderResults,
    PulledResult, PulledSession, PulledSessions, SessionOwner, UnitOfWork, VerifiedPerson,
};

use crate::AppError;
use crate::verification::{CallbackOutcome, ProviderCallback};

/// What [`PullProviderResult::new`] takes: its ports, by name.
pub struct PullProviderResultDeps {
    pub sessions: Arc<dyn PulledSessions>,
    pub results: Arc<dyn ProviderResults>,
    pub callback: Arc<ProviderCallback>,
    pub applications: Arc<dyn ApplicationReader>,
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    /// How many open sessions one poll asks about.
    pub batch: u32,
}

/// What a pulled session decides, as it stands after the pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pulled {
    /// A verification application.
    Application(Application),
    /// An identity proof.
    Proof(IdentityProof),
}

/// Pulls results and records them.
pub struct PullProviderResult {
    sessions: Arc<dyn PulledSessions>,
    results: Arc<dyn ProviderResults>,
    callback: Arc<ProviderCallback>,
    applications: Arc<dyn ApplicationReader>,
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    batch: u32,
}

impl PullProviderResult {
    /// Wires the use case.
    pub fn new(deps: PullProviderResultDeps) -> Self {
        let PullProviderResultDeps {
            sessions,
            results,
            callback,
            applications,
            uow,
            clock,
            batch,
        } = deps;
        Self {
            sessions,
            results,
            callback,
            applications,
            uow,
            clock,
            batch,
        }
    }

    /// The holder's browser came back to the session's return URL. A provider that cannot be
    /// asked now leaves the session to the poll job: the holder is told it is still checked.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown reference; storage errors.
    #[tracing::instrument(name = "provider_return", skip_all)]
    pub async fn on_return(&self, session_ref: &str) -> Result<Pulled, AppError> {
        let session = self
            .sessions
            .pulled_session(session_ref)
            .await?
            .ok_or(AppError::NotFound("session"))?;
        self.pull(&session).await
    }

    /// Asks about every open session, oldest expiry first, and reports how many it decided.
    ///
    /// # Errors
    /// Storage errors listing the sessions; one session's failure is logged and skipped.
    #[tracing::instrument(name = "poll_provider_results", skip_all)]
    pub async fn poll(&self) -> Result<usize, AppError> {
        let open = self
            .sessions
            .open_pulled_sessions(self.clock.now(), self.batch)
            .await?;
        let mut decided = 0;
        for session in &open {
            match self.pull(session).await {
                Ok(pulled) if !pulled.is_undecided() => decided += 1,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(error = %error, owner = ?session.owner, "pulling a session failed");
                }
            }
        }
        Ok(decided)
    }

    async fn pull(&self, session: &PulledSession) -> Result<Pulled, AppError> {
        let current = self.current(session.owner).await?;
        if !current.is_undecided() {
            return Ok(current);
        }
        let result = match self.results.fetch(session).await {
            Ok(result) => result,
            Err(error) => {
                tracing::warn!(error = %error, method = session.method.as_str(), "the provider could not be asked; the poll job asks again");
                return Ok(current);
            }
        };
        let outcome = match result {
            PulledResult::Pending => return Ok(current),
            PulledResult::Expired => ProviderOutcome::Expired,
            PulledResult::Failed(code) => ProviderOutcome::Failed(code),
            PulledResult::Verified(person) => {
                let today = self.clock.now().date_naive();
                match asserted_person(current.subject(), &person, today) {
                    Some(asserted) => ProviderOutcome::Passed(asserted),
                    None => ProviderOutcome::Failed(mismatch(current.subject())),
                }
            }
        };
        let report = ProviderReport {
            provider: session.method.provider(),
            session_ref: session.session_ref.clone(),
            outcome,
        };
        Ok(match self.callback.execute(report).await? {
            CallbackOutcome::Application(recorded) => Pulled::Application(recorded.application),
            CallbackOutcome::Proof { proof, .. } => Pulled::Proof(proof),
        })
    }

    async fn current(&self, owner: SessionOwner) -> Result<Pulled, AppError> {
        match owner {
            SessionOwner::Application(id) => self
                .applications
                .application(id)
                .await?
                .map(Pulled::Application)
                .ok_or(AppError::NotFound("session")),
            SessionOwner::Proof(id) => {
                let mut tx = self.uow.begin().await?;
                let proof = tx.proof_for_update(id).await?;
                tx.rollback().await?;
                proof
                    .map(Pulled::Proof)
                    .ok_or(AppError::NotFound("session"))
            }
        }
    }
}

impl Pulled {
    /// Whether it still waits for its session's result.
    #[must_use]
    pub fn is_undecided(&self) -> bool {
        match self {
            Self::Application(app) => app.status.is_undecided(),
            Self::Proof(proof) => proof.status == ProofStatus::AwaitingAction,
        }
    }

    fn subject(&self) -> &Subject {
        match self {
            Self::Application(app) => &app.subject,
            Self::Proof(proof) => &proof.subject,
        }
    }
}

/// The failure when the verified person cannot even be read as the submitted kind of subject.
fn mismatch(submitted: &Subject) -> FailureCode {
    match submitted {
        Subject::Personal(_) => FailureCode::IdentityInfoIncorrect,
        Subject::Enterprise(_) => FailureCode::LegalPersonMismatch,
    }
}

/// What the provider asserts, in the submitted subject's terms, for the rules to weigh:
/// - a person: the verified name and, where reported, the verified number, read as the
///   submitted document type (R5: it must then equal the submitted subject);
/// - an enterprise (the legal-person method): the submitted enterprise with the verified name
///   as its legal representative (R6: the registry's representative must match it).
///
/// `None` when the verified name or number is not even well-formed.
fn asserted_person(
    submitted: &Subject,
    person: &VerifiedPerson,
    today: NaiveDate,
) -> Option<AssertedSubject> {
    let name = PersonName::parse(&person.name).ok()?;
    let subject = match submitted {
        Subject::Personal(submitted) => {
            let document = match &person.id_card {
                Some(number) => {
                    PersonalDocument::parse(submitted.document.kind(), number, today).ok()?
                }
                None => submitted.document.clone(),
            };
            Subject::Personal(PersonalSubject {
                document,
                name,
                region: submitted.region,
            })
        }
        Subject::Enterprise(submitted) => {
            let mut enterprise = submitted.clone();
            enterprise.legal_person_name = Some(name);
            Subject::Enterprise(enterprise)
        }
    };
    Some(AssertedSubject {
        subject,
        mainland_bank_card: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{now, zhang_san};

    fn verified(name: &str, id_card: Option<&str>) -> VerifiedPerson {
        VerifiedPerson {
            name: name.into(),
            id_card: id_card.map(Into::into),
        }
    }

    #[test]
    fn the_submitted_person_verified_by_face_confirms_the_subject() {
        let today = now().date_naive();
        let submitted = zhang_san();
        for person in [
            verified("张三", Some("11010519491231002X")),
            verified(" 张三 ", Some("11010519491231002x")),
            verified("张三", None),
        ] {
            let asserted = asserted_person(&submitted, &person, today).unwrap();
            assert!(submitted.confirmed_by(&asserted.subject, asserted.mainland_bank_card));
        }
    }

    #[test]
    fn someone_else_verified_by_face_does_not_confirm_the_subject() {
        let today = now().date_naive();
        let submitted = zhang_san();
        let other_number = verified("张三", Some("110105194912310021"));
        let other_name = verified("李四", Some("11010519491231002X"));
        for person in [other_number, other_name] {
            let confirmed = asserted_person(&submitted, &person, today)
                .is_some_and(|a| submitted.confirmed_by(&a.subject, a.mainland_bank_card));
            assert!(!confirmed);
        }
        assert_eq!(
            asserted_person(&submitted, &verified("张三", Some("not a number")), today),
            None
        );
        assert_eq!(mismatch(&submitted), FailureCode::IdentityInfoIncorrect);
    }

    #[test]
    fn a_legal_person_verification_asserts_the_verified_name_as_the_representative() {
        let today = now().date_naive();
        let submitted = crate::testing::enterprise(crate::testing::VALID_USCC);
        let asserted = asserted_person(&submitted, &verified("赵六", None), today).unwrap();
        let Subject::Enterprise(enterprise) = asserted.subject else {
            panic!("an enterprise")
        };
        assert_eq!(enterprise.legal_person_name.unwrap().as_str(), "赵六");
        assert_eq!(mismatch(&submitted), FailureCode::LegalPersonMismatch);
    }
}

//! Verification providers: the outbound session start, the inbound report, and the sandbox
//! twin's completion.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::{
    Application, ApplicationId, FailureCode, Method, NextAction, ProofId, ProviderName, Subject,
};

use crate::error::{GatewayError, StoreError};

/// What a provider needs to open a session.
#[derive(Debug, Clone)]
pub struct SessionRequest {
    /// The application the session belongs to.
    pub application_id: ApplicationId,
    /// The method.
    pub method: Method,
    /// The subject to verify.
    pub subject: Subject,
    /// When the session must expire (R5).
    pub expires_at: DateTime<Utc>,
}

/// An opened session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSession {
    /// The provider's reference, which its callback names.
    pub session_ref: String,
    /// What the applicant does next.
    pub next_action: NextAction,
    /// For a provider whose results are pulled rather than pushed (FaceID's `BizToken`): what
    /// its result is asked for with. The session is then stored as a [`PulledSession`].
    pub provider_token: Option<String>,
}

/// Opens provider sessions.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProviderGateway: Send + Sync {
    /// Opens a session for an application.
    ///
    /// # Errors
    /// [`GatewayError`] when the provider cannot be reached or refuses; no session exists then.
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError>;
}

/// Whose session a pulled session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOwner {
    /// A verification application's.
    Application(ApplicationId),
    /// An identity proof's (R14).
    Proof(ProofId),
}

/// A session whose result realname pulls from its provider (FaceID keeps a result until it is
/// asked for it), from the holder's return and from the poll job (R5).
#[derive(Clone, PartialEq, Eq)]
pub struct PulledSession {
    /// realname's random reference, which the return URL names.
    pub session_ref: String,
    /// The method, which says which rule the result is asked under.
    pub method: Method,
    /// The provider's token for the session.
    pub provider_token: String,
    /// The application or proof it decides.
    pub owner: SessionOwner,
    /// When the session expires (R5).
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for PulledSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PulledSession")
            .field("method", &self.method)
            .field("owner", &self.owner)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The person a provider verified, as it reports them: raw strings, checked against the
/// submitted subject by the use case (R5, R6).
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedPerson {
    /// The name verified.
    pub name: String,
    /// The ID number verified, where the provider reports one.
    pub id_card: Option<String>,
}

impl std::fmt::Debug for VerifiedPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedPerson { .. }")
    }
}

/// What a pulled session came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PulledResult {
    /// Not finished: ask again later.
    Pending,
    /// The provider let the session expire.
    Expired,
    /// Failed with an R7 code.
    Failed(FailureCode),
    /// The provider verified this person; whether it is the submitted one is still to check.
    Verified(VerifiedPerson),
}

/// Pulls the results of pulled sessions.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProviderResults: Send + Sync {
    /// What the session came to so far.
    ///
    /// # Errors
    /// [`GatewayError`] when the provider cannot be asked; the session stays open.
    async fn fetch(&self, session: &PulledSession) -> Result<PulledResult, GatewayError>;
}

/// Where pulled sessions are found.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PulledSessions: Send + Sync {
    /// The session with this reference, open or not.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn pulled_session(&self, session_ref: &str) -> Result<Option<PulledSession>, StoreError>;

    /// Sessions not yet expired at `now` whose application or proof is still undecided, oldest
    /// first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] on failure.
    async fn open_pulled_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<PulledSession>, StoreError>;
}

/// What the provider asserts about the person who completed the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertedSubject {
    /// The subject as the provider knows it.
    pub subject: Subject,
    /// For travel-permit holders: the WeChat account is linked to a mainland bank card (R5).
    pub mainland_bank_card: bool,
}

/// The provider's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderOutcome {
    /// The session passed, for this subject.
    Passed(AssertedSubject),
    /// The session failed with a code (R7).
    Failed(FailureCode),
    /// The provider let the session expire: the application expires (R5).
    Expired,
}

/// A provider's report on one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderReport {
    /// Who reported.
    pub provider: ProviderName,
    /// The session.
    pub session_ref: String,
    /// The verdict.
    pub outcome: ProviderOutcome,
}

/// How a sandbox completion should decide (API.md `POST /v1/sandbox/applications/{id}/complete`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxInstruction {
    /// Pass or fail.
    pub passed: bool,
    /// The failure code when failing.
    pub failure_code: Option<FailureCode>,
    /// A subject to assert instead of the submitted one, to simulate a mismatch.
    pub asserted_subject: Option<AssertedSubject>,
}

/// The sandbox twin of the providers: it decides an application as a provider would.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SandboxProvider: Send + Sync {
    /// The report a provider would send for `application` under `instruction`. Without an
    /// asserted subject, the provider asserts the submitted one.
    fn report(&self, application: &Application, instruction: &SandboxInstruction)
    -> ProviderReport;
}

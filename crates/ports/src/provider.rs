//! Verification providers: the outbound session start, the inbound report, and the sandbox
//! twin's completion.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use realname_domain::{
    Application, ApplicationId, FailureCode, Method, NextAction, ProviderName, Subject,
};

use crate::error::GatewayError;

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

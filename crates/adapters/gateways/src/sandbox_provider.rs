//! The sandbox twin of every verification provider.
//!
//! - A session's reference is `<provider>_<application id without prefix>`.
//! - Face recognition hands out a liveness URL; the scans hand out a QR URL; both under the
//!   configured base URL and valid until the requested expiry.
//! - Completed through the sandbox endpoint, it asserts the submitted subject (with a mainland
//!   bank card on the WeChat account) unless told to assert another one.

use async_trait::async_trait;
use realname_domain::{Application, FailureCode, Method, NextAction};
use realname_ports::{
    AssertedSubject, GatewayError, ProviderGateway, ProviderOutcome, ProviderReport,
    ProviderSession, SandboxInstruction, SandboxProvider, SessionRequest,
};

/// Sandbox providers answering under `base_url`.
#[derive(Debug, Clone)]
pub struct SandboxProviders {
    base_url: String,
}

impl SandboxProviders {
    /// Sandbox providers whose session pages live under `base_url`.
    #[must_use]
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
        }
    }
}

#[async_trait]
impl ProviderGateway for SandboxProviders {
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        let provider = request.method.provider().as_str();
        let id = request.application_id.as_uuid().simple();
        let session_ref = format!("{provider}_{id}");
        let expires_at = request.expires_at;
        let next_action = match request.method {
            Method::FaceRecognition | Method::LegalPersonFaceRecognition => {
                NextAction::FaceLiveness {
                    session_url: format!("{}/face/{session_ref}", self.base_url),
                    expires_at,
                }
            }
            Method::CloudRecharge | Method::CorporateRemittance => {
                return Err(GatewayError::Unavailable(anyhow::anyhow!(
                    "payment methods open no provider session"
                )));
            }
            _ => NextAction::ScanQr {
                qr_url: format!("{}/qr/{session_ref}", self.base_url),
                expires_at,
            },
        };
        Ok(ProviderSession {
            session_ref,
            next_action,
            provider_token: None,
        })
    }
}

impl SandboxProvider for SandboxProviders {
    fn report(
        &self,
        application: &Application,
        instruction: &SandboxInstruction,
    ) -> ProviderReport {
        let outcome = if instruction.passed {
            ProviderOutcome::Passed(instruction.asserted_subject.clone().unwrap_or_else(|| {
                AssertedSubject {
                    subject: application.subject.clone(),
                    mainland_bank_card: true,
                }
            }))
        } else {
            ProviderOutcome::Failed(
                instruction
                    .failure_code
                    .unwrap_or(FailureCode::ProviderError),
            )
        };
        ProviderReport {
            provider: application.method.provider(),
            session_ref: application.session_ref.clone().unwrap_or_default(),
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use realname_domain::identifiers::PersonName;
    use realname_domain::{
        AccountId, ApplicationId, ApplicationStatus, DocumentType, PersonalDocument,
        PersonalSubject, Purpose, Region, Subject,
    };

    use super::*;

    fn subject() -> Subject {
        Subject::Personal(PersonalSubject {
            document: PersonalDocument::parse(
                DocumentType::ResidentId,
                "11010519491231002X",
                Utc::now().date_naive(),
            )
            .unwrap(),
            name: PersonName::parse("张三").unwrap(),
            region: Region::Mainland,
        })
    }

    async fn submitted(method: Method) -> Application {
        let gateway = SandboxProviders::new("https://sandbox.test/");
        let id = ApplicationId::new();
        let expires_at = Utc::now() + Duration::minutes(30);
        let session = gateway
            .start_session(&SessionRequest {
                application_id: id,
                method,
                subject: subject(),
                expires_at,
            })
            .await
            .unwrap();
        Application {
            id,
            account_id: AccountId::new(),
            purpose: Purpose::Verify,
            method,
            subject: subject(),
            status: ApplicationStatus::AwaitingAction,
            session_ref: Some(session.session_ref),
            next_action: Some(session.next_action),
            deadline: None,
            overdue: false,
            escalated: false,
            review_reason: None,
            review_note: None,
            failure: None,
            created_at: Utc::now(),
            decided_at: None,
            review_context: Default::default(),
        }
    }

    #[tokio::test]
    async fn face_sessions_get_a_liveness_url_and_scans_a_qr_code() {
        let face = submitted(Method::FaceRecognition).await;
        assert!(
            matches!(face.next_action, Some(NextAction::FaceLiveness { ref session_url, .. }) if session_url.starts_with("https://sandbox.test/face/face_"))
        );
        let scan = submitted(Method::QqScan).await;
        assert!(
            matches!(scan.next_action, Some(NextAction::ScanQr { ref qr_url, .. }) if qr_url.contains("/qr/qq_"))
        );
    }

    #[tokio::test]
    async fn a_passing_completion_asserts_the_submitted_subject() {
        let app = submitted(Method::WechatScan).await;
        let instruction = SandboxInstruction {
            passed: true,
            failure_code: None,
            asserted_subject: None,
        };
        let report = SandboxProviders::new("https://sandbox.test").report(&app, &instruction);
        assert_eq!(report.session_ref, app.session_ref.clone().unwrap());
        assert_eq!(
            report.outcome,
            ProviderOutcome::Passed(AssertedSubject {
                subject: app.subject,
                mainland_bank_card: true
            })
        );
    }

    #[tokio::test]
    async fn a_failing_completion_reports_its_code() {
        let app = submitted(Method::FaceRecognition).await;
        let instruction = SandboxInstruction {
            passed: false,
            failure_code: Some(FailureCode::FaceObstructed),
            asserted_subject: None,
        };
        let report = SandboxProviders::new("https://sandbox.test").report(&app, &instruction);
        assert_eq!(
            report.outcome,
            ProviderOutcome::Failed(FailureCode::FaceObstructed)
        );
    }
}

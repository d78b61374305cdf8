//! Tencent Cloud FaceID (`faceid`, version `2018-03-01`) for `face_recognition` and
//! `legal_person_face_recognition` (R5, R6, R11): `DetectAuth` opens an H5 session, and
//! `GetDetectInfoEnhanced` pulls its result, which [`verdict_of`] translates into the R7 codes.
//!
//! Whether a passed session was for the submitted person is decided by the use case, not here:
//! this module only reports the name and number FaceID verified.

use std::fmt;

use async_trait::async_trait;
use realname_domain::{FailureCode, Method, NextAction, Subject};
use realname_ports::{
    GatewayError, ProviderGateway, ProviderResults, ProviderSession, PulledResult, PulledSession,
    SessionRequest, VerifiedPerson,
};
use serde::{Deserialize, Serialize};

use crate::tencent::{TencentClient, TencentError};

/// The FaceID API version.
pub const VERSION: &str = "2018-03-01";

/// The FaceID client, and the provider of the two face methods.
#[derive(Debug)]
pub struct FaceId {
    client: TencentClient,
    rules: FaceIdRules,
}

/// What FaceID sessions are opened with.
#[derive(Debug, Clone)]
pub struct FaceIdRules {
    /// `providers.faceid.rule_id_face_recognition`.
    pub face_recognition: String,
    /// `providers.faceid.rule_id_legal_person_face_recognition`.
    pub legal_person_face_recognition: String,
    /// `http.public_base_url`: the holder's browser returns to
    /// `{public_base_url}/v1/provider-returns/faceid/{ref}`.
    pub public_base_url: String,
}

/// What `DetectAuth` is asked for.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DetectRequest<'a> {
    /// The rule of the method: `providers.faceid.rule_id_face_recognition` or
    /// `…_legal_person_face_recognition`.
    pub rule_id: &'a str,
    /// The submitted person's ID number; omitted for the legal-person method, whose H5 flow
    /// collects it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_card: Option<&'a str>,
    /// The submitted person's name, or the legal representative's.
    pub name: &'a str,
    /// `{http.public_base_url}/v1/provider-returns/faceid/{ref}`.
    pub redirect_url: &'a str,
}

impl fmt::Debug for DetectRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetectRequest")
            .field("rule_id", &self.rule_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// An opened H5 session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DetectSession {
    /// The session's token, for pulling its result.
    pub biz_token: String,
    /// Where the holder's browser goes.
    pub url: String,
}

/// What a `Text.ErrCode` means. The one table of FaceID's final result codes (R7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 0: passed, subject to the person check.
    Passed,
    /// 17, or no code yet: not finished.
    Pending,
    /// 15: the session expired.
    Expired,
    /// Failed with this code.
    Failed(FailureCode),
}

/// The verdict of a final result code (`None`: no result yet).
#[must_use]
pub const fn verdict_of(err_code: Option<i64>) -> Verdict {
    let Some(code) = err_code else {
        return Verdict::Pending;
    };
    match code {
        0 => Verdict::Passed,
        17 => Verdict::Pending,
        15 => Verdict::Expired,
        1002..=1005 | 2012 => Verdict::Failed(FailureCode::LivenessFailed),
        2002 | 2003 | 2005 | 2006 | 301 => Verdict::Failed(FailureCode::IdentityInfoIncorrect),
        2011 | 2015 | 2016 => Verdict::Failed(FailureCode::FacePhotoMismatch),
        2010 | 2013 => Verdict::Failed(FailureCode::FaceNotFullyVisible),
        _ => Verdict::Failed(FailureCode::ProviderError),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetectInfo {
    text: Option<DetectText>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetectText {
    err_code: Option<i64>,
    id_card: Option<String>,
    name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InfoRequest<'a> {
    biz_token: &'a str,
    rule_id: &'a str,
    info_type: &'a str,
}

impl FaceId {
    /// FaceID through `client` (whose service is `faceid` at version [`VERSION`]).
    #[must_use]
    pub const fn new(client: TencentClient, rules: FaceIdRules) -> Self {
        Self { client, rules }
    }

    fn rule_of(&self, method: Method) -> Result<&str, GatewayError> {
        match method {
            Method::FaceRecognition => Ok(&self.rules.face_recognition),
            Method::LegalPersonFaceRecognition => Ok(&self.rules.legal_person_face_recognition),
            _ => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "FaceID serves only the face methods"
            ))),
        }
    }

    /// Opens an H5 session. No personal data goes into `Extra`: none is sent.
    ///
    /// # Errors
    /// [`TencentError`].
    pub async fn detect_auth(
        &self,
        request: &DetectRequest<'_>,
    ) -> Result<DetectSession, TencentError> {
        self.client.call("DetectAuth", request).await
    }

    /// Pulls a session's text result (`InfoType: "1"`).
    ///
    /// # Errors
    /// [`TencentError`].
    pub async fn detect_info(
        &self,
        biz_token: &str,
        rule_id: &str,
    ) -> Result<PulledResult, TencentError> {
        let request = InfoRequest {
            biz_token,
            rule_id,
            info_type: "1",
        };
        let info: DetectInfo = self.client.call("GetDetectInfoEnhanced", &request).await?;
        let text = info.text.unwrap_or(DetectText {
            err_code: None,
            id_card: None,
            name: None,
        });
        Ok(match verdict_of(text.err_code) {
            Verdict::Passed => match text.name.filter(|n| !n.trim().is_empty()) {
                Some(name) => PulledResult::Verified(VerifiedPerson {
                    name,
                    id_card: text.id_card.filter(|c| !c.trim().is_empty()),
                }),
                // A pass that names nobody cannot be checked against the submitted person.
                None => PulledResult::Failed(FailureCode::ProviderError),
            },
            Verdict::Pending => PulledResult::Pending,
            Verdict::Expired => PulledResult::Expired,
            Verdict::Failed(code) => PulledResult::Failed(code),
        })
    }
}

/// A FaceID failure as the ports see it; the code is kept, never a secret or personal data.
fn gateway_error(error: TencentError) -> GatewayError {
    match error {
        TencentError::Unavailable { code } if code == "timeout" => GatewayError::Timeout,
        other => GatewayError::Unavailable(other.into()),
    }
}

#[async_trait]
impl ProviderGateway for FaceId {
    /// `DetectAuth` under the method's rule. The reference in the return URL is random, never
    /// derived from the application; the person's number goes only to `face_recognition`, and
    /// the legal-person method sends the representative's name alone.
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        let rule_id = self.rule_of(request.method)?;
        let (name, id_card) = match &request.subject {
            Subject::Personal(person) => (person.name.as_str(), Some(person.document.number())),
            Subject::Enterprise(enterprise) => (
                enterprise
                    .legal_person_name
                    .as_ref()
                    .map(|n| n.as_str())
                    .ok_or_else(|| {
                        GatewayError::Unavailable(anyhow::anyhow!(
                            "no legal representative to verify"
                        ))
                    })?,
                None,
            ),
        };
        let session_ref = crate::random_ref();
        let redirect_url = format!(
            "{}/v1/provider-returns/faceid/{session_ref}",
            self.rules.public_base_url.trim_end_matches('/')
        );
        let session = self
            .detect_auth(&DetectRequest {
                rule_id,
                id_card,
                name,
                redirect_url: &redirect_url,
            })
            .await
            .map_err(gateway_error)?;
        Ok(ProviderSession {
            session_ref,
            next_action: NextAction::FaceLiveness {
                session_url: session.url,
                expires_at: request.expires_at,
            },
            provider_token: Some(session.biz_token),
        })
    }
}

#[async_trait]
impl ProviderResults for FaceId {
    async fn fetch(&self, session: &PulledSession) -> Result<PulledResult, GatewayError> {
        let rule_id = self.rule_of(session.method)?;
        self.detect_info(&session.provider_token, rule_id)
            .await
            .map_err(gateway_error)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::{Value, json};

    use super::*;
    use crate::tencent::Credentials;
    use crate::tencent::testing::fake;

    #[test]
    fn every_row_of_the_result_table_maps_to_its_r7_outcome() {
        use FailureCode::{
            FaceNotFullyVisible, FacePhotoMismatch, IdentityInfoIncorrect, LivenessFailed,
            ProviderError,
        };
        let rows: &[(&[i64], Verdict)] = &[
            (&[0], Verdict::Passed),
            (&[17], Verdict::Pending),
            (&[15], Verdict::Expired),
            (
                &[1002, 1003, 1004, 1005, 2012],
                Verdict::Failed(LivenessFailed),
            ),
            (
                &[2002, 2003, 2005, 2006, 301],
                Verdict::Failed(IdentityInfoIncorrect),
            ),
            (&[2011, 2015, 2016], Verdict::Failed(FacePhotoMismatch)),
            (&[2010, 2013], Verdict::Failed(FaceNotFullyVisible)),
            (
                &[1001, 1007, 2001, 2017, 4, 8, 10, 12, 13, 9999, -1],
                Verdict::Failed(ProviderError),
            ),
        ];
        for (codes, verdict) in rows {
            for code in *codes {
                assert_eq!(verdict_of(Some(*code)), *verdict, "ErrCode {code}");
            }
        }
        assert_eq!(verdict_of(None), Verdict::Pending, "no result yet");
    }

    fn faceid(endpoint: &str) -> FaceId {
        FaceId::new(
            TencentClient::new(
                endpoint,
                "faceid",
                VERSION,
                None,
                Credentials::new("AKIDloopback", "loopback-secret-key"),
                Duration::from_secs(2),
            )
            .unwrap(),
            FaceIdRules {
                face_recognition: "2".into(),
                legal_person_face_recognition: "3".into(),
                public_base_url: "https://realname.example/".into(),
            },
        )
    }

    #[tokio::test]
    async fn detect_auth_sends_the_person_and_no_extra_and_the_legal_person_method_no_id() {
        let answer = json!({"Response": {"BizToken": "BT-1", "Url": "https://h5.example/detect", "RequestId": "r"}});
        let (endpoint, seen) = fake(vec![(200, answer)]).await;
        let faceid = faceid(&endpoint);
        let session = faceid
            .detect_auth(&DetectRequest {
                rule_id: "2",
                id_card: Some("11010519491231002X"),
                name: "张三",
                redirect_url: "https://realname.example/v1/provider-returns/faceid/ref1",
            })
            .await
            .unwrap();
        assert_eq!(
            session,
            DetectSession {
                biz_token: "BT-1".into(),
                url: "https://h5.example/detect".into()
            }
        );
        faceid
            .detect_auth(&DetectRequest {
                rule_id: "3",
                id_card: None,
                name: "李四",
                redirect_url: "https://realname.example/v1/provider-returns/faceid/ref2",
            })
            .await
            .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0].header("X-TC-Action"), Some("DetectAuth"));
        assert_eq!(seen[0].header("X-TC-Version"), Some(VERSION));
        let bodies: Vec<Value> = seen
            .iter()
            .map(|s| serde_json::from_slice(&s.body).unwrap())
            .collect();
        assert_eq!(
            bodies[0],
            json!({"RuleId": "2", "IdCard": "11010519491231002X", "Name": "张三",
                   "RedirectUrl": "https://realname.example/v1/provider-returns/faceid/ref1"})
        );
        assert_eq!(
            bodies[1],
            json!({"RuleId": "3", "Name": "李四",
                   "RedirectUrl": "https://realname.example/v1/provider-returns/faceid/ref2"})
        );
    }

    #[tokio::test]
    async fn detect_info_reads_the_text_result() {
        let text = |text: Value| json!({"Response": {"Text": text, "RequestId": "r"}});
        let (endpoint, seen) = fake(vec![
            (200, text(json!({"ErrCode": 0, "ErrMsg": "成功", "IdCard": "11010519491231002X", "Name": "张三"}))),
            (200, text(json!({"ErrCode": null, "ErrMsg": null, "IdCard": "", "Name": ""}))),
            (200, text(json!({"ErrCode": 2015, "ErrMsg": "比对失败"}))),
            (200, text(json!({"ErrCode": 0, "Name": ""}))),
            (200, json!({"Response": {"Text": null, "RequestId": "r"}})),
        ])
        .await;
        let faceid = faceid(&endpoint);
        let passed = faceid.detect_info("BT-1", "2").await.unwrap();
        assert_eq!(
            passed,
            PulledResult::Verified(VerifiedPerson {
                name: "张三".into(),
                id_card: Some("11010519491231002X".into())
            })
        );
        assert!(
            !format!("{passed:?}").contains("张三"),
            "Debug shows no personal data"
        );
        assert_eq!(
            faceid.detect_info("BT-1", "2").await.unwrap(),
            PulledResult::Pending
        );
        assert_eq!(
            faceid.detect_info("BT-1", "2").await.unwrap(),
            PulledResult::Failed(FailureCode::FacePhotoMismatch)
        );
        assert_eq!(
            faceid.detect_info("BT-1", "2").await.unwrap(),
            PulledResult::Failed(FailureCode::ProviderError),
            "a pass that names nobody"
        );
        assert_eq!(
            faceid.detect_info("BT-1", "2").await.unwrap(),
            PulledResult::Pending
        );
        let seen = seen.lock().unwrap()[0].clone();
        assert_eq!(seen.header("X-TC-Action"), Some("GetDetectInfoEnhanced"));
        assert_eq!(
            serde_json::from_slice::<Value>(&seen.body).unwrap(),
            json!({"BizToken": "BT-1", "RuleId": "2", "InfoType": "1"})
        );
    }

    #[tokio::test]
    async fn a_face_session_returns_to_a_random_reference_and_keeps_the_biz_token() {
        use chrono::Utc;
        use realname_domain::identifiers::PersonName;
        use realname_domain::{
            ApplicationId, DocumentType, PersonalDocument, PersonalSubject, Region,
        };
        let answer = |token: &str| json!({"Response": {"BizToken": token, "Url": "https://h5.example/d", "RequestId": "r"}});
        let (endpoint, seen) = fake(vec![(200, answer("BT-1")), (200, answer("BT-2"))]).await;
        let faceid = faceid(&endpoint);
        let request = SessionRequest {
            application_id: ApplicationId::new(),
            method: Method::FaceRecognition,
            subject: Subject::Personal(PersonalSubject {
                document: PersonalDocument::parse(
                    DocumentType::ResidentId,
                    "11010519491231002X",
                    Utc::now().date_naive(),
                )
                .unwrap(),
                name: PersonName::parse("张三").unwrap(),
                region: Region::Mainland,
            }),
            expires_at: Utc::now(),
        };
        let first = faceid.start_session(&request).await.unwrap();
        let second = faceid.start_session(&request).await.unwrap();
        assert_ne!(first.session_ref, second.session_ref);
        assert_eq!(first.session_ref.len(), 32);
        let id = request.application_id.as_uuid().simple().to_string();
        assert!(
            !first.session_ref.contains(&id),
            "not derived from the application"
        );
        assert_eq!(first.provider_token.as_deref(), Some("BT-1"));
        assert!(matches!(
            first.next_action,
            NextAction::FaceLiveness { ref session_url, .. } if session_url == "https://h5.example/d"
        ));
        let body: Value = serde_json::from_slice(&seen.lock().unwrap()[0].body).unwrap();
        assert_eq!(
            body["RedirectUrl"],
            format!(
                "https://realname.example/v1/provider-returns/faceid/{}",
                first.session_ref
            )
        );
        assert_eq!(body["RuleId"], "2");
        assert!(body.get("Extra").is_none());
    }
}

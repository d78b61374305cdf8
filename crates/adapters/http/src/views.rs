//! Response representations (API.md). Personal data leaves only masked.

use chrono::{DateTime, Utc};
use realname_application::real_name::StatusView;
use realname_domain::capabilities::{CapabilityReport, CapabilityWarning};
use realname_domain::identifiers::Phone;
use realname_domain::subject::MaskedSubject;
use realname_domain::{Account, AccountId, AccountKind, Application, MethodInfo, NextAction};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// A string schema that admits exactly `values`: the closed sets come from the domain's lists.
fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// [`one_of`] or `null`.
fn one_of_or_null(values: impl IntoIterator<Item = &'static str>) -> Object {
    let values = values.into_iter().map(Value::from).chain([Value::Null]);
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .enum_values(Some(values))
        .build()
}

fn account_kinds() -> Object {
    one_of(["root", "sub"])
}

fn account_states() -> Object {
    use realname_domain::AccountState;
    one_of(
        [
            AccountState::Active,
            AccountState::Frozen,
            AccountState::Closed,
        ]
        .map(AccountState::as_str),
    )
}

fn real_name_statuses() -> Object {
    use realname_domain::RealNameStatus;
    one_of(
        [
            RealNameStatus::Unverified,
            RealNameStatus::Verified,
            RealNameStatus::Revoked,
        ]
        .map(RealNameStatus::as_str),
    )
}

const SUBJECT_TYPES: [&str; 2] = [
    realname_domain::subject::SubjectType::Personal.as_str(),
    realname_domain::subject::SubjectType::Enterprise.as_str(),
];

fn subject_types() -> Object {
    one_of(SUBJECT_TYPES)
}

fn subject_type_or_null() -> Object {
    one_of_or_null(SUBJECT_TYPES)
}

fn methods() -> Object {
    one_of(realname_domain::Method::ALL.map(realname_domain::Method::as_str))
}

fn document_types() -> Object {
    one_of(realname_domain::DocumentType::ALL.map(realname_domain::DocumentType::as_str))
}

/// An account (API.md); the phone is masked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountView {
    id: String,
    #[schema(schema_with = account_kinds)]
    kind: &'static str,
    #[schema(required)]
    root_account_id: Option<String>,
    /// Masked, e.g. `138****5678`; `null` once redacted (R21).
    #[schema(required)]
    phone: Option<String>,
    #[schema(schema_with = account_states)]
    state: &'static str,
    real_name: RealNameSummary,
    #[schema(required)]
    agreement_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// The account's real-name status in brief.
#[derive(Debug, Serialize, ToSchema)]
struct RealNameSummary {
    #[schema(schema_with = real_name_statuses)]
    status: &'static str,
    #[schema(schema_with = subject_type_or_null, required)]
    subject_type: Option<&'static str>,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.to_string(),
            kind: match a.kind {
                AccountKind::Root => "root",
                AccountKind::Sub { .. } => "sub",
            },
            root_account_id: match a.kind {
                AccountKind::Root => None,
                AccountKind::Sub { root, .. } => Some(root.to_string()),
            },
            phone: a.phone.as_ref().map(Phone::masked),
            state: a.state.as_str(),
            real_name: RealNameSummary {
                status: a.status.as_str(),
                subject_type: a
                    .verification
                    .as_ref()
                    .map(|v| v.subject.subject_type().as_str()),
            },
            agreement_expires_at: a.agreement_expires_at,
            created_at: a.created_at,
        }
    }
}

/// A masked subject.
#[must_use]
pub fn masked_subject(m: &MaskedSubject) -> Value {
    match m.subject_type {
        realname_domain::SubjectType::Personal => json!({
            "type": "personal",
            "document_type": m.document_type.map(realname_domain::DocumentType::as_str),
            "document_number": m.document_number,
            "name": m.name,
            "region": m.region.as_str(),
        }),
        realname_domain::SubjectType::Enterprise => json!({
            "type": "enterprise",
            "name": m.name,
            "uscc": m.document_number,
            "legal_person_name": m.legal_person_name,
            "region": m.region.as_str(),
        }),
    }
}

/// A next action.
#[must_use]
pub fn next_action(action: &NextAction) -> Value {
    match action {
        NextAction::ScanQr { qr_url, expires_at } => {
            json!({"type": "scan_qr", "qr_url": qr_url, "expires_at": expires_at})
        }
        NextAction::FaceLiveness {
            session_url,
            expires_at,
        } => {
            json!({"type": "face_liveness", "session_url": session_url, "expires_at": expires_at})
        }
        NextAction::Pay {
            reference,
            amount,
            payee_account,
            expires_at,
        } => json!({
            "type": "pay",
            "reference": reference,
            "amount": amount.map(|a| a.to_string()),
            "currency": "CNY",
            "payee_account": payee_account,
            "expires_at": expires_at,
        }),
    }
}

/// Field warnings: a USCC whose check character fails is accepted and sent to review (R9).
fn warnings(app: &Application) -> Vec<Value> {
    match &app.subject {
        realname_domain::Subject::Enterprise(e) if !e.uscc.checksum_ok() => vec![json!({
            "field": "subject.uscc",
            "code": "checksum_mismatch",
            "message": "The check character does not match; the decision goes to manual review.",
        })],
        _ => Vec::new(),
    }
}

/// The application representation of API.md.
#[must_use]
pub fn application(app: &Application) -> Value {
    let failure = app.failure.as_ref().map(|f| {
        let mut failure = json!({
            "code": f.code.as_str(),
            "message": f.code.message(),
            "retry_allowed": f.code.retry_allowed(),
        });
        if !f.holding_accounts.is_empty() {
            failure["holding_accounts"] = f
                .holding_accounts
                .iter()
                .map(|h| json!({"account_id": h.account_id_masked(), "phone": h.phone_masked, "verified_at": h.verified_at}))
                .collect();
            failure["resolutions"] = json!(["close_one_of_these_accounts", "modify_the_real_name_subject_of_one_of_these_accounts"]);
        }
        if let Some(reason) = &f.reason {
            failure["reason"] = reason.clone().into();
        }
        failure
    });
    json!({
        "id": app.id.to_string(),
        "account_id": app.account_id.to_string(),
        "purpose": app.purpose.as_str(),
        "method": app.method.as_str(),
        "status": app.status.as_str(),
        "subject": masked_subject(&app.subject.masked()),
        "next_action": app.next_action.as_ref().map(next_action),
        "deadline": app.deadline,
        "overdue": app.overdue,
        "review_reason": app.review_reason.map(realname_domain::enterprise::ReviewReason::as_str),
        "warnings": warnings(app),
        "failure": failure,
        "created_at": app.created_at,
        "decided_at": app.decided_at,
    })
}

/// The R20 status.
#[must_use]
pub fn status(view: &StatusView) -> Value {
    // An inheriting sub-account shows its root's verification (R16, R20).
    let account = view.inherited_from.as_ref().unwrap_or(&view.account);
    let verification = account.verification.as_ref();
    json!({
        "account_id": view.account.id.to_string(),
        "status": account.status.as_str(),
        "subject_type": verification.map(|v| v.subject.subject_type().as_str()),
        "subject": verification.map(|v| masked_subject(&v.subject.masked())),
        "method": verification.map(|v| v.method.as_str()),
        "verified_at": verification.map(|v| v.verified_at),
        "last_authenticated_at": verification.map(|v| v.last_authenticated_at),
        "modification_allowed_from": view.modification_allowed_from,
        "pending_application": view.pending_application.as_ref().map(|a| json!({
            "id": a.id.to_string(),
            "purpose": a.purpose.as_str(),
            "method": a.method.as_str(),
            "status": a.status.as_str(),
            "created_at": a.created_at,
        })),
        // R17, R20: the effective date of a pending revocation (the root's, when inherited).
        "pending_revocation": account
            .revocation_pending_at
            .map(|at| json!({"effective_at": at})),
        "inherited_from": view.inherited_from.as_ref().map(|root| root.id.to_string()),
    })
}

/// The R12 answers, serialized without an intermediate JSON tree: this is the path other
/// services call on every purchase.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Capabilities)]
pub struct CapabilitiesView {
    account_id: String,
    #[schema(schema_with = real_name_statuses)]
    status: &'static str,
    /// One answer per capability.
    #[schema(schema_with = capability_table)]
    capabilities: std::collections::BTreeMap<&'static str, Answer>,
    warnings: Vec<Warning>,
}

/// The answers' object: every capability of R12, each an [`Answer`].
fn capability_table() -> Object {
    use realname_domain::capabilities::Capability;
    let answer = <Answer as utoipa::PartialSchema>::schema();
    Capability::ALL
        .iter()
        .fold(ObjectBuilder::new(), |table, c| {
            table
                .property(c.as_str(), answer.clone())
                .required(c.as_str())
        })
        .build()
}

fn denial_reasons() -> Object {
    use realname_domain::capabilities::DenialReason;
    one_of(DenialReason::ALL.map(DenialReason::as_str))
}

fn denial_actions() -> Object {
    use realname_domain::capabilities::DenialReason;
    one_of(DenialReason::ALL.iter().filter_map(|r| r.action()))
}

/// One capability's answer: a refusal carries its reason and the action that fixes it.
#[derive(Debug, Serialize, ToSchema)]
struct Answer {
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = denial_reasons)]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = denial_actions)]
    action: Option<&'static str>,
    /// Allowed only until then (a revoked account under agreement, R18).
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<DateTime<Utc>>,
}

fn warning_codes() -> Object {
    one_of(["revocation_pending"])
}

/// A warning beside the answers.
#[derive(Debug, Serialize, ToSchema)]
struct Warning {
    #[schema(schema_with = warning_codes)]
    code: &'static str,
    effective_at: DateTime<Utc>,
}

/// The R12 answers.
#[must_use]
pub fn capabilities(account: AccountId, report: &CapabilityReport) -> CapabilitiesView {
    let capabilities = report
        .decisions
        .iter()
        .map(|d| {
            let answer = Answer {
                allowed: d.allowed,
                reason: d.reason.map(|r| r.as_str()),
                action: d.reason.and_then(|r| r.action()),
                until: d.until,
            };
            (d.capability.as_str(), answer)
        })
        .collect();
    let warnings = report
        .warnings
        .iter()
        .map(|w| match w {
            CapabilityWarning::RevocationPending { effective_at } => Warning {
                code: "revocation_pending",
                effective_at: *effective_at,
            },
        })
        .collect();
    CapabilitiesView {
        account_id: account.to_string(),
        status: report.status.as_str(),
        capabilities,
        warnings,
    }
}

/// The R13 metadata of one method.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Method)]
pub struct MethodView {
    #[schema(schema_with = methods)]
    id: &'static str,
    #[schema(schema_with = subject_types)]
    subject_type: &'static str,
    instant: bool,
    needs_documents: bool,
    recommended: bool,
    /// `null` for instant methods.
    #[schema(required)]
    typical_duration_working_days: Option<u32>,
    /// `null` for instant methods.
    #[schema(required)]
    max_duration_working_days: Option<u32>,
    #[schema(schema_with = document_type_list)]
    document_types: Vec<&'static str>,
}

fn document_type_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(document_types())
}

/// The methods, in display order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MethodList)]
pub struct MethodList {
    data: Vec<MethodView>,
}

impl MethodList {
    /// The list of `infos`.
    #[must_use]
    pub fn of(infos: &[MethodInfo]) -> Self {
        Self {
            data: infos.iter().map(MethodView::from).collect(),
        }
    }
}

impl From<&MethodInfo> for MethodView {
    fn from(info: &MethodInfo) -> Self {
        Self {
            id: info.method.as_str(),
            subject_type: info.subject_type.as_str(),
            instant: info.instant,
            needs_documents: info.needs_documents,
            recommended: info.recommended,
            typical_duration_working_days: info.typical_duration_working_days,
            max_duration_working_days: info.max_duration_working_days,
            document_types: info.document_types.iter().map(|d| d.as_str()).collect(),
        }
    }
}

/// A phone change: the new number masked, never the code.
#[must_use]
pub fn phone_change(change: &realname_domain::phone_change::PhoneChange) -> Value {
    json!({
        "id": change.id.to_string(),
        "account_id": change.account_id.to_string(),
        "phone": change.new_phone.masked(),
        "status": change.status.as_str(),
        "expires_at": change.expires_at,
        "attempts_remaining": realname_domain::phone_change::MAX_TRIES.saturating_sub(change.failed_tries),
        "created_at": change.created_at,
    })
}

/// A sub-account association.
#[must_use]
pub fn invitation(invitation: &realname_domain::invitation::Invitation) -> Value {
    json!({
        "id": invitation.id.to_string(),
        "root_account_id": invitation.root_id.to_string(),
        "account_id": invitation.account_id.to_string(),
        "status": invitation.status.as_str(),
        "created_at": invitation.created_at,
        "accepted_at": invitation.decided_at,
    })
}

#[cfg(test)]
mod tests {
    use realname_domain::identifiers::{EnterpriseName, Uscc};
    use realname_domain::{EnterpriseSubject, Method, Region, Subject};

    use super::*;

    #[test]
    fn capabilities_carry_reasons_actions_limits_and_warnings_only_where_they_apply() {
        use realname_domain::RealNameStatus;
        use realname_domain::capabilities::{
            Capability, CapabilityDecision, CapabilityReport, DenialReason,
        };

        let until = Utc::now();
        let report = CapabilityReport {
            status: RealNameStatus::Revoked,
            decisions: vec![
                CapabilityDecision {
                    capability: Capability::ALL[0],
                    allowed: false,
                    reason: Some(DenialReason::RealNameRequired),
                    until: None,
                },
                CapabilityDecision {
                    capability: Capability::ALL[1],
                    allowed: true,
                    reason: None,
                    until: Some(until),
                },
            ],
            warnings: vec![CapabilityWarning::RevocationPending {
                effective_at: until,
            }],
        };
        let id = AccountId::new();
        let json = serde_json::to_value(capabilities(id, &report)).unwrap();
        let denied = &json["capabilities"][Capability::ALL[0].as_str()];
        assert_eq!(
            denied,
            &json!({"allowed": false, "reason": "real_name_required",
                "action": DenialReason::RealNameRequired.action()})
        );
        let limited = &json["capabilities"][Capability::ALL[1].as_str()];
        assert_eq!(limited, &json!({"allowed": true, "until": until}));
        assert_eq!(json["account_id"], id.to_string());
        assert_eq!(json["status"], "revoked");
        assert_eq!(
            json["warnings"],
            json!([{"code": "revocation_pending", "effective_at": until}])
        );
    }

    #[test]
    fn the_status_shows_a_pending_revocation_with_its_effective_date() {
        let now = Utc::now();
        let mut account = Account::register(Phone::parse("13812345678").unwrap(), now);
        account.verify(
            Subject::Enterprise(EnterpriseSubject {
                name: EnterpriseName::parse("北京示例科技有限公司").unwrap(),
                uscc: Uscc::parse("91110000600037341L").unwrap(),
                region: Region::Mainland,
                legal_person_name: None,
            }),
            Method::WechatPublicPlatform,
            now,
        );
        let mut view = StatusView {
            account: account.clone(),
            modification_allowed_from: None,
            pending_application: None,
            inherited_from: None,
        };
        assert_eq!(status(&view)["pending_revocation"], Value::Null);
        let effective_at = now + chrono::Duration::days(15);
        view.account.revocation_pending_at = Some(effective_at);
        assert_eq!(
            status(&view)["pending_revocation"]["effective_at"],
            json!(effective_at)
        );
    }
}

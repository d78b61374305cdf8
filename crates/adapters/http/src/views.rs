//! Response representations (API.md). Personal data leaves only masked.

use chrono::{DateTime, Utc};
use realname_application::real_name::StatusView;
use realname_domain::capabilities::{CapabilityReport, CapabilityWarning};
use realname_domain::identifiers::Phone;
use realname_domain::subject::MaskedSubject;
use realname_domain::{Account, AccountId, AccountKind, Application, MethodInfo, NextAction};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder};

use crate::schema::{
    account_kinds, account_states, application_statuses, denial_actions, denial_reasons,
    document_type_or_null, document_types, failure_codes, methods, methods_or_null, one_of,
    purposes, real_name_statuses, regions, review_reasons_or_null, subject_type_or_null,
    subject_types,
};

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

/// A new sub-account (R16), with the phone change that binds its number once the code sent there
/// is confirmed (R19): `phone` stays `null` until then.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SubAccount)]
pub struct SubAccountView {
    #[serde(flatten)]
    account: AccountView,
    phone_change: PhoneChangeView,
}

impl From<&realname_application::accounts::SubAccountCreated> for SubAccountView {
    fn from(created: &realname_application::accounts::SubAccountCreated) -> Self {
        Self {
            account: AccountView::from(&created.account),
            phone_change: phone_change(&created.phone_change),
        }
    }
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

/// A subject as responses show it: document numbers and names masked (SPEC §4).
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = MaskedSubject)]
pub enum MaskedSubjectView {
    /// A person.
    Personal {
        #[schema(schema_with = document_type_or_null, required)]
        document_type: Option<&'static str>,
        /// Masked, e.g. `110***********002X`.
        document_number: String,
        /// Masked, e.g. `张*`.
        name: String,
        #[schema(schema_with = regions)]
        region: &'static str,
    },
    /// An enterprise.
    Enterprise {
        /// The registered name (public record).
        name: String,
        /// Masked, e.g. `911***********341L`.
        uscc: String,
        /// Masked.
        #[schema(required)]
        legal_person_name: Option<String>,
        #[schema(schema_with = regions)]
        region: &'static str,
    },
}

impl From<&MaskedSubject> for MaskedSubjectView {
    fn from(m: &MaskedSubject) -> Self {
        match m.subject_type {
            realname_domain::SubjectType::Personal => Self::Personal {
                document_type: m.document_type.map(realname_domain::DocumentType::as_str),
                document_number: m.document_number.clone(),
                name: m.name.clone(),
                region: m.region.as_str(),
            },
            realname_domain::SubjectType::Enterprise => Self::Enterprise {
                name: m.name.clone(),
                uscc: m.document_number.clone(),
                legal_person_name: m.legal_person_name.clone(),
                region: m.region.as_str(),
            },
        }
    }
}

/// A masked subject.
#[must_use]
pub fn masked_subject(m: &MaskedSubject) -> MaskedSubjectView {
    MaskedSubjectView::from(m)
}

/// What the applicant does next.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = NextAction)]
pub enum NextActionView {
    /// Scan the QR code with the provider's app (R5, R6).
    ScanQr {
        qr_url: String,
        expires_at: DateTime<Utc>,
    },
    /// Open the face-recognition session (R5, R6).
    FaceLiveness {
        session_url: String,
        expires_at: DateTime<Utc>,
    },
    /// Pay, quoting the reference (R6).
    Pay {
        reference: String,
        /// The exact amount, for `corporate_remittance`; `null` for `payment_recharge`.
        #[schema(required)]
        amount: Option<String>,
        #[schema(schema_with = currencies)]
        currency: &'static str,
        #[schema(required)]
        payee_account: Option<String>,
        expires_at: DateTime<Utc>,
    },
}

fn currencies() -> Object {
    one_of(["CNY"])
}

/// The next action.
#[must_use]
pub fn next_action(action: &NextAction) -> NextActionView {
    match action {
        NextAction::ScanQr { qr_url, expires_at } => NextActionView::ScanQr {
            qr_url: qr_url.clone(),
            expires_at: *expires_at,
        },
        NextAction::FaceLiveness {
            session_url,
            expires_at,
        } => NextActionView::FaceLiveness {
            session_url: session_url.clone(),
            expires_at: *expires_at,
        },
        NextAction::Pay {
            reference,
            amount,
            payee_account,
            expires_at,
        } => NextActionView::Pay {
            reference: reference.clone(),
            amount: amount.map(|a| a.to_string()),
            currency: "CNY",
            payee_account: payee_account.clone(),
            expires_at: *expires_at,
        },
    }
}

/// A field warning: accepted, but decided by a reviewer (R9).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldWarning {
    field: &'static str,
    #[schema(schema_with = field_warning_codes)]
    code: &'static str,
    message: &'static str,
}

fn field_warning_codes() -> Object {
    one_of(["checksum_mismatch"])
}

/// Field warnings: a USCC whose check character fails is accepted and sent to review (R9).
fn warnings(app: &Application) -> Vec<FieldWarning> {
    match &app.subject {
        realname_domain::Subject::Enterprise(e) if !e.uscc.checksum_ok() => vec![FieldWarning {
            field: "subject.uscc",
            code: "checksum_mismatch",
            message: "The check character does not match; the decision goes to manual review.",
        }],
        _ => Vec::new(),
    }
}

/// Why an application was rejected (R7).
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureView {
    #[schema(schema_with = failure_codes)]
    code: &'static str,
    message: &'static str,
    retry_allowed: bool,
    /// For `identity_account_limit_reached`: the masked accounts holding the slots (R3).
    #[serde(skip_serializing_if = "Option::is_none")]
    holding_accounts: Option<Vec<SlotHolderView>>,
    /// For `identity_account_limit_reached`: R3's two ways out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = resolutions)]
    resolutions: Option<[&'static str; 2]>,
    /// For `reviewer_rejected`: the reviewer's reason code.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

const RESOLUTIONS: [&str; 2] = [
    "close_one_of_these_accounts",
    "modify_the_real_name_subject_of_one_of_these_accounts",
];

fn resolutions() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(one_of(RESOLUTIONS))
}

/// An account holding one of the subject's slots, masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotHolderView {
    account_id: String,
    phone: String,
    verified_at: DateTime<Utc>,
}

impl From<&realname_domain::quota::SlotHolder> for SlotHolderView {
    fn from(h: &realname_domain::quota::SlotHolder) -> Self {
        Self {
            account_id: h.account_id_masked(),
            phone: h.phone_masked.clone(),
            verified_at: h.verified_at,
        }
    }
}

/// A verification application (API.md).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Application)]
pub struct ApplicationView {
    id: String,
    account_id: String,
    #[schema(schema_with = purposes)]
    purpose: &'static str,
    #[schema(schema_with = methods)]
    method: &'static str,
    #[schema(schema_with = application_statuses)]
    status: &'static str,
    subject: MaskedSubjectView,
    #[schema(required)]
    next_action: Option<NextActionView>,
    /// The R8 deadline, in working days; `null` for an instant method not in review.
    #[schema(required)]
    deadline: Option<DateTime<Utc>>,
    overdue: bool,
    #[schema(schema_with = review_reasons_or_null, required)]
    review_reason: Option<&'static str>,
    warnings: Vec<FieldWarning>,
    #[schema(required)]
    failure: Option<FailureView>,
    created_at: DateTime<Utc>,
    #[schema(required)]
    decided_at: Option<DateTime<Utc>>,
    /// Only in a reviewer's view: the registry record the decision used and the payment credit
    /// (R6).
    #[serde(skip_serializing_if = "Option::is_none")]
    review_context: Option<ReviewContextView>,
}

/// What a reviewer weighs beside an application.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReviewContext)]
pub struct ReviewContextView {
    /// The business registry's record as last consulted; `null` if it never answered.
    #[schema(required)]
    registry: Option<RegistryView>,
    /// The payment credit received, for a payment method.
    #[schema(required)]
    payment_credit: Option<CreditView>,
}

/// A registry record, the legal representative masked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RegistryRecordSeen)]
pub struct RegistryView {
    /// The registered name; `null` when the registry knows no such USCC.
    #[schema(required)]
    name: Option<String>,
    /// `active`, `deregistered`, another status the registry reports, or `not_found`.
    status: String,
    #[schema(required)]
    legal_representative: Option<String>,
    checked_at: DateTime<Utc>,
}

/// A payment credit, the payer's account masked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PaymentCreditSeen)]
pub struct CreditView {
    /// Yuan, as a string (`"0.37"`).
    amount: String,
    payer_name: String,
    payer_account: String,
    received_at: DateTime<Utc>,
}

impl From<&realname_domain::ReviewContext> for ReviewContextView {
    fn from(context: &realname_domain::ReviewContext) -> Self {
        use realname_domain::enterprise::RegistryStatus;
        use realname_domain::masking::{mask_identifier, mask_name};
        Self {
            registry: context.registry.as_ref().map(|check| {
                let record = check.record.as_ref();
                RegistryView {
                    name: record.map(|r| r.name.clone()),
                    status: match record.map(|r| &r.status) {
                        None => "not_found".to_owned(),
                        Some(RegistryStatus::Active) => "active".to_owned(),
                        Some(RegistryStatus::Deregistered) => "deregistered".to_owned(),
                        Some(RegistryStatus::Other(other)) => other.clone(),
                    },
                    legal_representative: record.map(|r| mask_name(&r.legal_representative)),
                    checked_at: check.checked_at,
                }
            }),
            payment_credit: context.payment_credit.as_ref().map(|c| CreditView {
                amount: c.amount.to_string(),
                payer_name: c.payer_name.clone(),
                payer_account: mask_identifier(&c.payer_account),
                received_at: c.received_at,
            }),
        }
    }
}

/// An application as `actor` sees it: with the review context for a reviewer.
#[must_use]
pub fn application_for(app: &Application, actor: &realname_domain::Actor) -> ApplicationView {
    ApplicationView {
        review_context: app.review_context_for(actor).map(ReviewContextView::from),
        ..application(app)
    }
}

/// An application.
#[must_use]
pub fn application(app: &Application) -> ApplicationView {
    let failure = app.failure.as_ref().map(|f| {
        let holders = !f.holding_accounts.is_empty();
        FailureView {
            code: f.code.as_str(),
            message: f.code.message(),
            retry_allowed: f.code.retry_allowed(),
            holding_accounts: holders.then(|| {
                f.holding_accounts
                    .iter()
                    .map(SlotHolderView::from)
                    .collect()
            }),
            resolutions: holders.then_some(RESOLUTIONS),
            reason: f.reason.clone(),
        }
    });
    ApplicationView {
        id: app.id.to_string(),
        account_id: app.account_id.to_string(),
        purpose: app.purpose.as_str(),
        method: app.method.as_str(),
        status: app.status.as_str(),
        subject: masked_subject(&app.subject.masked()),
        next_action: app.next_action.as_ref().map(next_action),
        deadline: app.deadline,
        overdue: app.overdue,
        review_reason: app
            .review_reason
            .map(realname_domain::enterprise::ReviewReason::as_str),
        warnings: warnings(app),
        failure,
        created_at: app.created_at,
        decided_at: app.decided_at,
        review_context: None,
    }
}

/// A page of applications.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApplicationPage)]
pub struct ApplicationPage {
    data: Vec<ApplicationView>,
    has_more: bool,
}

impl ApplicationPage {
    /// A page of `applications`.
    #[must_use]
    pub fn of(applications: &[Application], has_more: bool) -> Self {
        Self {
            data: applications.iter().map(application).collect(),
            has_more,
        }
    }
}

/// The undecided application, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingApplication {
    id: String,
    #[schema(schema_with = purposes)]
    purpose: &'static str,
    #[schema(schema_with = methods)]
    method: &'static str,
    #[schema(schema_with = application_statuses)]
    status: &'static str,
    created_at: DateTime<Utc>,
}

/// A pending revocation (R17).
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingRevocation {
    effective_at: DateTime<Utc>,
}

/// The R20 real-name status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RealNameStatus)]
pub struct RealNameView {
    account_id: String,
    #[schema(schema_with = real_name_statuses)]
    status: &'static str,
    #[schema(schema_with = subject_type_or_null, required)]
    subject_type: Option<&'static str>,
    #[schema(required)]
    subject: Option<MaskedSubjectView>,
    #[schema(schema_with = methods_or_null, required)]
    method: Option<&'static str>,
    #[schema(required)]
    verified_at: Option<DateTime<Utc>>,
    #[schema(required)]
    last_authenticated_at: Option<DateTime<Utc>>,
    /// When a personal-to-personal modification may first be submitted (R2).
    #[schema(required)]
    modification_allowed_from: Option<DateTime<Utc>>,
    #[schema(required)]
    pending_application: Option<PendingApplication>,
    /// The effective date of a pending revocation (R17), the root's when inherited.
    #[schema(required)]
    pending_revocation: Option<PendingRevocation>,
    /// The root whose verification an inheriting sub-account shows (R16).
    #[schema(required)]
    inherited_from: Option<String>,
}

/// The R20 status.
#[must_use]
pub fn status(view: &StatusView) -> RealNameView {
    // An inheriting sub-account shows its root's verification (R16, R20).
    let account = view.inherited_from.as_ref().unwrap_or(&view.account);
    let verification = account.verification.as_ref();
    RealNameView {
        account_id: view.account.id.to_string(),
        status: account.status.as_str(),
        subject_type: verification.map(|v| v.subject.subject_type().as_str()),
        subject: verification.map(|v| masked_subject(&v.subject.masked())),
        method: verification.map(|v| v.method.as_str()),
        verified_at: verification.map(|v| v.verified_at),
        last_authenticated_at: verification.map(|v| v.last_authenticated_at),
        modification_allowed_from: view.modification_allowed_from,
        pending_application: view
            .pending_application
            .as_ref()
            .map(|a| PendingApplication {
                id: a.id.to_string(),
                purpose: a.purpose.as_str(),
                method: a.method.as_str(),
                status: a.status.as_str(),
                created_at: a.created_at,
            }),
        pending_revocation: account
            .revocation_pending_at
            .map(|effective_at| PendingRevocation { effective_at }),
        inherited_from: view.inherited_from.as_ref().map(|root| root.id.to_string()),
    }
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

/// A phone change (R19): the new number masked, never the code.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PhoneChange)]
pub struct PhoneChangeView {
    id: String,
    account_id: String,
    /// The new number, masked.
    phone: String,
    #[schema(schema_with = crate::schema::phone_change_statuses)]
    status: &'static str,
    expires_at: DateTime<Utc>,
    attempts_remaining: u32,
    created_at: DateTime<Utc>,
}

/// A phone change.
#[must_use]
pub fn phone_change(change: &realname_domain::phone_change::PhoneChange) -> PhoneChangeView {
    PhoneChangeView {
        id: change.id.to_string(),
        account_id: change.account_id.to_string(),
        phone: change.new_phone.masked(),
        status: change.status.as_str(),
        expires_at: change.expires_at,
        attempts_remaining: change.remaining_tries(),
        created_at: change.created_at,
    }
}

/// A sub-account association (R16).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Association)]
pub struct InvitationView {
    id: String,
    root_account_id: String,
    account_id: String,
    #[schema(schema_with = crate::schema::invitation_statuses)]
    status: &'static str,
    created_at: DateTime<Utc>,
    /// When it was accepted, declined or cancelled.
    #[schema(required)]
    decided_at: Option<DateTime<Utc>>,
}

/// A sub-account association.
#[must_use]
pub fn invitation(invitation: &realname_domain::invitation::Invitation) -> InvitationView {
    InvitationView {
        id: invitation.id.to_string(),
        root_account_id: invitation.root_id.to_string(),
        account_id: invitation.account_id.to_string(),
        status: invitation.status.as_str(),
        created_at: invitation.created_at,
        decided_at: invitation.decided_at,
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::identifiers::{EnterpriseName, Uscc};
    use realname_domain::{EnterpriseSubject, Method, Region, Subject};

    use serde_json::{Value, json};

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
        assert_eq!(
            serde_json::to_value(status(&view)).unwrap()["pending_revocation"],
            Value::Null
        );
        let effective_at = now + chrono::Duration::days(15);
        view.account.revocation_pending_at = Some(effective_at);
        assert_eq!(
            serde_json::to_value(status(&view)).unwrap()["pending_revocation"]["effective_at"],
            json!(effective_at)
        );
    }
}

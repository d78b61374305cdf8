//! The closed sets of the API as OpenAPI string schemas, read from the domain's own lists, so
//! that a set is written once (the request and response schemas share them).

use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// A string schema that admits exactly `values`: the closed sets come from the domain's lists.
pub(crate) fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// [`one_of`] or `null`.
pub(crate) fn one_of_or_null(values: impl IntoIterator<Item = &'static str>) -> Object {
    let values = values.into_iter().map(Value::from).chain([Value::Null]);
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .enum_values(Some(values))
        .build()
}

pub(crate) fn account_kinds() -> Object {
    one_of(["root", "sub"])
}

pub(crate) fn account_states() -> Object {
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

pub(crate) fn real_name_statuses() -> Object {
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

pub(crate) const SUBJECT_TYPES: [&str; 2] = [
    realname_domain::subject::SubjectType::Personal.as_str(),
    realname_domain::subject::SubjectType::Enterprise.as_str(),
];

pub(crate) fn subject_types() -> Object {
    one_of(SUBJECT_TYPES)
}

pub(crate) fn subject_type_or_null() -> Object {
    one_of_or_null(SUBJECT_TYPES)
}

pub(crate) fn methods() -> Object {
    one_of(realname_domain::Method::ALL.map(realname_domain::Method::as_str))
}

pub(crate) fn document_types() -> Object {
    one_of(realname_domain::DocumentType::ALL.map(realname_domain::DocumentType::as_str))
}

pub(crate) fn regions() -> Object {
    one_of(realname_domain::Region::ALL.map(realname_domain::Region::as_str))
}

pub(crate) fn document_type_or_null() -> Object {
    one_of_or_null(realname_domain::DocumentType::ALL.map(realname_domain::DocumentType::as_str))
}

pub(crate) fn purposes() -> Object {
    use realname_domain::Purpose;
    one_of([Purpose::Verify, Purpose::Modify].map(Purpose::as_str))
}

pub(crate) fn application_statuses() -> Object {
    one_of(realname_domain::ApplicationStatus::ALL.map(realname_domain::ApplicationStatus::as_str))
}

pub(crate) fn methods_or_null() -> Object {
    one_of_or_null(realname_domain::Method::ALL.map(realname_domain::Method::as_str))
}

pub(crate) fn failure_codes() -> Object {
    one_of(realname_domain::FailureCode::ALL.map(realname_domain::FailureCode::as_str))
}

pub(crate) fn review_reasons_or_null() -> Object {
    use realname_domain::enterprise::ReviewReason;
    one_of_or_null(ReviewReason::ALL.map(ReviewReason::as_str))
}

pub(crate) fn denial_reasons() -> Object {
    use realname_domain::capabilities::DenialReason;
    one_of(DenialReason::ALL.map(DenialReason::as_str))
}

pub(crate) fn denial_actions() -> Object {
    use realname_domain::capabilities::DenialReason;
    one_of(DenialReason::ALL.iter().filter_map(|r| r.action()))
}

pub(crate) fn invitation_statuses() -> Object {
    use realname_domain::invitation::InvitationStatus;
    one_of([InvitationStatus::Pending, InvitationStatus::Accepted].map(InvitationStatus::as_str))
}

pub(crate) fn phone_change_statuses() -> Object {
    use realname_domain::phone_change::PhoneChangeStatus;
    one_of(
        [
            PhoneChangeStatus::Pending,
            PhoneChangeStatus::Confirmed,
            PhoneChangeStatus::Locked,
            PhoneChangeStatus::Cancelled,
        ]
        .map(PhoneChangeStatus::as_str),
    )
}

pub(crate) fn decisions() -> Object {
    one_of(["approve", "reject"])
}

pub(crate) fn event_types() -> Object {
    one_of(realname_domain::event::EVENT_TYPES.iter().copied())
}

pub(crate) fn outcomes() -> Object {
    one_of(["passed", "failed"])
}

pub(crate) fn reportable_failure_codes() -> Object {
    use realname_domain::FailureCode;
    one_of(
        FailureCode::ALL
            .into_iter()
            .filter(|c| c.is_provider_reportable())
            .map(FailureCode::as_str),
    )
}

pub(crate) fn proof_statuses() -> Object {
    use realname_domain::identity::ProofStatus;
    one_of(ProofStatus::ALL.map(ProofStatus::as_str))
}

pub(crate) fn case_kinds() -> Object {
    use realname_domain::identity::CaseKind;
    one_of(CaseKind::ALL.map(CaseKind::as_str))
}

pub(crate) fn case_outcomes() -> Object {
    use realname_domain::identity::CaseOutcome;
    one_of(CaseOutcome::ALL.map(CaseOutcome::as_str))
}

pub(crate) fn case_outcomes_or_null() -> Object {
    use realname_domain::identity::CaseOutcome;
    one_of_or_null(CaseOutcome::ALL.map(CaseOutcome::as_str))
}

pub(crate) fn recorded_results() -> Object {
    one_of(["recorded", "duplicate"])
}

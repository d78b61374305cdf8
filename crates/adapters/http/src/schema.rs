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
    one_of(InvitationStatus::ALL.map(InvitationStatus::as_str))
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

/// A reviewer's decision (R8): an approval, or a rejection with its reason code (R7).
pub(crate) fn decision() -> utoipa::openapi::schema::OneOf {
    let note = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(2000))
            .description(Some("The reviewer's note, kept with the decision."))
    };
    let closed = || {
        Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(
            false,
        ))
    };
    let approve = ObjectBuilder::new()
        .title(Some("Approval"))
        .schema_type(Type::Object)
        .property("decision", one_of(["approve"]))
        .required("decision")
        .property("note", note())
        .additional_properties(closed());
    let reject = ObjectBuilder::new()
        .title(Some("Rejection"))
        .schema_type(Type::Object)
        .property("decision", one_of(["reject"]))
        .required("decision")
        .property(
            "reason_code",
            pattern(
                "^[a-z0-9_]{1,64}$",
                "documents_unreadable",
                None,
                "A snake_case reason code, shown to the applicant (R7).",
            ),
        )
        .required("reason_code")
        .property("note", note())
        .additional_properties(closed());
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(approve)
        .item(reject)
        .build()
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

/// A person's name as [`realname_domain::identifiers::PersonName`] takes it: Chinese characters,
/// or Latin letters.
const PERSON_NAME: &str = "^(?:[\\u4e00-\\u9fa5]{2,20}|[A-Za-z]{2,50})$";

/// A string schema with its pattern, a valid example (which fuzzers start from), and, where the
/// pattern cannot say everything, a named format.
fn pattern(pattern: &str, example: &str, format: Option<&str>, description: &str) -> Object {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .examples([example])
        .description(Some(description));
    if let Some(format) = format {
        builder = builder.format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
            format.to_owned(),
        )));
    }
    builder.build()
}

/// One variant of [`subject`]: the subject type, the document types it covers, and its fields.
fn subject_variant(
    title: &str,
    subject_type: &'static str,
    fields: Vec<(&'static str, Object, bool)>,
) -> Object {
    let mut builder = ObjectBuilder::new()
        .title(Some(title))
        .schema_type(Type::Object)
        .property("type", one_of([subject_type]))
        .required("type")
        .property("region", regions())
        .property(
            "mainland_bank_card",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some("Only in a provider's assertion (R5).")),
        )
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    for (name, schema, required) in fields {
        builder = builder.property(name, schema);
        if required {
            builder = builder.required(name);
        }
    }
    builder.build()
}

/// The schema of a subject (SPEC §5): a person, by document type, or an enterprise. The
/// document numbers carry their shape as a pattern and, where a check character or a birth date
/// constrains them further, a named format (`cn-resident-id`, `cn-residence-permit`) that a
/// client or fuzzer can generate valid values for. The server checks them all (R9).
pub(crate) fn subject() -> utoipa::openapi::schema::OneOf {
    use realname_domain::DocumentType;
    let name = || pattern(PERSON_NAME, "张三", None, "The name on the document.");
    let person = |title, types: &[DocumentType], number: Object| {
        subject_variant(
            title,
            SUBJECT_TYPES[0],
            vec![
                (
                    "document_type",
                    one_of(types.iter().map(|t| t.as_str())),
                    true,
                ),
                ("document_number", number, true),
                ("name", name(), true),
            ],
        )
    };
    let enterprise = subject_variant(
        "Enterprise",
        SUBJECT_TYPES[1],
        vec![
            (
                "name",
                pattern(
                    "^[\\u4e00-\\u9fa5A-Za-z0-9()（）]{2,100}$",
                    "北京示例科技有限公司",
                    None,
                    "The registered name.",
                ),
                true,
            ),
            (
                "uscc",
                pattern(
                    "^[0-9A-HJ-NPQRTUWXY]{18}$",
                    "91110000600037341L",
                    None,
                    "The unified social credit code; a wrong check character is accepted and \
                     sent to review (R9).",
                ),
                true,
            ),
            (
                "legal_person_name",
                pattern(
                    PERSON_NAME,
                    "李四",
                    None,
                    "The legal representative, for the legal-person methods.",
                ),
                false,
            ),
        ],
    );
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(person(
            "Resident ID",
            &[DocumentType::ResidentId],
            pattern(
                "^[0-9]{17}[0-9X]$",
                "11010519491231002X",
                Some("cn-resident-id"),
                "18 characters: a past birth date and a check character (GB 11643).",
            ),
        ))
        .item(person(
            "Residence permit",
            &[DocumentType::ResidencePermit],
            pattern(
                "^8[123]0000[0-9]{11}[0-9X]$",
                "810000199001011230",
                Some("cn-residence-permit"),
                "18 characters under address code 810000, 820000 or 830000, checked as a \
                 resident ID.",
            ),
        ))
        .item(person(
            "HK/Macao travel permit",
            &[DocumentType::HkMacaoPermit],
            pattern(
                "^[HM][0-9]{8}(?:[0-9]{2})?$",
                "H12345678",
                None,
                "H or M, 8 digits, and an optional 2-digit issue count.",
            ),
        ))
        .item(person(
            "Taiwan travel permit",
            &[DocumentType::TaiwanPermit],
            pattern(
                "^[0-9]{8}$",
                "12345678",
                None,
                "The 8-digit lifelong number.",
            ),
        ))
        .item(enterprise)
        .description(Some(
            "A person, by document type, or an enterprise (SPEC §5). Every field is checked, and \
             every invalid one reported (R9).",
        ))
        .build()
}

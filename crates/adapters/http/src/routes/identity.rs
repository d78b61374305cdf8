//! Identity proof, find accounts, recovery, freezes, appeals and cases (R14, R15).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use realname_application::identity::ShownProof;
use realname_domain::identity::{Case, CaseKind, CaseOutcome};
use realname_domain::phone_change::PhoneChange;
use realname_domain::{CaseId, ProofId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Authorized;
use crate::dto::{ConfirmBody, SubjectBody, VerdictBody, parse_json};
use crate::error::{
    ApiError, BearerProblems, ErrorCode, FieldError, MalformedRequest, NotFound, Problem,
    ValidationFailed,
};
use crate::idempotency;
use crate::schema::{
    account_states, case_kinds, case_outcomes, case_outcomes_or_null, methods, proof_statuses,
    real_name_statuses,
};
use crate::state::HttpState;
use crate::views::{self, MaskedSubjectView, NextActionView, PhoneChangeView};

/// Identity proofs and appeals are open to any authenticated caller: a person locked out of
/// their accounts signs in with any platform account (R14, R15). A proof's later steps are its
/// owner's alone; anyone else gets 404.
const ANY_CALLER: [&str; 5] = ["holder", "service", "reviewer", "account_manager", "admin"];

fn proof_methods() -> utoipa::openapi::schema::Object {
    use realname_domain::Method;
    crate::schema::one_of(
        Method::ALL
            .into_iter()
            .filter(|m| realname_domain::identity::proves_identity(*m))
            .map(Method::as_str),
    )
}

fn proof_id(raw: &str) -> Result<ProofId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such identity proof."))
}

/// An identity proof (R14): who the caller proved to be, masked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IdentityProof)]
pub struct ProofView {
    id: String,
    #[schema(schema_with = methods)]
    method: &'static str,
    #[schema(schema_with = proof_statuses)]
    status: &'static str,
    subject: MaskedSubjectView,
    /// What the person does next, while the proof awaits them.
    #[schema(required)]
    next_action: Option<NextActionView>,
    created_at: DateTime<Utc>,
    /// When it passed; `null` before, or when it failed.
    #[schema(required)]
    passed_at: Option<DateTime<Utc>>,
    /// Its session's end while it awaits the person; the end of its validity
    /// (`identity.proof_ttl_secs`) once it passed; `null` once it failed.
    #[schema(required)]
    expires_at: Option<DateTime<Utc>>,
}

impl From<&ShownProof> for ProofView {
    fn from(shown: &ShownProof) -> Self {
        let proof = &shown.proof;
        Self {
            id: proof.id.to_string(),
            method: proof.method.as_str(),
            status: proof.status.as_str(),
            subject: views::masked_subject(&proof.subject.masked()),
            next_action: proof.next_action.as_ref().map(views::next_action),
            created_at: proof.created_at,
            passed_at: proof.passed_at,
            expires_at: shown.expires_at,
        }
    }
}

/// An appeal or a theft case (R14).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Case)]
pub struct CaseView {
    id: String,
    #[schema(schema_with = case_kinds)]
    kind: &'static str,
    #[schema(schema_with = case_statuses)]
    status: &'static str,
    #[schema(schema_with = case_outcomes_or_null, required)]
    outcome: Option<&'static str>,
    #[schema(required)]
    proof_id: Option<String>,
    account_ids: Vec<String>,
    created_at: DateTime<Utc>,
    #[schema(required)]
    resolved_at: Option<DateTime<Utc>>,
    /// The reviewer who resolved it.
    #[schema(required)]
    resolved_by: Option<String>,
}

/// A case as a reviewer reads it (R14): with the opener's message and the resolution's note.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseDetail)]
pub struct CaseDetailView {
    #[serde(flatten)]
    case: CaseView,
    /// The opener's message, or the freeze's note; `null` once redacted after the retention
    /// period (R21).
    #[schema(required)]
    message: Option<String>,
    /// The reviewer's note, once resolved.
    #[schema(required)]
    note: Option<String>,
}

fn case_statuses() -> utoipa::openapi::schema::Object {
    crate::schema::one_of(["open", "resolved"])
}

impl From<&Case> for CaseView {
    fn from(case: &Case) -> Self {
        Self {
            id: case.id.to_string(),
            kind: case.kind.as_str(),
            status: if case.outcome.is_some() {
                "resolved"
            } else {
                "open"
            },
            outcome: case.outcome.map(CaseOutcome::as_str),
            proof_id: case.proof_id.map(|p| p.to_string()),
            account_ids: case.account_ids.iter().map(ToString::to_string).collect(),
            created_at: case.created_at,
            resolved_at: case.resolved_at,
            resolved_by: case.resolved_by.clone(),
        }
    }
}

/// The body of `POST /v1/identity-proofs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StartIdentityProof)]
pub struct ProofBody {
    #[schema(required, value_type = String, schema_with = proof_methods)]
    method: Option<String>,
    /// A person (an enterprise subject is refused with `method_not_allowed_for_proof`).
    #[schema(required, nullable = false)]
    subject: Option<SubjectBody>,
}

/// Start an identity proof (R14)
///
/// Proves who the caller is with an instant method, to find, recover or freeze the accounts
/// of that identity. Any authenticated caller may prove an identity: a person locked out of
/// their accounts signs in with any platform account.
///
/// Roles: holder, service, reviewer, account_manager, admin.
#[utoipa::path(
    operation_id = "start_identity_proof",
    tag = "identity",
    request_body(content = ProofBody, content_type = "application/json"),
    params(idempotency::IdempotencyKey),
    responses(
        (status = 201, description = "The proof, awaiting the person.", body = ProofView,
            links(
                ("find_accounts" = (operation_id = "find_accounts", parameters(("id" = "$response.body#/id")))),
                ("request_recovery" = (operation_id = "request_recovery", parameters(("id" = "$response.body#/id")))),
                ("freeze_accounts" = (operation_id = "freeze_accounts", parameters(("id" = "$response.body#/id")))),
            )
        ),
        MalformedRequest,
        (status = 409, description = "`idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `method_not_allowed_for_proof` (only `wechat_scan`, `qq_scan` and `face_recognition`, for a person, R14), `method_not_available_for_document`, `use_international_site`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`provider_error`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/identity-proofs")]
pub async fn start_identity_proof(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let render = |proof: &ShownProof| idempotency::created(ProofView::from(proof));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let body: ProofBody = parse_json(&body)?;
        let (method, subject) = crate::dto::proof_request(
            body.method.as_deref(),
            body.subject.as_ref(),
            state.clock.now().date_naive(),
        )?;
        Ok(state
            .use_cases
            .start_identity_proof
            .execute(&caller.0.owner_label(), method, subject, answer)
            .await?)
    })
    .await
}

/// Sandbox: complete an identity proof as its provider would
///
/// Served only while the sandbox is on.
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "sandbox_complete_identity_proof",
    tag = "sandbox",
    params(("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$")),
    request_body(content = VerdictBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The proof after the verdict.", body = ProofView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`identity_proof_decided`",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/sandbox/identity-proofs/{id}/complete")]
pub async fn sandbox_complete_identity_proof(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let instruction = parse_json::<VerdictBody>(&body)?.convert(state.clock.now().date_naive())?;
    let proof = state
        .use_cases
        .complete_sandbox_proof
        .execute(&caller.0.owner_label(), proof_id(&id)?, &instruction)
        .await?;
    Ok(HttpResponse::Ok().json(ProofView::from(&proof)))
}

/// An identity proof (R15)
///
/// Its status, method, `passed_at` and `expires_at`. Only its owner sees it; anyone else gets
/// 404.
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "get_identity_proof",
    tag = "identity",
    params(("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The proof.", body = ProofView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[get("/v1/identity-proofs/{id}")]
pub async fn get_identity_proof(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let proof = state
        .use_cases
        .get_identity_proof
        .execute(&caller.0.owner_label(), proof_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(ProofView::from(&proof)))
}

/// An account of a proven identity, as Find Account shows it (R15): masked, with an opaque
/// reference for recovery and freezes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FoundAccount)]
pub struct FoundAccountView {
    /// Opaque; names the account in recoveries and freezes.
    r#ref: String,
    /// Masked.
    account_id: String,
    /// Masked; `null` once redacted (R21).
    #[schema(required)]
    phone: Option<String>,
    #[schema(schema_with = real_name_statuses)]
    status: &'static str,
    #[schema(schema_with = account_states)]
    state: &'static str,
    created_at: DateTime<Utc>,
}

/// The accounts of a proven identity and its use of the R3/R4 limit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FoundAccounts)]
pub struct FoundAccountsView {
    data: Vec<FoundAccountView>,
    used: usize,
    limit: u32,
    /// E.g. `2 of 3 used`.
    summary: String,
}

/// Find the accounts of a proven identity (R15)
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "find_accounts",
    tag = "identity",
    params(("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The identity's accounts, masked.", body = FoundAccountsView),
        NotFound,
        (status = 409, description = "`identity_proof_not_passed`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[get("/v1/identity-proofs/{id}/accounts")]
pub async fn find_accounts(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .use_cases
        .find_accounts
        .execute(&caller.0.owner_label(), proof_id(&id)?)
        .await?;
    let data = found
        .accounts
        .iter()
        .map(|f| FoundAccountView {
            r#ref: f.reference.clone(),
            account_id: realname_domain::masking::mask_identifier(&f.account.id.to_string()),
            phone: f
                .account
                .phone
                .as_ref()
                .map(realname_domain::identifiers::Phone::masked),
            status: f.account.status.as_str(),
            state: f.account.state.as_str(),
            created_at: f.account.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(FoundAccountsView {
        data,
        used: found.used,
        limit: found.limit,
        summary: format!("{} of {} used", found.used, found.limit),
    }))
}

/// The body of a recovery.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StartRecovery)]
pub struct RecoveryBody {
    /// A reference from Find Account.
    #[schema(required, value_type = String, min_length = 1, max_length = 100)]
    r#ref: Option<String>,
    /// The number to bind instead (SPEC §5).
    #[schema(required, value_type = String, pattern = r"^(?:\+?86|0086)?1[3-9][0-9]{9}$", example = "13812345678")]
    phone: Option<String>,
}

/// Recover an account of a proven identity (R14)
///
/// Sends a code to the new number; confirming it rebinds the account's phone (R19).
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "request_recovery",
    tag = "identity",
    params(
        ("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = RecoveryBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The pending phone change.", body = PhoneChangeView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`identity_proof_not_passed`, `identity_proof_expired`, `account_closed`, `no_change`, `phone_account_limit_reached`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/identity-proofs/{id}/recoveries")]
pub async fn request_recovery(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let render = |change: &PhoneChange| idempotency::created(views::phone_change(change));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let body: RecoveryBody = parse_json(&body)?;
        let (reference, phone) = crate::dto::recovery_request(body.r#ref, body.phone)?;
        let owner = caller.0.owner_label();
        Ok(state
            .use_cases
            .account_recovery
            .request(&owner, proof_id(&id)?, &reference, phone, answer)
            .await?)
    })
    .await
}

/// Confirm a recovery with the code sent (R14, R19)
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "confirm_recovery",
    tag = "identity",
    params(
        ("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$"),
        ("rid" = String, Path, description = "The recovery's phone change id (`pc_…`).", pattern = "^pc_[0-9a-f]{32}$"),
    ),
    request_body(content = ConfirmBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The phone change, confirmed.", body = PhoneChangeView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`otp_locked`, `identity_proof_not_passed`, `account_closed`, `phone_account_limit_reached`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `otp_invalid`, `otp_expired`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/identity-proofs/{id}/recoveries/{rid}/confirm")]
pub async fn confirm_recovery(
    state: web::Data<HttpState>,
    caller: Authorized,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let change = path
        .1
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let code = parse_json::<ConfirmBody>(&body)?.into_code()?;
    let change = state
        .use_cases
        .account_recovery
        .confirm(&caller.0.owner_label(), proof_id(&path.0)?, change, &code)
        .await?;
    Ok(HttpResponse::Ok().json(views::phone_change(&change)))
}

/// The body of a freeze.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FreezeAccounts)]
pub struct FreezeBody {
    /// References from Find Account.
    #[schema(required, value_type = Vec<String>, min_items = 1, max_items = 20)]
    refs: Option<Vec<String>>,
    /// What happened, for the reviewer.
    #[schema(required = false, value_type = String, max_length = 4000)]
    note: Option<String>,
}

/// Freeze accounts of a proven identity and open a theft case (R14)
///
/// Roles: holder, service, reviewer, account_manager, admin (the proof's owner).
#[utoipa::path(
    operation_id = "freeze_accounts",
    tag = "identity",
    params(
        ("id" = String, Path, description = "The proof id (`idp_…`).", pattern = "^idp_[0-9a-f]{32}$"),
        idempotency::IdempotencyKey,
    ),
    request_body(content = FreezeBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The theft case.", body = CaseView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`identity_proof_not_passed`, `identity_proof_expired`, `idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/identity-proofs/{id}/freezes")]
pub async fn freeze_accounts(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let render = |case: &Case| idempotency::created(CaseView::from(case));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let body: FreezeBody = parse_json(&body)?;
        let refs = body.refs.filter(|r| !r.is_empty()).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "refs",
                "required",
                "Name at least one account reference.",
            )])
        })?;
        let note = body.note.unwrap_or_default();
        let owner = caller.0.owner_label();
        Ok(state
            .use_cases
            .freeze_accounts
            .execute(&owner, proof_id(&id)?, &refs, note, answer)
            .await?)
    })
    .await
}

/// The body of an appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OpenAppeal)]
pub struct AppealBody {
    /// The account concerned (`acct_…`).
    #[schema(required = false, value_type = String, pattern = "^acct_[0-9a-f]{32}$")]
    account_id: Option<String>,
    /// A passed proof of the caller's identity (`idp_…`).
    #[schema(required = false, value_type = String, pattern = "^idp_[0-9a-f]{32}$")]
    proof_id: Option<String>,
    /// What the person needs, for a reviewer.
    #[schema(required, value_type = String, min_length = 1, max_length = 4000, pattern = r"\S")]
    message: Option<String>,
}

/// Open an appeal to a reviewer (R14)
///
/// Roles: holder, service, reviewer, account_manager, admin.
#[utoipa::path(
    operation_id = "open_appeal",
    tag = "identity",
    request_body(content = AppealBody, content_type = "application/json"),
    params(idempotency::IdempotencyKey),
    responses(
        (status = 201, description = "The appeal case.", body = CaseView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`idempotency_key_in_use`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `idempotency_key_reused`",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ANY_CALLER))),
)]
#[post("/v1/appeals")]
pub async fn open_appeal(
    state: web::Data<HttpState>,
    caller: Authorized,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let render = |case: &Case| idempotency::created(CaseView::from(case));
    idempotency::once(&state, &req, &caller.0, &body, render, |answer| async {
        let body: AppealBody = parse_json(&body)?;
        let message = body
            .message
            .filter(|m| !m.trim().is_empty() && m.chars().count() <= 4000)
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    "message",
                    "required",
                    "Say what you need, in at most 4000 characters.",
                )])
            })?;
        let account = body
            .account_id
            .map(|a| a.parse())
            .transpose()
            .map_err(|_| {
                ApiError::validation(vec![FieldError::new(
                    "account_id",
                    "invalid_format",
                    "Not an account id.",
                )])
            })?;
        let proof = body.proof_id.as_deref().map(proof_id).transpose()?;
        let case = state
            .use_cases
            .open_appeal
            .execute(&caller.0.owner_label(), account, proof, message, answer)
            .await?;
        Ok(case)
    })
    .await
}

/// The query of `GET /v1/cases`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// Only appeals or only theft cases.
    #[param(schema_with = case_kinds)]
    kind: Option<String>,
    /// `open`, or `all` (the default).
    #[param(schema_with = case_filters)]
    status: Option<String>,
    /// At most this many (1 to 100); 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The last case id of the previous page (`case_…`).
    #[param(pattern = "^case_[0-9a-f]{32}$")]
    starting_after: Option<String>,
}

fn case_filters() -> utoipa::openapi::schema::Object {
    crate::schema::one_of(["open", "all"])
}

/// A list of cases, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseList)]
pub struct CaseList {
    data: Vec<CaseView>,
    has_more: bool,
}

/// Appeals and theft cases (R14)
///
/// Roles: reviewer.
#[utoipa::path(
    operation_id = "list_cases",
    tag = "review",
    params(CasesQuery),
    responses(
        (status = 200, description = "The cases.", body = CaseList),
        (status = 422, description = "`validation_failed`: `kind` or `status`.",
            body = Problem, content_type = "application/problem+json"),
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["reviewer"]))),
)]
#[get("/v1/cases")]
pub async fn list_cases(
    state: web::Data<HttpState>,
    _caller: Authorized,
    query: web::Query<CasesQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = match query.kind.as_deref() {
        None => None,
        Some(k) => Some(CaseKind::parse(k).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "kind",
                "unknown_value",
                "Use appeal or theft.",
            )])
        })?),
    };
    let open_only = match query.status.as_deref() {
        None | Some("all") => false,
        Some("open") => true,
        Some(_) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "status",
                "unknown_value",
                "Use open or all.",
            )]));
        }
    };
    let page = crate::routes::page(
        query.limit,
        query.starting_after.as_deref(),
        50,
        "Not a case id.",
    )?;
    let (found, has_more) = state
        .use_cases
        .list_cases
        .execute((kind, open_only), page)
        .await?;
    Ok(HttpResponse::Ok().json(CaseList {
        data: found.iter().map(CaseView::from).collect(),
        has_more,
    }))
}

/// The body of a resolution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResolveCase)]
pub struct ResolutionBody {
    /// `confirmed` or `rejected` for theft, `resolved` or `rejected` for an appeal.
    #[schema(required, value_type = String, schema_with = case_outcomes)]
    outcome: Option<String>,
    /// The reviewer's note.
    #[schema(required = false, value_type = String, max_length = 4000)]
    note: Option<String>,
}

/// Resolve a case (R14)
///
/// A confirmed theft revokes the impostor's verification; a rejected one releases the frozen
/// accounts.
///
/// Roles: reviewer.
#[utoipa::path(
    operation_id = "resolve_case",
    tag = "review",
    params(("id" = String, Path, description = "The case id (`case_…`).", pattern = "^case_[0-9a-f]{32}$")),
    request_body(content = ResolutionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The resolved case.", body = CaseView),
        MalformedRequest,
        NotFound,
        (status = 409, description = "`case_not_open`: resolved before, or an outcome of the other kind.",
            body = Problem, content_type = "application/problem+json"),
        ValidationFailed,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["reviewer"]))),
)]
#[post("/v1/cases/{id}/resolution")]
pub async fn resolve_case(
    state: web::Data<HttpState>,
    caller: Authorized,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: ResolutionBody = parse_json(&body)?;
    let note = body.note.filter(|n| !n.trim().is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 4000) {
        return Err(ApiError::validation(vec![FieldError::new(
            "note",
            "too_long",
            "At most 4000 characters.",
        )]));
    }
    let outcome = body
        .outcome
        .as_deref()
        .and_then(CaseOutcome::parse)
        .ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "outcome",
                "unknown_value",
                "Use confirmed or rejected (theft), resolved or rejected (appeal).",
            )])
        })?;
    let id: CaseId = id.parse().map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let case = state
        .use_cases
        .resolve_case
        .execute(caller.actor(), id, (outcome, note))
        .await?;
    Ok(HttpResponse::Ok().json(CaseView::from(&case)))
}

/// An appeal or a theft case (R14)
///
/// With the opener's message and the resolution's note, decrypted for the reviewer.
///
/// Roles: reviewer.
#[utoipa::path(
    operation_id = "get_case",
    tag = "review",
    params(("id" = String, Path, description = "The case id (`case_…`).", pattern = "^case_[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The case.", body = CaseDetailView),
        NotFound,
        BearerProblems,
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["reviewer"]))),
)]
#[get("/v1/cases/{id}")]
pub async fn get_case(
    state: web::Data<HttpState>,
    _caller: Authorized,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CaseId = id.parse().map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let case = state.use_cases.get_case.execute(id).await?;
    Ok(HttpResponse::Ok().json(CaseDetailView {
        case: CaseView::from(&case),
        message: case.message.clone(),
        note: case.resolution_note.clone(),
    }))
}

//! Identity proof, find accounts, recovery, freezes, appeals and cases (R14, R15).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use realname_domain::identity::{Case, CaseKind, CaseOutcome, IdentityProof};
use realname_domain::{CaseId, ProofId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Principal, Role};
use crate::dto::{ConfirmBody, SubjectBody, VerdictBody, parse_json};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::state::HttpState;
use crate::views;

const EVERY_ROLE: &[Role] = &[
    Role::Holder,
    Role::Service,
    Role::Reviewer,
    Role::AccountManager,
    Role::Admin,
];

fn proof_id(raw: &str) -> Result<ProofId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("No such identity proof."))
}

fn proof_view(proof: &IdentityProof) -> Value {
    json!({
        "id": proof.id.to_string(),
        "method": proof.method.as_str(),
        "status": proof.status.as_str(),
        "subject": views::masked_subject(&proof.subject.masked()),
        "next_action": proof.next_action.as_ref().map(views::next_action),
        "created_at": proof.created_at,
    })
}

fn case_view(case: &Case) -> Value {
    json!({
        "id": case.id.to_string(),
        "kind": case.kind.as_str(),
        "status": if case.outcome.is_some() { "resolved" } else { "open" },
        "outcome": case.outcome.map(CaseOutcome::as_str),
        "proof_id": case.proof_id.map(|p| p.to_string()),
        "account_ids": case.account_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "created_at": case.created_at,
        "resolved_at": case.resolved_at,
    })
}

/// The body of `POST /v1/identity-proofs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofBody {
    method: Option<String>,
    subject: Option<SubjectBody>,
}

/// `POST /v1/identity-proofs` `{method, subject}`: anyone authenticated.
pub async fn start(
    state: web::Data<HttpState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let body: ProofBody = parse_json(&body)?;
    let request = crate::dto::proof_request(
        body.method.as_deref(),
        body.subject.as_ref(),
        state.clock.now().date_naive(),
    )?;
    let proof = state
        .use_cases
        .start_identity_proof
        .execute(&principal.owner_label(), request.0, request.1)
        .await?;
    Ok(HttpResponse::Created().json(proof_view(&proof)))
}

/// `POST /v1/sandbox/identity-proofs/{id}/complete`: decide a proof as its provider would.
pub async fn sandbox_complete(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let instruction = parse_json::<VerdictBody>(&body)?.convert(state.clock.now().date_naive())?;
    let proof = state
        .use_cases
        .complete_sandbox_proof
        .execute(&principal.owner_label(), proof_id(&id)?, &instruction)
        .await?;
    Ok(HttpResponse::Ok().json(proof_view(&proof)))
}

/// `GET /v1/identity-proofs/{id}/accounts`: masked accounts with opaque references (R15).
pub async fn accounts(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let found = state
        .use_cases
        .find_accounts
        .execute(&principal.owner_label(), proof_id(&id)?)
        .await?;
    let data: Vec<Value> = found
        .accounts
        .iter()
        .map(|f| {
            json!({
                "ref": f.reference,
                "account_id": realname_domain::masking::mask_identifier(&f.account.id.to_string()),
                "phone": f.account.phone.as_ref().map(realname_domain::identifiers::Phone::masked),
                "status": f.account.status.as_str(),
                "state": f.account.state.as_str(),
                "created_at": f.account.created_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "data": data,
        "used": found.used,
        "limit": found.limit,
        "summary": format!("{} of {} used", found.used, found.limit),
    })))
}

/// The body of a recovery.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryBody {
    r#ref: Option<String>,
    phone: Option<String>,
}

/// `POST /v1/identity-proofs/{id}/recoveries` `{ref, phone}`: a code to the owner's number.
pub async fn recover(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let body: RecoveryBody = parse_json(&body)?;
    let (reference, phone) = crate::dto::recovery_request(body.r#ref, body.phone)?;
    let change = state
        .use_cases
        .account_recovery
        .request(&principal.owner_label(), proof_id(&id)?, &reference, phone)
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(views::phone_change(&change)))
}

/// `POST /v1/identity-proofs/{id}/recoveries/{rid}/confirm` `{code}`: rebinds the phone.
pub async fn confirm_recovery(
    state: web::Data<HttpState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let change = path
        .1
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let code = parse_json::<ConfirmBody>(&body)?.into_code()?;
    let change = state
        .use_cases
        .account_recovery
        .confirm(&principal.owner_label(), proof_id(&path.0)?, change, &code)
        .await?;
    Ok(HttpResponse::Ok().json(views::phone_change(&change)))
}

/// The body of a freeze.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeBody {
    refs: Option<Vec<String>>,
    note: Option<String>,
}

/// `POST /v1/identity-proofs/{id}/freezes` `{refs, note}`: freeze and open a theft case.
pub async fn freeze(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
    let body: FreezeBody = parse_json(&body)?;
    let refs = body.refs.filter(|r| !r.is_empty()).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "refs",
            "required",
            "Name at least one account reference.",
        )])
    })?;
    let note = body.note.unwrap_or_default();
    let case = state
        .use_cases
        .freeze_accounts
        .execute(&principal.owner_label(), proof_id(&id)?, &refs, note)
        .await?;
    Ok(HttpResponse::Created().json(case_view(&case)))
}

/// The body of an appeal.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealBody {
    account_id: Option<String>,
    proof_id: Option<String>,
    message: Option<String>,
}

/// `POST /v1/appeals` `{account_id?, proof_id?, message}`.
pub async fn appeal(
    state: web::Data<HttpState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(EVERY_ROLE)?;
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
        .execute(&principal.owner_label(), account, proof, message)
        .await?;
    Ok(HttpResponse::Created().json(case_view(&case)))
}

/// The query of `GET /v1/cases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    kind: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
}

/// `GET /v1/cases?kind=appeal|theft&status=open` (reviewer).
pub async fn cases(
    state: web::Data<HttpState>,
    principal: Principal,
    query: web::Query<CasesQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(&[Role::Reviewer])?;
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
    let found = state
        .use_cases
        .list_cases
        .execute(kind, open_only, query.limit.unwrap_or(50).clamp(1, 200))
        .await?;
    let data: Vec<Value> = found.iter().map(case_view).collect();
    Ok(HttpResponse::Ok().json(json!({"data": data, "has_more": false})))
}

/// The body of a resolution.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    outcome: Option<String>,
    note: Option<String>,
}

/// `POST /v1/cases/{id}/resolution` `{outcome, note}` (reviewer).
pub async fn resolve(
    state: web::Data<HttpState>,
    principal: Principal,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.require(&[Role::Reviewer])?;
    let body: ResolutionBody = parse_json(&body)?;
    let _note = body.note;
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
        .execute(actor, id, outcome)
        .await?;
    Ok(HttpResponse::Ok().json(case_view(&case)))
}

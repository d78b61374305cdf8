//! `Idempotency-Key` (API.md): the same key with the same body replays the first response for
//! 24 h; with another body it is refused with 422 `idempotency_key_reused`; while the first
//! request runs, 409 `idempotency_key_in_use`. Every creating POST declares the header.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use realname_application::maintenance::{IDEMPOTENCY_KEY_LIFETIME, IDEMPOTENCY_LEASE};
use realname_domain::Actor;
use realname_ports::{Answer, IdempotencyBegin, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::state::HttpState;

/// The header, as operations declare it.
pub(crate) const HEADER: &str = "Idempotency-Key";

/// The `Idempotency-Key` header as the creating operations document it.
#[derive(utoipa::IntoParams)]
#[into_params(names("Idempotency-Key"), parameter_in = Header)]
#[allow(dead_code)] // a documentation type: [`once`] reads the header
pub struct IdempotencyKey(
    /// Replays the first answer for the same key and body (1 to 255 visible ASCII characters).
    #[param(pattern = "^[!-~]{1,255}$")]
    Option<String>,
);

/// Runs `create` at most once per key, answering with `render` of what it returns. Without the
/// header, or on an operation whose entry does not declare it
/// ([`crate::openapi::RouteTable::idempotent`]), it simply runs.
///
/// The key is claimed under a lease ([`IDEMPOTENCY_LEASE`]) and scoped by the whole principal:
/// role, subject and account. `create` gets an [`Answer`] to pass to its use case, which records
/// it in the transaction of the change; a use case without one is answered here afterwards.
///
/// # Errors
/// What `create` returns, or the idempotency refusals.
pub async fn once<T, F, Fut>(
    state: &HttpState,
    req: &HttpRequest,
    principal: &Principal,
    body: &[u8],
    render: fn(&T) -> (StatusCode, serde_json::Value),
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: 'static,
    F: FnOnce(Option<Answer<T>>) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let stored = move |value: &T| {
        let (status, view) = render(value);
        StoredResponse {
            status: status.as_u16(),
            body: serde_json::to_vec(&view).unwrap_or_default(),
        }
    };
    let declared = req
        .match_name()
        .zip(req.app_data::<actix_web::web::Data<crate::openapi::RouteTable>>())
        .is_some_and(|(operation, table)| table.idempotent(operation));
    let Some(key) = req.headers().get(HEADER).filter(|_| declared) else {
        return create(None).await.map(|value| reply(stored(&value)));
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                HEADER,
                "invalid_format",
                "Use 1 to 255 visible ASCII characters.",
            )])
        })?;
    let fingerprint = Sha256::digest(body);
    let now = state.clock.now();
    let begun = state
        .idempotency
        .begin(
            &scope(principal, req),
            key,
            &fingerprint,
            now,
            now + IDEMPOTENCY_LEASE,
            now - IDEMPOTENCY_KEY_LIFETIME,
        )
        .await;
    match begun.map_err(|e| ApiError::internal(ErrorCode::Internal, e.into()))? {
        IdempotencyBegin::Fresh(claim) => {
            let answer = Answer::new(claim.clone(), Arc::new(stored));
            let response = match create(Some(answer)).await {
                Ok(value) => stored(&value),
                Err(e) if e.code().status().is_client_error() => StoredResponse {
                    status: e.code().status().as_u16(),
                    body: e.body().to_string().into_bytes(),
                },
                Err(e) => {
                    // Nothing was answered: a retry may run at once.
                    if let Err(cause) = state.idempotency.abandon(&claim).await {
                        tracing::warn!(error = %cause, "idempotency key not released");
                    }
                    return Err(e);
                }
            };
            // A no-op when the use case answered in its transaction.
            if let Err(e) = state.idempotency.complete(&claim, &response).await {
                tracing::warn!(error = %e, "idempotent response not stored");
            }
            Ok(reply(response))
        }
        IdempotencyBegin::Replay(stored) => {
            let mut response = reply(stored);
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(response)
        }
        IdempotencyBegin::Mismatch => Err(ApiError::new(ErrorCode::IdempotencyKeyReused)),
        IdempotencyBegin::InProgress => Err(ApiError::new(ErrorCode::IdempotencyKeyInUse)),
    }
}

/// Whose key it is: the whole principal (role, subject and the holder's account), and the
/// operation. Two holders' tokens with one subject never share keys.
fn scope(principal: &Principal, req: &HttpRequest) -> String {
    let account = match principal.actor {
        Actor::Holder { account } => account.to_string(),
        _ => "-".to_owned(),
    };
    format!(
        "{:?}:{}:{account}:{} {}",
        principal.role,
        principal.subject,
        req.method(),
        req.path()
    )
}

fn reply(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    json(status, stored.body)
}

/// A created resource's answer: 201 and its view.
pub fn created(view: impl serde::Serialize) -> (StatusCode, serde_json::Value) {
    (
        StatusCode::CREATED,
        serde_json::to_value(view).unwrap_or_default(),
    )
}

/// A JSON response; error statuses carry problem+json.
pub fn json(status: StatusCode, body: Vec<u8>) -> HttpResponse {
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    HttpResponse::build(status)
        .content_type(content_type)
        .body(body)
}

//! `Idempotency-Key` (API.md): the same key with the same body replays the first response for
//! 24 h; with another body it is refused with 422 `idempotency_key_reused`.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use realname_ports::{IdempotencyBegin, StoredResponse};
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

/// Runs `create` at most once per key. Without the header, or on an operation whose entry does
/// not declare it ([`crate::openapi::RouteTable::idempotent`]), it simply runs.
///
/// # Errors
/// What `create` returns, or the idempotency refusals.
pub async fn once<F, Fut, B>(
    state: &HttpState,
    req: &HttpRequest,
    principal: &Principal,
    body: &[u8],
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, B), ApiError>>,
    B: serde::Serialize,
{
    let serialized = |body: &B| serde_json::to_vec(body).unwrap_or_default();
    let declared = req
        .match_name()
        .zip(req.app_data::<actix_web::web::Data<crate::openapi::RouteTable>>())
        .is_some_and(|(operation, table)| table.idempotent(operation));
    let Some(key) = req.headers().get(HEADER).filter(|_| declared) else {
        return create()
            .await
            .map(|(status, body)| json(status, serialized(&body)));
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
    let scope = format!(
        "{:?}:{}:{} {}",
        principal.role,
        principal.subject,
        req.method(),
        req.path()
    );
    let fingerprint = Sha256::digest(body);
    let now = state.clock.now();
    let begun = state
        .idempotency
        .begin(
            &scope,
            key,
            &fingerprint,
            now,
            now - realname_application::maintenance::IDEMPOTENCY_KEY_LIFETIME,
        )
        .await;
    match begun.map_err(|e| ApiError::internal(ErrorCode::Internal, e.into()))? {
        IdempotencyBegin::Fresh => {
            let outcome = create().await;
            let stored = match &outcome {
                Ok((status, body)) => StoredResponse {
                    status: status.as_u16(),
                    body: serialized(body),
                },
                Err(e) if e.code().status().is_client_error() => StoredResponse {
                    status: e.code().status().as_u16(),
                    body: e.body().to_string().into_bytes(),
                },
                Err(_) => {
                    let _ = state.idempotency.abandon(&scope, key).await;
                    return outcome.map(|(status, body)| json(status, serialized(&body)));
                }
            };
            if let Err(e) = state.idempotency.complete(&scope, key, &stored).await {
                tracing::warn!(error = %e, "idempotent response not stored");
            }
            outcome.map(|(status, body)| json(status, serialized(&body)))
        }
        IdempotencyBegin::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut response = json(status, stored.body);
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

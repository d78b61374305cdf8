//! The holder's browser returning from a provider's page (FaceID's `RedirectUrl`).

use actix_web::{HttpResponse, get, http::header, web};
use realname_application::verification::Pulled;

use crate::error::{ApiError, ErrorCode, NotFound};
use crate::state::HttpState;

/// The holder returns from FaceID
///
/// FaceID sends the holder's browser here when its page is done. realname then asks FaceID for
/// the result (`GetDetectInfoEnhanced`) and decides the application or identity proof the
/// session belongs to, exactly as the poll job would: whichever comes first decides, once.
/// Query parameters FaceID appends are ignored. With `http.holder_return_url` set, the answer
/// is a 303 to `{holder_return_url}?application=<id>` (`?identity_proof=<id>` for a proof);
/// otherwise a small page that says what happened.
#[utoipa::path(
    operation_id = "return_from_faceid",
    tag = "providers",
    params(
        ("ref" = String, Path, description = "The session's reference, from the `RedirectUrl`.", pattern = "^[0-9a-f]{32}$"),
    ),
    responses(
        (status = 200, description = "What happened, as a page.", body = String, content_type = "text/html"),
        (status = 303, description = "To `http.holder_return_url`.",
            headers(("Location" = String, description = "`{holder_return_url}?application=<id>`"))),
        NotFound,
    ),
)]
#[get("/v1/provider-returns/faceid/{ref}")]
pub async fn return_from_faceid(
    state: web::Data<HttpState>,
    session_ref: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unknown = || ApiError::new(ErrorCode::NotFound).detail("No such session.");
    let well_formed = session_ref.len() == 32 && session_ref.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(unknown());
    }
    let pulled = state
        .use_cases
        .pull_provider_result
        .on_return(&session_ref)
        .await
        .map_err(|e| match e {
            realname_application::AppError::NotFound(_) => unknown(),
            other => other.into(),
        })?;
    let (key, id, status) = match &pulled {
        Pulled::Application(app) => ("application", app.id.to_string(), app.status.as_str()),
        Pulled::Proof(proof) => (
            "identity_proof",
            proof.id.to_string(),
            proof.status.as_str(),
        ),
    };
    if let Some(base) = &state.holder_return_url {
        let separator = if base.contains('?') { '&' } else { '?' };
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{base}{separator}{key}={id}")))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page(status, pulled.is_undecided())))
}

/// The page shown without a holder return URL. It names no person, only the outcome.
fn page(status: &str, undecided: bool) -> String {
    let sentence = match status {
        _ if undecided => {
            "We are still checking your face verification. This page does not need to stay open: the result will appear in your account."
        }
        "approved" | "passed" => "Your face verification passed.",
        "pending_review" => "Your face verification passed and is waiting for a reviewer.",
        "expired" => "The face verification session expired. Please start a new one.",
        _ => {
            "Your face verification did not pass. The Real-name Authentication page shows the reason."
        }
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Real-name verification</title></head>\n<body><main><h1>Real-name verification</h1><p>{sentence}</p></main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn the_page_says_what_happened() {
        assert!(page("awaiting_action", true).contains("still checking"));
        assert!(page("approved", false).contains("passed"));
        assert!(page("rejected", false).contains("did not pass"));
        assert!(page("expired", false).contains("expired"));
    }
}

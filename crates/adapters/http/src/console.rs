//! The console (issue 16): the holder's Real-name Authentication and Find Account pages and the
//! reviewer console, served under `/console/`. Plain ES modules and CSS embedded in the binary:
//! nothing is fetched from elsewhere, and the pages reach realname only through the public JSON
//! API with the signed-in user's token. Every console answer carries the security headers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

/// The pages: each is the same document, which renders the page its path names.
pub const PAGES: [&str; 5] = ["", "real-name", "find-account", "review", "limits"];

/// `Content-Security-Policy` of every console answer: no inline script, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! assets {
    ($($name:literal => $type:expr),* $(,)?) => {
        &[$(Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!("../console/", $name)),
        }),*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the pages load.
const ASSETS: &[Asset] = assets! {
    "console.css" => "text/css; charset=utf-8",
    "app.js" => JS,
    "api.js" => JS,
    "i18n.js" => JS,
    "ui.js" => JS,
    "qr.js" => JS,
    "signin.js" => JS,
    "realname.js" => JS,
    "findaccount.js" => JS,
    "review.js" => JS,
};

const INDEX: &str = include_str!("../console/index.html");

/// Registers `/console` and everything under it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::REFERRER_POLICY, "no-referrer"))
                    .add((header::CACHE_CONTROL, "no-cache")),
            )
            .route("", web::get().to(to_root))
            .route("/assets/{name}", web::get().to(asset))
            .route("/{page:.*}", web::get().to(page)),
    );
}

async fn to_root() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

async fn page(req: HttpRequest) -> HttpResponse {
    if PAGES.contains(&req.match_info().get("page").unwrap_or_default()) {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(INDEX)
    } else {
        not_found()
    }
}

async fn asset(req: HttpRequest) -> HttpResponse {
    let name = req.match_info().get("name").unwrap_or_default();
    match ASSETS.iter().find(|a| a.name == name) {
        Some(found) => HttpResponse::Ok()
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static(found.content_type),
            ))
            .body(found.body),
        None => not_found(),
    }
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("Not found.")
}

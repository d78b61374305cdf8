//! `GET /openapi.json` and `GET /docs` (API.md "Operations").
//!
//! The document is collected from the handlers as [`crate::routes::configure`] registers them:
//! each carries its `#[utoipa::path]` entry, so the router and the document come from one
//! registration. The roles each operation admits and whether it honours `Idempotency-Key` are
//! read back from that document ([`RouteTable`]), so they too are declared once. `/docs` is
//! utoipa-swagger-ui (vendored).

use std::collections::{HashMap, HashSet};

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr};

use crate::auth::Role;

/// The document's frame: its info and the bearer scheme. The operations and the schemas they
/// use are added as the routes register.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "realname",
        description = "Real-name verification (SPEC.md R1–R22, API.md). Each operation's roles \
                       are in its description and in its `x-roles` extension."
    ),
    modifiers(&Bearer)
)]
struct Frame;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The empty document the routes are registered into.
#[must_use]
pub fn frame() -> OpenApi {
    <Frame as utoipa::OpenApi>::openapi()
}

/// The document an instance with or without the sandbox serves, built from the same
/// registration as its router.
#[must_use]
pub fn served(sandbox: bool) -> OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(frame())
        .configure(|cfg| crate::routes::configure(cfg, sandbox))
        .split_for_parts();
    document
}

/// What the served document declares of each operation, keyed by operation id (which is also
/// the actix resource name): the roles of its `x-roles` extension, and whether it takes an
/// `Idempotency-Key` header.
#[derive(Debug, Default)]
pub struct RouteTable {
    roles: HashMap<String, Vec<Role>>,
    idempotent: HashSet<String>,
}

impl RouteTable {
    /// The table of a document.
    ///
    /// # Errors
    /// An operation with a role that is not one of [`Role`]'s.
    pub fn from_document(doc: &OpenApi) -> Result<Self, String> {
        let mut table = Self::default();
        for item in doc.paths.paths.values() {
            let operations = [&item.get, &item.post, &item.put, &item.delete, &item.patch];
            for operation in operations.into_iter().flatten() {
                let Some(id) = &operation.operation_id else {
                    continue;
                };
                let idempotent = operation.parameters.iter().flatten().any(|p| {
                    matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header
                        && p.name == crate::idempotency::HEADER)
                });
                if idempotent {
                    table.idempotent.insert(id.clone());
                }
                let roles = operation.extensions.as_ref().and_then(|e| e.get("x-roles"));
                if let Some(roles) = roles {
                    let roles: Vec<Role> = serde_json::from_value(roles.clone())
                        .map_err(|e| format!("{id}: x-roles: {e}"))?;
                    table.roles.insert(id.clone(), roles);
                }
            }
        }
        Ok(table)
    }

    /// The roles the operation admits; `None` for an operation that declares none.
    #[must_use]
    pub fn roles(&self, operation: &str) -> Option<&[Role]> {
        self.roles.get(operation).map(Vec::as_slice)
    }

    /// Whether the operation declares `Idempotency-Key`: only then is the header honoured.
    #[must_use]
    pub fn idempotent(&self, operation: &str) -> bool {
        self.idempotent.contains(operation)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn operations_of(doc: &Value) -> Vec<(String, String, Value)> {
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .iter()
                    .map(|(method, op)| (method.clone(), path.clone(), op.clone()))
            })
            .collect()
    }

    #[test]
    fn every_operation_has_an_id_a_typed_success_and_no_default() {
        let doc = serde_json::to_value(served(true)).unwrap();
        let operations = operations_of(&doc);
        assert!(operations.len() >= 39, "{}", operations.len());
        let capabilities = &doc["paths"]["/v1/accounts/{id}/capabilities"]["get"];
        assert_eq!(capabilities["operationId"], "get_capabilities");
        for (method, path, op) in operations {
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(op["responses"].get("default").is_none(), "{method} {path}");
            let success = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(status, _)| status.starts_with('2'));
            if op["operationId"] == "remove_real_name" {
                // R1: verification cannot be removed; its only answers are problems.
                assert!(success.is_none());
                assert!(op["responses"]["409"].is_object());
                continue;
            }
            let (status, success) = success.unwrap_or_else(|| panic!("{method} {path}: no 2xx"));
            if status == "204" {
                // No content is the typed answer of a deletion.
                assert!(success.get("content").is_none(), "{method} {path}");
                continue;
            }
            if op["operationId"] == "return_from_faceid" {
                // A browser's landing: a page, or a redirect to the holder's return URL.
                assert!(success["content"]["text/html"]["schema"].is_object());
                assert!(op["responses"]["303"]["headers"]["Location"].is_object());
                continue;
            }
            assert!(
                success["content"]["application/json"]["schema"].is_object(),
                "{method} {path}: an untyped 2xx"
            );
        }
    }

    #[test]
    fn the_sandbox_operations_are_documented_only_while_the_sandbox_is_on() {
        let sandbox_paths = |doc: &OpenApi| {
            doc.paths
                .paths
                .keys()
                .filter(|p| p.starts_with("/v1/sandbox/"))
                .count()
        };
        assert_eq!(sandbox_paths(&served(true)), 4);
        assert_eq!(sandbox_paths(&served(false)), 0);
        let table = RouteTable::from_document(&served(false)).unwrap();
        assert_eq!(table.roles("sandbox_read_sms"), None);
        assert_eq!(table.roles("sandbox_issue_token"), None);
    }

    #[test]
    fn the_problem_schema_enumerates_every_code_of_the_error_table() {
        let doc = serde_json::to_value(served(false)).unwrap();
        let listed = &doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"];
        let codes: Vec<&str> = crate::error::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(listed, &json!(codes));
        assert!(codes.contains(&"verification_irreversible"));
    }

    #[test]
    fn the_roles_and_idempotency_of_each_operation_are_read_from_its_entry() {
        let table = RouteTable::from_document(&served(true)).unwrap();
        assert_eq!(
            table.roles("get_capabilities"),
            Some([Role::Holder, Role::Service].as_slice())
        );
        assert_eq!(
            table.roles("register_account"),
            Some([Role::Service, Role::Admin].as_slice())
        );
        assert_eq!(table.roles("no_such_operation"), None);
        assert_eq!(table.roles("record_provider_event"), None);
        assert!(table.idempotent("submit_application"));
        assert!(table.idempotent("register_account"));
        assert!(!table.idempotent("decide_application"));
    }

    /// API.md: every POST that creates something (a 201) takes `Idempotency-Key`, declared in
    /// its one route entry. The e2e `idempotency` tests replay each of them over HTTP.
    #[test]
    fn every_creating_post_declares_idempotency_key() {
        let doc = served(true);
        let table = RouteTable::from_document(&doc).unwrap();
        let mut creating = Vec::new();
        for item in doc.paths.paths.values() {
            let Some(post) = &item.post else { continue };
            if post.responses.responses.contains_key("201") {
                let id = post.operation_id.clone().unwrap();
                assert!(
                    table.idempotent(&id),
                    "{id} creates but takes no Idempotency-Key"
                );
                creating.push(id);
            }
        }
        creating.sort();
        assert_eq!(
            creating,
            [
                "associate_sub_account",
                "create_sub_account",
                "create_webhook_endpoint",
                "freeze_accounts",
                "open_appeal",
                "register_account",
                "request_phone_change",
                "request_recovery",
                "rotate_webhook_secret",
                "start_identity_proof",
                "submit_application",
            ]
        );
    }

    #[test]
    fn the_bearer_scheme_is_declared() {
        let doc = serde_json::to_value(served(false)).unwrap();
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"],
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
        );
        assert_eq!(doc["info"]["title"], "realname");
    }
}

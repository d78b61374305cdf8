//! `GET /openapi.json` and `GET /docs` (API.md "Operations").
//!
//! The document is built from one table of the routes below, with the request bodies' JSON
//! schemas and a problem+json answer for every error, and parsed into utoipa's OpenAPI model,
//! which checks its shape; `/docs` is utoipa-swagger-ui (vendored).

use serde_json::{Value, json};
use utoipa::openapi::OpenApi;

/// One operation: method, path, summary, the roles that may call it, its body, its success
/// status, and its query parameters.
struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    body: Option<Value>,
    success: u16,
    query: &'static [(&'static str, &'static str)],
}

#[derive(Clone, Copy)]
enum Auth {
    Bearer,
    Signature,
}

fn string() -> Value {
    json!({"type": "string"})
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn subject() -> Value {
    json!({"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string", "enum": ["personal", "enterprise"]},
        "document_type": {"type": "string", "enum": ["resident_id", "hk_macao_permit", "taiwan_permit", "residence_permit"]},
        "document_number": string(), "name": string(), "uscc": string(),
        "legal_person_name": string(),
        "region": {"type": "string", "enum": ["mainland", "hong_kong", "macao", "taiwan", "international"]}
    }})
}

fn code_body() -> Option<Value> {
    Some(object(&["code"], json!({"code": string()})))
}

fn outcome_body() -> Value {
    object(
        &["outcome"],
        json!({"outcome": {"type": "string", "enum": ["passed", "failed"]},
               "failure_code": string(), "asserted_subject": subject()}),
    )
}

#[allow(clippy::too_many_lines)]
fn operations() -> Vec<Op> {
    let op = |method, path, summary, auth, body, success| Op {
        method,
        path,
        summary,
        auth,
        body,
        success,
        query: &[],
    };
    vec![
        op(
            "post",
            "/v1/provider-events/{provider}",
            "A signed provider result.",
            Auth::Signature,
            Some(object(
                &["session_ref", "outcome"],
                json!({"session_ref": string(),
                "outcome": {"type": "string", "enum": ["passed", "failed"]},
                "failure_code": string(), "asserted_subject": subject()}),
            )),
            200,
        ),
        op(
            "post",
            "/v1/payment-credits",
            "A signed payment credit (R6).",
            Auth::Signature,
            Some(object(
                &[
                    "reference",
                    "amount",
                    "payer_name",
                    "payer_account",
                    "received_at",
                ],
                json!({
                "reference": string(), "amount": string(), "payer_name": string(),
                "payer_account": string(), "received_at": {"type": "string", "format": "date-time"}}),
            )),
            200,
        ),
        Op {
            query: &[
                ("starting_after", "string"),
                ("limit", "integer"),
                ("account_id", "string"),
            ],
            ..op(
                "get",
                "/v1/events",
                "The event feed (SPEC §6).",
                Auth::Bearer,
                None,
                200,
            )
        },
        op(
            "post",
            "/v1/webhook-endpoints",
            "Subscribe; the secret is shown once.",
            Auth::Bearer,
            Some(object(
                &["url"],
                json!({"url": string(), "event_types": {"type": "array", "items": string()}}),
            )),
            201,
        ),
        Op {
            query: &[("status", "string"), ("limit", "integer")],
            ..op(
                "get",
                "/v1/webhook-endpoints/{id}/deliveries",
                "An endpoint's deliveries.",
                Auth::Bearer,
                None,
                200,
            )
        },
        op(
            "put",
            "/v1/accounts/{id}/agreement",
            "The agreement expiry (R12, R18).",
            Auth::Bearer,
            Some(
                json!({"type": "object", "properties": {"expires_at": {"type": ["string", "null"], "format": "date-time"}}}),
            ),
            200,
        ),
        op(
            "post",
            "/v1/identity-proofs",
            "Start an identity proof (R14).",
            Auth::Bearer,
            Some(object(
                &["method", "subject"],
                json!({"method": string(), "subject": subject()}),
            )),
            201,
        ),
        op(
            "get",
            "/v1/identity-proofs/{id}/accounts",
            "Find accounts (R15).",
            Auth::Bearer,
            None,
            200,
        ),
        op(
            "post",
            "/v1/identity-proofs/{id}/recoveries",
            "Recover an account (R14).",
            Auth::Bearer,
            Some(object(
                &["ref", "phone"],
                json!({"ref": string(), "phone": string()}),
            )),
            201,
        ),
        op(
            "post",
            "/v1/identity-proofs/{id}/recoveries/{rid}/confirm",
            "Confirm a recovery.",
            Auth::Bearer,
            code_body(),
            200,
        ),
        op(
            "post",
            "/v1/identity-proofs/{id}/freezes",
            "Freeze accounts (R14).",
            Auth::Bearer,
            Some(object(
                &["refs"],
                json!({"refs": {"type": "array", "items": string()}, "note": string()}),
            )),
            201,
        ),
        op(
            "post",
            "/v1/appeals",
            "Open an appeal (R14).",
            Auth::Bearer,
            Some(object(
                &["message"],
                json!({"account_id": string(), "proof_id": string(), "message": string()}),
            )),
            201,
        ),
        Op {
            query: &[("kind", "string"), ("status", "string")],
            ..op(
                "get",
                "/v1/cases",
                "Appeals and theft cases.",
                Auth::Bearer,
                None,
                200,
            )
        },
        op(
            "post",
            "/v1/cases/{id}/resolution",
            "Resolve a case.",
            Auth::Bearer,
            Some(object(
                &["outcome"],
                json!({"outcome": string(), "note": string()}),
            )),
            200,
        ),
        op(
            "post",
            "/v1/sandbox/applications/{id}/complete",
            "Sandbox: decide as the provider.",
            Auth::Bearer,
            Some(outcome_body()),
            200,
        ),
        op(
            "post",
            "/v1/sandbox/identity-proofs/{id}/complete",
            "Sandbox: complete a proof.",
            Auth::Bearer,
            Some(outcome_body()),
            200,
        ),
        Op {
            query: &[("change_id", "string")],
            ..op(
                "get",
                "/v1/sandbox/sms",
                "Sandbox: the last code sent.",
                Auth::Bearer,
                None,
                200,
            )
        },
    ]
}

fn operation(op: &Op) -> Value {
    let mut parameters: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": string()}))
        .collect();
    parameters.extend(op.query.iter().map(|(name, kind)| {
        json!({"name": name, "in": "query", "required": false, "schema": {"type": kind}})
    }));
    if matches!(op.auth, Auth::Signature) {
        parameters.push(
            json!({"name": "Signature", "in": "header", "required": true, "schema": string()}),
        );
    }
    // DELETE …/real-name always answers 409 (R1): its documented answer is a problem.
    let (media, schema) = if op.success >= 400 {
        (
            "application/problem+json",
            json!({"$ref": "#/components/schemas/Problem"}),
        )
    } else {
        ("application/json", success_schema(op))
    };
    let mut operation = json!({
        "summary": op.summary,
        "parameters": parameters,
        "responses": {
            op.success.to_string(): {"description": "Success.",
                "content": {media: {"schema": schema}}},
            "default": {"description": "A problem (RFC 9457) with a stable `code`.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
    });
    if matches!(op.auth, Auth::Bearer) {
        operation["security"] = json!([{"bearer": []}]);
    }
    if let Some(body) = &op.body {
        operation["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": body}}});
    }
    operation
}

/// The documented success body of an operation: the API.md representation where it is fixed,
/// a plain object elsewhere.
fn success_schema(op: &Op) -> Value {
    let name = match (op.method, op.path) {
        ("get", "/v1/events") => "EventPage",
        _ => return json!({"type": "object"}),
    };
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn page(item: &str) -> Value {
    json!({"type": "object", "required": ["data", "has_more"], "properties": {
        "data": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "has_more": {"type": "boolean"}}})
}

fn event_schema() -> Value {
    object(
        &["id", "type", "account_id", "sequence", "created_at", "data"],
        json!({"id": string(), "type": string(), "account_id": nullable("string"),
            "sequence": nullable("integer"), "created_at": time(), "data": {"type": "object"}}),
    )
}

/// The OpenAPI document as JSON.
#[must_use]
pub fn document_json() -> Value {
    let mut paths = serde_json::Map::new();
    for op in operations() {
        let item = paths.entry(op.path).or_insert_with(|| json!({}));
        item[op.method] = operation(&op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "realname", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Real-name verification (SPEC.md R1–R22, API.md)."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {
                "Event": event_schema(),
                "EventPage": page("Event")}
        }
    })
}

/// The served document: the annotated operations' entries (`derived`, collected as the routes
/// registered), then the table's for the operations not yet annotated.
///
/// # Panics
/// Never for the table above; a test parses it.
#[must_use]
pub fn document(derived: OpenApi) -> OpenApi {
    let mut document: OpenApi = serde_json::from_value(document_json())
        .unwrap_or_else(|e| unreachable!("the OpenAPI table is valid: {e}"));
    document.merge(derived);
    document
}

/// The document an instance with or without the sandbox serves, built from the same
/// registration as its router.
#[must_use]
pub fn served(sandbox: bool) -> OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, derived) = actix_web::App::new()
        .into_utoipa_app()
        .configure(|cfg| crate::routes::configure(cfg, sandbox))
        .split_for_parts();
    document(derived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, RouteRoles};

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
    fn the_document_lists_the_table_and_every_annotated_operation_once() {
        let doc = serde_json::to_value(served(true)).unwrap();
        let annotated: Vec<_> = operations_of(&doc)
            .into_iter()
            .filter(|(_, _, op)| op.get("x-roles").is_some())
            .collect();
        assert_eq!(
            operations_of(&doc).len(),
            operations().len() + annotated.len()
        );
        let capabilities = &doc["paths"]["/v1/accounts/{id}/capabilities"]["get"];
        assert_eq!(capabilities["operationId"], "get_capabilities");
        for (method, path, op) in annotated {
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
            let (_, success) = success.unwrap_or_else(|| panic!("{method} {path}: no 2xx"));
            assert!(
                success["content"]["application/json"]["schema"].is_object(),
                "{method} {path}: an untyped 2xx"
            );
        }
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
    fn the_roles_of_each_operation_are_read_from_its_entry() {
        let roles = RouteRoles::from_document(&served(true)).unwrap();
        assert_eq!(
            roles.of("get_capabilities"),
            Some([Role::Holder, Role::Service].as_slice())
        );
        assert_eq!(
            roles.of("register_account"),
            Some([Role::Service, Role::Admin].as_slice())
        );
        assert_eq!(roles.of("no_such_operation"), None);
    }
}

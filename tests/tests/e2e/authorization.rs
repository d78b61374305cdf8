//! The authorization matrix: every endpoint of API.md × every role × own or another
//! holder's account. A role API.md does not list gets 403; a holder asking about an account
//! that is not theirs gets 404, and so does anyone asking about an identity proof that is not
//! theirs; a listed role gets past authorization (any answer other than 401, 403 or 404). The
//! provider endpoints take a signature, not a token: every role's token alone gets 401.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use realname_e2e::{RESIDENT_ID, TestApp, personal};
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Own,
    OtherHolder,
    Service,
    Reviewer,
    AccountManager,
    Admin,
}

const EVERYONE: [Who; 6] = [
    Who::Own,
    Who::OtherHolder,
    Who::Service,
    Who::Reviewer,
    Who::AccountManager,
    Who::Admin,
];

struct Case {
    method: Method,
    /// `{a}` the account, `{app}` its application, `{change}` its phone change, `{case}` an
    /// open appeal, `{fresh}` an account registered for this one call (destructive calls),
    /// `{invitation}` an invitation whose target is the caller's own account, `{pending}` a
    /// pending invitation made for this one call from a new root to `invited` (the caller's own
    /// is its target, or for `…/cancel` its root), `{proof}` an
    /// identity proof the account's holder passed, `{recovery}` a recovery under it,
    /// `{endpoint}` a webhook endpoint, `{doomed}` a webhook endpoint made for this one call,
    /// `{uscc}` the sample enterprise.
    path: &'static str,
    /// `{phone}` a number not used before, `{ref}` an account the proof found.
    body: Option<Value>,
    allowed: &'static [Who],
    /// Roles that may call the endpoint but get 404: the resource is not theirs.
    hidden_from: &'static [Who],
}

fn case(method: Method, path: &'static str, body: Option<Value>, allowed: &'static [Who]) -> Case {
    Case {
        method,
        path,
        body,
        allowed,
        hidden_from: &[],
    }
}

/// An endpoint of the proof's owner: anyone else gets 404.
fn owners(method: Method, path: &'static str, body: Option<Value>) -> Case {
    use Who::{AccountManager, Admin, OtherHolder, Own, Reviewer, Service};
    Case {
        hidden_from: &[OtherHolder, Service, Reviewer, AccountManager, Admin],
        ..case(method, path, body, &[Own])
    }
}

fn cases() -> Vec<Case> {
    use Who::{AccountManager, Admin, Own, Reviewer, Service};
    let phone = || Some(json!({"phone": "13900000001"}));
    vec![
        case(
            Method::POST,
            "/v1/accounts",
            Some(json!({"phone": "{phone}"})),
            &[Service, Admin],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}",
            None,
            &[Own, Service, Reviewer],
        ),
        case(
            Method::POST,
            "/v1/accounts/{a}/sub-accounts",
            phone(),
            &[Own],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/sub-accounts",
            None,
            &[Own, Service, Reviewer],
        ),
        case(
            Method::POST,
            "/v1/accounts/{a}/sub-account-associations",
            Some(json!({"account_id": "{other}"})),
            &[Own, Admin],
        ),
        case(
            Method::PUT,
            "/v1/accounts/{a}/agreement",
            Some(json!({"expires_at": null})),
            &[Service],
        ),
        case(
            Method::POST,
            "/v1/accounts/{fresh}/close",
            None,
            &[Own, Admin],
        ),
        case(
            Method::POST,
            "/v1/accounts/{a}/phone-changes",
            phone(),
            &[Own],
        ),
        case(
            Method::POST,
            "/v1/accounts/{a}/phone-changes/{change}/confirm",
            Some(json!({"code": "000000"})),
            &[Own],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/real-name",
            None,
            &[Own, Service, Reviewer],
        ),
        case(
            Method::DELETE,
            "/v1/accounts/{a}/real-name",
            None,
            &[Own, Service, Admin],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/capabilities",
            None,
            &[Own, Service],
        ),
        case(
            Method::POST,
            "/v1/accounts/{a}/applications",
            Some(personal("wechat_scan", "resident_id", RESIDENT_ID)),
            &[Own],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/applications",
            None,
            &[Own, Reviewer],
        ),
        case(
            Method::GET,
            "/v1/applications/{app}",
            None,
            &[Own, Reviewer],
        ),
        case(
            Method::POST,
            "/v1/applications/{app}/withdraw",
            None,
            &[Own],
        ),
        case(Method::GET, "/v1/review-queue", None, &[Reviewer]),
        case(
            Method::POST,
            "/v1/applications/{app}/decision",
            Some(json!({"decision": "reject", "reason_code": "x", "note": "x"})),
            &[Reviewer],
        ),
        case(
            Method::GET,
            "/v1/enterprises/{uscc}/account-limit",
            None,
            &[AccountManager, Reviewer, Admin],
        ),
        case(
            Method::PUT,
            "/v1/enterprises/{uscc}/account-limit",
            Some(json!({"limit": 11, "reason": "matrix"})),
            &[AccountManager],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/audit-log",
            None,
            &[Own, Reviewer],
        ),
        case(Method::GET, "/v1/cases?kind=appeal", None, &[Reviewer]),
        case(Method::GET, "/v1/cases/{case}", None, &[Reviewer]),
        case(
            Method::POST,
            "/v1/cases/{case}/resolution",
            Some(json!({"outcome": "resolved", "note": "matrix"})),
            &[Reviewer],
        ),
        case(Method::GET, "/v1/events", None, &[Service, Admin]),
        case(
            Method::GET,
            "/v1/notifications?status=failed",
            None,
            &[Admin],
        ),
        case(
            Method::POST,
            "/v1/webhook-endpoints",
            Some(json!({"url": "http://127.0.0.1:1/hook"})),
            &[Admin],
        ),
        case(
            Method::POST,
            "/v1/appeals",
            Some(json!({"message": "matrix"})),
            &EVERYONE,
        ),
        case(
            Method::POST,
            "/v1/identity-proofs",
            Some(json!({"method": "nope"})),
            &EVERYONE,
        ),
        case(Method::GET, "/v1/verification-methods", None, &EVERYONE),
        // Before the accept below, which makes `invited` a sub-account.
        case(
            Method::POST,
            "/v1/sub-account-associations/{pending}/decline",
            None,
            &[Own],
        ),
        case(
            Method::POST,
            "/v1/sub-account-associations/{pending}/cancel",
            None,
            &[Own],
        ),
        case(
            Method::GET,
            "/v1/accounts/{a}/sub-account-associations",
            None,
            &[Own, Admin],
        ),
        case(
            Method::POST,
            "/v1/sub-account-associations/{invitation}/accept",
            None,
            &[Own],
        ),
        case(
            Method::GET,
            "/v1/webhook-endpoints/{endpoint}/deliveries",
            None,
            &[Admin],
        ),
        case(Method::GET, "/v1/webhook-endpoints", None, &[Admin]),
        case(
            Method::GET,
            "/v1/webhook-endpoints/{endpoint}",
            None,
            &[Admin],
        ),
        case(
            Method::PATCH,
            "/v1/webhook-endpoints/{endpoint}",
            Some(json!({"disabled": false})),
            &[Admin],
        ),
        case(
            Method::POST,
            "/v1/webhook-endpoints/{endpoint}/secret-rotations",
            None,
            &[Admin],
        ),
        case(
            Method::DELETE,
            "/v1/webhook-endpoints/{doomed}",
            None,
            &[Admin],
        ),
        case(
            Method::GET,
            "/v1/sandbox/sms?change_id={change}",
            None,
            &[Own, Service, Admin],
        ),
        case(
            Method::POST,
            "/v1/sandbox/applications/{app}/complete",
            Some(json!({"outcome": "failed", "failure_code": "liveness_failed"})),
            &[Own, Service, Admin],
        ),
        owners(
            Method::POST,
            "/v1/sandbox/identity-proofs/{proof}/complete",
            Some(json!({"outcome": "passed"})),
        ),
        owners(Method::GET, "/v1/identity-proofs/{proof}", None),
        owners(Method::GET, "/v1/identity-proofs/{proof}/accounts", None),
        owners(
            Method::POST,
            "/v1/identity-proofs/{proof}/recoveries",
            Some(json!({"ref": "{ref}", "phone": "{phone}"})),
        ),
        owners(
            Method::POST,
            "/v1/identity-proofs/{proof}/recoveries/{recovery}/confirm",
            Some(json!({"code": "000000"})),
        ),
        // Last: it freezes an account the proof found.
        owners(
            Method::POST,
            "/v1/identity-proofs/{proof}/freezes",
            Some(json!({"refs": ["{ref}"], "note": "matrix"})),
        ),
    ]
}

struct World {
    app: TestApp,
    account: String,
    other: String,
    application: String,
    change: String,
    /// An invitation from a verified root to `invited`, a verified account.
    invitation: String,
    invited: String,
    proof: String,
    found: String,
    recovery: String,
    endpoint: String,
    next_phone: std::sync::atomic::AtomicU32,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn_with(|s| s.rate_limit.enabled = false).await;
        let (account, application) = app.submitted("13700000501", "wechat_scan").await;
        let other = app.register("13700000502").await;
        let holder = app.token(Role::Holder, Some(&account));
        let (status, change) = app
            .send(
                app.request(
                    Method::POST,
                    &format!("/v1/accounts/{account}/phone-changes"),
                    Some(&holder),
                )
                .json(&json!({"phone": "13700000503"})),
            )
            .await;
        assert_eq!(status, 201, "{change}");

        let root = app.verified("13700000504", "wechat_scan").await;
        let invited = app.verified("13700000505", "wechat_scan").await;
        let root_holder = app.token(Role::Holder, Some(&root));
        let path = format!("/v1/accounts/{root}/sub-account-associations");
        let (status, invitation) = app
            .send(
                app.request(Method::POST, &path, Some(&root_holder))
                    .json(&json!({"account_id": invited})),
            )
            .await;
        assert_eq!(status, 201, "{invitation}");

        let proof = app.start_proof(&holder).await;
        app.pass_proof(&holder, &proof).await;
        let path = format!("/v1/identity-proofs/{proof}/accounts");
        let (status, found) = app
            .send(app.request(Method::GET, &path, Some(&holder)))
            .await;
        assert_eq!(status, 200, "{found}");
        let found = found["data"][0]["ref"].as_str().unwrap().to_owned();
        let path = format!("/v1/identity-proofs/{proof}/recoveries");
        let (status, recovery) = app
            .send(
                app.request(Method::POST, &path, Some(&holder))
                    .json(&json!({"ref": found, "phone": "13700000506"})),
            )
            .await;
        assert_eq!(status, 201, "{recovery}");

        let admin = app.token(Role::Admin, None);
        let (status, endpoint) = app
            .send(
                app.request(Method::POST, "/v1/webhook-endpoints", Some(&admin))
                    .json(&json!({"url": "http://127.0.0.1:1/hook"})),
            )
            .await;
        assert_eq!(status, 201, "{endpoint}");

        let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
        Self {
            application: id(&application),
            change: id(&change),
            invitation: id(&invitation),
            invited,
            proof,
            found,
            recovery: id(&recovery),
            endpoint: id(&endpoint),
            app,
            account,
            other,
            next_phone: std::sync::atomic::AtomicU32::new(600),
        }
    }

    fn fresh_phone(&self) -> String {
        let n = self
            .next_phone
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        format!("13700000{n:03}")
    }

    async fn appeal(&self) -> String {
        let token = self.app.token(Role::Service, None);
        let (status, case) = self
            .app
            .send(
                self.app
                    .request(Method::POST, "/v1/appeals", Some(&token))
                    .json(&json!({"message": "please look"})),
            )
            .await;
        assert_eq!(status, 201, "{case}");
        case["id"].as_str().unwrap().to_owned()
    }

    /// The status of one call by `who`.
    async fn call(&self, case: &Case, who: Who) -> (u16, Value) {
        let mut account = self.account.clone();
        let mut path = case.path.to_owned();
        if path.contains("{fresh}") {
            account = self.app.register(&self.fresh_phone()).await;
            path = path.replace("{fresh}", &account);
        }
        if path.contains("{invitation}") {
            account = self.invited.clone();
        }
        if path.contains("{pending}") {
            let root = self.app.register(&self.fresh_phone()).await;
            let holder = self.app.token(Role::Holder, Some(&root));
            let (status, invitation) = self
                .app
                .send(
                    self.app
                        .request(
                            Method::POST,
                            &format!("/v1/accounts/{root}/sub-account-associations"),
                            Some(&holder),
                        )
                        .json(&json!({"account_id": self.invited})),
                )
                .await;
            assert_eq!(status, 201, "{invitation}");
            path = path.replace("{pending}", invitation["id"].as_str().unwrap());
            account = if path.ends_with("/cancel") {
                root
            } else {
                self.invited.clone()
            };
        }
        if path.contains("{case}") {
            path = path.replace("{case}", &self.appeal().await);
        }
        if path.contains("{doomed}") {
            let admin = self.app.token(Role::Admin, None);
            let (status, endpoint) = self
                .app
                .send(
                    self.app
                        .request(Method::POST, "/v1/webhook-endpoints", Some(&admin))
                        .json(&json!({"url": "http://127.0.0.1:1/doomed"})),
                )
                .await;
            assert_eq!(status, 201, "{endpoint}");
            path = path.replace("{doomed}", endpoint["id"].as_str().unwrap());
        }
        let path = path
            .replace("{a}", &account)
            .replace("{app}", &self.application)
            .replace("{change}", &self.change)
            .replace("{invitation}", &self.invitation)
            .replace("{proof}", &self.proof)
            .replace("{recovery}", &self.recovery)
            .replace("{endpoint}", &self.endpoint)
            .replace("{uscc}", "91110000600037341L");
        let token = match who {
            Who::Own => self.app.token(Role::Holder, Some(&account)),
            Who::OtherHolder => self.app.token(Role::Holder, Some(&self.other)),
            Who::Service => self.app.token(Role::Service, None),
            Who::Reviewer => self.app.token(Role::Reviewer, None),
            Who::AccountManager => self.app.token(Role::AccountManager, None),
            Who::Admin => self.app.token(Role::Admin, None),
        };
        let mut request = self.app.request(case.method.clone(), &path, Some(&token));
        if let Some(body) = &case.body {
            let body = body
                .to_string()
                .replace("{other}", &self.other)
                .replace("{ref}", &self.found)
                .replace("{phone}", &self.fresh_phone());
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        self.app.send(request).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_every_role_as_api_md_says() {
    let world = World::new().await;
    let mut wrong = Vec::new();
    for case in cases() {
        let holder_may = case.allowed.contains(&Who::Own);
        for who in EVERYONE {
            let (status, body) = world.call(&case, who).await;
            let expected = if case.allowed.contains(&who) {
                "allowed"
            } else if case.hidden_from.contains(&who) || (who == Who::OtherHolder && holder_may) {
                "404"
            } else {
                "403"
            };
            let ok = match expected {
                "allowed" => ![401, 403, 404].contains(&status),
                "404" => status == 404,
                _ => status == 403,
            };
            if !ok {
                wrong.push(format!(
                    "{} {} as {who:?}: expected {expected}, got {status} {}",
                    case.method, case.path, body["code"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_provider_endpoints_take_a_signature_and_no_token_is_one() {
    let app = TestApp::spawn().await;
    let roles = [
        Role::Holder,
        Role::Service,
        Role::Reviewer,
        Role::AccountManager,
        Role::Admin,
    ];
    let event = json!({"session_ref": "wechat_0", "outcome": "passed"});
    let credit = json!({"reference": "RN0", "amount": "0.01", "payer_name": "x",
        "payer_account": "x", "received_at": "2026-01-01T00:00:00Z"});
    for role in roles {
        let token = app.token(role, Some("acct_00000000000000000000000000000000"));
        for (path, body) in [
            ("/v1/provider-events/wechat", &event),
            ("/v1/payment-credits", &credit),
        ] {
            let (status, answer) = app
                .send(app.request(Method::POST, path, Some(&token)).json(body))
                .await;
            assert_eq!(status, 401, "{role:?} {path}: {answer}");
        }
    }
}

#[tokio::test]
async fn without_a_token_only_the_open_endpoints_answer() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (
            Method::GET,
            "/v1/accounts/acct_00000000000000000000000000000000",
        ),
        (Method::GET, "/v1/review-queue"),
        (Method::GET, "/v1/events"),
        (Method::GET, "/v1/notifications"),
        (Method::POST, "/v1/appeals"),
        (Method::POST, "/v1/webhook-endpoints"),
    ] {
        let (status, _) = app.send(app.request(method.clone(), path, None)).await;
        assert_eq!(status, 401, "{method} {path}");
    }
    for path in ["/v1/verification-methods", "/healthz", "/readyz"] {
        let (status, _) = app.send(app.request(Method::GET, path, None)).await;
        assert_eq!(status, 200, "{path}");
    }
}

/// API.md: the body is validated before the account is looked up, so a holder learns nothing
/// about another account from a bad body (the same 422 for any id); a valid body gets 404.
#[tokio::test]
async fn a_bad_body_gets_422_for_any_account_and_a_good_one_404_for_anothers() {
    let app = TestApp::spawn_with(|s| s.rate_limit.enabled = false).await;
    let mine = app.register("13700000701").await;
    let theirs = app.register("13700000702").await;
    let holder = app.token(Role::Holder, Some(&mine));
    let nobody = "acct_00000000000000000000000000000000";
    let cases = [
        (
            "applications",
            json!({"purpose": "verify", "method": "no_such_method"}),
            personal("wechat_scan", "resident_id", RESIDENT_ID),
        ),
        (
            "phone-changes",
            json!({"phone": "12"}),
            json!({"phone": "13700000703"}),
        ),
        (
            "sub-accounts",
            json!({"phone": "not a phone"}),
            json!({"phone": "13700000704"}),
        ),
        (
            "sub-account-associations",
            json!({"account_id": 7}),
            json!({"account_id": mine}),
        ),
    ];
    for (path, bad, good) in cases {
        for account in [theirs.as_str(), nobody] {
            let url = format!("/v1/accounts/{account}/{path}");
            let (status, body) = app
                .send(app.request(Method::POST, &url, Some(&holder)).json(&bad))
                .await;
            assert_eq!(status, 422, "{path} on {account}: {body}");
        }
        let url = format!("/v1/accounts/{theirs}/{path}");
        let (status, body) = app
            .send(app.request(Method::POST, &url, Some(&holder)).json(&good))
            .await;
        assert_eq!(status, 404, "{path}: {body}");
    }
}

/// R16: every read of an account that its holder may make (the matrix's `Own` GETs on `{a}`)
/// is open to the holders of both sides of an association, and of an inheriting sub-account,
/// and hidden (404) from any other holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_holders_of_an_association_read_the_associated_account_and_nobody_else() {
    let app = TestApp::spawn_with(|s| s.rate_limit.enabled = false).await;
    let root = app.verified("13700000801", "wechat_scan").await;
    let target = app.verified("13700000802", "wechat_scan").await;
    let stranger = app.register("13700000803").await;
    let admin = app.token(Role::Admin, None);
    let (status, body) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{root}/sub-account-associations"),
                Some(&admin),
            )
            .json(&json!({"account_id": target})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let root_holder = app.token(Role::Holder, Some(&root));
    let (status, heir) = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/accounts/{root}/sub-accounts"),
                Some(&root_holder),
            )
            .json(&json!({"phone": "13700000804"})),
        )
        .await;
    assert_eq!(status, 201, "{heir}");
    let heir = heir["id"].as_str().unwrap().to_owned();

    let reads: Vec<_> = cases()
        .into_iter()
        .filter(|c| c.method == Method::GET && c.path.contains("{a}"))
        .filter(|c| c.allowed.contains(&Who::Own))
        .collect();
    assert!(reads.len() >= 3, "the matrix lists the holder's reads");
    let mut wrong = Vec::new();
    for (sub, own) in [(&target, &target), (&heir, &heir)] {
        for case in &reads {
            let path = case.path.replace("{a}", sub);
            for (who, holder, visible) in [
                ("own", own.as_str(), true),
                ("root's", root.as_str(), true),
                ("stranger", stranger.as_str(), false),
            ] {
                let token = app.token(Role::Holder, Some(holder));
                let (status, _) = app
                    .send(app.request(Method::GET, &path, Some(&token)))
                    .await;
                if (status == 404) == visible || [401, 403].contains(&status) {
                    wrong.push(format!("GET {path} as the {who} holder: {status}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The matrix and the served document agree: every operation that declares `x-roles` (its
/// roles, enforced from that declaration) has a row, and the row admits exactly those roles.
#[tokio::test]
async fn every_declared_operation_has_a_matrix_row_with_its_x_roles() {
    let app = TestApp::spawn().await;
    let (status, doc) = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    assert_eq!(status, 200);
    // `/v1/accounts/{a}/close` and `/v1/accounts/{id}/close` are the same template.
    let template = |path: &str| {
        let path = path.split('?').next().unwrap_or_default();
        let mut out = String::new();
        let mut in_param = false;
        for c in path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push_str("{}");
                }
                '}' => in_param = false,
                _ if in_param => {}
                _ => out.push(c),
            }
        }
        out
    };
    let role_of = |who: &Who| match who {
        Who::Own | Who::OtherHolder => "holder",
        Who::Service => "service",
        Who::Reviewer => "reviewer",
        Who::AccountManager => "account_manager",
        Who::Admin => "admin",
    };
    let rows = cases();
    let mut declared = 0;
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(roles) = op.get("x-roles").and_then(Value::as_array) else {
                // Without roles the gate admits nobody: only unauthenticated operations (the
                // probes, the signed provider callbacks) may declare none.
                if op.get("security").is_some() {
                    wrong.push(format!(
                        "{method} {path}: a bearer operation without x-roles"
                    ));
                }
                continue;
            };
            if roles.is_empty() {
                continue; // open to anyone: the no-token test covers those
            }
            declared += 1;
            let row = rows.iter().find(|c| {
                c.method.as_str().eq_ignore_ascii_case(method) && template(c.path) == template(path)
            });
            let Some(row) = row else {
                wrong.push(format!("{method} {path}: no row in the matrix"));
                continue;
            };
            let mut expected: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
            // A role the gate admits either succeeds or, not owning the resource, gets 404.
            let mut allowed: Vec<&str> = row
                .allowed
                .iter()
                .chain(row.hidden_from)
                .map(role_of)
                .collect();
            expected.sort_unstable();
            allowed.sort_unstable();
            allowed.dedup();
            if expected != allowed {
                wrong.push(format!(
                    "{method} {path}: x-roles {expected:?}, matrix {allowed:?}"
                ));
            }
        }
    }
    assert!(
        declared >= 34,
        "the document declares the roles of {declared} operations"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

//! The console's serving and the API it added (issue 16): embedded pages with the security
//! headers, the sandbox's development sign-in, and a root's sub-account list.

use realname_e2e::TestApp;
use realname_http::Role;
use reqwest::Method;
use serde_json::{Value, json};

const CSP: &str = "default-src 'self'; frame-ancestors 'none'";

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(format!("{}{path}", app.base)).await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_console_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for (path, status, kind) in [
        ("/console/real-name", 200, "text/html"),
        ("/console/find-account", 200, "text/html"),
        ("/console/review", 200, "text/html"),
        ("/console/assets/app.js", 200, "text/javascript"),
        ("/console/assets/console.css", 200, "text/css"),
        ("/console/assets/nothing.js", 404, "text/plain"),
        ("/console/assets/..%2fapp.js", 404, "text/plain"),
        ("/console/settings", 404, "text/plain"),
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert!(
            header(&response, "content-type").starts_with(kind),
            "{path}"
        );
        assert_eq!(header(&response, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "no-referrer");
    }
    let page = get(&app, "/console/real-name").await.text().await.unwrap();
    assert!(
        !page.contains("<script>")
            && page.contains(r#"<script type="module" src="/console/assets/app.js">"#),
        "no inline script: {page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_mints_development_tokens_that_the_api_accepts() {
    let app = TestApp::spawn().await;
    let account = app.register("13300000001").await;
    let mint = |body: Value| {
        app.send(
            app.request(Method::POST, "/v1/sandbox/tokens", None)
                .json(&body),
        )
    };
    let (status, minted) = mint(json!({"role": "holder", "account_id": account})).await;
    assert_eq!(status, 200, "{minted}");
    let holder = minted["token"].as_str().unwrap();
    let (status, read) = app
        .send(app.request(
            Method::GET,
            &format!("/v1/accounts/{account}"),
            Some(holder),
        ))
        .await;
    assert_eq!((status, read["id"].as_str()), (200, Some(account.as_str())));
    let signature = holder.rsplit('.').next().unwrap();
    assert!(
        !realname_e2e::captured_logs().contains(signature),
        "a minted token never reaches a log line, even at debug"
    );

    for (body, field) in [
        (json!({"role": "holder"}), "account_id"),
        (json!({"role": "root"}), "role"),
        (
            json!({"role": "reviewer", "account_id": account}),
            "account_id",
        ),
        (
            json!({"role": "holder", "account_id": "acct_nope"}),
            "account_id",
        ),
        (json!({}), "role"),
    ] {
        let (status, problem) = mint(body.clone()).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_sandbox_there_is_no_development_sign_in() {
    let app = TestApp::spawn_with(|s| s.sandbox.enabled = false).await;
    let (status, _) = app
        .send(
            app.request(Method::POST, "/v1/sandbox/tokens", None)
                .json(&json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        get(&app, "/console/review").await.status().as_u16(),
        200,
        "the pages stay"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_root_lists_its_sub_accounts_in_pages() {
    let app = TestApp::spawn().await;
    let root = app.verified("13300000010", "wechat_scan").await;
    let holder = app.token(Role::Holder, Some(&root));
    let mut created = Vec::new();
    for n in 0..3 {
        let (status, sub) = app
            .send(
                app.request(
                    Method::POST,
                    &format!("/v1/accounts/{root}/sub-accounts"),
                    Some(&holder),
                )
                .json(&json!({"phone": format!("1330000002{n}")})),
            )
            .await;
        assert_eq!(status, 201, "{sub}");
        created.push(sub["id"].as_str().unwrap().to_owned());
    }
    let list = |query: String, token: String| {
        let path = format!("/v1/accounts/{root}/sub-accounts{query}");
        let request = app.request(Method::GET, &path, Some(&token));
        app.send(request)
    };
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, first) = list("?limit=2".into(), holder.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (ids(&first), first["has_more"].as_bool()),
        (created[..2].to_vec(), Some(true))
    );
    let (_, rest) = list(
        format!("?limit=2&starting_after={}", created[1]),
        holder.clone(),
    )
    .await;
    assert_eq!(
        (ids(&rest), rest["has_more"].as_bool()),
        (created[2..].to_vec(), Some(false))
    );
    assert_eq!(first["data"][0]["kind"], "sub");

    let stranger = app.register("13300000030").await;
    let (status, _) = list(String::new(), app.token(Role::Holder, Some(&stranger))).await;
    assert_eq!(status, 404, "another holder sees nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_says_whether_its_chain_verifies() {
    let app = TestApp::spawn().await;
    let account = app.verified("13300000040", "wechat_scan").await;
    let reviewer = app.token(Role::Reviewer, None);
    let path = format!("/v1/accounts/{account}/audit-log?limit=1");
    let (status, intact) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    assert_eq!(status, 200, "{intact}");
    assert_eq!(intact["chain_valid"], true, "{intact}");

    // An entry after the first page is altered in the database: the whole chain is checked.
    let uuid = account.trim_start_matches("acct_");
    let sql = format!(
        "UPDATE audit_log SET after = 'status=revoked' WHERE id = (SELECT max(id) FROM audit_log WHERE account_id = '{uuid}')"
    );
    let psql = std::process::Command::new("psql")
        .args([app.db.url.as_str(), "-q", "-c", &sql])
        .status()
        .unwrap();
    assert!(psql.success());
    let (_, altered) = app
        .send(app.request(Method::GET, &path, Some(&reviewer)))
        .await;
    assert_eq!(altered["chain_valid"], false, "{altered}");
    assert_eq!(
        altered["data"], intact["data"],
        "the first page itself is unchanged"
    );
}

//! The instant-verification load driver (issue 6): each operation creates an application,
//! posts the provider's signed result and expects the approved state.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use realname_domain::identifiers::resident_id_check_char;
use realname_http::{Authenticator, Role};
use realname_server::Settings;
use serde_json::{Value, json};

/// A distinct valid resident ID per `n` (336,000 of them).
fn resident_id(n: usize) -> String {
    let first17 = format!(
        "110105198{}{:02}{:02}{:03}",
        n / 336_000 % 10,
        n % 12 + 1,
        n / 12 % 28 + 1,
        n / 336 % 1000
    );
    let digits: [u8; 17] = first17
        .as_bytes()
        .try_into()
        .unwrap_or_else(|_| unreachable!("17 digits"));
    format!("{first17}{}", resident_id_check_char(&digits))
}

struct Driver {
    client: reqwest::Client,
    base: String,
    auth: Authenticator,
    secret: secrecy::SecretString,
    accounts: Vec<String>,
    next: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
}

impl Driver {
    async fn one(&self, index: usize) -> anyhow::Result<bool> {
        let account = &self.accounts[index];
        let holder = self.auth.issue(
            "bench",
            Role::Holder,
            Some(account.parse()?),
            chrono::Duration::hours(1),
        )?;
        let subject = json!({"type": "personal", "document_type": "resident_id",
            "document_number": resident_id(index), "name": "张三"});
        let created: Value = self
            .client
            .post(format!("{}/v1/accounts/{account}/applications", self.base))
            .bearer_auth(holder)
            .json(&json!({"purpose": "verify", "method": "wechat_scan", "subject": subject}))
            .send()
            .await?
            .json()
            .await?;
        let id = created["id"].as_str().unwrap_or_default();
        let mut asserted = subject.clone();
        asserted["mainland_bank_card"] = json!(true);
        let body = json!({
            "session_ref": format!("wechat_{}", id.trim_start_matches("app_")),
            "outcome": "passed",
            "asserted_subject": asserted,
        })
        .to_string();
        let now = chrono::Utc::now().timestamp();
        let signature = realname_http::signature::sign(&self.secret, now, body.as_bytes());
        let decided: Value = self
            .client
            .post(format!("{}/v1/provider-events/wechat", self.base))
            .header("Signature", signature)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await?
            .json()
            .await?;
        Ok(decided["status"] == "approved")
    }
}

/// Runs the driver and prints completed verifications per second.
pub fn run(base: &str, accounts: &Path, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    let settings = Settings::load(None)?;
    let secret = {
        use secrecy::ExposeSecret;
        let all = settings.providers.secrets.expose_secret().to_owned();
        secrecy::SecretString::from(all.split(',').next().unwrap_or_default().trim().to_owned())
    };
    let driver = Arc::new(Driver {
        client: reqwest::Client::new(),
        base: base.trim_end_matches('/').to_owned(),
        auth: Authenticator::new(settings.auth.clone()),
        secret,
        accounts: std::fs::read_to_string(accounts)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    runtime.block_on(async {
        let workers: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                let driver = driver.clone();
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let index = driver.next.fetch_add(1, Ordering::Relaxed);
                        if index >= driver.accounts.len() {
                            break;
                        }
                        match driver.one(index).await {
                            Ok(true) => driver.done.fetch_add(1, Ordering::Relaxed),
                            _ => driver.failed.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let done = driver.done.load(Ordering::Relaxed);
    println!("verifications approved: {done}");
    println!(
        "verifications failed: {}",
        driver.failed.load(Ordering::Relaxed)
    );
    println!("elapsed: {elapsed:.2} s");
    println!("verifications/s: {:.1}", done as f64 / elapsed);
    Ok(())
}

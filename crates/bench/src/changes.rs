//! The change drive of the production mix and its staleness checker (R12, R14, R21).
//!
//! At a fixed rate, through the HTTP API: freezes (an identity proof of the account's person,
//! then a freeze of its accounts) alternating with closures, and theft revocations (a proof, a
//! freeze, then a reviewer's confirmed resolution). Before each change both replicas are asked
//! for the account's capabilities, so each has it cached as a serving replica would. When the
//! change's response arrives (its transaction has committed by then), the checker polls both
//! replicas until their answer reflects it, and records:
//! - the staleness: from that commit to the first answer that reflects the change;
//! - a violation for every answer that does not reflect it although its request was sent more
//!   than the bound after the commit.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use realname_domain::AccountId;
use realname_http::{Authenticator, Role};
use serde_json::{Value, json};

/// How often a replica is asked again while its answer does not reflect a change.
const POLL_EVERY: Duration = Duration::from_millis(5);
/// A change still not reflected after this long is reported as never seen.
const GIVE_UP_AFTER: Duration = Duration::from_secs(10);

/// A change, and how a capability answer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Freeze,
    Closure,
    /// A confirmed theft case: the account is revoked.
    Revocation,
}

impl Change {
    fn reflected_in(self, answer: &Value) -> bool {
        let reason = answer["capabilities"]["purchase"]["reason"].as_str();
        match self {
            Self::Freeze => reason == Some("account_frozen"),
            Self::Closure => reason == Some("account_closed"),
            Self::Revocation => answer["status"] == "revoked",
        }
    }
}

/// What the drive and its checker counted.
#[derive(Default)]
pub struct Tally {
    pub freezes: usize,
    pub closures: usize,
    pub revocations: usize,
    pub errors: usize,
    /// Commit → first reflecting answer, one per change and replica.
    pub staleness: Vec<Duration>,
    pub violations: usize,
    pub never_seen: usize,
}

impl Tally {
    /// Prints the figures, `label: value` per line.
    pub fn print(&mut self, bound: Duration) {
        self.staleness.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.staleness.is_empty() {
                return 0.0;
            }
            let rank = ((self.staleness.len() as f64) * q).ceil() as usize;
            self.staleness[rank.clamp(1, self.staleness.len()) - 1].as_secs_f64() * 1e3
        };
        println!(
            "changes committed: {} (freezes {}, closures {}, theft revocations {})",
            self.freezes + self.closures + self.revocations,
            self.freezes,
            self.closures,
            self.revocations
        );
        println!("change errors: {}", self.errors);
        println!("staleness bound ms: {}", bound.as_millis());
        println!("staleness samples: {}", self.staleness.len());
        println!("staleness p50 ms: {:.1}", at(0.50));
        println!("staleness p99 ms: {:.1}", at(0.99));
        println!("staleness max ms: {:.1}", at(1.0));
        println!(
            "staleness violations (answers not reflecting a change, asked > {} ms after its commit): {}",
            bound.as_millis(),
            self.violations
        );
        println!(
            "changes never seen within {} s: {}",
            GIVE_UP_AFTER.as_secs(),
            self.never_seen
        );
    }
}

/// The drive's HTTP side: the replicas, the tokens it needs, and the tally.
pub struct Drive {
    http: reqwest::Client,
    bases: Vec<String>,
    service: String,
    admin: String,
    reviewer: String,
    bound: Duration,
    pub tally: Mutex<Tally>,
}

/// One account to change: its person's subject, as JSON, and its id.
pub struct Target {
    pub id: AccountId,
    pub subject: Value,
}

impl Drive {
    /// A drive over `bases`, with tokens minted by `auth`.
    ///
    /// # Errors
    /// Token errors.
    pub fn new(bases: Vec<String>, auth: &Authenticator, bound: Duration) -> anyhow::Result<Self> {
        let mint = |role| auth.issue("bench", role, None, chrono::Duration::hours(2));
        Ok(Self {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()?,
            bases,
            service: mint(Role::Service)?,
            admin: mint(Role::Admin)?,
            reviewer: mint(Role::Reviewer)?,
            bound,
            tally: Mutex::new(Tally::default()),
        })
    }

    fn base(&self, n: usize) -> &str {
        &self.bases[n % self.bases.len()]
    }

    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        anyhow::ensure!(status.is_success(), "{status}: {}", body["code"]);
        Ok(body)
    }

    async fn capabilities(&self, replica: usize, id: AccountId) -> anyhow::Result<Value> {
        let url = format!("{}/v1/accounts/{id}/capabilities", self.base(replica));
        self.call(reqwest::Method::GET, url, &self.service, None)
            .await
    }

    /// Asks every replica once, as serving replicas that have the account cached would be.
    async fn warm(&self, id: AccountId) {
        for replica in 0..self.bases.len() {
            let _ = self.capabilities(replica, id).await;
        }
    }

    /// Polls every replica from `committed` until its answer reflects `change`.
    async fn check(self: &Arc<Self>, id: AccountId, change: Change, committed: Instant) {
        let checks: Vec<_> = (0..self.bases.len())
            .map(|replica| {
                let drive = self.clone();
                tokio::spawn(async move {
                    let (mut violations, mut seen) = (0, None);
                    loop {
                        let sent = Instant::now();
                        let answer = drive.capabilities(replica, id).await;
                        if answer.as_ref().is_ok_and(|a| change.reflected_in(a)) {
                            seen = Some(committed.elapsed());
                            break;
                        }
                        let waited = sent.duration_since(committed);
                        if waited > drive.bound {
                            violations += 1;
                        }
                        if waited > GIVE_UP_AFTER {
                            break;
                        }
                        tokio::time::sleep(POLL_EVERY).await;
                    }
                    (violations, seen)
                })
            })
            .collect();
        for check in checks {
            let (violations, seen) = check.await.unwrap_or((0, None));
            let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
            tally.violations += violations;
            match seen {
                Some(staleness) => tally.staleness.push(staleness),
                None => tally.never_seen += 1,
            }
        }
    }

    fn count(&self, change: Result<Change, anyhow::Error>) {
        let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        match change {
            Ok(Change::Freeze) => tally.freezes += 1,
            Ok(Change::Closure) => tally.closures += 1,
            Ok(Change::Revocation) => tally.revocations += 1,
            Err(_) => tally.errors += 1,
        }
    }

    /// Proves the target's person (R14, an instant method completed by the sandbox) and freezes
    /// its accounts; returns the theft case's id.
    async fn freeze(&self, n: usize, target: &Target) -> anyhow::Result<String> {
        let base = self.base(n);
        let proof = self
            .call(
                reqwest::Method::POST,
                format!("{base}/v1/identity-proofs"),
                &self.service,
                Some(json!({"method": "face_recognition", "subject": target.subject})),
            )
            .await?;
        let proof = proof["id"].as_str().unwrap_or_default().to_owned();
        let complete = format!("{base}/v1/sandbox/identity-proofs/{proof}/complete");
        self.call(
            reqwest::Method::POST,
            complete,
            &self.service,
            Some(json!({"outcome": "passed"})),
        )
        .await?;
        let listed = format!("{base}/v1/identity-proofs/{proof}/accounts");
        let accounts = self
            .call(reqwest::Method::GET, listed, &self.service, None)
            .await?;
        let refs: Vec<Value> = accounts["data"]
            .as_array()
            .map(|all| all.iter().map(|a| a["ref"].clone()).collect())
            .unwrap_or_default();
        let case = self
            .call(
                reqwest::Method::POST,
                format!("{base}/v1/identity-proofs/{proof}/freezes"),
                &self.service,
                Some(json!({"refs": refs, "note": "not mine (benchmark)"})),
            )
            .await?;
        Ok(case["id"].as_str().unwrap_or_default().to_owned())
    }

    /// A freeze (even `n`) or a closure (odd `n`) of `target`, then its check.
    pub async fn freeze_or_close(self: Arc<Self>, n: usize, target: Target) {
        self.warm(target.id).await;
        let change = if n.is_multiple_of(2) {
            self.freeze(n, &target).await.map(|_| Change::Freeze)
        } else {
            let url = format!("{}/v1/accounts/{}/close", self.base(n), target.id);
            self.call(reqwest::Method::POST, url, &self.admin, None)
                .await
                .map(|_| Change::Closure)
        };
        let committed = Instant::now();
        let checked = change.as_ref().ok().copied();
        self.count(change);
        if let Some(change) = checked {
            self.check(target.id, change, committed).await;
        }
    }

    /// A theft revocation: a freeze, then a reviewer confirms the case (R14), each checked.
    pub async fn revoke(self: Arc<Self>, n: usize, target: Target) {
        self.warm(target.id).await;
        let case = match self.freeze(n, &target).await {
            Ok(case) => case,
            Err(error) => return self.count(Err(error)),
        };
        self.check(target.id, Change::Freeze, Instant::now()).await;
        let url = format!("{}/v1/cases/{case}/resolution", self.base(n + 1));
        let body = json!({"outcome": "confirmed", "note": "confirmed (benchmark)"});
        let resolved = self
            .call(reqwest::Method::POST, url, &self.reviewer, Some(body))
            .await
            .map(|_| Change::Revocation);
        let committed = Instant::now();
        let ok = resolved.is_ok();
        self.count(resolved);
        if ok {
            self.check(target.id, Change::Revocation, committed).await;
        }
    }
}

//! The instant-verification load driver: each operation creates an application, posts the
//! provider's signed result and expects the approved state. Workers are spread over the
//! replicas given, one replica per worker.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use realname_server::Settings;
use realname_test_support::client::{ServiceClient, person};

/// Completed and failed verifications, and the time they took.
pub struct Tally {
    pub approved: usize,
    pub failed: usize,
    pub elapsed: Duration,
}

impl Tally {
    /// Prints the figures, `label: value` per line.
    pub fn print(&self) {
        let seconds = self.elapsed.as_secs_f64();
        println!("verifications approved: {}", self.approved);
        println!("verifications failed: {}", self.failed);
        println!("elapsed: {seconds:.2} s");
        println!(
            "verifications/s: {:.1}",
            self.approved as f64 / seconds.max(f64::EPSILON)
        );
    }
}

/// Reads a file of account ids, one per line.
///
/// # Errors
/// Read errors.
pub fn read_ids(path: &Path) -> anyhow::Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// One client per replica, signing provider events with the first configured WeChat secret.
///
/// # Errors
/// Configuration errors.
pub fn clients(bases: &[String]) -> anyhow::Result<Vec<Arc<ServiceClient>>> {
    let settings = Settings::load(None)?;
    let secret = {
        use secrecy::ExposeSecret;
        let all = settings.providers.secrets.wechat.expose_secret().to_owned();
        secrecy::SecretString::from(all.split(',').next().unwrap_or_default().trim().to_owned())
    };
    Ok(bases
        .iter()
        .map(|base| {
            Arc::new(ServiceClient::new(
                base,
                settings.auth.clone(),
                secret.clone(),
            ))
        })
        .collect())
}

/// Runs `concurrency` closed-loop workers until `deadline` or until `accounts` are used up.
pub async fn drive(
    clients: Vec<Arc<ServiceClient>>,
    accounts: Arc<Vec<String>>,
    deadline: Instant,
    concurrency: usize,
) -> Tally {
    let next = Arc::new(AtomicUsize::new(0));
    let approved = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|worker| {
            let client = clients[worker % clients.len()].clone();
            let accounts = accounts.clone();
            let (next, approved, failed) = (next.clone(), approved.clone(), failed.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(account) = accounts.get(index) else {
                        break;
                    };
                    match client.verify_instantly(account, &person(index)).await {
                        Ok(true) => approved.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    Tally {
        approved: approved.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    }
}

/// The runtime the drivers share: two worker threads, as the machine has two cores.
///
/// # Errors
/// When it cannot be built.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Runs the driver and prints completed verifications per second.
///
/// # Errors
/// Configuration and read errors.
pub fn run(
    bases: &[String],
    accounts: &Path,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let clients = clients(bases)?;
    let accounts = Arc::new(read_ids(accounts)?);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    runtime()?
        .block_on(drive(clients, accounts, deadline, concurrency))
        .print();
    Ok(())
}

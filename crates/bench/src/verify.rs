//! The instant-verification load driver: each operation creates an application,
//! posts the provider's signed result and expects the approved state.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use realname_server::Settings;
use realname_test_support::client::{ServiceClient, person};

/// Runs the driver and prints completed verifications per second.
pub fn run(base: &str, accounts: &Path, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    let settings = Settings::load(None)?;
    let secret = {
        use secrecy::ExposeSecret;
        let all = settings.providers.secrets.wechat.expose_secret().to_owned();
        secrecy::SecretString::from(all.split(',').next().unwrap_or_default().trim().to_owned())
    };
    let client = Arc::new(ServiceClient::new(base, settings.auth.clone(), secret));
    let accounts: Arc<Vec<String>> = Arc::new(
        std::fs::read_to_string(accounts)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    runtime.block_on(async {
        let workers: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                let (client, accounts) = (client.clone(), accounts.clone());
                let (next, done, failed) = (next.clone(), done.clone(), failed.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(account) = accounts.get(index) else {
                            break;
                        };
                        match client.verify_instantly(account, &person(index)).await {
                            Ok(true) => done.fetch_add(1, Ordering::Relaxed),
                            _ => failed.fetch_add(1, Ordering::Relaxed),
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
    let done = done.load(Ordering::Relaxed);
    println!("verifications approved: {done}");
    println!("verifications failed: {}", failed.load(Ordering::Relaxed));
    println!("elapsed: {elapsed:.2} s");
    println!("verifications/s: {:.1}", done as f64 / elapsed);
    Ok(())
}

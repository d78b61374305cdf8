//! `realname-bench`: the helpers of the benchmarks (`crates/bench/run.sh`, `load.sh`, `mix.sh`).
//!
//! - `seed` writes synthetic verified enterprises (one account each) as three CSV files for
//!   `COPY … FROM STDIN (FORMAT csv)`, sealed with the configured keys like real rows.
//! - `registry` serves the HTTP registry contract on loopback: every enterprise is active under
//!   its synthetic name, except one in `--finding-every`, which is deregistered.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::{Parser, Subcommand};
use realname_postgres::seed::{CopyStreams, enterprise_name, write_copy_csv, write_mix_csv};
use realname_postgres::{Keyring, PgStore};
use realname_server::Settings;

mod changes;
mod mix;
mod verify;

#[derive(Parser)]
#[command(name = "realname-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write `phones.csv`, `subjects.csv` and `accounts.csv` for enterprises `from..to`.
    Seed {
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(long)]
        dir: PathBuf,
        /// Leave every n-th account unverified.
        #[arg(long)]
        unverified_every: Option<u64>,
        /// Write the production mix (persons, enterprises, unverified accounts, sub-accounts)
        /// and its `roster.csv` instead of enterprises only.
        #[arg(long)]
        mix: bool,
    },
    /// Drive complete instant verifications against a running server: create an application
    /// for an unverified account, send the signed provider event, expect `approved`.
    Verify {
        /// The replicas, comma-separated; workers are spread over them.
        #[arg(long, value_delimiter = ',')]
        base: Vec<String>,
        /// A file of unverified account ids, one per line.
        #[arg(long)]
        accounts: PathBuf,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// The production mix's drivers for one timed window: verifications, 8 at a time, and
    /// the change drive with its staleness checker, spread over the replicas.
    Mix {
        /// The replicas, comma-separated.
        #[arg(long, value_delimiter = ',')]
        base: Vec<String>,
        /// The `roster.csv` that `seed --mix` wrote.
        #[arg(long)]
        roster: PathBuf,
        /// Unverified accounts left for later phases.
        #[arg(long, default_value_t = 200)]
        keep_unverified: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Freezes and closures per second, alternating.
        #[arg(long, default_value_t = 50)]
        change_rate: u32,
        /// Theft revocations per second.
        #[arg(long, default_value_t = 2)]
        theft_rate: u32,
    },
    /// Time the signature check of a stuffed `Signature` header (1,500 `v1=` candidates, a
    /// 60 KB body) against a plain bad one, interleaved in one run; prints the ratio.
    Signature {
        #[arg(long, default_value_t = 2000)]
        iterations: u32,
    },
    /// Print the columns of `accounts.csv`, for `COPY accounts (…)`.
    Columns,
    /// Serve the fake registry.
    Registry {
        #[arg(long, default_value = "127.0.0.1:9400")]
        listen: String,
        /// One enterprise in this many has a finding (100: ~1%).
        #[arg(long, default_value_t = 100)]
        finding_every: u64,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed {
            from,
            to,
            dir,
            unverified_every,
            mix,
        } => seed(from..to, &dir, unverified_every, mix),
        Command::Verify {
            base,
            accounts,
            seconds,
            concurrency,
        } => verify::run(&base, &accounts, seconds, concurrency),
        Command::Mix {
            base,
            roster,
            keep_unverified,
            seconds,
            concurrency,
            change_rate,
            theft_rate,
        } => mix::run(&mix::MixArgs {
            bases: &base,
            roster: &roster,
            keep_unverified,
            seconds,
            concurrency,
            change_rate,
            theft_rate,
        }),
        Command::Registry {
            listen,
            finding_every,
        } => registry(&listen, finding_every),
        Command::Signature { iterations } => signature(iterations),
        Command::Columns => {
            println!("{}", realname_postgres::seed::ACCOUNT_COLUMNS);
            Ok(())
        }
    }
}

/// The stuffed-header ratio (the amplification an unauthenticated caller gets).
fn signature(iterations: u32) -> anyhow::Result<()> {
    use std::time::{Duration, Instant};

    let settings = Settings::load(None)?;
    let signatures = realname_http::SignatureSettings {
        secrets: settings.providers.secrets.clone(),
        tolerance_secs: settings.providers.tolerance_secs,
    };
    let body = vec![b'x'; 60_000];
    let now = chrono::Utc::now().timestamp();
    let plain = format!("t={now},v1={}", "0".repeat(64));
    let stuffed = format!("t={now}{}", format!(",v1={}", "0".repeat(64)).repeat(1_500));
    let provider = realname_domain::ProviderName::Wechat;
    let two = format!("t={now},v1={},v1={}", "0".repeat(64), "1".repeat(64));
    let (mut plain_time, mut stuffed_time, mut two_time) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..iterations {
        let started = Instant::now();
        assert!(signatures.verify(provider, Some(&two), &body, now).is_err());
        two_time += started.elapsed();
        let started = Instant::now();
        assert!(
            signatures
                .verify(provider, Some(&plain), &body, now)
                .is_err()
        );
        plain_time += started.elapsed();
        let started = Instant::now();
        assert!(
            signatures
                .verify(provider, Some(&stuffed), &body, now)
                .is_err()
        );
        stuffed_time += started.elapsed();
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(iterations.max(1));
    println!("plain bad signature: {:.1} µs per check", per(plain_time));
    println!(
        "stuffed header (1,500 candidates, 60 KB): {:.1} µs per check",
        per(stuffed_time)
    );
    println!(
        "two candidates (the most accepted): {:.1} µs per check",
        per(two_time)
    );
    println!(
        "ratio stuffed / plain: {:.2}× (target ≤ 5×); two candidates / plain: {:.2}×",
        per(stuffed_time) / per(plain_time),
        per(two_time) / per(plain_time)
    );
    Ok(())
}

fn seed(
    range: std::ops::Range<u64>,
    dir: &std::path::Path,
    unverified_every: Option<u64>,
    mix: bool,
) -> anyhow::Result<()> {
    use std::io::Write;

    let settings = Settings::load(None)?;
    let keys = Arc::new(Keyring::new(&settings.crypto)?);
    // The pool connects lazily (never, here: seeding only uses the store's codec), but it
    // must be built inside a runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let _entered = runtime.enter();
    let store = PgStore::connect(&settings.database, keys)?;
    let open = |name: &str| -> anyhow::Result<BufWriter<File>> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            File::create(dir.join(name))?,
        ))
    };
    let (mut phones, mut subjects, mut accounts) = (
        open("phones.csv")?,
        open("subjects.csv")?,
        open("accounts.csv")?,
    );
    let mut out = CopyStreams {
        phones: &mut phones,
        subjects: &mut subjects,
        accounts: &mut accounts,
    };
    let now = chrono::Utc::now();
    if mix {
        let mut roster = open("roster.csv")?;
        write_mix_csv(&store, range, now, &mut out, &mut roster)?;
        roster.flush()?;
    } else {
        write_copy_csv(
            &store,
            range,
            now - chrono::Duration::days(1),
            unverified_every,
            &mut out,
        )?;
    }
    for file in [&mut phones, &mut subjects, &mut accounts] {
        file.flush()?;
    }
    Ok(())
}

fn registry(listen: &str, finding_every: u64) -> anyhow::Result<()> {
    let every = finding_every.max(1);
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        HttpServer::new(move || {
            App::new().route(
                "/v1/enterprises/{uscc}",
                web::get().to(move |uscc: web::Path<String>| async move {
                    let serial: u64 = uscc.get(8..17).and_then(|d| d.parse().ok()).unwrap_or(0);
                    let status = if serial % every == every - 1 {
                        "deregistered"
                    } else {
                        "active"
                    };
                    HttpResponse::Ok().json(serde_json::json!({
                        "name": enterprise_name(&uscc),
                        "status": status,
                        "legal_representative": "王五",
                    }))
                }),
            )
        })
        .workers(1)
        .bind(listen)?
        .run()
        .await
    })?;
    Ok(())
}

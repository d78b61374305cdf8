//! The `realname` binary: `serve`, `migrate`, `recheck`, `audit` and `token`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use realname_http::Role;
use realname_server::commands::RecheckMode;
use realname_server::{Application, Settings, cli, telemetry};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(name = "realname", about = "Real-name verification service")]
struct Cli {
    /// A configuration file (TOML); also REALNAME_CONFIG.
    #[arg(long, env = "REALNAME_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create and migrate the database if configured, run the jobs, and serve HTTP.
    Serve,
    /// Create the database if missing and run pending migrations.
    Migrate,
    /// Audit-log tools (R22).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The enterprise re-check (R17), for a CronJob or an operator.
    Recheck {
        /// Process everything due now (re-checks and revocations whose date has come), then exit.
        #[arg(long, required_unless_present = "dry_run")]
        once: bool,
        /// Treat every verified enterprise as due.
        #[arg(long)]
        all: bool,
        /// Print how many enterprises and accounts would get notices, how many revocations are
        /// due and which capabilities would change; change nothing.
        #[arg(long, conflicts_with = "once")]
        dry_run: bool,
    },
    /// Print a signed bearer token, for development and scripts (refused in production mode).
    Token {
        #[arg(long, value_parser = |r: &str| Role::parse(r).ok_or("holder, service, reviewer, account_manager or admin"))]
        role: Role,
        #[arg(long)]
        account: Option<realname_domain::AccountId>,
        #[arg(long, default_value = "24h", value_parser = cli::parse_duration)]
        ttl: chrono::Duration,
        #[arg(long, default_value = "cli")]
        subject: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every account's hash chain; exit 1 naming the first broken entry.
    Verify,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Cli::parse();
    let settings = Settings::load(args.config.as_deref())?;
    match args.command {
        Command::Serve => {
            telemetry::init(&settings.telemetry);
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            let shutdown = CancellationToken::new();
            tokio::spawn(cli::cancel_on_signal(shutdown.clone()));
            app.run_until(shutdown).await
        }
        Command::Migrate => {
            telemetry::init(&settings.telemetry);
            let url = settings.database.url.expose_secret();
            realname_postgres::admin::ensure_database(url).await?;
            let applied = realname_postgres::admin::migrate(url).await?;
            tracing::info!(applied, "database is migrated");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = realname_server::commands::verify_audit(&settings).await?;
            match report.broken {
                None => {
                    println!(
                        "audit chains intact: {} accounts, {} entries",
                        report.accounts, report.entries
                    );
                    Ok(())
                }
                Some((account, broken)) => {
                    eprintln!(
                        "audit chain broken: account {account}, entry {}",
                        broken.entry_id
                    );
                    std::process::exit(1);
                }
            }
        }
        Command::Recheck { all, dry_run, .. } => {
            telemetry::init(&settings.telemetry);
            let mode = if dry_run {
                RecheckMode::DryRun { all }
            } else {
                RecheckMode::Once { all }
            };
            for line in realname_server::commands::recheck(&settings, mode).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Token {
            role,
            account,
            ttl,
            subject,
        } => {
            let token = realname_server::commands::token(&settings, &subject, role, account, ttl)?;
            println!("{token}");
            Ok(())
        }
    }
}

//! One-shot commands besides `serve`.

use std::sync::Arc;

use realname_application::audit::{ChainReport, VerifyAuditChains};
use realname_postgres::{Keyring, PgStore};

use crate::progress::Display;
use crate::settings::Settings;

/// What `realname token` prints: a signed bearer token, for development and scripts. In
/// production mode tokens come from the platform's identity provider, so it refuses.
///
/// # Errors
/// In production mode, or when the token cannot be signed.
pub fn token(
    settings: &Settings,
    subject: &str,
    role: realname_http::Role,
    account: Option<realname_domain::AccountId>,
    ttl: chrono::Duration,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        settings.mode != crate::settings::Mode::Production,
        "`realname token` does not run in production mode: tokens come from the platform's identity provider"
    );
    realname_http::Authenticator::new(settings.auth.clone()).issue(subject, role, account, ttl)
}

/// Walks every account's audit chain (R22).
///
/// # Errors
/// When the database cannot be read.
pub async fn verify_audit(settings: &Settings) -> anyhow::Result<ChainReport> {
    let keys = Arc::new(Keyring::new(&settings.crypto)?);
    let store = Arc::new(PgStore::connect(&settings.database, keys)?);
    let display = Arc::new(Display::start("audit verify", "chains"));
    let report = VerifyAuditChains::new(store)
        .with_progress(display.clone())
        .execute()
        .await;
    display.finish();
    Ok(report?)
}

/// What `realname recheck` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecheckMode {
    /// Process everything due (or, with `all`, every enterprise) and exit.
    Once {
        /// Treat every verified enterprise as due.
        all: bool,
    },
    /// Print the blast radius and change nothing.
    DryRun {
        /// Treat every verified enterprise as due.
        all: bool,
    },
}

/// Runs the re-check once, or its dry run, and returns the lines to print (R17).
///
/// # Errors
/// When the database or the registry settings are not usable.
pub async fn recheck(settings: &Settings, mode: RecheckMode) -> anyhow::Result<Vec<String>> {
    // Never migrate from here: a dry run must change nothing.
    let mut settings = settings.clone();
    settings.database.migrate_on_start = false;
    let settings = &settings;
    let adapters = crate::startup::Adapters::connect(settings).await?;
    let started = std::time::Instant::now();
    let display = Arc::new(Display::start("recheck", "enterprises"));
    let lines =
        match mode {
            RecheckMode::Once { all } => {
                let run = adapters
                    .recheck(settings, crate::startup::claimer_id())
                    .with_progress(display.clone());
                let report = run.execute(all).await;
                display.finish();
                let report = report?;
                let seconds = started.elapsed().as_secs_f64();
                vec![
                    format!("enterprises processed: {}", report.enterprises),
                    format!("registry answered: {}", report.checked),
                    format!("registry errors (retried later): {}", report.retries),
                    format!("accounts noticed: {}", report.notices),
                    format!("accounts revoked: {}", report.revocations),
                    format!("pending revocations cancelled: {}", report.cancellations),
                    format!("elapsed: {seconds:.2} s"),
                ]
            }
            RecheckMode::DryRun { all } => {
                let radius = adapters
                    .blast_radius(settings)
                    .with_progress(display.clone())
                    .execute(all)
                    .await;
                display.finish();
                let radius = radius?;
                let mut lines = vec![
                    "dry run: nothing was changed".to_owned(),
                    format!("enterprises due: {}", radius.enterprises_due),
                    format!("registry errors (would retry): {}", radius.registry_errors),
                    format!(
                        "notices: {} enterprises, {} accounts",
                        radius.enterprises_noticed, radius.accounts_noticed
                    ),
                    format!(
                        "revocations due: {} enterprises, {} accounts",
                        radius.enterprises_revoked, radius.accounts_revoked
                    ),
                    format!("pending revocations cancelled: {}", radius.cancellations),
                    format!(
                        "inheriting sub-accounts following their root: {}",
                        radius.heirs_affected
                    ),
                ];
                lines.extend(radius.capabilities_lost.iter().map(|(capability, n)| {
                    format!("capability {capability} lost by {n} accounts")
                }));
                lines
            }
        };
    Ok(lines)
}

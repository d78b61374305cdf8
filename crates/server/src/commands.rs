//! One-shot commands besides `serve`.

use std::sync::Arc;

use realname_application::audit::{ChainReport, VerifyAuditChains};
use realname_postgres::{Keyring, PgStore};

use crate::settings::Settings;

/// Walks every account's audit chain (R22).
///
/// # Errors
/// When the database cannot be read.
pub async fn verify_audit(settings: &Settings) -> anyhow::Result<ChainReport> {
    let keys = Arc::new(Keyring::new(&settings.crypto)?);
    let store = Arc::new(PgStore::connect(&settings.database, keys)?);
    Ok(VerifyAuditChains::new(store).execute().await?)
}

//! The support desk's sandbox twin: it records every notification, for tests and the README.

use std::sync::Mutex;

use async_trait::async_trait;
use realname_ports::{
    GatewayError, HolderNotifier, OverdueNotice, RevocationNotice, SupportNotifier,
};

/// Records support escalations (R8) and holder revocation notices (R17) in memory and logs
/// them (ids only).
#[derive(Debug, Default)]
pub struct SandboxSupport {
    notices: Mutex<Vec<OverdueNotice>>,
    revocations: Mutex<Vec<RevocationNotice>>,
}

impl SandboxSupport {
    /// Every notice received so far.
    #[must_use]
    pub fn notices(&self) -> Vec<OverdueNotice> {
        self.notices.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// Every revocation notice sent to holders so far.
    #[must_use]
    pub fn revocation_notices(&self) -> Vec<RevocationNotice> {
        self.revocations
            .lock()
            .map(|n| n.clone())
            .unwrap_or_default()
    }
}

#[async_trait]
impl SupportNotifier for SandboxSupport {
    async fn overdue(&self, notice: &OverdueNotice) -> Result<(), GatewayError> {
        tracing::info!(application.id = %notice.application_id, method = notice.method, "support notified: application overdue");
        self.notices
            .lock()
            .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("support log poisoned")))?
            .push(notice.clone());
        Ok(())
    }
}

#[async_trait]
impl HolderNotifier for SandboxSupport {
    async fn revocation_scheduled(&self, notice: &RevocationNotice) -> Result<(), GatewayError> {
        tracing::info!(account.id = %notice.account_id, finding = notice.finding.as_str(), effective_at = %notice.effective_at, "holder notified: revocation scheduled");
        self.revocations
            .lock()
            .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("notice log poisoned")))?
            .push(notice.clone());
        Ok(())
    }
}

//! The support desk's sandbox twin: it records every notification, for tests and the README.

use std::sync::Mutex;

use async_trait::async_trait;
use realname_ports::{GatewayError, OverdueNotice, SupportNotifier};

/// Records overdue notices in memory and logs them (ids only).
#[derive(Debug, Default)]
pub struct SandboxSupport {
    notices: Mutex<Vec<OverdueNotice>>,
}

impl SandboxSupport {
    /// Every notice received so far.
    #[must_use]
    pub fn notices(&self) -> Vec<OverdueNotice> {
        self.notices.lock().map(|n| n.clone()).unwrap_or_default()
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

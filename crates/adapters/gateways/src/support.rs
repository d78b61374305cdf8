//! The notifiers' recording twin, for sandbox and development mode: it keeps the last
//! [`RECORDED`] messages in memory, so nothing grows without bound, and logs ids only.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use realname_domain::identifiers::Phone;
use realname_domain::notification::{NoticeKind, Notification};
use realname_domain::{AccountId, ApplicationId};
use realname_ports::{GatewayError, HolderNotifier, OverdueNotice, SupportNotifier};

/// How many messages the twin keeps.
pub const RECORDED: usize = 1000;

/// A message the twin "sent": what, about which account; never a number or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// What it said.
    pub kind: NoticeKind,
    /// The account concerned.
    pub account_id: AccountId,
    /// The application, for support.
    pub application_id: Option<ApplicationId>,
}

/// Records holder notices and support escalations instead of sending them.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    recorded: Mutex<VecDeque<Recorded>>,
}

impl RecordingNotifier {
    /// The messages kept, oldest first.
    #[must_use]
    pub fn recorded(&self) -> Vec<Recorded> {
        self.recorded
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn record(&self, message: Recorded) -> Result<(), GatewayError> {
        let mut recorded = self
            .recorded
            .lock()
            .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("recording poisoned")))?;
        if recorded.len() == RECORDED {
            recorded.pop_front();
        }
        tracing::info!(account.id = %message.account_id, kind = message.kind.as_str(), "notification recorded (twin)");
        recorded.push_back(message);
        Ok(())
    }
}

#[async_trait]
impl SupportNotifier for RecordingNotifier {
    async fn overdue(&self, notice: &OverdueNotice) -> Result<(), GatewayError> {
        self.record(Recorded {
            kind: NoticeKind::Overdue,
            account_id: notice.account_id,
            application_id: Some(notice.application_id),
        })
    }
}

#[async_trait]
impl HolderNotifier for RecordingNotifier {
    async fn notify_holder(
        &self,
        _: &Phone,
        notification: &Notification,
    ) -> Result<(), GatewayError> {
        self.record(Recorded {
            kind: notification.kind,
            account_id: notification.account_id,
            application_id: notification.application_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    #[tokio::test]
    async fn the_twin_keeps_only_the_last_thousand_messages() {
        let twin = RecordingNotifier::default();
        let phone = Phone::parse("13812345678").unwrap();
        let first = AccountId::new();
        twin.notify_holder(
            &phone,
            &Notification::new(NoticeKind::Revoked, first, Utc::now()),
        )
        .await
        .unwrap();
        for _ in 0..RECORDED {
            let n = Notification::new(NoticeKind::AccountFrozen, AccountId::new(), Utc::now());
            twin.notify_holder(&phone, &n).await.unwrap();
        }
        let recorded = twin.recorded();
        assert_eq!(recorded.len(), RECORDED);
        assert!(recorded.iter().all(|r| r.account_id != first));
    }
}

//! Delivering durable notifications (R8, R14, R17, R19), and the admin's view of them.
//!
//! A notification is written in the transaction of the change that calls for it. The delivery
//! job claims due ones under a lease (`SKIP LOCKED`), sends each on its channel and settles it:
//! a crash between sending and settling resends only that one, once its lease runs out.

use std::sync::Arc;

use chrono::Duration;
use realname_domain::NotificationId;
use realname_domain::notification::{AfterFailure, Channel, DeliveryPolicy};
use realname_ports::{
    ClaimedNotification, Clock, HolderNotifier, NotificationRecord, NotificationStatus,
    NotificationStore, OverdueNotice, Page, Settlement, SupportNotifier,
};

use crate::AppError;

/// What [`DeliverNotifications::new`] takes: its ports and policies, by name.
pub struct DeliverNotificationsDeps {
    pub store: Arc<dyn NotificationStore>,
    pub holders: Arc<dyn HolderNotifier>,
    pub support: Arc<dyn SupportNotifier>,
    pub clock: Arc<dyn Clock>,
    pub owner: String,
    pub lease: Duration,
    pub policy: DeliveryPolicy,
    pub batch: u32,
}

/// Delivers what is due, for one claimer.
pub struct DeliverNotifications {
    store: Arc<dyn NotificationStore>,
    holders: Arc<dyn HolderNotifier>,
    support: Arc<dyn SupportNotifier>,
    clock: Arc<dyn Clock>,
    owner: String,
    lease: Duration,
    policy: DeliveryPolicy,
    batch: u32,
}

impl DeliverNotifications {
    /// Wires the use case.
    pub fn new(deps: DeliverNotificationsDeps) -> Self {
        let DeliverNotificationsDeps {
            store,
            holders,
            support,
            clock,
            owner,
            lease,
            policy,
            batch,
        } = deps;
        Self {
            store,
            holders,
            support,
            clock,
            owner,
            lease,
            policy,
            batch,
        }
    }

    /// One pass: claims due notifications and tries each once. Returns how many were sent.
    ///
    /// # Errors
    /// Storage errors; what was settled before stays settled.
    #[tracing::instrument(name = "deliver_notifications", skip_all)]
    pub async fn execute(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_notifications(&self.owner, now, self.lease, self.batch)
            .await?;
        let mut sent = 0;
        for item in claimed {
            let settlement = match self.send(&item).await {
                Ok(()) => {
                    sent += 1;
                    Settlement::Sent
                }
                Err(error) => {
                    let attempts = item.attempts + 1;
                    let now = self.clock.now();
                    tracing::warn!(notification.id = %item.notification.id, kind = item.notification.kind.as_str(), attempts, error = %error, "notification not delivered");
                    match self
                        .policy
                        .after_failure(attempts, item.notification.created_at, now)
                    {
                        AfterFailure::RetryAt(at) => Settlement::Retry { at, error },
                        AfterFailure::GiveUp => Settlement::Failed { error },
                    }
                }
            };
            self.store
                .settle_notification(
                    item.notification.id,
                    &self.owner,
                    &settlement,
                    self.clock.now(),
                )
                .await?;
        }
        Ok(sent)
    }

    /// Sends one on its channel. The error is ours (a gateway's status or code), never a
    /// number or a name.
    async fn send(&self, item: &ClaimedNotification) -> Result<(), String> {
        let notification = &item.notification;
        match notification.kind.channel() {
            Channel::Sms => {
                let phone = item
                    .phone
                    .as_ref()
                    .ok_or_else(|| "the account has no phone to tell".to_owned())?;
                self.holders
                    .notify_holder(phone, notification)
                    .await
                    .map_err(|e| e.to_string())
            }
            Channel::Email => {
                let notice = OverdueNotice {
                    application_id: notification
                        .application_id
                        .ok_or_else(|| "an overdue notice without its application".to_owned())?,
                    account_id: notification.account_id,
                    deadline: notification.at.unwrap_or(notification.created_at),
                };
                self.support
                    .overdue(&notice)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Admins list notifications, those that could not be delivered in particular.
pub struct ListNotifications {
    store: Arc<dyn NotificationStore>,
}

impl ListNotifications {
    /// Wires the use case.
    pub fn new(store: Arc<dyn NotificationStore>) -> Self {
        Self { store }
    }

    /// A page, newest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(
        &self,
        status: Option<NotificationStatus>,
        page: Page<NotificationId>,
    ) -> Result<(Vec<NotificationRecord>, bool), AppError> {
        Ok(self.store.list_notifications(status, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::AccountId;
    use realname_domain::notification::{NoticeKind, Notification};
    use realname_ports::{
        GatewayError, MockHolderNotifier, MockNotificationStore, MockSupportNotifier,
    };

    use super::*;
    use crate::testing::{clock, now, phone};

    fn policy() -> DeliveryPolicy {
        DeliveryPolicy {
            first_retry: Duration::seconds(30),
            max_wait: Duration::hours(1),
            give_up_after: Duration::hours(72),
        }
    }

    fn use_case(
        claimed: Vec<ClaimedNotification>,
        holders: MockHolderNotifier,
        settled: impl Fn(&Settlement) -> bool + Send + Sync + 'static,
        times: usize,
    ) -> DeliverNotifications {
        let mut store = MockNotificationStore::new();
        store
            .expect_claim_notifications()
            .returning(move |_, _, _, _| Ok(claimed.clone()));
        store
            .expect_settle_notification()
            .withf(move |_, owner, s, _| owner == "r1" && settled(s))
            .times(times)
            .returning(|_, _, _, _| Ok(()));
        DeliverNotifications::new(DeliverNotificationsDeps {
            store: Arc::new(store),
            holders: Arc::new(holders),
            support: Arc::new(MockSupportNotifier::new()),
            clock: clock(),
            owner: "r1".into(),
            lease: Duration::minutes(5),
            policy: policy(),
            batch: 10,
        })
    }

    fn frozen(created_hours_ago: i64) -> ClaimedNotification {
        ClaimedNotification {
            notification: Notification::new(
                NoticeKind::AccountFrozen,
                AccountId::new(),
                now() - Duration::hours(created_hours_ago),
            ),
            phone: Some(phone()),
            attempts: 3,
        }
    }

    #[tokio::test]
    async fn a_delivered_notice_is_settled_as_sent() {
        let mut holders = MockHolderNotifier::new();
        holders
            .expect_notify_holder()
            .withf(|p, n| *p == phone() && n.kind == NoticeKind::AccountFrozen)
            .times(1)
            .returning(|_, _| Ok(()));
        let sent = use_case(vec![frozen(0)], holders, |s| *s == Settlement::Sent, 1)
            .execute()
            .await
            .unwrap();
        assert_eq!(sent, 1);
    }

    #[tokio::test]
    async fn a_failed_attempt_is_retried_later_and_given_up_after_the_limit() {
        let failing = || {
            let mut holders = MockHolderNotifier::new();
            holders.expect_notify_holder().returning(|_, _| {
                Err(GatewayError::Unavailable(anyhow::anyhow!(
                    "the SMS gateway answered 503"
                )))
            });
            holders
        };
        let retried = use_case(
            vec![frozen(1)],
            failing(),
            |s| matches!(s, Settlement::Retry { at, error } if *at == now() + Duration::minutes(4) && error.contains("503")),
            1,
        );
        assert_eq!(retried.execute().await.unwrap(), 0);
        let given_up = use_case(
            vec![frozen(72)],
            failing(),
            |s| matches!(s, Settlement::Failed { .. }),
            1,
        );
        assert_eq!(given_up.execute().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_holder_without_a_phone_cannot_be_told() {
        let mut item = frozen(0);
        item.phone = None;
        let mut holders = MockHolderNotifier::new();
        holders.expect_notify_holder().never();
        let delivered = use_case(
            vec![item],
            holders,
            |s| matches!(s, Settlement::Retry { .. }),
            1,
        );
        assert_eq!(delivered.execute().await.unwrap(), 0);
    }
}

//! The delivery job (SPEC §6): queues new feed events for each subscribed endpoint, then posts
//! due deliveries, signed, retrying with backoff for at least 3 days before marking them failed.
//! Delivery is at least once: a claim is committed before the post and recorded after it, so a
//! crash in between means the event is posted again, with the same id.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use realname_domain::webhook::{AfterFailure, DeliveryPolicy};
use realname_ports::{
    Clock, Delivery, DeliveryStatus, DeliveryUpdate, EventFeed, WebhookSender, WebhookStore,
};

use crate::AppError;

/// How the job runs.
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    /// Retries.
    pub policy: DeliveryPolicy,
    /// How long a claim is held.
    pub lease: Duration,
    /// Events read, and deliveries claimed, at a time.
    pub batch: u32,
    /// Posts in flight at a time.
    pub concurrency: usize,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Deliveries queued.
    pub queued: usize,
    /// Posts answered 2xx.
    pub delivered: usize,
    /// Posts that failed and will be retried.
    pub retried: usize,
    /// Deliveries given up.
    pub failed: usize,
}

/// What [`DeliverEvents::new`] takes: its ports and policies, by name.
pub struct DeliverEventsDeps {
    pub store: Arc<dyn WebhookStore>,
    pub feed: Arc<dyn EventFeed>,
    pub sender: Arc<dyn WebhookSender>,
    pub clock: Arc<dyn Clock>,
    pub owner: String,
    pub settings: DeliverySettings,
}

/// Delivers events to webhook endpoints.
pub struct DeliverEvents {
    store: Arc<dyn WebhookStore>,
    feed: Arc<dyn EventFeed>,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
    owner: String,
    settings: DeliverySettings,
}

impl DeliverEvents {
    /// Wires the use case for one claimer (`owner`, unique per process).
    pub fn new(deps: DeliverEventsDeps) -> Self {
        let DeliverEventsDeps {
            store,
            feed,
            sender,
            clock,
            owner,
            settings,
        } = deps;
        Self {
            store,
            feed,
            sender,
            clock,
            owner,
            settings,
        }
    }

    /// Queues what is new, then posts one batch of due deliveries.
    ///
    /// # Errors
    /// Storage errors; claimed deliveries come back after their lease.
    #[tracing::instrument(name = "deliver_events", skip_all)]
    pub async fn execute(&self) -> Result<DeliveryReport, AppError> {
        let mut report = DeliveryReport {
            queued: self.enqueue().await?,
            ..DeliveryReport::default()
        };
        let now = self.clock.now();
        self.store.drop_previous_secrets(now).await?;
        let claimed = self
            .store
            .claim_deliveries(now, &self.owner, self.settings.lease, self.settings.batch)
            .await?;
        let updates: Vec<DeliveryUpdate> = futures::stream::iter(claimed)
            .map(|delivery| self.attempt(delivery, now))
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        for update in &updates {
            match update.status {
                DeliveryStatus::Delivered => report.delivered += 1,
                DeliveryStatus::Pending => report.retried += 1,
                DeliveryStatus::Failed => report.failed += 1,
                // Only deleting the endpoint cancels; an attempt never does.
                DeliveryStatus::Cancelled => {}
            }
        }
        self.store.record_attempts(&self.owner, &updates).await?;
        Ok(report)
    }

    /// Queues, for every endpoint, the feed events after its cursor that it wants.
    async fn enqueue(&self) -> Result<usize, AppError> {
        let mut queued = 0;
        for (endpoint, mut cursor) in self.store.endpoints().await? {
            loop {
                let (events, more) = self.feed.events(None, cursor, self.settings.batch).await?;
                let Some(last) = events.last().map(|e| e.id) else {
                    break;
                };
                let wanted: Vec<uuid::Uuid> = events
                    .iter()
                    .filter(|e| endpoint.wants(&e.event_type))
                    .map(|e| e.id)
                    .collect();
                self.store
                    .queue(endpoint.id, &wanted, last, self.clock.now())
                    .await?;
                queued += wanted.len();
                cursor = Some(last);
                if !more {
                    break;
                }
            }
        }
        Ok(queued)
    }

    async fn attempt(&self, delivery: Delivery, now: DateTime<Utc>) -> DeliveryUpdate {
        let attempts = delivery.attempts.saturating_add(1);
        let secrets = delivery.secrets.in_use_at(now);
        let result = self
            .sender
            .post(&delivery.url, &secrets, &delivery.event, now)
            .await;
        let (status, next_attempt_at, last_error) = match result {
            Ok(()) => (DeliveryStatus::Delivered, None, None),
            Err(error) => {
                tracing::debug!(event.id = %delivery.event.id, endpoint.id = %delivery.endpoint_id, error = %error, "delivery failed");
                match self
                    .settings
                    .policy
                    .after_failure(attempts, delivery.queued_at, now)
                {
                    AfterFailure::RetryAt(at) => {
                        (DeliveryStatus::Pending, Some(at), Some(error.to_string()))
                    }
                    AfterFailure::GiveUp => (DeliveryStatus::Failed, None, Some(error.to_string())),
                }
            }
        };
        DeliveryUpdate {
            endpoint_id: delivery.endpoint_id,
            event_id: delivery.event.id,
            status,
            attempts,
            next_attempt_at,
            last_error,
            attempted_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::webhook::{EndpointUrl, SigningSecrets, WebhookEndpoint, WebhookSecret};
    use realname_ports::{
        FeedEvent, GatewayError, MockEventFeed, MockWebhookSender, MockWebhookStore,
    };

    use super::*;
    use crate::testing::{clock, now};

    fn event(n: u128, event_type: &str) -> FeedEvent {
        FeedEvent {
            id: uuid::Uuid::from_u128(n),
            account_id: None,
            sequence: Some(1),
            event_type: event_type.to_owned(),
            data: serde_json::json!({}),
            created_at: now(),
        }
    }

    fn settings() -> DeliverySettings {
        DeliverySettings {
            policy: DeliveryPolicy::default(),
            lease: Duration::minutes(1),
            batch: 10,
            concurrency: 2,
        }
    }

    fn delivery(queued_at: DateTime<Utc>, attempts: u32) -> Delivery {
        Delivery {
            endpoint_id: uuid::Uuid::nil(),
            url: "http://127.0.0.1:9/hook".into(),
            secrets: SigningSecrets {
                current: WebhookSecret::from_stored("whsec_x".into()),
                previous: None,
            },
            event: event(1, "account.revoked"),
            attempts,
            queued_at,
        }
    }

    fn job(
        store: MockWebhookStore,
        sender: MockWebhookSender,
        feed: MockEventFeed,
    ) -> DeliverEvents {
        DeliverEvents::new(DeliverEventsDeps {
            store: Arc::new(store),
            feed: Arc::new(feed),
            sender: Arc::new(sender),
            clock: clock(),
            owner: "test".into(),
            settings: settings(),
        })
    }

    fn no_endpoints(store: &mut MockWebhookStore) {
        store.expect_endpoints().returning(|| Ok(Vec::new()));
        store.expect_drop_previous_secrets().returning(|_| Ok(0));
    }

    #[tokio::test]
    async fn only_wanted_events_are_queued_and_the_cursor_moves_past_all() {
        let mut store = MockWebhookStore::new();
        let endpoint = WebhookEndpoint {
            id: uuid::Uuid::from_u128(9),
            url: EndpointUrl::parse("http://127.0.0.1:9/", true).unwrap(),
            event_types: vec!["account.revoked".into()],
            disabled: false,
            created_at: now(),
            secret_rotated_at: None,
            previous_secret_expires_at: None,
        };
        store.expect_drop_previous_secrets().returning(|_| Ok(0));
        store
            .expect_endpoints()
            .returning(move || Ok(vec![(endpoint.clone(), None)]));
        let mut feed = MockEventFeed::new();
        feed.expect_events().times(1).returning(|_, _, _| {
            Ok((
                vec![event(1, "account.created"), event(2, "account.revoked")],
                false,
            ))
        });
        store
            .expect_queue()
            .withf(|_, events, cursor, _| {
                events == [uuid::Uuid::from_u128(2)] && *cursor == uuid::Uuid::from_u128(2)
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        store
            .expect_claim_deliveries()
            .returning(|_, _, _, _| Ok(Vec::new()));
        store.expect_record_attempts().returning(|_, _| Ok(()));

        let report = job(store, MockWebhookSender::new(), feed)
            .execute()
            .await
            .unwrap();

        assert_eq!(report.queued, 1);
    }

    #[tokio::test]
    async fn a_failed_post_is_retried_and_given_up_after_the_window() {
        let mut store = MockWebhookStore::new();
        no_endpoints(&mut store);
        let fresh = delivery(now() - Duration::hours(1), 2);
        let stale = delivery(now() - Duration::days(3), 30);
        store
            .expect_claim_deliveries()
            .returning(move |_, _, _, _| Ok(vec![fresh.clone(), stale.clone()]));
        store
            .expect_record_attempts()
            .withf(|_, updates| {
                let mut statuses: Vec<_> = updates.iter().map(|u| (u.status, u.attempts)).collect();
                statuses.sort_by_key(|(_, a)| *a);
                statuses == [(DeliveryStatus::Pending, 3), (DeliveryStatus::Failed, 31)]
                    && updates.iter().all(|u| u.last_error.is_some())
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let mut sender = MockWebhookSender::new();
        sender
            .expect_post()
            .returning(|_, _, _, _| Err(GatewayError::Timeout));

        let report = job(store, sender, MockEventFeed::new())
            .execute()
            .await
            .unwrap();

        assert_eq!((report.retried, report.failed), (1, 1));
    }

    #[tokio::test]
    async fn a_2xx_marks_the_delivery_delivered() {
        let mut store = MockWebhookStore::new();
        no_endpoints(&mut store);
        let one = delivery(now(), 0);
        store
            .expect_claim_deliveries()
            .returning(move |_, _, _, _| Ok(vec![one.clone()]));
        store
            .expect_record_attempts()
            .withf(|_, updates| {
                updates.len() == 1 && updates[0].status == DeliveryStatus::Delivered
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let mut sender = MockWebhookSender::new();
        sender.expect_post().times(1).returning(|_, _, _, _| Ok(()));

        let report = job(store, sender, MockEventFeed::new())
            .execute()
            .await
            .unwrap();

        assert_eq!(report.delivered, 1);
    }

    #[tokio::test]
    async fn during_a_rotation_overlap_the_post_is_signed_with_both_secrets() {
        let mut store = MockWebhookStore::new();
        no_endpoints(&mut store);
        let mut overlapping = delivery(now(), 0);
        overlapping.secrets.previous = Some((
            WebhookSecret::from_stored("whsec_old".into()),
            now() + Duration::hours(1),
        ));
        let mut expired = delivery(now(), 0);
        expired.event = event(2, "account.revoked");
        expired.secrets.previous = Some((WebhookSecret::from_stored("whsec_old".into()), now()));
        store
            .expect_claim_deliveries()
            .returning(move |_, _, _, _| Ok(vec![overlapping.clone(), expired.clone()]));
        store.expect_record_attempts().returning(|_, _| Ok(()));
        let mut sender = MockWebhookSender::new();
        sender
            .expect_post()
            .withf(|_, secrets, event, _| {
                let shown: Vec<&str> = secrets.iter().map(WebhookSecret::expose).collect();
                if event.id == uuid::Uuid::from_u128(1) {
                    shown == ["whsec_x", "whsec_old"]
                } else {
                    shown == ["whsec_x"]
                }
            })
            .times(2)
            .returning(|_, _, _, _| Ok(()));

        let report = job(store, sender, MockEventFeed::new())
            .execute()
            .await
            .unwrap();

        assert_eq!(report.delivered, 2);
    }
}

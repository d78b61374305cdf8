//! Webhook endpoints, managed by admins (SPEC §6): subscribe, list, read, disable, delete, and
//! rotate the signing secret with an overlap during which deliveries carry both signatures.
//! A secret is shown once, in the answer that creates it, and kept sealed.

use std::sync::Arc;

use chrono::Duration;
use realname_domain::event::EVENT_TYPES;
use realname_domain::webhook::{
    EndpointUrl, SigningSecrets, StartFrom, WebhookEndpoint, WebhookSecret, check_event_types,
};
use realname_ports::{
    Clock, DeliveryRecord, DeliveryStatus, EventFeed, Page, StoreError, WebhookStore,
};
use uuid::Uuid;

use crate::AppError;

/// What [`WebhookEndpoints::new`] takes.
pub struct WebhookEndpointsDeps {
    pub store: Arc<dyn WebhookStore>,
    pub feed: Arc<dyn EventFeed>,
    pub clock: Arc<dyn Clock>,
    /// Sandbox and development accept `http://` and loopback URLs.
    pub allow_local: bool,
    /// How long the replaced secret still signs after a rotation
    /// (`webhooks.rotation_overlap_hours`).
    pub rotation_overlap: Duration,
}

/// The endpoint use cases.
pub struct WebhookEndpoints {
    store: Arc<dyn WebhookStore>,
    feed: Arc<dyn EventFeed>,
    clock: Arc<dyn Clock>,
    allow_local: bool,
    rotation_overlap: Duration,
}

/// A fresh secret: two v4 UUIDs carry 244 bits from the operating system's generator.
fn fresh_secret() -> WebhookSecret {
    let random: Vec<u8> = [Uuid::new_v4(), Uuid::new_v4()]
        .iter()
        .flat_map(|u| u.into_bytes())
        .collect();
    WebhookSecret::from_random(&random)
}

fn endpoint_not_found(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::NotFound("webhook endpoint"),
        other => other.into(),
    }
}

impl WebhookEndpoints {
    /// Wires the use cases.
    pub fn new(deps: WebhookEndpointsDeps) -> Self {
        let WebhookEndpointsDeps {
            store,
            feed,
            clock,
            allow_local,
            rotation_overlap,
        } = deps;
        Self {
            store,
            feed,
            clock,
            allow_local,
            rotation_overlap,
        }
    }

    /// Subscribes `url` to `event_types` (empty: every type). Deliveries start with the events
    /// after the feed's head, or with the whole history for [`StartFrom::Beginning`].
    ///
    /// # Errors
    /// [`AppError::WebhookRefused`] for a refused URL or an unknown event type.
    pub async fn create(
        &self,
        url: &str,
        mut event_types: Vec<String>,
        from: StartFrom,
    ) -> Result<(WebhookEndpoint, WebhookSecret), AppError> {
        let url = EndpointUrl::parse(url, self.allow_local).map_err(AppError::WebhookRefused)?;
        check_event_types(&event_types, EVENT_TYPES).map_err(AppError::WebhookRefused)?;
        event_types.sort();
        event_types.dedup();
        let endpoint = WebhookEndpoint {
            id: Uuid::now_v7(),
            url,
            event_types,
            disabled: false,
            created_at: self.clock.now(),
            secret_rotated_at: None,
            previous_secret_expires_at: None,
        };
        // Events committed between reading the head and storing the endpoint come after the
        // head, so they are delivered: starting at the head never loses an event.
        let cursor = match from {
            StartFrom::Head => self.feed.head().await?,
            StartFrom::Beginning => None,
        };
        let secret = fresh_secret();
        self.store
            .create_endpoint(&endpoint, &secret, cursor)
            .await?;
        Ok((endpoint, secret))
    }

    /// A page of the endpoints, oldest first, and whether more follow.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list(&self, page: Page<Uuid>) -> Result<(Vec<WebhookEndpoint>, bool), AppError> {
        Ok(self.store.list_endpoints(page).await?)
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or deleted endpoint.
    pub async fn get(&self, id: Uuid) -> Result<WebhookEndpoint, AppError> {
        self.store.endpoint(id).await.map_err(endpoint_not_found)
    }

    /// Disables (its events are held) or enables an endpoint.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or deleted endpoint.
    pub async fn set_disabled(
        &self,
        id: Uuid,
        disabled: bool,
    ) -> Result<WebhookEndpoint, AppError> {
        self.store
            .set_disabled(id, disabled)
            .await
            .map_err(endpoint_not_found)
    }

    /// Deletes an endpoint: nothing more is queued or posted, and its pending deliveries are
    /// cancelled.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or already deleted endpoint.
    pub async fn delete(&self, id: Uuid) -> Result<(), AppError> {
        self.store
            .delete_endpoint(id, self.clock.now())
            .await
            .map_err(endpoint_not_found)
    }

    /// Rotates the signing secret: the new one signs from now on, and the old one also signs
    /// until the overlap ends.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or deleted endpoint.
    pub async fn rotate_secret(
        &self,
        id: Uuid,
    ) -> Result<(WebhookEndpoint, WebhookSecret), AppError> {
        let now = self.clock.now();
        let secret = fresh_secret();
        let until = SigningSecrets::previous_until(now, self.rotation_overlap);
        let endpoint = self
            .store
            .rotate_secret(id, &secret, now, until)
            .await
            .map_err(endpoint_not_found)?;
        Ok((endpoint, secret))
    }

    /// A page of the endpoint's deliveries, newest first, and whether more follow.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or deleted endpoint.
    pub async fn deliveries(
        &self,
        endpoint: Uuid,
        status: Option<DeliveryStatus>,
        page: Page<Uuid>,
    ) -> Result<(Vec<DeliveryRecord>, bool), AppError> {
        self.store
            .deliveries(endpoint, status, page)
            .await
            .map_err(endpoint_not_found)
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::webhook::EndpointRefused;
    use realname_ports::{MockEventFeed, MockWebhookStore};

    use super::*;
    use crate::testing::{clock, now};

    fn use_cases(
        store: MockWebhookStore,
        feed: MockEventFeed,
        allow_local: bool,
    ) -> WebhookEndpoints {
        WebhookEndpoints::new(WebhookEndpointsDeps {
            store: Arc::new(store),
            feed: Arc::new(feed),
            clock: clock(),
            allow_local,
            rotation_overlap: Duration::hours(24),
        })
    }

    #[tokio::test]
    async fn a_subscription_gets_a_fresh_secret_each_time_and_starts_at_the_head() {
        let head = Uuid::from_u128(77);
        let mut feed = MockEventFeed::new();
        feed.expect_head()
            .times(1)
            .returning(move || Ok(Some(head)));
        let mut store = MockWebhookStore::new();
        store
            .expect_create_endpoint()
            .withf(move |_, _, cursor| *cursor == Some(head))
            .times(1)
            .returning(|_, _, _| Ok(()));
        store
            .expect_create_endpoint()
            .withf(|_, _, cursor| cursor.is_none())
            .times(1)
            .returning(|_, _, _| Ok(()));
        let create = use_cases(store, feed, true);
        let (endpoint, first) = create
            .create(
                "http://127.0.0.1:9/hook",
                vec!["account.revoked".into()],
                StartFrom::Head,
            )
            .await
            .unwrap();
        let (_, second) = create
            .create("http://127.0.0.1:9/hook", Vec::new(), StartFrom::Beginning)
            .await
            .unwrap();
        assert_eq!(endpoint.event_types, vec!["account.revoked".to_owned()]);
        assert_ne!(first, second);
        assert!(first.expose().len() > 60);
    }

    #[tokio::test]
    async fn production_refuses_loopback_and_unknown_types_are_refused() {
        let create = use_cases(MockWebhookStore::new(), MockEventFeed::new(), false);
        assert!(matches!(
            create
                .create("https://127.0.0.1/hook", Vec::new(), StartFrom::Head)
                .await,
            Err(AppError::WebhookRefused(EndpointRefused::NotPublic))
        ));
        let local = use_cases(MockWebhookStore::new(), MockEventFeed::new(), true);
        assert!(matches!(
            local
                .create(
                    "http://127.0.0.1/hook",
                    vec!["account.nope".into()],
                    StartFrom::Head
                )
                .await,
            Err(AppError::WebhookRefused(EndpointRefused::UnknownEventType))
        ));
    }

    #[tokio::test]
    async fn a_rotation_keeps_the_old_secret_for_the_configured_overlap() {
        let mut store = MockWebhookStore::new();
        store
            .expect_rotate_secret()
            .withf(|_, secret, at, until| {
                secret.expose().starts_with("whsec_")
                    && *at == now()
                    && *until == now() + Duration::hours(24)
            })
            .times(1)
            .returning(|_, _, _, _| Err(StoreError::NotFound));
        let rotate = use_cases(store, MockEventFeed::new(), true);
        assert!(matches!(
            rotate.rotate_secret(Uuid::nil()).await,
            Err(AppError::NotFound("webhook endpoint"))
        ));
    }
}

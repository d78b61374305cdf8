//! `POST /v1/webhook-endpoints`: an admin subscribes a URL to event types. The signing secret is
//! returned once and kept sealed (SPEC §6).

use std::sync::Arc;

use realname_domain::event::EVENT_TYPES;
use realname_domain::webhook::{EndpointUrl, WebhookEndpoint, WebhookSecret, check_event_types};
use realname_ports::{Clock, WebhookStore};

use crate::AppError;

/// Creates subscriptions.
pub struct CreateWebhookEndpoint {
    store: Arc<dyn WebhookStore>,
    clock: Arc<dyn Clock>,
    allow_local: bool,
}

impl CreateWebhookEndpoint {
    /// Wires the use case; `allow_local` (sandbox and development) accepts `http://` and
    /// loopback URLs.
    pub fn new(store: Arc<dyn WebhookStore>, clock: Arc<dyn Clock>, allow_local: bool) -> Self {
        Self {
            store,
            clock,
            allow_local,
        }
    }

    /// Subscribes `url` to `event_types` (empty: every type).
    ///
    /// # Errors
    /// [`AppError::WebhookRefused`] for a refused URL or an unknown event type.
    pub async fn execute(
        &self,
        url: &str,
        mut event_types: Vec<String>,
    ) -> Result<(WebhookEndpoint, WebhookSecret), AppError> {
        let url = EndpointUrl::parse(url, self.allow_local).map_err(AppError::WebhookRefused)?;
        check_event_types(&event_types, EVENT_TYPES).map_err(AppError::WebhookRefused)?;
        event_types.sort();
        event_types.dedup();
        let endpoint = WebhookEndpoint {
            id: uuid::Uuid::now_v7(),
            url,
            event_types,
            created_at: self.clock.now(),
        };
        // Two v4 UUIDs carry 244 bits from the operating system's generator.
        let random: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
            .iter()
            .flat_map(|u| u.into_bytes())
            .collect();
        let secret = WebhookSecret::from_random(&random);
        self.store.create_endpoint(&endpoint, &secret).await?;
        Ok((endpoint, secret))
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::webhook::EndpointRefused;
    use realname_ports::MockWebhookStore;

    use super::*;
    use crate::testing::clock;

    #[tokio::test]
    async fn a_subscription_gets_a_fresh_secret_each_time() {
        let mut store = MockWebhookStore::new();
        store
            .expect_create_endpoint()
            .times(2)
            .returning(|_, _| Ok(()));
        let create = CreateWebhookEndpoint::new(Arc::new(store), clock(), true);
        let (endpoint, first) = create
            .execute("http://127.0.0.1:9/hook", vec!["account.revoked".into()])
            .await
            .unwrap();
        let (_, second) = create
            .execute("http://127.0.0.1:9/hook", Vec::new())
            .await
            .unwrap();
        assert_eq!(endpoint.event_types, vec!["account.revoked".to_owned()]);
        assert_ne!(first, second);
        assert!(first.expose().len() > 60);
    }

    #[tokio::test]
    async fn production_refuses_loopback_and_unknown_types_are_refused() {
        let create = CreateWebhookEndpoint::new(Arc::new(MockWebhookStore::new()), clock(), false);
        assert!(matches!(
            create.execute("https://127.0.0.1/hook", Vec::new()).await,
            Err(AppError::WebhookRefused(EndpointRefused::NotPublic))
        ));
        let local = CreateWebhookEndpoint::new(Arc::new(MockWebhookStore::new()), clock(), true);
        assert!(matches!(
            local
                .execute("http://127.0.0.1/hook", vec!["account.nope".into()])
                .await,
            Err(AppError::WebhookRefused(EndpointRefused::UnknownEventType))
        ));
    }
}

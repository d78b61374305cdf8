//! Admins see an endpoint's deliveries, failed ones in particular (SPEC §6).

use std::sync::Arc;

use realname_ports::{DeliveryRecord, DeliveryStatus, Page, StoreError, WebhookStore};

use crate::AppError;

/// Lists deliveries.
pub struct ListDeliveries {
    store: Arc<dyn WebhookStore>,
}

impl ListDeliveries {
    /// Wires the use case.
    pub fn new(store: Arc<dyn WebhookStore>) -> Self {
        Self { store }
    }

    /// A page of the endpoint's deliveries, newest first, and whether more follow.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown endpoint.
    pub async fn execute(
        &self,
        endpoint: uuid::Uuid,
        status: Option<DeliveryStatus>,
        page: Page<uuid::Uuid>,
    ) -> Result<(Vec<DeliveryRecord>, bool), AppError> {
        match self.store.deliveries(endpoint, status, page).await {
            Err(StoreError::NotFound) => Err(AppError::NotFound("webhook endpoint")),
            other => Ok(other?),
        }
    }
}

//! Admins see an endpoint's deliveries, failed ones in particular (SPEC §6).

use std::sync::Arc;

use realname_ports::{DeliveryRecord, DeliveryStatus, StoreError, WebhookStore};

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

    /// The endpoint's deliveries, newest first.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown endpoint.
    pub async fn execute(
        &self,
        endpoint: uuid::Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, AppError> {
        match self
            .store
            .deliveries(endpoint, status, limit.clamp(1, 100))
            .await
        {
            Err(StoreError::NotFound) => Err(AppError::NotFound("webhook endpoint")),
            other => Ok(other?),
        }
    }
}

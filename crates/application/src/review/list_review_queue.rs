//! The review queue: undecided applications that need a human, overdue first (R8).

use std::sync::Arc;

use realname_domain::Application;
use realname_ports::ApplicationReader;

use crate::AppError;

/// Lists the review queue.
pub struct ListReviewQueue {
    applications: Arc<dyn ApplicationReader>,
}

impl ListReviewQueue {
    /// Wires the use case.
    pub fn new(applications: Arc<dyn ApplicationReader>) -> Self {
        Self { applications }
    }

    /// Up to `limit` applications, overdue first, and whether more follow.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(&self, limit: u32) -> Result<(Vec<Application>, bool), AppError> {
        Ok(self.applications.review_queue(limit).await?)
    }
}

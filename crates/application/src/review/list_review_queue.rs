//! The review queue: undecided applications that need a human, overdue first (R8).

use std::sync::Arc;

use realname_domain::{Application, ApplicationId};
use realname_ports::{ApplicationReader, Page};

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

    /// A page of the queue, overdue first, then by deadline, and whether more follow.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(
        &self,
        page: Page<ApplicationId>,
    ) -> Result<(Vec<Application>, bool), AppError> {
        Ok(self.applications.review_queue(page).await?)
    }
}

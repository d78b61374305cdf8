//! The event feed (SPEC §6).

use std::sync::Arc;

use realname_domain::AccountId;
use realname_ports::{EventFeed, FeedEvent};

use crate::AppError;

/// Pages the event feed.
pub struct ListEvents {
    feed: Arc<dyn EventFeed>,
}

impl ListEvents {
    /// Wires the use case.
    pub fn new(feed: Arc<dyn EventFeed>) -> Self {
        Self { feed }
    }

    /// One page after `starting_after`, oldest first, and whether more follow.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn execute(
        &self,
        account: Option<AccountId>,
        starting_after: Option<uuid::Uuid>,
        limit: u32,
    ) -> Result<(Vec<FeedEvent>, bool), AppError> {
        Ok(self.feed.events(account, starting_after, limit).await?)
    }
}

//! Time.

use chrono::{DateTime, Utc};

/// The source of "now". Use cases never read the system clock themselves.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current instant. It MUST be monotonic enough for ordering audit entries.
    fn now(&self) -> DateTime<Utc>;
}

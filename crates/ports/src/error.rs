//! Semantic port errors.

/// What a store can report. Adapters translate driver errors into these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row that must be unique already exists.
    #[error("duplicate")]
    Duplicate,
    /// A row that must exist does not.
    #[error("not found")]
    NotFound,
    /// A concurrent change won (serialization failure, deadlock, lock timeout); retrying may work.
    #[error("conflict with a concurrent change")]
    Conflict,
    /// Anything else: the cause is kept for the log, never shown to clients.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What an outbound gateway can report.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The gateway did not answer in time.
    #[error("the gateway timed out")]
    Timeout,
    /// The gateway refused or failed.
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

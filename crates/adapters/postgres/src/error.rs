//! Translating driver errors into semantic port errors.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use realname_ports::StoreError;

/// Maps a diesel error: unique violations become `Duplicate`, serialization failures and
/// deadlocks become `Conflict`, the rest `Unknown` with its cause.
pub(crate) fn store_error(error: DieselError) -> StoreError {
    match &error {
        DieselError::NotFound => StoreError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => StoreError::Duplicate,
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
            StoreError::Conflict
        }
        DieselError::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
            StoreError::Conflict
        }
        _ => StoreError::Unknown(error.into()),
    }
}

/// Maps a pool error.
pub(crate) fn pool_error(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unknown(anyhow::Error::new(error).context("no database connection"))
}

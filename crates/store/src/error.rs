//! The store's error type.

use casereview_core::lifecycle::TransitionError;
use casereview_core::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Transition(#[from] TransitionError),
    /// Someone else saved first: the caller's version is stale.
    #[error("this record was changed by {by} at {at} since you opened it (you had version {yours}, it is now version {current}); changed: {}", changed.join(", "))]
    Conflict { yours: i64, current: i64, by: String, at: String, changed: Vec<String> },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Duplicate(String),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

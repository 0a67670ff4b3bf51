//! casereview-store: persistence. One [`Store`] over SQLite (the embedded default, a file
//! in the data folder) or PostgreSQL (chosen by a `postgres://` URL), with a migration
//! folder per backend and the same SQL text for both wherever the dialects agree.
//!
//! Each method that writes runs in one transaction and appends its audit event in that
//! same transaction, so a state change and its record cannot part. Domain rules come from
//! `casereview-core`: the store loads the facts, asks the domain, and writes the answer.

mod actions;
mod anonymisation;
mod audit;
mod backup;
mod chronology;
mod clock;
mod documents;
mod error;
mod family;
mod imr;
mod learning;
mod monitoring;
mod publishing;
mod records;
mod retention;
mod reviews;
mod users;

pub use actions::*;
pub use anonymisation::*;
pub use audit::{AuditQuery, VerifyError};
pub use backup::{restore_sqlite, RestoreError, Restored, SQLITE_FILE};
pub use chronology::*;
pub use clock::*;
pub use documents::*;
pub use error::StoreError;
pub use family::*;
pub use imr::*;
pub use learning::*;
pub use publishing::*;
pub use records::*;
pub use retention::*;
pub use reviews::*;
pub use users::*;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The connection pool of the chosen backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same body against whichever pool the store holds. The body is compiled once
/// per backend with concrete types, so queries are shared without sqlx's `Any` driver.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The store: a pool, and (for SQLite) a lock that makes writers take turns, because a
/// SQLite transaction that reads and then writes can otherwise fail to upgrade its lock.
#[derive(Debug)]
pub struct Store {
    pub(crate) db: Db,
    write_lock: tokio::sync::Mutex<()>,
}

impl Store {
    /// Opens (and creates) the SQLite database `casereview.sqlite` in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Io(format!("cannot create data folder {}: {e}", data_dir.display())))?;
        let opts = SqliteConnectOptions::new()
            .filename(data_dir.join("casereview.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed write survives a power cut, not just a crash of the process.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        Ok(Store { db: Db::Sqlite(pool), write_lock: tokio::sync::Mutex::new(()) })
    }

    /// Connects to PostgreSQL at `url`.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect_with(opts).await?;
        Ok(Store { db: Db::Postgres(pool), write_lock: tokio::sync::Mutex::new(()) })
    }

    /// Opens the backend a URL names: `postgres://` or `postgresql://` for PostgreSQL,
    /// `sqlite://DIR` or no URL for SQLite in `data_dir`.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Store, StoreError> {
        match database_url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => Store::open_postgres(u).await,
            Some(u) if u.starts_with("sqlite://") => Store::open_sqlite(Path::new(u.trim_start_matches("sqlite://"))).await,
            Some(u) => Err(StoreError::Config(format!(
                "database URL must start with postgres:// or sqlite:// (got '{}')",
                u.split(':').next().unwrap_or_default()
            ))),
            None => Store::open_sqlite(data_dir).await,
        }
    }

    /// Applies the backend's migrations (idempotent; run at every start).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// "sqlite" or "postgres", for logs and the health page.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn is_pg(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Serialises writers on SQLite; PostgreSQL relies on row locks instead.
    pub(crate) async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db {
            Db::Sqlite(_) => Some(self.write_lock.lock().await),
            Db::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// Timestamps are kept to the microsecond, PostgreSQL's precision, so a value read back
/// equals the value written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Who is acting: recorded on every write and in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub role: casereview_core::Role,
    pub partnership_id: i64,
}

impl Actor {
    /// The CLI and demo loader act as `system` within a partnership.
    pub fn system(partnership_id: i64) -> Actor {
        Actor {
            user_id: None,
            email: "system".into(),
            name: "casereview (system)".into(),
            role: casereview_core::Role::PartnershipAdmin,
            partnership_id,
        }
    }
}

//! Online backup and checked restore of the embedded SQLite database (issue 8 item 5).
//! PostgreSQL is backed up with its own tools (pg_dump / pg_restore; see the README).

use crate::{Db, Store, StoreError, VerifyError};
use casereview_core::audit::ChainError;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::{Path, PathBuf};

/// The database file's name inside a data folder.
pub const SQLITE_FILE: &str = "casereview.sqlite";

/// Why a backup was not restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{0}")]
    Refused(String),
    #[error("the backup is not a sound SQLite database: {0}")]
    Corrupt(String),
    #[error("the backup's audit log is broken: {0}")]
    AuditChain(#[from] ChainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a restore put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub path: PathBuf,
    pub audit_events: usize,
}

impl Store {
    /// Writes a consistent copy of the live SQLite database to `out` (`VACUUM INTO` reads one
    /// snapshot, so writers carry on meanwhile). Refuses an existing `out` and PostgreSQL.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::Config(
                "casereview backup copies the embedded SQLite database; back up PostgreSQL with pg_dump --format=custom (and restore with pg_restore): see the README, section Operations".into(),
            ));
        };
        if out.exists() {
            return Err(StoreError::Io(format!("{} already exists: a backup never overwrites a file", out.display())));
        }
        let target = out.to_str().ok_or_else(|| StoreError::Io(format!("{} is not a UTF-8 path", out.display())))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        Ok(())
    }
}

/// Checks the backup `from` (SQLite `integrity_check`, then the audit chain) and only then
/// puts it in place as `data_dir`'s database: copied to a temporary file in the same folder
/// and renamed, so the folder holds either the old database or the whole new one. A folder
/// that already holds files is refused unless `force`.
pub async fn restore_sqlite(from: &Path, data_dir: &Path, force: bool) -> Result<Restored, RestoreError> {
    if !from.is_file() {
        return Err(RestoreError::Refused(format!("{} is not a file", from.display())));
    }
    let occupied = match std::fs::read_dir(data_dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(RestoreError::Refused(format!("cannot read {}: {e}", data_dir.display()))),
    };
    if occupied && !force {
        return Err(RestoreError::Refused(format!(
            "{} is not empty: restore into an empty folder, or pass --force to replace its database",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Io(format!("cannot create {}: {e}", data_dir.display())))?;
    let target = data_dir.join(SQLITE_FILE);
    let tmp = data_dir.join(format!(".{SQLITE_FILE}.restore-{}", std::process::id()));
    std::fs::copy(from, &tmp).map_err(|e| StoreError::Io(format!("cannot copy {} to {}: {e}", from.display(), tmp.display())))?;
    let checked = check(&tmp).await;
    let n = match checked {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let io = |e: std::io::Error| StoreError::Io(format!("cannot put the backup in place at {}: {e}", target.display()));
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
    // The replaced database's write-ahead log must not be replayed onto the restored one.
    for side in ["-wal", "-shm"] {
        let p = data_dir.join(format!("{SQLITE_FILE}{side}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(io)?;
        }
    }
    std::fs::rename(&tmp, &target).map_err(io)?;
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(Restored { path: target, audit_events: n })
}

/// Integrity first (a damaged file is refused before anything reads its rows), then the chain.
async fn check(file: &Path) -> Result<usize, RestoreError> {
    let opts = SqliteConnectOptions::new().filename(file).create_if_missing(false);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.map_err(|e| RestoreError::Corrupt(e.to_string()))?;
    let result = async {
        let rows: Vec<(String,)> =
            sqlx::query_as("PRAGMA integrity_check").fetch_all(&pool).await.map_err(|e| RestoreError::Corrupt(e.to_string()))?;
        let problems: Vec<String> = rows.into_iter().map(|r| r.0).filter(|r| r != "ok").collect();
        if !problems.is_empty() {
            return Err(RestoreError::Corrupt(problems.join("; ")));
        }
        let has_log: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_events', 'audit_head')")
                .fetch_one(&pool)
                .await
                .map_err(|e| RestoreError::Corrupt(e.to_string()))?;
        if has_log.0 != 2 {
            return Err(RestoreError::Refused("the file is not a casereview database (it has no audit log)".into()));
        }
        let store = Store { db: Db::Sqlite(pool.clone()), write_lock: tokio::sync::Mutex::new(()) };
        match store.verify_audit().await {
            Ok(n) => Ok(n),
            Err(VerifyError::Chain(c)) => Err(RestoreError::AuditChain(c)),
            Err(VerifyError::Store(s)) => Err(RestoreError::Store(s)),
        }
    }
    .await;
    pool.close().await;
    result
}

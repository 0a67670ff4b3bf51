//! The audit log: appended inside the writer's transaction, read and verified here.

use crate::{on_pool, Actor, Store, StoreError};
use casereview_core::audit::{self, AuditEvent, ChainError};

/// Appends one event to the chain inside the open transaction `$tx`. On PostgreSQL the
/// head row is locked `FOR UPDATE`, so concurrent writers chain one after another.
macro_rules! append_audit {
    ($store:expr, $tx:expr, $actor:expr, $action:expr, $subject:expr, $details:expr) => {{
        let lock = if $store.is_pg() { " FOR UPDATE" } else { "" };
        let (seq, prev): (i64, String) =
            sqlx::query_as(&format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}")).fetch_one(&mut *$tx).await?;
        let seq = seq + 1;
        let at = $crate::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let details: String = $details;
        let actor: &str = &$actor.email;
        let action: &str = $action;
        let subject: &str = &$subject;
        let hash = casereview_core::audit::hash(seq, &at, actor, action, subject, &details, &prev);
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash, partnership_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(seq)
        .bind(&at)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(&details)
        .bind(&prev)
        .bind(&hash)
        .bind($actor.partnership_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(&hash).execute(&mut *$tx).await?;
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for AuditEvent {
    fn from(r: Row) -> Self {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A filter on the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this partnership's events; `None` (the command line only) sees all.
    pub partnership_id: Option<i64>,
    /// Exact subject, e.g. `review:3`.
    pub subject: Option<String>,
    pub limit: i64,
    /// Events with seq below this (newest first paging).
    pub before: Option<i64>,
}

/// Verification failure: the chain broke, or the database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Records an event that changes nothing else (sign-in, a read of a confidential page).
    pub async fn record_audit(&self, actor: &Actor, action: &str, subject: &str, details: serde_json::Value) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            append_audit!(self, tx, actor, action, subject, details.to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Events newest first.
    pub async fn audit_events(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = if q.limit <= 0 { 100 } else { q.limit.min(1000) };
        let before = q.before.unwrap_or(i64::MAX);
        const COLS: &str = "seq, at, actor, action, subject, details, prev_hash, hash";
        let (pfilter, pid) = match q.partnership_id {
            Some(p) => ("partnership_id = $1", p),
            None => ("$1 = $1", 0),
        };
        let rows: Vec<Row> = on_pool!(self, pool => match &q.subject {
            Some(s) => sqlx::query_as(&format!("SELECT {COLS} FROM audit_events WHERE {pfilter} AND subject = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4")).bind(pid).bind(s).bind(before).bind(limit).fetch_all(pool).await?,
            None => sqlx::query_as(&format!("SELECT {COLS} FROM audit_events WHERE {pfilter} AND seq < $2 ORDER BY seq DESC LIMIT $3")).bind(pid).bind(before).bind(limit).fetch_all(pool).await?,
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Walks the whole chain in stored order and checks it against the head.
    /// Returns the number of events on success.
    pub async fn verify_audit(&self) -> Result<usize, VerifyError> {
        let (rows, head): (Vec<Row>, (i64, String)) = on_pool!(self, pool => {
            // One read transaction, so the events and the head are from the same moment.
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            // The head first, then the events up to it: a writer committing in between (each
            // PostgreSQL statement sees its own snapshot) cannot look like a truncation.
            let head: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await.map_err(StoreError::from)?;
            let rows = sqlx::query_as("SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_events WHERE seq <= $1 ORDER BY seq").bind(head.0).fetch_all(&mut *tx).await.map_err(StoreError::from)?;
            tx.commit().await.map_err(StoreError::from)?;
            (rows, head)
        });
        let events: Vec<AuditEvent> = rows.into_iter().map(Into::into).collect();
        Ok(audit::verify(&events, Some((head.0, head.1.as_str())))?)
    }

    /// For tamper tests only: runs raw SQL as it is, triggers and all (so a test can show
    /// the database refusing it).
    #[doc(hidden)]
    pub async fn tamper_for_tests_raw(&self, sql: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => sqlx::query(sql).execute(pool).await.map(|_| ())?);
        Ok(())
    }

    /// For tamper tests and forensic tools only: runs raw SQL with the append-only
    /// triggers out of the way, as an attacker with database access could.
    #[doc(hidden)]
    pub async fn tamper_for_tests(&self, sql: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if self.is_pg() {
                sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update").execute(&mut *tx).await?;
                sqlx::query(sql).execute(&mut *tx).await?;
                sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update").execute(&mut *tx).await?;
            } else {
                sqlx::query("DROP TRIGGER audit_events_no_update").execute(&mut *tx).await?;
                sqlx::query("DROP TRIGGER audit_events_no_delete").execute(&mut *tx).await?;
                sqlx::query(sql).execute(&mut *tx).await?;
                sqlx::query("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END").execute(&mut *tx).await?;
                sqlx::query("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END").execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

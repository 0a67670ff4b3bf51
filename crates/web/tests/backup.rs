//! Backup and restore of the SQLite database: a backup taken while writes happen restores
//! into a new folder with its data and an intact audit chain; a tampered backup is refused
//! naming the first bad event; a corrupt file, an existing output and a non-empty data
//! folder are refused; PostgreSQL is pointed at pg_dump.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::audit::ChainError;
use casereview_core::Role;
use casereview_store::{restore_sqlite, RestoreError, Store, StoreError};
use common::*;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn a_backup_taken_during_writes_restores_with_its_audit_chain() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.review_with_members(&[Role::PanelMember]).await;
    let state = app.state.clone();
    let store = &state.store;
    let (chair, _) = store.user_by_email(app.email(Role::BoardChair)).await.unwrap().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("casereview-backup.sqlite");

    // Writers carry on while the backup reads its snapshot.
    let writer = {
        let state = app.state.clone();
        let actor = chair.actor();
        tokio::spawn(async move {
            for i in 0..40 {
                state.store.record_audit(&actor, "test.write", &format!("review:{id}"), serde_json::json!({"i": i})).await.unwrap();
            }
        })
    };
    store.backup_sqlite(&out).await.unwrap();
    writer.await.unwrap();
    assert!(store.backup_sqlite(&out).await.is_err(), "an existing backup file is never overwritten");

    let target = dir.path().join("restored");
    let restored = restore_sqlite(&out, &target, false).await.unwrap();
    assert!(restored.audit_events >= 10, "{restored:?}");
    let back = Store::open_sqlite(&target).await.unwrap();
    back.migrate().await.unwrap();
    assert_eq!(back.verify_audit().await.unwrap(), restored.audit_events);
    assert_eq!(back.review(id).await.unwrap().summary.id, id, "the review is in the restored database");
    back.close().await;

    // A data folder that holds a database is replaced only with --force.
    match restore_sqlite(&out, &target, false).await {
        Err(RestoreError::Refused(m)) => assert!(m.contains("not empty"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(restore_sqlite(&out, &target, true).await.unwrap().audit_events, restored.audit_events);
    let leftovers: Vec<_> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(leftovers.iter().all(|f| !f.contains("restore-")), "no temporary file is left: {leftovers:?}");
}

#[tokio::test]
async fn a_tampered_or_corrupt_backup_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.review_with_members(&[Role::PanelMember]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.sqlite");
    app.state.store.backup_sqlite(&out).await.unwrap();

    // Edit one audit row in the copy, around the append-only trigger, as an attacker could.
    let tampered = dir.path().join("tampered.sqlite");
    std::fs::copy(&out, &tampered).unwrap();
    {
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(SqliteConnectOptions::new().filename(&tampered)).await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_update").execute(&pool).await.unwrap();
        sqlx::query("UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = 3").execute(&pool).await.unwrap();
        pool.close().await;
    }
    let target = dir.path().join("t");
    match restore_sqlite(&tampered, &target, false).await {
        Err(e @ RestoreError::AuditChain(ChainError::Edited { seq: 3 })) => assert!(e.to_string().contains('3'), "{e}"),
        other => panic!("expected the edited event 3 to be named, got {other:?}"),
    }
    assert!(!target.join(casereview_store::SQLITE_FILE).exists(), "nothing was put in place");

    // A damaged file: bytes overwritten in the middle of the database.
    let corrupt = dir.path().join("corrupt.sqlite");
    let mut bytes = std::fs::read(&out).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096..len.min(4096 * 4)] {
        *b = 0x5a;
    }
    std::fs::write(&corrupt, &bytes).unwrap();
    assert!(
        matches!(restore_sqlite(&corrupt, &target, false).await, Err(RestoreError::Corrupt(_) | RestoreError::Store(_))),
        "a corrupt backup must be refused"
    );
    // Not a database at all.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"this is not a database").unwrap();
    assert!(matches!(restore_sqlite(&junk, &target, false).await, Err(RestoreError::Corrupt(_))));
    assert!(!target.join(casereview_store::SQLITE_FILE).exists(), "nothing was put in place");
}

#[tokio::test]
async fn postgres_backups_are_made_with_pg_dump() {
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let app = TestApp::spawn(backend).await;
        let out = tempfile::tempdir().unwrap().path().join("x.sqlite");
        match app.state.store.backup_sqlite(&out).await {
            Err(StoreError::Config(m)) => assert!(m.contains("pg_dump"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}

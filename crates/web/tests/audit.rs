//! The audit log cannot be silently edited: the database refuses updates and deletes,
//! and an edit, deletion, reordering or truncation made around that is found by
//! verification, which names the first bad event. Run on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::audit::ChainError;
use casereview_core::Role;
use casereview_store::VerifyError;
use common::*;

async fn app_with_events(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    app.review_with_members(&[Role::PanelChair, Role::PanelMember]).await;
    app
}

fn chain_err(r: Result<usize, VerifyError>) -> ChainError {
    match r {
        Err(VerifyError::Chain(c)) => c,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[tokio::test]
async fn the_chain_detects_every_kind_of_tampering() {
    for backend in backends() {
        let app = app_with_events(backend).await;
        let store = &app.state.store;
        let n = store.verify_audit().await.unwrap();
        assert!(n >= 15, "setup writes events: {n}");

        // The database itself refuses changes to the log.
        assert!(
            store.tamper_for_tests_raw("UPDATE audit_events SET actor = 'x' WHERE seq = 2").await.is_err(),
            "{backend:?}: update must be refused"
        );
        assert!(store.tamper_for_tests_raw("DELETE FROM audit_events WHERE seq = 2").await.is_err(), "{backend:?}: delete must be refused");
        assert_eq!(store.verify_audit().await.unwrap(), n);

        // Around the triggers, an edit is found at the edited event.
        store.tamper_for_tests("UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = 5").await.unwrap();
        assert_eq!(chain_err(store.verify_audit().await), ChainError::Edited { seq: 5 });
    }
}

#[tokio::test]
async fn deletion_reordering_and_truncation_are_found() {
    for backend in backends() {
        let app = app_with_events(backend).await;
        let store = &app.state.store;
        store.tamper_for_tests("DELETE FROM audit_events WHERE seq = 4").await.unwrap();
        assert_eq!(chain_err(store.verify_audit().await), ChainError::Gap { seq: 5, expected: 4 });

        let app = app_with_events(backend).await;
        let store = &app.state.store;
        // Swap the contents of events 6 and 7 but keep their numbers: a reorder.
        store.tamper_for_tests("UPDATE audit_events SET seq = -1 WHERE seq = 6").await.unwrap();
        store.tamper_for_tests("UPDATE audit_events SET seq = 6 WHERE seq = 7").await.unwrap();
        store.tamper_for_tests("UPDATE audit_events SET seq = 7 WHERE seq = -1").await.unwrap();
        assert!(matches!(chain_err(store.verify_audit().await), ChainError::BrokenLink { seq: 6, .. } | ChainError::Edited { seq: 6 }));

        let app = app_with_events(backend).await;
        let store = &app.state.store;
        let n = i64::try_from(store.verify_audit().await.unwrap()).unwrap();
        store.tamper_for_tests(&format!("DELETE FROM audit_events WHERE seq = {n}")).await.unwrap();
        assert_eq!(chain_err(store.verify_audit().await), ChainError::Truncated { last: n - 1, head: n });
    }
}

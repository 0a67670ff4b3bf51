//! Document drafts in the store on both backends: every save a version, stale saves
//! refused with what changed, comments anchored to sections, approval freezing the version.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::Role;
use casereview_store::StoreError;
use common::*;
use std::collections::BTreeMap;

fn sections(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn drafts_are_versioned_commented_and_frozen_on_approval() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::OverviewAuthor]).await;
        let store = &app.state.store;
        let (author, _) = store.user_by_email(app.email(Role::OverviewAuthor)).await.unwrap().unwrap();
        let (panel, _) = store.user_by_email(app.email(Role::PanelChair)).await.unwrap().unwrap();
        let kind = DocumentKind::OverviewReport;

        let d = store.save_document(&author.actor(), id, kind, 0, &sections(&[("introduction", "First words.")])).await.unwrap();
        assert_eq!((d.version, d.status), (1, DocumentStatus::Draft));
        let d = store
            .save_document(&author.actor(), id, kind, 1, &sections(&[("introduction", "Better words."), ("analysis", "Why.")]))
            .await
            .unwrap();
        assert_eq!(d.version, 2);
        // Someone who opened version 1 cannot overwrite version 2.
        match store.save_document(&panel.actor(), id, kind, 1, &sections(&[("introduction", "Mine.")])).await {
            Err(StoreError::Conflict { current, changed, .. }) => {
                assert_eq!(current, 2);
                assert_eq!(changed, vec!["1 Introduction".to_string(), "3 Analysis".to_string()]);
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        match store.save_document(&author.actor(), id, kind, 2, &sections(&[("gossip", "x")])).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "sections.gossip"),
            other => panic!("{other:?}"),
        }
        let huge = "x".repeat(casereview_store::MAX_DOCUMENT_CHARS + 1);
        assert!(matches!(
            store.save_document(&author.actor(), id, kind, 2, &sections(&[("analysis", &huge)])).await,
            Err(StoreError::Invalid(_))
        ));
        let versions = store.document_versions(d.id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].sections["introduction"], "First words.");

        store.set_document_status(&author.actor(), d.id, DocumentStatus::Circulated, 2, None).await.unwrap();
        let c = store.add_document_comment(&panel.actor(), d.id, 2, "analysis", "Say more about the health visitor's role.").await.unwrap();
        assert!(store.add_document_comment(&panel.actor(), d.id, 2, "nowhere", "x").await.is_err());
        store.resolve_document_comment(&author.actor(), c).await.unwrap();
        assert!(store.resolve_document_comment(&author.actor(), c).await.is_err(), "resolved once");
        let comments = store.document_comments(d.id).await.unwrap();
        assert_eq!(comments[0].resolved_by.as_deref(), Some(author.name.as_str()));

        let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 14).unwrap();
        store.set_document_status(&author.actor(), d.id, DocumentStatus::Approved, 2, Some(("Margaret Lowe", on))).await.unwrap();
        let d = store.document(id, kind).await.unwrap().unwrap();
        assert_eq!((d.status, d.approved_version, d.signed_on), (DocumentStatus::Approved, Some(2), Some(on)));
        match store.save_document(&author.actor(), id, kind, 2, &sections(&[("introduction", "After approval.")])).await {
            Err(StoreError::Invalid(e)) => assert!(e.0[0].message.contains("frozen")),
            other => panic!("{other:?}"),
        }
        store.set_document_status(&author.actor(), d.id, DocumentStatus::Published, 2, None).await.unwrap();
        assert!(store.set_document_status(&author.actor(), d.id, DocumentStatus::Draft, 2, None).await.is_err());
        let log = store
            .audit_events(&casereview_store::AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() })
            .await
            .unwrap();
        assert!(log.iter().filter(|e| e.action.starts_with("document.")).count() >= 6);
    }
}

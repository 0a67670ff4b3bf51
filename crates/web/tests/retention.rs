//! Retention and destruction on both backends (001 §2.4.23-2.4.24): a draft superseded by
//! an approved version is destroyed and the approved one stays; listing what is due changes
//! nothing; a legal hold stops destruction; a concluded review's papers go after ten years,
//! leaving tombstones and a certificate in the audit log, whose chain still verifies.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::retention::{Item, Rule};
use casereview_core::Role;
use casereview_store::AuditQuery;
use common::*;
use std::collections::BTreeMap;

fn sections(text: &str) -> BTreeMap<String, String> {
    [("introduction".to_string(), text.to_string())].into()
}

#[tokio::test]
async fn drafts_and_papers_are_destroyed_on_schedule_unless_held() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::OverviewAuthor]).await;
        let store = &app.state.store;
        let (author, _) = store.user_by_email(app.email(Role::OverviewAuthor)).await.unwrap().unwrap();
        let (chair, _) = store.user_by_email(app.email(Role::BoardChair)).await.unwrap().unwrap();
        let (panel, _) = store.user_by_email(app.email(Role::PanelChair)).await.unwrap().unwrap();
        let pid = chair.partnership_id;
        let today = chrono::Utc::now().date_naive();

        let kind = DocumentKind::OverviewReport;
        store.save_document(&author.actor(), id, kind, 0, &sections("SECRET DRAFT WORDS")).await.unwrap();
        let d = store.save_document(&author.actor(), id, kind, 1, &sections("The approved words.")).await.unwrap();
        store.set_document_status(&author.actor(), d.id, DocumentStatus::Approved, 2, Some(("Margaret Lowe", today)), "").await.unwrap();

        // Listing (the dry run) changes nothing.
        let events = store.verify_audit().await.unwrap();
        let due = store.retention_due(Some(pid), today).await.unwrap();
        assert_eq!(due.len(), 1, "{backend:?}: {due:?}");
        assert_eq!(due[0].rule, Rule::SupersededDraft);
        assert!(matches!(&due[0].item, Item::DraftVersion { version: 1, .. }), "{:?}", due[0].item);
        assert_eq!(store.retention_due(Some(pid), today).await.unwrap(), due);
        assert_eq!(store.verify_audit().await.unwrap(), events, "{backend:?}: listing wrote nothing");
        assert_eq!(store.document_versions(d.id).await.unwrap()[0].sections["introduction"], "SECRET DRAFT WORDS");

        // Only the board manager or chair authorises, places and lifts holds.
        assert!(store.destroy(&panel.actor(), &due[0], today).await.is_err(), "{backend:?}: a panel chair cannot authorise");
        assert!(store.place_legal_hold(&panel.actor(), id, "claim").await.is_err());
        assert!(store.place_legal_hold(&chair.actor(), id, "  ").await.is_err(), "a hold needs a reason");

        // A legal hold stops destruction, even of an item listed before it was placed.
        let hold = store.place_legal_hold(&chair.actor(), id, "Civil claim lodged by the family").await.unwrap();
        assert!(store.retention_due(Some(pid), today).await.unwrap().is_empty(), "{backend:?}: held");
        assert!(store.destroy(&chair.actor(), &due[0], today).await.is_err(), "{backend:?}: held review destroyed");
        assert_eq!(store.document_versions(d.id).await.unwrap()[0].sections["introduction"], "SECRET DRAFT WORDS");
        store.lift_legal_hold(&chair.actor(), id, hold, "Claim settled").await.unwrap();
        assert!(store.lift_legal_hold(&chair.actor(), id, hold, "again").await.is_err(), "lifted twice");

        // The superseded draft goes; the approved version stays.
        let cert = store.destroy(&chair.actor(), &due[0], today).await.unwrap();
        assert_eq!(cert["rule"], "superseded_draft");
        let versions = store.document_versions(d.id).await.unwrap();
        assert!(versions[0].sections.is_empty(), "{backend:?}: {:?}", versions[0].sections);
        assert_eq!(versions[1].sections["introduction"], "The approved words.");
        assert!(store.retention_due(Some(pid), today).await.unwrap().is_empty(), "destroyed once");
        assert!(store.destroy(&chair.actor(), &due[0], today).await.is_err(), "not twice");

        // Papers of a review concluded today are kept ten years, then destroyed.
        let rid = id;
        store
            .tamper_for_tests_raw(&format!("INSERT INTO transitions (review_id, action, from_state, to_state, actor_name, note, at) VALUES ({rid}, 'conclude', 'lessons_learned', 'concluded', 'Chair', '', '{}')", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ")))
            .await
            .unwrap();
        store.tamper_for_tests_raw(&format!("INSERT INTO imrs (review_id, agency, status, author_name, requested_on, due_on, sections, updated_at, updated_by) VALUES ({rid}, 'Police', 'requested', 'A', '2026-01-01', '2026-02-01', '{{\"facts\":\"SECRET IMR\"}}', '2026-01-01T00:00:00Z', 'A')")).await.unwrap();
        store.tamper_for_tests_raw(&format!("INSERT INTO chronology_uploads (review_id, file_name, agency, status, entries, problems, uploaded_by, uploaded_at) VALUES ({rid}, 'p.csv', 'Police', 'confirmed', '[\"SECRET\"]', '[]', 'A', '2026-01-01T00:00:00Z')")).await.unwrap();
        store.tamper_for_tests_raw(&format!("INSERT INTO chronology_entries (review_id, upload_id, agency, entry) VALUES ({rid}, (SELECT MAX(id) FROM chronology_uploads), 'Police', '\"SECRET ENTRY\"')")).await.unwrap();
        let in_nine = today + chrono::Months::new(9 * 12);
        assert!(store.retention_due(Some(pid), in_nine).await.unwrap().is_empty(), "{backend:?}: kept ten years");
        let in_ten = today + chrono::Months::new(10 * 12);
        let due = store.retention_due(Some(pid), in_ten).await.unwrap();
        assert_eq!(due.len(), 1, "{backend:?}: {due:?}");
        assert_eq!((due[0].rule, &due[0].item, due[0].due_since), (Rule::PapersAfterTenYears, &Item::ReviewPapers, in_ten));
        let cert = store.destroy(&chair.actor(), &due[0], in_ten).await.unwrap();
        assert_eq!(cert["destroyed"]["chronology_entries"], 1);

        // The content is gone from the database; the rows stay as tombstones.
        let versions = store.document_versions(d.id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert!(versions.iter().all(|v| v.sections.is_empty()), "{backend:?}: {versions:?}");
        assert!(!format!("{:?}", store.imrs(rid).await.unwrap()).contains("SECRET"), "{backend:?}: IMR text kept");
        assert!(store.chronology_entries(rid, None).await.unwrap().is_empty());
        assert!(!format!("{:?}", store.chronology_uploads(rid).await.unwrap()).contains("SECRET"));
        assert!(store.retention_due(Some(pid), in_ten).await.unwrap().is_empty(), "papers destroyed once");

        // Each destruction is certified in the audit log, which verifies.
        let certs: Vec<_> = store
            .audit_events(&AuditQuery { subject: Some(format!("review:{rid}")), limit: 1000, ..Default::default() })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "retention.destroy")
            .collect();
        assert_eq!(certs.len(), 2, "{backend:?}");
        assert!(certs.iter().all(|e| e.actor == chair.email && e.details.contains("001 §2.4.24")), "{certs:?}");
        assert!(certs[0].details.contains("papers_after_ten_years") && certs[1].details.contains("superseded_draft"));
        assert_eq!(store.verify_audit().await.unwrap(), events + 4, "{backend:?}");
    }
}

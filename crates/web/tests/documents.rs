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

        store.set_document_status(&author.actor(), d.id, DocumentStatus::Circulated, 2, None, "").await.unwrap();
        let c = store.add_document_comment(&panel.actor(), d.id, 2, "analysis", "Say more about the health visitor's role.").await.unwrap();
        assert!(store.add_document_comment(&panel.actor(), d.id, 2, "nowhere", "x").await.is_err());
        store.resolve_document_comment(&author.actor(), c).await.unwrap();
        assert!(store.resolve_document_comment(&author.actor(), c).await.is_err(), "resolved once");
        let comments = store.document_comments(d.id).await.unwrap();
        assert_eq!(comments[0].resolved_by.as_deref(), Some(author.name.as_str()));

        let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 14).unwrap();
        store.set_document_status(&author.actor(), d.id, DocumentStatus::Approved, 2, Some(("Margaret Lowe", on)), "").await.unwrap();
        let d = store.document(id, kind).await.unwrap().unwrap();
        assert_eq!((d.status, d.approved_version, d.signed_on), (DocumentStatus::Approved, Some(2), Some(on)));
        match store.save_document(&author.actor(), id, kind, 2, &sections(&[("introduction", "After approval.")])).await {
            Err(StoreError::Invalid(e)) => assert!(e.0[0].message.contains("frozen")),
            other => panic!("{other:?}"),
        }
        store.set_document_status(&author.actor(), d.id, DocumentStatus::Published, 2, None, "").await.unwrap();
        assert!(store.set_document_status(&author.actor(), d.id, DocumentStatus::Draft, 2, None, "").await.is_err());
        let log = store
            .audit_events(&casereview_store::AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() })
            .await
            .unwrap();
        assert!(log.iter().filter(|e| e.action.starts_with("document.")).count() >= 6);
    }
}

#[tokio::test]
async fn the_overview_report_is_drafted_circulated_and_approved_on_the_pages() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let url = format!("/reviews/{id}/documents/overview_report");
        let (s, page) = author.get(&url).await;
        assert_eq!(s, 200);
        assert!(page.contains("DRAFT – STRICTLY CONFIDENTIAL"));
        let all: Vec<(String, String)> = DocumentKind::OverviewReport
            .sections()
            .iter()
            .map(|(sid, _, _)| (format!("section-{sid}"), format!("Text of {sid}.\nSecond line.")))
            .collect();
        let mut fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        fields.push(("version", "0"));
        let (s, _, _) = author.post(&url, &fields).await;
        assert_eq!(s, 303);
        let changed = "Text of analysis.\nA new second line.".to_string();
        let mut fields2: Vec<(&str, &str)> =
            all.iter().map(|(k, v)| (k.as_str(), if k == "section-analysis" { changed.as_str() } else { v.as_str() })).collect();
        fields2.push(("version", "1"));
        let (s, _, _) = author.post(&url, &fields2).await;
        assert_eq!(s, 303);
        let (_, page) = author.get(&format!("{url}?from=1&to=2")).await;
        assert!(page.contains("Changes from version 1 to version 2"));
        assert!(page.contains("Added: </span>A new second line.") && page.contains("Removed: </span>Second line."), "readable diff");
        // Agency staff do not see a draft until it is circulated to them.
        let agency = app.browser(app.email(Role::AgencyAuthor)).await;
        assert_eq!(agency.get(&url).await.0, 404);
        let (s, _, _) = author.post(&format!("{url}/status"), &[("to", "circulated"), ("version", "2")]).await;
        assert_eq!(s, 303);
        let (s, page) = agency.get(&url).await;
        assert_eq!(s, 200);
        assert!(page.contains("Shown to Test Agency (IMR) author"), "the copy names who it was shown to");
        let (s, _, _) =
            agency.post(&format!("{url}/comments"), &[("section", "facts"), ("body", "Our visit was on the 12th, not the 14th.")]).await;
        assert_eq!(s, 303);
        // The board chair approves; the overview report must be signed and dated.
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, page, _) =
            chair.post(&format!("{url}/status"), &[("to", "approved"), ("version", "2"), ("signed_by", ""), ("signed_on", "")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("dated and signed by its author"));
        let (s, _, _) = chair
            .post(
                &format!("{url}/status"),
                &[("to", "approved"), ("version", "2"), ("signed_by", "Margaret Lowe"), ("signed_on", "14/06/2026")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = chair.get(&url).await;
        assert!(!page.contains("DRAFT – STRICTLY CONFIDENTIAL"), "no DRAFT marking after approval");
        assert!(page.contains("Signed: Margaret Lowe, 14/06/2026"));
        let log = app
            .state
            .store
            .audit_events(&casereview_store::AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() })
            .await
            .unwrap();
        assert!(log.iter().filter(|e| e.action == "document.read").count() >= 4, "every view is recorded");
    }
}

#[tokio::test]
async fn the_executive_summary_names_no_panel_member_and_waits_for_the_chronology() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let early = app.review_with_members(&[Role::OverviewAuthor]).await;
    let author = app.browser(app.email(Role::OverviewAuthor)).await;
    let (s, page) = author.get(&format!("/reviews/{early}/documents/executive_summary")).await;
    assert_eq!(s, 422, "refused with the reason before the chronology");
    assert!(page.contains("cannot be written yet"));
    let id = app.review_at_chronology().await;
    let url = format!("/reviews/{id}/documents/executive_summary");
    let member = "Test Panel member";
    let body = [
        ("section-introduction", "Child T, aged 2."),
        ("section-panel", member),
        ("section-summary", "<script>alert(1)</script> happened in **{{review.reference}}**."),
        ("section-conclusions", "Learn."),
        ("version", "0"),
    ];
    let (s, _, _) = author.post(&url, &body).await;
    assert_eq!(s, 303);
    let (_, page) = author.get(&url).await;
    assert!(!page.contains("<script>alert"), "text is escaped");
    assert!(page.contains("names the panel member Test Panel member"), "the rule is shown before approval");
    let chair = app.browser(app.email(Role::BoardChair)).await;
    let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "approved"), ("version", "1")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("003 §3.10"));
    // Read by someone who does not edit it, the draft is formatted, filled and inert.
    let (_, page) = chair.get(&url).await;
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let reference = app.state.store.review(id).await.unwrap().summary.reference;
    assert!(page.contains(&format!("<strong>{reference}</strong>")), "placeholder filled inside bold text");
}

#[tokio::test]
async fn document_routes_check_membership_and_role() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let url = format!("/reviews/{id}/documents/overview_report");
        let (s, _, _) = author.post(&url, &[("section-introduction", "Draft."), ("version", "0")]).await;
        assert_eq!(s, 303);
        // Someone outside the review sees nothing, whatever the route.
        let outsider = app.browser(&app.outsider).await;
        for path in [format!("/reviews/{id}/documents"), url.clone()] {
            assert_eq!(outsider.get(&path).await.0, 404, "{path}");
        }
        for (path, fields) in [
            (url.clone(), vec![("section-introduction", "Mine."), ("version", "1")]),
            (format!("{url}/status"), vec![("to", "circulated"), ("version", "1")]),
            (format!("{url}/comments"), vec![("section", "facts"), ("body", "x")]),
        ] {
            assert_eq!(outsider.post(&path, &fields).await.0, 404, "{path}");
        }
        // A panel member reads but does not write or approve the overview report.
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.get(&url).await.0, 200);
        assert_eq!(member.post(&url, &[("section-introduction", "Mine."), ("version", "1")]).await.0, 403);
        assert_eq!(member.post(&format!("{url}/status"), &[("to", "approved"), ("version", "1")]).await.0, 403);
        // Without the form's token nothing happens.
        let r = member.client.post(app.url(&format!("{url}/status"))).form(&[("to", "circulated"), ("version", "1")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let doc = app.state.store.document(id, DocumentKind::OverviewReport).await.unwrap().unwrap();
        assert_eq!((doc.version, doc.status), (1, DocumentStatus::Draft), "nothing changed");
    }
}

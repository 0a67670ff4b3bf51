//! The publication gate on the pages (issue 6): the case register edited by the overview
//! author, each finding in the approved executive summary decided, publication refused
//! while anything is unresolved, the board chair's override with a reason, and the
//! published copy printing only the anonymised text.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::documents::DocumentKind;
use casereview_core::Role;
use common::*;

const CASE: &str = r#"{
  "people": [
    {"names": ["Tia Okafor"], "aliases": ["Tee"], "role": "child"},
    {"names": ["Grace Okafor"], "role": "mother"},
    {"names": ["Daniel Price"], "role": "health visitor"}
  ],
  "places": [{"name": "14 Alder Road", "kind": "address"}, {"name": "Brookside Primary School", "kind": "school"}]
}"#;

/// Finding numbers and their words, from the review screen.
fn findings(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find("name=\"finding\" value=\"") {
        rest = &rest[i + 22..];
        let n = rest[..rest.find('"').unwrap()].to_string();
        let j = rest.find("name=\"text\" value=\"").unwrap() + 19;
        let text = rest[j..j + rest[j..].find('"').unwrap()].to_string();
        out.push((n, text));
    }
    out
}

#[tokio::test]
async fn an_executive_summary_is_published_only_when_nothing_identifying_is_left() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;

        // The author saves the register; a malformed one is refused naming the problem.
        let (s, page, _) = author
            .post(&format!("/reviews/{id}/anonymisation"), &[("case_file", "{\"people\": [{\"nmes\": []}]}"), ("version", "0")])
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("nmes"), "the unknown field is named");
        assert_eq!(author.post(&format!("/reviews/{id}/anonymisation"), &[("case_file", CASE), ("version", "0")]).await.0, 303);
        let (s, page) = author.get(&format!("/reviews/{id}/anonymisation")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Tia Okafor"));

        let url = format!("/reviews/{id}/documents/executive_summary");
        let body = [
            ("section-introduction", "This summary concerns Tia Okafor, who lived with her mother at 14 Alder Road."),
            ("section-panel", "As listed."),
            (
                "section-summary",
                "Mrs Okafor told the health visitor, Daniel Price, that Tee was unwell. By the grace of good fortune nobody else was hurt.",
            ),
            ("section-conclusions", "1. Learn."),
            ("version", "0"),
        ];
        assert_eq!(author.post(&url, &body).await.0, 303);
        let chair = app.browser(app.email(Role::BoardChair)).await;
        assert_eq!(chair.post(&format!("{url}/status"), &[("to", "approved"), ("version", "1")]).await.0, 303);
        // A copy went to the national panel more than a week before (issue 7).
        assert_eq!(chair.post(&format!("{url}/national-panel"), &[("national_panel_sent_on", "2026-06-01")]).await.0, 303);

        // Publication is refused while findings are unresolved.
        let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("unresolved finding"), "{page}");

        let (s, page) = author.get(&format!("{url}/anonymisation")).await;
        assert_eq!(s, 200);
        let found = findings(&page);
        for must in ["Tia Okafor", "14 Alder Road", "Okafor", "Daniel Price", "Tee"] {
            assert!(found.iter().any(|(_, t)| t.contains(must)), "{must} is found: {found:?}");
        }
        // Every finding but the last is replaced as proposed.
        let (last_n, last_text) = found.last().cloned().unwrap();
        for (n, text) in &found[..found.len() - 1] {
            let (s, _, _) =
                author.post(&format!("{url}/anonymisation/decide"), &[("finding", n), ("text", text), ("decision", "accept")]).await;
            assert_eq!(s, 303);
        }
        // An edit needs words.
        let (s, page, _) =
            author.post(&format!("{url}/anonymisation/decide"), &[("finding", &last_n), ("text", &last_text), ("decision", "edit")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("Enter the words to print instead"));
        // A panel member cannot decide; a stale finding is refused.
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.get(&format!("{url}/anonymisation")).await.0, 403);
        assert_eq!(
            author
                .post(&format!("{url}/anonymisation/decide"), &[("finding", &last_n), ("text", "other words"), ("decision", "accept")])
                .await
                .0,
            409
        );

        // One is left: only the board chair may let it through, with a reason.
        let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 422, "{page}");
        assert_eq!(author.post(&format!("{url}/anonymisation/override"), &[("unresolved", "1"), ("reason-1", "fine")]).await.0, 403);
        let (s, _, _) = chair.post(&format!("{url}/anonymisation/override"), &[("unresolved", "1"), ("reason-1", "")]).await;
        assert_eq!(s, 422);
        let (s, _, _) =
            chair.post(&format!("{url}/anonymisation/override"), &[("unresolved", "1"), ("reason-1", "Agreed with the family")]).await;
        assert_eq!(s, 303);
        let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 303, "{page}");

        let store = &app.state.store;
        let doc = store.document(id, DocumentKind::ExecutiveSummary).await.unwrap().unwrap();
        let published = store.published_sections(doc.id).await.unwrap().unwrap();
        let all = published.values().cloned().collect::<Vec<_>>().join("\n");
        for gone in ["Tia Okafor", "14 Alder Road", "Daniel Price"] {
            assert!(!all.contains(gone), "{gone} is not published: {all}");
        }
        let log = store
            .audit_events(&casereview_store::AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() })
            .await
            .unwrap();
        assert!(log.iter().any(|e| e.action == "anonymisation.override"));
        assert!(!log.iter().any(|e| e.details.contains("Tia Okafor")), "no names in the audit log");

        // The published copy prints the anonymised text, with no DRAFT or confidential marking.
        let (s, _, pdf) = chair.get_bytes(&format!("{url}/download?format=pdf")).await;
        assert_eq!(s, 200);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.pdf"), &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg(dir.path().join("p.pdf")).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!text.contains("Tia Okafor") && !text.contains("DRAFT") && !text.contains("STRICTLY CONFIDENTIAL"), "{text}");
    }
}

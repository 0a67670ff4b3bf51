//! Learning across reviews, on every backend: search finds what the searcher may see and
//! nothing else (membership, and agency staff never see drafts), odd queries never fail,
//! tagging is checked and audited, the trends count what they should, and the annual
//! lessons report carries the figures.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::documents::DocumentKind;
use casereview_core::Role;
use casereview_store::{Actor, AuditQuery};
use chrono::Datelike;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

fn system() -> Actor {
    Actor::system(1)
}

async fn reference(app: &TestApp, id: i64) -> String {
    app.state.store.review(id).await.unwrap().summary.reference
}

/// Adds a recommendation (and its one part) to a review, as the recommendations module would.
async fn add_recommendation(app: &TestApp, review: i64, number: i64, text: &str, status: &str) -> i64 {
    let store = &app.state.store;
    store
        .tamper_for_tests_raw(&format!(
            "INSERT INTO report_recommendations (review_id, number, source, text, status, created_by, created_at, updated_at) \
             VALUES ({review}, {number}, 'overview', '{}', '{status}', 'test', '2026-06-01T10:00:00+00:00', '2026-06-01T10:00:00+00:00')",
            text.replace('\'', "''")
        ))
        .await
        .unwrap();
    let recs = store.learning_recommendations(&casereview_store::Scope::partnership(1)).await.unwrap();
    recs.iter().find(|r| r.review_id == review && r.number == number).unwrap().id
}

/// Adds an action to a review's plan for an agency, due on `due` with assessment `rag`.
async fn add_action(app: &TestApp, review: i64, rec: i64, agency: &str, due: &str, rag: &str) {
    let store = &app.state.store;
    let aid = store.agencies(1).await.unwrap().into_iter().find(|a| a.name == agency).unwrap().id;
    store
        .tamper_for_tests_raw(&format!(
            "INSERT INTO recommendation_parts (recommendation_id, letter, task, agency_id) SELECT {rec}, 'z{due}{rag}', 'Task for {agency}', {aid} \
             WHERE NOT EXISTS (SELECT 1 FROM recommendation_parts WHERE recommendation_id = {rec} AND letter = 'z{due}{rag}')"
        ))
        .await
        .unwrap();
    store
        .tamper_for_tests_raw(&format!(
            "INSERT INTO plan_actions (review_id, part_id, agency_id, action, by_whom, intended_outcome, monitoring, due_on, rag, created_by, created_at) \
             SELECT {review}, p.id, {aid}, 'Act', 'Manager', 'Outcome', 'Audit', '{due}', '{rag}', 'test', '2026-06-01T10:00:00+00:00' \
             FROM recommendation_parts p WHERE p.recommendation_id = {rec} AND p.letter = 'z{due}{rag}'"
        ))
        .await
        .unwrap();
}

fn refs(v: &Value) -> Vec<String> {
    v["results"].as_array().unwrap().iter().map(|h| h["reference"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_returns_only_what_the_searcher_may_see() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let store = &app.state.store;
        let mine = app.review_with_members(&[Role::PanelMember, Role::AgencyAuthor]).await;
        let other = app.review_with_members(&[]).await;
        let (mine_ref, other_ref) = (reference(&app, mine).await, reference(&app, other).await);
        let sys = system();
        store.set_review_learning(&sys, mine, &[], "Did not share the <script>alert(1)</script> zebracrossing concern").await.unwrap();
        store.set_review_learning(&sys, other, &[], "The zebracrossing lesson of another review, and a quokka").await.unwrap();
        let mut sections = BTreeMap::new();
        sections.insert("analysis".to_string(), "The marmalade assessment was never shared with the school.".to_string());
        store.save_document(&sys, mine, DocumentKind::OverviewReport, 0, &sections).await.unwrap();
        add_recommendation(&app, other, 1, "The kestrel protocol should be rewritten", "adopted").await;
        add_recommendation(&app, mine, 1, "Health visitors should record the pelican visits", "draft").await;

        let member = app.api(app.email(Role::PanelMember)).await;
        let (s, v) = member.get("/api/v1/search?q=zebracrossing").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(refs(&v), vec![mine_ref.clone()], "{backend:?}: {v}");
        for q in ["quokka", "kestrel"] {
            let (_, v) = member.get(&format!("/api/v1/search?q={q}")).await;
            assert!(refs(&v).is_empty(), "{backend:?} {q}: {v}");
        }
        // The panel member reads the draft overview report and the draft recommendation;
        let (_, v) = member.get("/api/v1/search?q=marmalade").await;
        assert_eq!(refs(&v), vec![mine_ref.clone()], "{backend:?}: {v}");
        assert_eq!(v["results"][0]["link"], format!("/reviews/{mine}/documents/overview_report"));
        let (_, v) = member.get("/api/v1/search?q=pelican").await;
        assert_eq!(refs(&v), vec![mine_ref.clone()], "{backend:?}: {v}");
        // the agency author, a member too, reads neither draft but the lessons yes.
        let author = app.api(app.email(Role::AgencyAuthor)).await;
        for q in ["marmalade", "pelican", "quokka"] {
            let (_, v) = author.get(&format!("/api/v1/search?q={q}")).await;
            assert!(refs(&v).is_empty(), "{backend:?} {q}: {v}");
        }
        let (_, v) = author.get("/api/v1/search?q=zebracrossing").await;
        assert_eq!(refs(&v), vec![mine_ref.clone()]);
        // An agency author of no review finds nothing; the board manager finds both.
        let outsider = app.api(&app.outsider).await;
        let (_, v) = outsider.get("/api/v1/search?q=zebracrossing").await;
        assert!(refs(&v).is_empty(), "{v}");
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let (_, v) = admin.get("/api/v1/search?q=zebracrossing").await;
        let mut both = refs(&v);
        both.sort();
        let mut want = vec![mine_ref.clone(), other_ref.clone()];
        want.sort();
        assert_eq!(both, want);
        let (_, v) = admin.get("/api/v1/search?q=kestrel%20protocol").await;
        assert_eq!(refs(&v), vec![other_ref.clone()]);
        // Stemming: "shared" finds "share".
        let (_, v) = admin.get("/api/v1/search?q=sharing%20concerns").await;
        assert_eq!(refs(&v), vec![mine_ref.clone()], "{v}");

        // The page: the hit with its escaped, highlighted snippet and its link; nothing else.
        let b = app.browser(app.email(Role::PanelMember)).await;
        let (s, html) = b.get("/search?q=zebracrossing").await;
        assert_eq!(s, 200);
        assert!(html.contains(&mine_ref) && !html.contains(&other_ref), "{html}");
        assert!(html.contains("<mark>zebracrossing</mark>"), "{html}");
        // SQLite's snippet keeps the tag as text (escaped); PostgreSQL's headline drops tags.
        assert!(html.contains("alert(1)") && !html.contains("<script>alert"), "{html}");
        assert!(html.contains(&format!("href=\"/reviews/{mine}/learning\"")));
        // A change is found at once (the index is kept in the writer's transaction).
        store.set_review_learning(&sys, mine, &[], "Now about the wombat").await.unwrap();
        let (_, v) = member.get("/api/v1/search?q=zebracrossing").await;
        assert!(refs(&v).is_empty(), "{v}");
        let (_, v) = member.get("/api/v1/search?q=wombat").await;
        assert_eq!(refs(&v), vec![mine_ref.clone()]);
    }
}

#[tokio::test]
async fn odd_queries_never_fail_and_never_leak() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let other = app.review_with_members(&[]).await;
        app.state.store.set_review_learning(&system(), other, &[], "secret near neglect and \"quoted\" words").await.unwrap();
        let outsider = app.api(&app.outsider).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let long = "neglect ".repeat(5000);
        let queries = [
            "",
            " ",
            "\"",
            "\"\"",
            "*",
            "secret*",
            "NEAR(secret neglect)",
            "secret NEAR neglect",
            "-secret",
            "secret -neglect",
            "'",
            "('",
            "%",
            "%25",
            "<script>alert(1)</script>",
            "secret OR 1=1",
            "secret AND NOT x",
            "^secret",
            "secret:neglect",
            "body:secret",
            "{secret}",
            "\\",
            "a\u{0}b",
            "😀 secret",
            "ＳＥＣＲＥＴ",
            &long,
        ];
        let b = app.browser(&app.outsider).await;
        for q in queries {
            let enc: String = url_encode(q);
            let (s, v) = outsider.get(&format!("/api/v1/search?q={enc}")).await;
            assert_eq!(s, 200, "{backend:?} {q:?}: {v}");
            assert!(refs(&v).is_empty(), "{backend:?} {q:?}: {v}");
            let (s, v) = admin.get(&format!("/api/v1/search?q={enc}")).await;
            assert_eq!(s, 200, "{backend:?} {q:?}: {v}");
            let (s, html) = b.get(&format!("/search?q={enc}")).await;
            assert_eq!(s, 200, "{backend:?} {q:?}");
            assert!(!html.contains("<script>alert"));
        }
        // Operators are plain words: "secret*" finds the word secret, NEAR is a word too.
        let (_, v) = admin.get("/api/v1/search?q=secret*").await;
        assert_eq!(v["results"].as_array().unwrap().len(), 1, "{v}");
        let (_, v) = admin.get("/api/v1/search?q=%22quoted%22").await;
        assert_eq!(v["results"].as_array().unwrap().len(), 1, "{v}");
        // Bad percent-encoding and repeated names are read, not refused.
        let (s, _) = admin.get("/api/v1/search?q=%FF%FE&q=x").await;
        assert_eq!(s, 200);
    }
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn tagging_is_checked_and_audited() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair, Role::PanelMember]).await;
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let (s, html) = chair.get(&format!("/reviews/{id}/learning")).await;
        assert_eq!(s, 200);
        assert!(html.contains("Shaken baby syndrome") && html.contains("Long-standing neglect"));
        let (s, _, loc) = chair
            .post(
                &format!("/reviews/{id}/learning"),
                &[("tags", "domestic_violence"), ("tags", "recent_neglect"), ("lessons", "Think family.")],
            )
            .await;
        assert_eq!(s, 303, "{backend:?}");
        assert_eq!(loc.as_deref(), Some(format!("/reviews/{id}/learning?saved=1").as_str()));
        let store = &app.state.store;
        assert_eq!(store.review_tags(id).await.unwrap(), vec!["domestic_violence", "recent_neglect"]);
        let events = store
            .audit_events(&AuditQuery { partnership_id: Some(1), subject: Some(format!("review:{id}")), limit: 50, before: None })
            .await
            .unwrap();
        let tag_event = events.iter().find(|e| e.action == "learning.tag").unwrap();
        assert!(tag_event.details.contains("domestic_violence") && tag_event.actor == app.email(Role::PanelChair), "{}", tag_event.details);
        // Removing one is audited as removed.
        let (s, _, _) =
            chair.post(&format!("/reviews/{id}/learning"), &[("tags", "domestic_violence"), ("lessons", "Think family.")]).await;
        assert_eq!(s, 303);
        let events = store
            .audit_events(&AuditQuery { partnership_id: Some(1), subject: Some(format!("review:{id}")), limit: 50, before: None })
            .await
            .unwrap();
        assert!(events.iter().any(|e| e.action == "learning.tag" && e.details.contains("\"removed\":[\"recent_neglect\"]")));
        // An unknown tag is refused, naming the field, and nothing changes.
        let before =
            store.audit_events(&AuditQuery { partnership_id: Some(1), subject: None, limit: 500, before: None }).await.unwrap().len();
        let (s, html, _) = chair.post(&format!("/reviews/{id}/learning"), &[("tags", "made_up"), ("lessons", "Other")]).await;
        assert_eq!(s, 422);
        assert!(html.contains("govuk-error-summary") && html.contains("href=\"#tags\""), "{html}");
        assert_eq!(store.review_tags(id).await.unwrap(), vec!["domestic_violence"]);
        assert_eq!(store.review_lessons(id).await.unwrap().as_deref(), Some("Think family."));
        assert_eq!(
            store.audit_events(&AuditQuery { partnership_id: Some(1), subject: None, limit: 500, before: None }).await.unwrap().len(),
            before
        );
        // A panel member reads but may not tag.
        let member = app.browser(app.email(Role::PanelMember)).await;
        let (s, html) = member.get(&format!("/reviews/{id}/learning")).await;
        assert_eq!(s, 200);
        assert!(html.contains("Domestic violence") && !html.contains("<form method=\"post\" action=\"/reviews/"));
        let (s, _, _) = member.post(&format!("/reviews/{id}/learning"), &[("tags", "alcohol_abuse")]).await;
        assert_eq!(s, 403);
        // The board manager adds a theme of the partnership's own; a duplicate is refused.
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, _, loc) = admin.post("/learning/tags", &[("name", "Bruising in non-mobile babies")]).await;
        assert_eq!(s, 303);
        let (_, html) = admin.get(loc.as_deref().unwrap()).await;
        assert!(
            html.contains("The tag &#39;Bruising in non-mobile babies&#39; was added")
                || html.contains("The tag 'Bruising in non-mobile babies' was added"),
            "{html}"
        );
        let (s, html, _) = admin.post("/learning/tags", &[("name", "bruising in NON-mobile babies")]).await;
        assert_eq!(s, 422);
        assert!(html.contains("There is already a tag"));
        let (s, _, _) = chair.post("/learning/tags", &[("name", "Another")]).await;
        assert_eq!(s, 403);
        let (s, _, _) = chair.post(&format!("/reviews/{id}/learning"), &[("tags", "bruising_in_non_mobile_babies")]).await;
        assert_eq!(s, 303);
        assert_eq!(store.review_tags(id).await.unwrap(), vec!["bruising_in_non_mobile_babies"]);
        assert!(store
            .audit_events(&AuditQuery { partnership_id: Some(1), subject: Some("partnership:1".into()), limit: 50, before: None })
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "learning.tag_add"));
        // Someone who may not see the review is told it does not exist.
        let outsider = app.browser(&app.outsider).await;
        assert_eq!(outsider.get(&format!("/reviews/{id}/learning")).await.0, 404);
    }
}

/// Three reviews: two opened this year, one moved to last year; themes, similar
/// recommendations in two reviews, and actions of which two are overdue for Police.
async fn trends_fixture(app: &TestApp) -> (i64, i64, i64, i32) {
    let year = chrono::Utc::now().year();
    let a = app.review_with_members(&[Role::PanelMember]).await;
    let b = app.review_with_members(&[]).await;
    let c = app.review_with_members(&[]).await;
    let store = &app.state.store;
    let sys = system();
    store
        .set_review_learning(
            &sys,
            a,
            &["domestic_violence".into(), "recent_neglect".into()],
            "Listen to the child.\n\nShare concerns early.",
        )
        .await
        .unwrap();
    store.set_review_learning(&sys, b, &["domestic_violence".into()], "Think family.").await.unwrap();
    store.set_review_learning(&sys, c, &["domestic_violence".into(), "drug_abuse".into()], "").await.unwrap();
    store
        .tamper_for_tests_raw(&format!("UPDATE reviews SET created_at = '{}-03-01T10:00:00+00:00' WHERE id = {c}", year - 1))
        .await
        .unwrap();
    let ra =
        add_recommendation(app, a, 1, "Health visitors should record the name of every adult living in the household", "adopted").await;
    add_recommendation(app, b, 1, "Health visitors must record the names of all adults living in the household", "adopted").await;
    add_recommendation(app, c, 1, "Schools should review attendance policy", "adopted").await;
    add_action(app, a, ra, "Police", "2026-01-31", "red").await;
    add_action(app, a, ra, "Police", "2026-02-28", "amber").await;
    add_action(app, a, ra, "Health", "2026-01-31", "completed").await;
    add_action(app, a, ra, "Health", "2026-12-31", "green").await;
    (a, b, c, year)
}

#[tokio::test]
async fn trends_count_reviews_by_theme_and_year() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (a, b, _c, year) = trends_fixture(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let (s, t) = admin.get("/api/v1/learning/trends").await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["themes"]["years"], serde_json::json!([year - 1, year]));
        let row = |slug: &str| t["themes"]["rows"].as_array().unwrap().iter().find(|r| r["tag"]["slug"] == slug).cloned();
        assert_eq!(row("domestic_violence").unwrap()["counts"], serde_json::json!([1, 2]));
        assert_eq!(row("domestic_violence").unwrap()["total"], 3);
        assert_eq!(row("recent_neglect").unwrap()["counts"], serde_json::json!([0, 1]));
        assert_eq!(row("drug_abuse").unwrap()["counts"], serde_json::json!([1, 0]));
        assert!(row("alcohol_abuse").is_none());
        assert_eq!(t["recurring"].as_array().unwrap().len(), 1, "{t}");
        let mut recurring: Vec<String> =
            t["recurring"][0]["references"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
        recurring.sort();
        let mut want = vec![reference(&app, a).await, reference(&app, b).await];
        want.sort();
        assert_eq!(recurring, want);
        // Today is 15/06/2026 in the tests: two Police actions are overdue; Health's are not.
        assert_eq!(t["overdue"], serde_json::json!([["Police", 2]]));
        // A panel member sees only their review's figures.
        let member = app.api(app.email(Role::PanelMember)).await;
        let (_, t) = member.get("/api/v1/learning/trends").await;
        assert_eq!(t["reviews"], 1);
        let rows = t["themes"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{t}");
        assert!(t["recurring"].as_array().unwrap().is_empty());
        // The page shows the table, the chart and the overdue actions.
        let br = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, html) = br.get("/learning").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Domestic violence") && html.contains("src=\"/learning/themes.svg\"") && html.contains(">Police</th>"),
            "{html}"
        );
        let (s, svg) = br.get("/learning/themes.svg").await;
        assert_eq!(s, 200);
        assert!(svg.contains(">Domestic violence</text>") && svg.contains(">3</text>"), "{svg}");
    }
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("annual.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) must be installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_annual_report_carries_the_figures() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (a, _b, c, year) = trends_fixture(&app).await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, ct, bytes) = admin.get_bytes(&format!("/learning/annual-report.pdf?year={year}")).await;
        assert_eq!(s, 200, "{backend:?}: {}", String::from_utf8_lossy(&bytes));
        assert_eq!(ct, "application/pdf");
        let text = pdf_text(&bytes);
        assert!(text.contains(&format!("Annual lessons report {year}")), "{text}");
        assert!(text.contains(&format!("Reviews opened in {year} 2")), "{text}");
        assert!(text.contains("Domestic violence 2") && text.contains("Recent neglect 1"), "{text}");
        assert!(!text.contains("Drug abuse"), "last year's review is not in this year's report: {text}");
        assert!(text.contains("Listen to the child.") && text.contains("Think family."), "{text}");
        assert!(text.contains(&reference(&app, a).await) && !text.contains(&reference(&app, c).await), "{text}");
        assert!(text.contains("Recommendations made again"), "{text}");
        assert!(text.contains("Red 1") && text.contains("Amber 1") && text.contains("Completed 1"), "{text}");
        assert!(text.contains("Police 2"), "{text}");
        let (s, ct, bytes) = admin.get_bytes(&format!("/learning/annual-report.docx?year={year}")).await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("application/vnd.openxmlformats") && bytes.starts_with(b"PK"));
        // Last year's report has the other review.
        let (_, _, bytes) = admin.get_bytes(&format!("/learning/annual-report.pdf?year={}", year - 1)).await;
        let text = pdf_text(&bytes);
        assert!(text.contains(&format!("Reviews opened in {} 1", year - 1)) && text.contains("Drug abuse 1"), "{text}");
        // Bad years and other roles are refused.
        assert_eq!(admin.get("/learning/annual-report.pdf?year=abc").await.0, 400);
        assert_eq!(admin.get("/learning/annual-report.xls?year=2026").await.0, 404);
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.get(&format!("/learning/annual-report.pdf?year={year}")).await.0, 403);
    }
}

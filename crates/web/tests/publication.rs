//! Publication (issue 7 item 4) on both backends: the public list with no sign-in shows
//! only what passed the publication gate; a hold blocks publication and shows its reason;
//! the copy to the national panel must be at least a week old; a publication cannot be
//! removed within 12 months; searching with operators and odd characters never errors and
//! never leaks an unpublished document.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::documents::DocumentKind;
use casereview_core::Role;
use casereview_store::{Actor, AuditQuery};
use chrono::NaiveDate;
use common::*;
use serde_json::json;

/// A review at its chronology with an approved executive summary saying `words`; returns
/// the review, its reference and the summary's document id.
async fn approved_summary(app: &TestApp, words: &str) -> (i64, String, i64) {
    let id = app.review_at_chronology().await;
    let author = app.browser(app.email(Role::OverviewAuthor)).await;
    let url = format!("/reviews/{id}/documents/executive_summary");
    let body = [
        ("section-introduction", format!("This summary tells what the review found. {words}")),
        ("section-panel", "As listed.".to_string()),
        ("section-summary", "The agencies did not share what they knew.".to_string()),
        ("section-conclusions", "1. Share information within a day.".to_string()),
        ("version", "0".to_string()),
    ];
    let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(author.post(&url, &body).await.0, 303);
    let chair = app.browser(app.email(Role::BoardChair)).await;
    let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "approved"), ("version", "1")]).await;
    assert_eq!(s, 303, "{page}");
    let store = &app.state.store;
    let reference = store.review(id).await.unwrap().summary.reference;
    let doc = store.document(id, DocumentKind::ExecutiveSummary).await.unwrap().unwrap();
    (id, reference, doc.id)
}

/// Records the copy to the national panel on `on` (as the board chair) and publishes.
async fn publish(app: &TestApp, id: i64, on: &str) -> (u16, String) {
    let chair = app.browser(app.email(Role::BoardChair)).await;
    let url = format!("/reviews/{id}/documents/executive_summary");
    let (s, page, _) = chair.post(&format!("{url}/national-panel"), &[("national_panel_sent_on", on)]).await;
    assert_eq!(s, 303, "{page}");
    let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "published"), ("version", "1")]).await;
    (s, page)
}

fn anonymous(app: &TestApp) -> Browser {
    Browser {
        base: app.base.clone(),
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        csrf: String::new(),
    }
}

#[tokio::test]
async fn anyone_sees_the_published_list_and_nothing_unpublished() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (pub_id, pub_ref, pub_doc) = approved_summary(&app, "Lanternfish practice was found wanting.").await;
        let (_, secret_ref, secret_doc) = approved_summary(&app, "Quokka practice was not yet published.").await;
        let (s, page) = publish(&app, pub_id, "2026-06-01").await;
        assert_eq!(s, 303, "{page}");

        let nobody = anonymous(&app);
        let (s, page) = nobody.get("/published").await;
        assert_eq!(s, 200, "{backend:?}");
        assert!(page.contains(&pub_ref) && page.contains("15/06/2026"), "the published summary, with its date: {page}");
        assert!(page.contains("15/06/2027"), "available at least 12 months");
        assert!(!page.contains(&secret_ref), "an approved but unpublished summary is not listed");
        assert!(!page.contains("Child T"), "no child's name on the public page");
        assert!(!page.contains("Sign out"), "no sign-in needed");

        let (s, page) = nobody.get(&format!("/published/{pub_doc}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Lanternfish practice") && !page.contains("Child T"), "{page}");
        assert_eq!(nobody.get(&format!("/published/{secret_doc}")).await.0, 404);
        assert_eq!(nobody.get(&format!("/published/{secret_doc}/download?format=pdf")).await.0, 404);
        assert_eq!(nobody.get("/published/999999").await.0, 404);

        // The download prints the published text, unmarked.
        let (s, ct, pdf) = nobody.get_bytes(&format!("/published/{pub_doc}/download?format=pdf")).await;
        assert_eq!((s, ct.as_str()), (200, "application/pdf"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.pdf"), &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg(dir.path().join("p.pdf")).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("Lanternfish practice") && text.contains(&pub_ref), "{text}");
        assert!(!text.contains("Child T") && !text.contains("CONFIDENTIAL") && !text.contains("DRAFT"), "{text}");
        let (s, ct, _) = nobody.get_bytes(&format!("/published/{pub_doc}/download?format=docx")).await;
        assert_eq!(s, 200);
        assert!(ct.contains("wordprocessingml"));
        assert_eq!(nobody.get(&format!("/published/{pub_doc}/download?format=exe")).await.0, 400);

        // The API, with no token.
        let api = app.anonymous_api();
        let (s, v) = api.get("/api/v1/published").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["reference"], pub_ref.as_str());
        assert_eq!(v["items"][0]["published_on"], "2026-06-15");
        let (s, v) = api.get(&format!("/api/v1/published/{pub_doc}")).await;
        assert_eq!(s, 200);
        assert!(v["sections"]["introduction"].as_str().unwrap().contains("Lanternfish"));
        assert_eq!(api.get(&format!("/api/v1/published/{secret_doc}")).await.0, 404);
    }
}

#[tokio::test]
async fn a_hold_blocks_publication_and_shows_its_reason() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, reference, _) = approved_summary(&app, "Nothing identifying.").await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let holds = format!("/reviews/{id}/publication-holds");

        // Only the board manager and the chair hold; a hold needs a kind and a reason.
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.post(&holds, &[("kind", "inquest"), ("reason", "x")]).await.0, 403);
        let (s, page, _) = admin.post(&holds, &[("kind", "trial"), ("reason", "")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#kind\"") && page.contains("href=\"#reason\""), "{page}");
        let reason = "Trial of the father listed for March 2027";
        assert_eq!(admin.post(&holds, &[("kind", "criminal_proceedings"), ("reason", reason)]).await.0, 303);
        let api = app.api(app.email(Role::BoardChair)).await;
        let (s, v) = api
            .post(&format!("/api/v1/reviews/{id}/publication-holds"), &json!({"kind": "inquest", "reason": "Coroner's hearing in May"}))
            .await;
        assert_eq!(s, 201, "{v}");
        let inquest = v["id"].as_i64().unwrap();
        let (s, v) = api.post(&format!("/api/v1/reviews/{id}/publication-holds"), &json!({"kind": "inquest"})).await;
        assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("reason")), "{v}");

        // The review page shows the holds; publication is refused with the reasons.
        let (_, page) = member.get(&format!("/reviews/{id}")).await;
        assert!(page.contains(reason) && page.contains("hearing in May"), "{page}");
        let (s, page) = publish(&app, id, "2026-06-01").await;
        assert_eq!(s, 422);
        assert!(page.contains(reason), "the hold's reason is shown: {page}");
        assert!(page.contains("href=\"#hold\""), "the error summary links to the holds");

        // Lifting needs a reason and the right role; both holds must go.
        let (_, v) = api.get(&format!("/api/v1/reviews/{id}/publication-holds")).await;
        let trial = v[0]["id"].as_i64().unwrap();
        assert_eq!(member.post(&format!("{holds}/{trial}/lift"), &[("lift_reason", "Over")]).await.0, 403);
        let (s, page, _) = admin.post(&format!("{holds}/{trial}/lift"), &[("lift_reason", " ")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#lift_reason\""), "{page}");
        assert_eq!(admin.post(&format!("{holds}/{trial}/lift"), &[("lift_reason", "Verdict given on 1 June")]).await.0, 303);
        assert_eq!(admin.post(&format!("{holds}/{trial}/lift"), &[("lift_reason", "Again")]).await.0, 422, "already lifted");
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, page, _) =
            chair.post(&format!("/reviews/{id}/documents/executive_summary/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 422, "one hold is still open");
        assert!(page.contains("Coroner"), "{page}");
        assert!(!page.contains(reason), "the lifted hold no longer blocks");
        let (s, v) =
            api.post(&format!("/api/v1/reviews/{id}/publication-holds/{inquest}/lift"), &json!({"reason": "Inquest closed"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["lifted_by"], "Test Board chair");
        let (s, page, _) =
            chair.post(&format!("/reviews/{id}/documents/executive_summary/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 303, "{page}");
        assert!(anonymous(&app).get("/published").await.1.contains(&reference));

        let (_, page) = admin.get(&holds).await;
        assert!(page.contains("Lifted by Test Board manager") && page.contains("Verdict given on 1 June"), "{page}");
        assert!(page.contains("Inquest closed"), "the chair's lift through the API is recorded");
        let log = app.state.store.audit_events(&AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() }).await.unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "publication.hold").count(), 2);
        assert_eq!(log.iter().filter(|e| e.action == "publication.hold_lift").count(), 2);
        assert!(log.iter().any(|e| e.action == "publication.national_panel"));
    }
}

#[tokio::test]
async fn the_national_panel_copy_goes_at_least_a_week_before_publication() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, reference, _) = approved_summary(&app, "Nothing identifying.").await;
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let url = format!("/reviews/{id}/documents/executive_summary");
        let status = format!("{url}/status");
        let publish_now = || chair.post(&status, &[("to", "published"), ("version", "1")]);

        // No date recorded.
        let (s, page, _) = publish_now().await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#national_panel_sent_on\"") && page.contains("national panel"), "{page}");
        // Less than a week before today (15/06/2026).
        assert_eq!(chair.post(&format!("{url}/national-panel"), &[("national_panel_sent_on", "10/06/2026")]).await.0, 303);
        let (s, page, _) = publish_now().await;
        assert_eq!(s, 422);
        assert!(page.contains("less than a week") && page.contains("17/06/2026"), "{page}");
        // Not in the future, and a real date.
        let (s, page, _) = chair.post(&format!("{url}/national-panel"), &[("national_panel_sent_on", "20/06/2026")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("today or in the past"), "{page}");
        assert_eq!(chair.post(&format!("{url}/national-panel"), &[("national_panel_sent_on", "31/02/2026")]).await.0, 422);
        let member = app.api(app.email(Role::PanelMember)).await;
        let (s, _) = member
            .put(
                &format!("/api/v1/reviews/{id}/documents/executive_summary/national-panel"),
                &json!({"national_panel_sent_on": "2026-06-08"}),
            )
            .await;
        assert_eq!(s, 403);
        // Exactly a week is enough.
        let api = app.api(app.email(Role::PartnershipAdmin)).await;
        let (s, v) = api
            .put(
                &format!("/api/v1/reviews/{id}/documents/executive_summary/national-panel"),
                &json!({"national_panel_sent_on": "2026-06-08"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["national_panel_sent_on"], "2026-06-08");
        let (s, page, _) = publish_now().await;
        assert_eq!(s, 303, "{page}");
        let (_, v) = api.get(&format!("/api/v1/reviews/{id}/documents/executive_summary/publication")).await;
        assert_eq!((v["status"].as_str(), v["published_on"].as_str()), (Some("published"), Some("2026-06-15")), "{v}");
        // Once published the date is part of the record.
        let (s, _) = api
            .put(
                &format!("/api/v1/reviews/{id}/documents/executive_summary/national-panel"),
                &json!({"national_panel_sent_on": "2026-06-01"}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(app.anonymous_api().get("/api/v1/published").await.1.to_string().contains(&reference));
    }
}

#[tokio::test]
async fn a_publication_stays_at_least_twelve_months() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, reference, doc) = approved_summary(&app, "Nothing identifying.").await;
        assert_eq!(publish(&app, id, "2026-06-01").await.0, 303);
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let url = format!("/reviews/{id}/documents/executive_summary");
        let (s, page, _) = chair.post(&format!("{url}/withdraw"), &[("reason", "The family asked")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("at least 12 months") && page.contains("15/06/2027"), "{page}");
        let api = app.api(app.email(Role::PartnershipAdmin)).await;
        let (s, v) = api.post(&format!("/api/v1/reviews/{id}/documents/executive_summary/withdraw"), &json!({"reason": "x"})).await;
        assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("withdraw")), "{v}");
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.post(&format!("{url}/withdraw"), &[("reason", "x")]).await.0, 403);
        assert!(anonymous(&app).get("/published").await.1.contains(&reference), "still published");

        // Twelve months on, it may go, with a reason, and the removal is audited.
        let store = &app.state.store;
        let actor = Actor::system(store.review(id).await.unwrap().summary.partnership_id);
        let later = NaiveDate::from_ymd_opt(2027, 6, 15).unwrap();
        assert!(store.withdraw_publication(&actor, doc, "", later).await.is_err(), "a reason is needed");
        store.withdraw_publication(&actor, doc, "Superseded by the thematic review", later).await.unwrap();
        assert!(!anonymous(&app).get("/published").await.1.contains(&reference));
        assert_eq!(anonymous(&app).get(&format!("/published/{doc}")).await.0, 404);
        let log = store.audit_events(&AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() }).await.unwrap();
        assert!(log.iter().any(|e| e.action == "publication.withdraw" && e.details.contains("Superseded")));
        let (_, page) = chair.get(&url).await;
        assert!(page.contains("removed on 15/06/2027") && page.contains("Superseded"), "{page}");
    }
}

#[tokio::test]
async fn searching_with_odd_characters_never_errors_or_leaks() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, reference, _) = approved_summary(&app, r#"Compliance was 100% "nominal" at O'Neil House, per the_policy."#).await;
        let (_, secret_ref, _) = approved_summary(&app, "Quokka 100% unpublished.").await;
        assert_eq!(publish(&app, id, "2026-06-01").await.0, 303);
        let nobody = anonymous(&app);
        let api = app.anonymous_api();

        // (query, finds the published summary)
        let cases: &[(&str, bool)] = &[
            ("", true),
            ("\"nominal\"", true),
            ("100%", true),
            ("%", true),
            ("o'neil", true),
            ("the_policy", true),
            ("executive summary", true),
            (&reference, true),
            ("COMPLIANCE nominal", true),
            ("quokka", false),
            ("\"", true),
            ("*", false),
            ("'", true),
            ("<script>alert(1)</script>", false),
            ("compliance AND quokka", false),
            ("\" OR 1=1 --", false),
            ("'; DROP TABLE documents; --", false),
            ("_", true),
            ("\\", false),
            ("nominal*", false),
            ("NOT quokka", false),
            ("%00", false),
        ];
        for (q, found) in cases {
            let enc = serde_urlencoded::to_string([("q", q)]).unwrap();
            let (s, page) = nobody.get(&format!("/published?{enc}")).await;
            assert_eq!(s, 200, "{backend:?} {q:?}");
            assert!(!page.contains(&secret_ref) && !page.contains("Quokka"), "{q:?} leaks the unpublished summary");
            assert!(!page.contains("<script>alert"), "{q:?} is escaped");
            assert_eq!(page.contains(&format!("of {reference}")), *found, "{q:?}");
            let (s, v) = api.get(&format!("/api/v1/published?{enc}")).await;
            assert_eq!(s, 200, "{q:?}: {v}");
            assert_eq!(v["total"].as_i64().unwrap(), i64::from(*found), "{q:?}");
            assert!(!v.to_string().contains(&secret_ref));
        }
        // Bad percent-encoding and odd page numbers are not errors either.
        for raw in ["q=%FF%FE", "q=%", "q=%2", "page=-3", "page=99999999999999999999", "page=abc&q=nominal", "q=a&q=b"] {
            assert_eq!(nobody.get(&format!("/published?{raw}")).await.0, 200, "{raw}");
            assert_eq!(api.get(&format!("/api/v1/published?{raw}")).await.0, 200, "{raw}");
        }
    }
}

#[tokio::test]
async fn the_public_list_is_paged() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let store = &app.state.store;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let today = today();
        let mut refs = Vec::new();
        // Published through the store (the gate is tested elsewhere): 23 summaries.
        for i in 0..23 {
            let (s, v) = admin.post("/api/v1/referrals", &referral_json(&format!("Child P{i}"))).await;
            assert_eq!(s, 201, "{v}");
            let id = v["review"]["id"].as_i64().unwrap();
            let actor = Actor::system(store.review(id).await.unwrap().summary.partnership_id);
            let sections = [("introduction".to_string(), format!("Paged summary number {i}."))].into_iter().collect();
            let doc = store.save_document(&actor, id, DocumentKind::ExecutiveSummary, 0, &sections).await.unwrap();
            store.set_document_status(&actor, doc.id, casereview_core::documents::DocumentStatus::Approved, 1, None, "").await.unwrap();
            store.record_national_panel_date(&actor, doc.id, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(), today).await.unwrap();
            store.publish_document(&actor, doc.id, 1, &sections, today).await.unwrap();
            refs.push(store.review(id).await.unwrap().summary.reference);
        }
        let nobody = anonymous(&app);
        let (_, p1) = nobody.get("/published").await;
        let (_, p2) = nobody.get("/published?page=2").await;
        let on = |page: &str| refs.iter().filter(|r| page.contains(&format!("of {r}<"))).count();
        assert_eq!((on(&p1), on(&p2)), (20, 3));
        assert!(p1.contains("page 1 of 2") && p1.contains("rel=\"next\""), "{p1}");
        let (_, v) = app.anonymous_api().get("/api/v1/published?q=paged&page=2").await;
        assert_eq!((v["total"].as_i64(), v["pages"].as_i64(), v["items"].as_array().map(Vec::len)), (Some(23), Some(2), Some(3)));
        // The search's page links keep the query.
        let (_, p) = nobody.get("/published?q=paged+summary").await;
        assert!(p.contains("/published?q=paged+summary&amp;page=2"), "{p}");
    }
}

#[tokio::test]
async fn a_hold_blocks_the_reviews_publication_step_with_its_reason() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let panel = app.api(app.email(Role::PanelChair)).await;
        let chair = app.api(app.email(Role::BoardChair)).await;
        for (who, action) in [(&panel, "start_overview"), (&panel, "submit_to_board"), (&chair, "adopt")] {
            let (s, v) = who.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": action})).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
        let (s, v) = chair
            .post(
                &format!("/api/v1/reviews/{id}/publication-holds"),
                &json!({"kind": "criminal_proceedings", "reason": "Mother charged; trial in 2027"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let hold = v["id"].as_i64().unwrap();
        let (s, v) = chair.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "publish"})).await;
        assert_eq!(s, 422, "{v}");
        assert!(v.to_string().contains("Mother charged; trial in 2027"), "{v}");
        // The page says why the step is not possible yet.
        let (_, page) = app.browser(app.email(Role::BoardChair)).await.get(&format!("/reviews/{id}")).await;
        assert!(page.contains("publication is on hold"), "{page}");
        // A role that may never publish is told so, not about the hold.
        let (s, _) = panel.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "publish"})).await;
        assert_eq!(s, 403);
        let (s, v) =
            chair.post(&format!("/api/v1/reviews/{id}/publication-holds/{hold}/lift"), &json!({"reason": "Trial concluded"})).await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = chair.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "publish"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["review"]["state"], "published");
    }
}

#[tokio::test]
async fn an_open_prosecution_holds_publication_until_it_concludes() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, _, _) = approved_summary(&app, "Nothing identifying.").await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let path = format!("/reviews/{id}/proceedings");
        let open = [("kind", "prosecution"), ("status", "open"), ("description", "R v C, Crown Court"), ("started_on", "01/03/2026")];
        assert_eq!(admin.post(&path, &open).await.0, 303, "{backend:?}");
        let (s, page) = publish(&app, id, "01/06/2026").await;
        assert_eq!(s, 422, "{page}");
        assert!(page.contains("Prosecution (criminal proceedings) (R v C, Crown Court) is open"), "{page}");
        let rid = app.state.store.records::<casereview_core::proceedings::Proceeding>(id).await.unwrap()[0].id.to_string();
        let concluded = [
            ("record", rid.as_str()),
            ("version", "1"),
            ("kind", "prosecution"),
            ("status", "concluded"),
            ("description", "R v C, Crown Court"),
            ("started_on", "01/03/2026"),
            ("concluded_on", "05/06/2026"),
        ];
        assert_eq!(admin.post(&path, &concluded).await.0, 303);
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, page, _) =
            chair.post(&format!("/reviews/{id}/documents/executive_summary/status"), &[("to", "published"), ("version", "1")]).await;
        assert_eq!(s, 303, "{page}");
    }
}

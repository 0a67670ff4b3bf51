//! Monitoring to conclusion (issue 7 item 3) on both backends: the review is concluded only
//! when every action of its plan is completed and signed off, and concluding records the
//! date the department was informed; overdue actions are escalated on the board manager's
//! dashboard.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::recommendations::{PlanAction, Rag, Recommendation, RecommendationPart};
use casereview_core::Role;
use casereview_store::Actor;
use chrono::NaiveDate;
use common::*;
use serde_json::json;

async fn actor(app: &TestApp, role: Role) -> Actor {
    app.state.store.user_by_email(app.email(role)).await.unwrap().unwrap().0.actor()
}

/// A Serious Case Review adopted and in monitoring, with one adopted recommendation for
/// Health and one action due on `due`; returns the review and the action.
async fn review_in_monitoring(app: &TestApp, due: &str) -> (i64, i64) {
    let id = app.review_at_chronology().await;
    let panel = app.api(app.email(Role::PanelChair)).await;
    let chair_api = app.api(app.email(Role::BoardChair)).await;
    let admin_api = app.api(app.email(Role::PartnershipAdmin)).await;
    for (who, action) in [(&panel, "start_overview"), (&panel, "submit_to_board"), (&chair_api, "adopt"), (&admin_api, "start_monitoring")]
    {
        let (s, v) = who.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": action})).await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    let store = &app.state.store;
    let (author, chair, admin) =
        (actor(app, Role::OverviewAuthor).await, actor(app, Role::BoardChair).await, actor(app, Role::PartnershipAdmin).await);
    let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").ok();
    let r = Recommendation {
        text: "Health should refer every unexplained injury in a baby".into(),
        parts: vec![RecommendationPart {
            task: "Refer every unexplained injury in a non-mobile baby to children's social care".into(),
            agency: "Health".into(),
            addressee_name: "Dr Jane Smith".into(),
            addressee_position: "Named Doctor".into(),
            measure: "Audit of 20 records shows every injury referred".into(),
            due_on: due,
        }],
    };
    let r = store.create_recommendation(&author, id, &r).await.unwrap();
    let r = store.adopt_recommendation(&chair, r.id).await.unwrap();
    let a = PlanAction {
        action: "Issue the bruising protocol".into(),
        by_whom: "Named Doctor".into(),
        intended_outcome: "Every unexplained injury is referred".into(),
        monitoring: "Quarterly audit".into(),
        due_on: due,
    };
    let action = store.add_action(&admin, r.parts[0].id, &a).await.unwrap();
    (id, action.id)
}

#[tokio::test]
async fn a_review_concludes_only_when_every_action_is_signed_off_and_the_department_is_informed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, action) = review_in_monitoring(&app, "2026-12-31").await;
        let chair = app.api(app.email(Role::BoardChair)).await;
        let url = format!("/api/v1/reviews/{id}/transitions");
        let conclude = json!({"action": "conclude", "department_informed_on": "2026-06-15"});

        let (s, v) = chair.post(&url, &conclude).await;
        assert_eq!(s, 422, "{v}");
        assert!(v.to_string().contains("completed and signed off"), "{v}");
        let page = app.browser(app.email(Role::BoardChair)).await;
        let (_, html) = page.get(&format!("/reviews/{id}")).await;
        assert!(html.contains("completed and signed off"), "the review page says why: {html}");

        // Completed but not yet signed off is not enough.
        let store = &app.state.store;
        let admin = actor(&app, Role::PartnershipAdmin).await;
        store.add_action_update(&admin, action, Rag::Completed, "Protocol issued to every team", &[], 1024).await.unwrap();
        assert_eq!(chair.post(&url, &conclude).await.0, 422);
        store.sign_off_action(&admin, action).await.unwrap();

        // The date the department was informed is required, real, and not after concluding.
        let (s, v) = chair.post(&url, &json!({"action": "conclude"})).await;
        assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("department_informed_on")), "{v}");
        let (s, v) = chair.post(&url, &json!({"action": "conclude", "on": "2026-06-10", "department_informed_on": "2026-06-12"})).await;
        assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("department_informed_on")), "{v}");
        let (s, v) = chair.post(&url, &json!({"action": "conclude", "department_informed_on": "2026-02-30"})).await;
        assert_eq!(s, 422, "{v}");
        // On the page: the box is on the conclude form and errors link to it.
        let (s, html, _) = page.post(&format!("/reviews/{id}/transitions"), &[("action", "conclude"), ("on", "15/06/2026")]).await;
        assert_eq!(s, 422);
        assert!(html.contains("href=\"#department_informed_on\"") && html.contains("id=\"department_informed_on\""), "{html}");
        let (s, _, _) = page
            .post(
                &format!("/reviews/{id}/transitions"),
                &[("action", "conclude"), ("on", "15/06/2026"), ("department_informed_on", "14/06/2026")],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(store.review(id).await.unwrap().summary.state.as_str(), "concluded");
        let events = store.events_of(&[id]).await.unwrap();
        assert!(
            events.iter().any(|e| e.event == "department_informed" && e.occurred_on == NaiveDate::from_ymd_opt(2026, 6, 14).unwrap()),
            "{events:?}"
        );
    }
}

#[tokio::test]
async fn overdue_actions_are_escalated_on_the_board_managers_dashboard() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        // Today is 15/06/2026: one action was due on 01/06, another is due at the year's end.
        let (_, late) = review_in_monitoring(&app, "2026-06-01").await;
        let (_, on_time) = review_in_monitoring(&app, "2026-12-31").await;
        let store = &app.state.store;
        let late_ref = store.plan_action(late).await.unwrap().review_reference;
        let on_time_ref = store.plan_action(on_time).await.unwrap().review_reference;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, page) = admin.get("/").await;
        assert_eq!(s, 200);
        assert!(page.contains("Escalations: overdue actions") && page.contains("Overdue by 14 days"), "{page}");
        assert!(page.contains(&format!("/actions/{late}\"")) && page.contains(&late_ref), "{page}");
        assert!(!page.contains(&format!("/actions/{on_time}\"")), "an action not yet due is not escalated ({on_time_ref})");
        // Escalations are the board manager's; a completed action is no longer overdue.
        let (_, chair_page) = app.browser(app.email(Role::BoardChair)).await.get("/").await;
        assert!(!chair_page.contains("Escalations"));
        let a = actor(&app, Role::PartnershipAdmin).await;
        store.add_action_update(&a, late, Rag::Completed, "Done late", &[], 1024).await.unwrap();
        let (_, page) = admin.get("/").await;
        assert!(!page.contains("Escalations"), "{page}");
    }
}

/// The text of a PDF (poppler-utils' pdftotext; CI installs it).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext must be installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_quarterly_monitoring_report_summarises_the_plan_with_a_chart() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        // Due before the tests' today (15 June 2026): overdue and red.
        let (id, _) = review_in_monitoring(&app, "2026-06-01").await;
        let member = app.browser(app.email(Role::PanelChair)).await;
        let (s, ct, pdf) = member.get_bytes(&format!("/reviews/{id}/monitoring-report?format=pdf")).await;
        assert_eq!((s, ct.as_str()), (200, "application/pdf"), "{backend:?}");
        let text = pdf_text(&pdf);
        for want in [
            "Quarterly monitoring report",
            "1 April 2026 to 30 June 2026",
            "Issue the bruising protocol",
            "Overdue (past their date, not completed)",
            "1 green; 1 overdue",
            "Health",
        ] {
            assert!(text.contains(want), "{want:?} not in {text}");
        }
        let (s, ct, docx) = member.get_bytes(&format!("/reviews/{id}/monitoring-report?format=docx")).await;
        assert_eq!(s, 200);
        assert!(ct.contains("wordprocessingml") && docx.starts_with(b"PK"));
        assert_eq!(member.get_bytes(&format!("/reviews/{id}/monitoring-report?format=odt")).await.0, 400);
        let outsider = app.browser(&app.outsider).await;
        assert_eq!(outsider.get_bytes(&format!("/reviews/{id}/monitoring-report?format=pdf")).await.0, 404);
        // The partnership's: the board manager and chair only.
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, _, pdf) = admin.get_bytes("/monitoring-report?format=pdf").await;
        assert_eq!(s, 200);
        assert!(pdf_text(&pdf).contains("Every review of the partnership"));
        assert_eq!(member.get_bytes("/monitoring-report?format=pdf").await.0, 403);
    }
}
